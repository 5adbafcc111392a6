#!/usr/bin/env python3
"""Checks a Chinese twin against its English file, by the rules of docs/glossary.zh-CN.md (the same rules the test
TranslationTests holds in CI). Usage: tools/check-zh.py labs/01-logging-blocking   (or: tools/check-zh.py README.md, or a chapter's README.md)
Prints one line per problem; exit code 1 when there is any."""
import re, sys, os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

def glossary():
    text = open(os.path.join(ROOT, "docs/glossary.zh-CN.md"), encoding="utf-8").read()
    rejected, headings = [], {}
    part = text.split("## 报告的标题")
    for line in part[0].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[2] and not cells[0].startswith("---") and cells[0] != "English":
            rejected += [r for r in cells[2].split("、") if r]
    for line in part[1].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0] not in ("English",) and not cells[0].startswith("---"):
            headings[cells[0].lower()] = cells[1]
    return rejected, headings

def strip_code(text):
    return re.sub(r"```.*?```", "", text, flags=re.S)

def headings(text):
    out = []
    for m in re.finditer(r"^(#{1,6}) (.+)$", strip_code(text), re.M):
        out.append((len(m.group(1)), m.group(2).strip()))
    for m in re.finditer(r"<summary>(.*?)</summary>", text):
        out.append((0, re.sub(r"<[^>]+>", "", m.group(1)).strip()))
    return out

def summaries(text):
    return [re.sub(r"<[^>]+>", "", m.group(1)).strip() for m in re.finditer(r"<summary>(.*?)</summary>", text)]

def check_pair(en_path, zh_path, kind, problems):
    if not os.path.exists(zh_path):
        problems.append(f"{zh_path}: missing (the Chinese twin of {en_path})"); return
    en = open(en_path, encoding="utf-8").read(); zh = open(zh_path, encoding="utf-8").read()
    rejected, mapping = glossary()
    en_name, zh_name = os.path.basename(en_path), os.path.basename(zh_path)
    if f"]({zh_name})" not in "\n".join(en.splitlines()[:4]):
        problems.append(f"{en_path}: no link to {zh_name} in its first lines")
    if f"]({en_name})" not in "\n".join(zh.splitlines()[:4]):
        problems.append(f"{zh_path}: no link back to {en_name} in its first lines")
    eh = [(l, t) for l, t in re.findall(r"^(#{1,6}) (.+)$", strip_code(en), re.M)]
    zhh = [(l, t) for l, t in re.findall(r"^(#{1,6}) (.+)$", strip_code(zh), re.M)]
    if [len(l) for l, _ in eh] != [len(l) for l, _ in zhh]:
        problems.append(f"{zh_path}: headings differ from {en_name}'s: {len(eh)} there, {len(zhh)} here; levels {[len(l) for l,_ in eh]} vs {[len(l) for l,_ in zhh]}")
    for (l, e), (_, z) in zip(eh, zhh):
        want = mapping.get(e.strip().lower())
        if want and z.strip() != want:
            problems.append(f"{zh_path}: heading '{e}' must be '{want}', found '{z}'")
    es, zs = summaries(en), summaries(zh)
    if len(es) != len(zs):
        problems.append(f"{zh_path}: {len(zs)} folded blocks (<details>), {en_name} has {len(es)}")
    for e, z in zip(es, zs):
        key = re.sub(r"\s*\(spoiler\)\s*$", "", e).strip().lower()
        want = mapping.get(key)
        if want and not z.startswith(want):
            problems.append(f"{zh_path}: folded block '{e}' must be titled '{want}', found '{z}'")
    if en.count("<details") != zh.count("<details"):
        problems.append(f"{zh_path}: {zh.count('<details')} <details>, {en_name} has {en.count('<details')}")
    ec = re.findall(r"```.*?```", en, re.S); zc = re.findall(r"```.*?```", zh, re.S)
    if ec != zc:
        for i, (a, b) in enumerate(zip(ec, zc)):
            if a != b:
                problems.append(f"{zh_path}: code block {i + 1} differs from {en_name}'s: {a[:60]!r} vs {b[:60]!r}"); break
        else:
            problems.append(f"{zh_path}: {len(zc)} code blocks, {en_name} has {len(ec)}")
    ef = re.findall(r"<!-- figures[^>]*-->", en); zf = re.findall(r"<!-- figures[^>]*-->", zh)
    if ef != zf:
        problems.append(f"{zh_path}: figures comments differ from {en_name}'s ({len(zf)} vs {len(ef)}; first difference: {next((a for a, b in zip(ef, zf + [''] * len(ef)) if a != b), '')})")
    for m in re.finditer(r"<!-- figures[^:]*: ([^>]*)-->", zh):
        before = zh[:m.start()]
        block = before[before.rfind("\n\n") if before.rfind("\n\n") >= 0 else 0:]
        if "```" in before[-400:]:
            block = before[-2000:]
        for pair in m.group(1).split():
            value = pair.split("=", 1)[1]
            if value not in block and value not in before[-3000:]:
                problems.append(f"{zh_path}: figure {pair} is not shown before its comment")
    flat = re.sub(r"\s+", " ", zh)
    for cmd in set(re.findall(r"`((?:\./workshop|dotnet |LAB_TARGET=|curl |hey )[^`]*)`", strip_code(en))):
        if re.sub(r"\s+", " ", f"`{cmd}`") not in flat:  # a command may wrap at another place
            problems.append(f"{zh_path}: command `{cmd}` of {en_name} is missing")
    for word in rejected:
        if word in zh:
            problems.append(f"{zh_path}: uses '{word}', which the glossary rejects")
    if kind == "report":
        m = re.search(r"labs/(\d\d-[a-z0-9-]+)", en_path)
        if m and f"notebooks/{m.group(1)}.ipynb" not in zh:
            problems.append(f"{zh_path}: no link to notebooks/{m.group(1)}.ipynb (the notebooks are English only; say so and link it)")
        notebook = os.path.join(ROOT, "notebooks", f"{m.group(1)}.ipynb") if m else None
        if notebook and os.path.exists(notebook):
            import json
            lines = "".join("".join(c["source"]) + "\n" for c in json.load(open(notebook, encoding="utf-8"))["cells"] if c["cell_type"] == "markdown")
            steps = [int(n) for n in re.findall(r'^<a id="step-(\d+)"></a>\s*$', lines, re.M)]
            linked = [int(n) for n in re.findall(rf"notebooks/{re.escape(m.group(1))}\.ipynb#step-(\d+)\)", zh)]
            if linked != steps:
                problems.append(f"{zh_path}: links notebook steps {linked}, the notebook has {steps} (one link each, in order: notebooks/{m.group(1)}.ipynb#step-N)")
    if kind == "hints":
        if len(re.findall(r"^## ", en, re.M)) != len(re.findall(r"^## ", zh, re.M)):
            problems.append(f"{zh_path}: {len(re.findall(r'^## ', zh, re.M))} hints, {en_name} has {len(re.findall(r'^## ', en, re.M))}")

def main():
    problems = []
    for arg in sys.argv[1:]:
        path = os.path.join(ROOT, arg) if not os.path.isabs(arg) else arg
        if os.path.isdir(path):
            check_pair(os.path.join(path, "README.md"), os.path.join(path, "README.zh-CN.md"), "report", problems)
            check_pair(os.path.join(path, "hints.md"), os.path.join(path, "hints.zh-CN.md"), "hints", problems)
        else:
            check_pair(path, path[:-3] + ".zh-CN.md", "page", problems)
    for p in problems: print(p)
    if not problems: print("ok")
    sys.exit(1 if problems else 0)

main()

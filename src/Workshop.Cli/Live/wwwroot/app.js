// The live replay page: draws the events `workshop replay --live` streams (/events), Broken beside Fixed.
// Every number shown comes from the replay's own samples; at the end of each variant, and of the lab, the
// tiles switch to the run's figures, the same ones `replay --json` prints (kept in data-value attributes).
// The events' shapes are the records of src/Workshop.Cli/Live/LiveEvents.cs, in camelCase, one handler per event
// type below; a test checks that every field a handler reads of its event is a property of the record.
"use strict";

// The page's words, in the replay's language: assets/text.js sets them from the CLI's resources (Page.* keys of
// src/Workshop.Cli/Localization/Strings*.resx); t(key, a, b) fills {0}, {1}; a missing word shows its key.
const words = window.workshopText ?? {};
function t(key, ...args) {
  const text = words[key] ?? key;
  return args.reduce((s, arg, i) => s.replaceAll(`{${i}}`, String(arg)), text);
}
const better = word => t(word === "lower" ? "LowerBetter" : "HigherBetter");
const phaseWord = phase => words[`Phase.${phase}`] ?? phase;

// Static text: [data-text] elements take their word, [data-title] their tooltip; the headline's sentence is rebuilt
// around its figures' elements, so the figures keep their roles whatever the word order.
for (const el of document.querySelectorAll("[data-text]")) el.textContent = t(el.dataset.text);
for (const el of document.querySelectorAll("[data-title]")) el.title = t(el.dataset.title);
for (const el of document.querySelectorAll("[data-template]")) {
  const parts = Object.fromEntries([...el.querySelectorAll("[data-role]")].map(part => [part.dataset.role, part]));
  el.replaceChildren(...t(el.dataset.template).split(/(\{\w+\})/).filter(s => s.length > 0)
    .map(s => parts[s.slice(1, -1)] ?? document.createTextNode(s)));
}

const variants = ["Broken", "Fixed"];
const charts = [
  // Finished requests say nothing while a service stalls; the oldest one still waiting does (dashed).
  { key: "p99", log: true, extra: { key: "oldestWaiting", label: t("OldestWaiting"), dash: [10, 8] } },
  { key: "perSecond" },
  { key: "inFlight" },
  { key: "heapMb" },
  { key: "queue" },
  { key: "lab" }, // The lab's first metric that both variants export (else its first): its caption says which.
];
// The tiles of a variant: the live figure, then the run's figure once the variant is done.
const tiles = [
  { live: "completed", final: "completed", label: t("TileCompleted"), finalLabel: t("TileCompleted"), digits: 0 },
  { live: "perSecond", final: "throughput_rps", label: t("TilePerSecond"), finalLabel: t("TilePerSecondRun"), digits: 1 },
  { live: "p99", final: "p99_ms", label: t("TileP99"), finalLabel: t("TileP99Run"), digits: 1 },
  { live: "errors", final: "errors", label: t("TileErrors"), finalLabel: t("TileErrors"), digits: 0 },
  { live: "heapMb", final: "heap_end_bytes", label: t("TileHeap"), finalLabel: t("TileHeapEnd"), digits: 1, scale: 1 / (1024 * 1024) },
  { live: "queue", final: "thread_pool_queue_peak", label: t("TileQueue"), finalLabel: t("TileQueuePeak"), digits: 0 },
];

const state = { lab: null, colours: { Broken: "#D55E00", Fixed: "#0072B2" }, points: {}, plots: {}, metrics: [], ended: false, live: false };
// `workshop live` runs for as long as the room watches: its charts show the last minute and a half, and keep no more.
const liveWindowSeconds = 90;

const $ = (selector, root = document) => root.querySelector(selector);
const panel = variant => $(`.variant[data-variant="${variant}"]`);

function format(value, digits) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  const d = Math.abs(value) >= 100 ? 0 : digits;
  return value.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: 0 });
}

function setStatus(text) { $("#status").textContent = text; }

function banner(text) {
  const b = $("#banner");
  b.textContent = text;
  b.hidden = false;
}

function tile(root, id, label) {
  const el = document.createElement("div");
  el.className = "tile";
  el.dataset.tile = id;
  el.innerHTML = '<span class="label"></span><span class="value">–</span>';
  $(".label", el).textContent = label;
  root.appendChild(el);
  return el;
}

function setTile(variant, id, value, digits, label, figure) {
  const el = $(`[data-tile="${id}"]`, panel(variant));
  if (!el) return;
  const v = $(".value", el);
  v.textContent = format(value, digits);
  v.dataset.value = value === null || value === undefined ? "" : String(value);
  if (figure) v.dataset.figure = figure;
  if (label) $(".label", el).textContent = label;
}

function buildTiles() {
  for (const variant of variants) {
    const root = $('[data-role="tiles"]', panel(variant));
    root.innerHTML = "";
    for (const t of tiles) tile(root, t.live, t.label);
    for (const m of state.metrics) if (applies(m, variant)) tile(root, "lab:" + m.name, m.label);
    $('[data-role="phase"]', panel(variant)).textContent = phaseWord("waiting");
    delete panel(variant).dataset.pid;
    delete panel(variant).dataset.done;
    delete panel(variant).dataset.samples;
  }
}

// A lab metric only some variants export (a queue the fix added) gets no tile, and no "–", on the others.
function applies(metric, variant) { return !metric.variants || metric.variants.includes(variant); }

function axisFont() { return `${Math.round(Math.max(12, window.innerHeight * 0.017))}px system-ui, sans-serif`; }

function buildCharts() {
  for (const c of charts) {
    const figure = $(`figure[data-chart="${c.key}"]`);
    const host = $(".plot", figure);
    if (state.plots[c.key]) state.plots[c.key].destroy();
    host.innerHTML = "";
    const font = axisFont();
    const options = {
      width: Math.max(200, host.clientWidth),
      height: Math.max(100, host.clientHeight),
      // The variants' colours are the panels' above; the dashed line is named in its chart's caption.
      legend: { show: false },
      cursor: { show: false },
      scales: {
        x: { time: false, range: (u, min, max) => state.live ? [Math.max(0, (max ?? 0) - liveWindowSeconds), Math.max(max ?? 1, 5)] : [0, Math.max(max ?? 1, 5)] },
        y: c.log ? { distr: 3 } : { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] },
      },
      axes: [
        { label: t(state.live ? "AxisSession" : "AxisLoad"), font, labelFont: font, size: 50, labelSize: 30 },
        { font, size: 80 },
      ],
      series: [
        {},
        ...columns(c).map(({ variant, extra }) => ({
          label: extra ? `${variant} ${extra.label}` : (c.extra ? `${variant} p99` : variant),
          stroke: state.colours[variant], width: extra ? 3 : 4, dash: extra?.dash, spanGaps: false, points: { show: false },
        })),
      ],
    };
    state.plots[c.key] = new uPlot(options, aligned(c), host);
  }
}

// A chart's lines: each variant's figure, then each variant's extra figure when the chart has one.
function columns(chart) {
  const main = variants.map(variant => ({ variant, key: chart.key, extra: null }));
  return chart.extra ? [...main, ...variants.map(variant => ({ variant, key: chart.extra.key, extra: chart.extra }))] : main;
}

// uPlot wants one x array: each sample goes to its whole second since its variant's load began.
function aligned(chart) {
  const lines = columns(chart);
  const bySecond = new Map();
  lines.forEach(({ variant, key }, i) => {
    for (const p of state.points[variant] ?? []) {
      const second = Math.round(p.t);
      if (!bySecond.has(second)) bySecond.set(second, lines.map(() => null));
      const value = p[key];
      bySecond.get(second)[i] = value === null || value === undefined || (chart.log && value <= 0) ? null : value;
    }
  });
  const xs = [...bySecond.keys()].sort((a, b) => a - b);
  return [xs, ...lines.map((_, i) => xs.map(x => bySecond.get(x)[i]))];
}

function redraw() {
  for (const c of charts) state.plots[c.key]?.setData(aligned(c));
}

const handlers = {
  lab(e) {
    state.lab = e;
    state.colours = e.colours ?? state.colours;
    state.metrics = e.metrics ?? [];
    state.points = { Broken: [], Fixed: [] };
    state.labChart = state.metrics.find(m => variants.every(v => applies(m, v))) ?? state.metrics[0] ?? null;
    const labFigure = $('figure[data-chart="lab"]');
    labFigure.hidden = !state.labChart;
    $("figcaption", labFigure).textContent = state.labChart ? state.labChart.label : "";
    document.documentElement.style.setProperty("--broken", state.colours.Broken);
    document.documentElement.style.setProperty("--fixed", state.colours.Fixed);
    $("#lab").textContent = `${e.lab}: ${e.title}`;
    $("#conditions").textContent = `${e.count > 1 ? t("LabOf", e.index, e.count) : ""}${e.conditions}${e.live ? "" : t("HeadlineOf", e.headline, better(e.better))}`;
    $("#headline").hidden = true;
    document.body.dataset.lab = e.lab;
    buildTiles();
    buildCharts();
    setStatus(phaseWord("starting"));
  },
  service(e) {
    panel(e.variant).dataset.pid = String(e.pid);
    panel(e.variant).dataset.url = e.url;
  },
  phase(e) {
    const p = panel(e.variant);
    $('[data-role="phase"]', p).textContent = t(`Turn.${e.phase}`) === `Turn.${e.phase}` ? e.phase : t(`Turn.${e.phase}`);
    document.body.dataset.state = "running";
    setStatus(`${e.variant}: ${$('[data-role="phase"]', p).textContent}`);
    if (e.phase === "done" && e.figures) showRun(e.variant, e.figures);
  },
  sample(e) {
    const point = { ...e, heapMb: e.heapBytes === null ? null : e.heapBytes / (1024 * 1024), lab: e.lab?.[state.labChart?.name] ?? null, labs: e.lab };
    const points = (state.points[e.variant] ??= []);
    points.push(point);
    if (state.live) while (points.length > 0 && points[0].t < e.t - liveWindowSeconds) points.shift();
    const p = panel(e.variant);
    p.dataset.samples = String(Number(p.dataset.samples ?? 0) + 1);
    for (const t of tiles) setTile(e.variant, t.live, point[t.live], t.digits);
    // A stalled service answers /metrics late or not at all: the server says so, and the page shows it rather than
    // old figures as current.
    const age = e.metricsAge;
    $('[data-role="phase"]', panel(e.variant)).textContent = e.metricsStale
      ? t("MetricsStale", age === null ? "" : t("ForSeconds", Math.round(age)))
      : t("Turn.load");
    for (const m of state.metrics) setTile(e.variant, "lab:" + m.name, e.lab?.[m.name] ?? null, 1);
    redraw();
  },
  result(e) {
    showRun("Broken", e.broken);
    showRun("Fixed", e.fixed);
    const h = e.headline;
    const footer = $("#headline");
    $('[data-role="label"]', footer).textContent = t("LabelBetter", h.label, better(h.better));
    for (const [role, text, value] of [["broken", h.brokenText, h.broken], ["fixed", h.fixedText, h.fixed], ["ratio", h.ratioText, h.ratio]]) {
      const el = $(`[data-role="${role}"]`, footer);
      el.textContent = text;
      el.dataset.value = value === null ? "" : String(value);
    }
    $('[data-role="sentence"]', footer).textContent = e.sentence;
    footer.hidden = false;
    setStatus(`${e.lab}: ${phaseWord("done")}`);
  },
  // workshop live: the lab's knobs as buttons, one row a knob, the current position pressed.
  knobs(e) {
    state.live = true;
    document.body.dataset.mode = "live";
    $("#stop").textContent = t("StopLive");
    const section = $("#knobs");
    section.hidden = false;
    $('[data-role="load"]', section).textContent = t("Load", e.load) + (e.oneAtATime ? t("OneAtATime", e.turnSeconds, e.why) : t("BothAtOnce"));
    const list = $('[data-role="knobs"]', section);
    list.innerHTML = "";
    for (const k of e.knobs) {
      const row = document.createElement("div");
      row.className = "knob";
      row.dataset.knob = k.name;
      row.dataset.value = k.value;
      const label = document.createElement("span");
      label.className = "knob-label";
      label.textContent = `${k.label} (${k.target})`;
      row.appendChild(label);
      for (const s of k.settings) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = s.label;
        button.dataset.value = s.value;
        button.setAttribute("aria-pressed", String(s.value === k.value));
        button.addEventListener("click", () => turn(k.name, s.value, row));
        row.appendChild(button);
      }
      list.appendChild(row);
    }
    buildCharts();
  },
  knob(e) {
    const row = $(`.knob[data-knob="${e.name}"]`);
    if (row) {
      row.dataset.value = e.value;
      row.classList.remove("turning");
      for (const b of row.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b.dataset.value === e.value));
    }
    const item = document.createElement("li");
    const took = Object.entries(e.appliedMs).map(([v, ms]) => `${v} ${format(ms, 0)} ms`).join(", ");
    item.textContent = t("KnobTurned", format(e.at, 0), e.name, e.label, took);
    Object.assign(item.dataset, { at: String(e.at), name: e.name, value: e.value });
    $('#knobs [data-role="changes"]').prepend(item);
  },
  failed(e) {
    banner(t("LabFailed", e.lab, e.message));
  },
  end(e) {
    state.ended = true;
    document.body.dataset.state = "ended";
    document.body.dataset.reason = e.reason;
    const reason = t(`Reason.${e.reason}`) === `Reason.${e.reason}` ? e.reason : t(`Reason.${e.reason}`);
    setStatus(t(state.live ? "LiveSessionEnded" : "ReplayEnded", reason));
    for (const b of document.querySelectorAll("#knobs button")) b.disabled = true;
    banner(e.message);
    $("#stop").disabled = true;
    source.close();
  },
};

// A variant's run is over: its tiles show the run's figures, as the table and the JSON give them.
function showRun(variant, figures) {
  panel(variant).dataset.done = "true";
  for (const t of tiles) {
    const raw = figures.values[t.final];
    const value = raw === null || raw === undefined ? null : raw * (t.scale ?? 1);
    setTile(variant, t.live, value, t.digits, t.finalLabel, t.final);
    // The raw figure, unscaled, so that a script can compare it with the JSON.
    $(`[data-tile="${t.live}"] .value`, panel(variant)).dataset.value = raw === null || raw === undefined ? "" : String(raw);
  }
  for (const m of state.metrics) setTile(variant, "lab:" + m.name, figures.lab?.[m.name] ?? null, 1, undefined, m.name);
}

// A knob's button: the server turns it on both services and answers once both have it; the `knob` event redraws.
async function turn(name, value, row) {
  row.classList.add("turning");
  try {
    const answer = await fetch(`knobs/${encodeURIComponent(name)}?value=${encodeURIComponent(value)}`, { method: "POST" });
    if (!answer.ok) {
      const problem = await answer.json().catch(() => ({}));
      banner(t("KnobFailed", name, problem.detail ?? answer.status));
    }
  } catch (error) {
    banner(t("KnobFailed", name, error));
  } finally {
    row.classList.remove("turning");
  }
}

const source = new EventSource("events");
for (const [type, handle] of Object.entries(handlers)) {
  source.addEventListener(type, message => handle(JSON.parse(message.data)));
}
source.onopen = () => { if (!state.lab) setStatus(t("WaitingStatus")); };
source.onerror = () => {
  if (state.ended) return;
  state.ended = true;
  source.close();
  document.body.dataset.state = "gone";
  setStatus(t("ServerGone"));
  banner(t("ServerGoneBanner"));
  $("#stop").disabled = true;
};

$("#stop").addEventListener("click", async () => {
  $("#stop").disabled = true;
  setStatus(t("Stopping"));
  try { await fetch("stop", { method: "POST" }); } catch { /* the server may already be gone */ }
});

// Charts follow their boxes: the window's size, and the headline taking its place at the end.
const resized = new ResizeObserver(() => {
  for (const c of charts) {
    const host = $(`figure[data-chart="${c.key}"] .plot`);
    state.plots[c.key]?.setSize({ width: Math.max(200, host.clientWidth), height: Math.max(100, host.clientHeight) });
  }
});
for (const host of document.querySelectorAll(".plot")) resized.observe(host);

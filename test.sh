#!/usr/bin/env bash
# The tests, on a fresh machine, in one command: what the suite needs (tools/setup.sh: local tools; Debian's
# prometheus, chromium, wrk and hey, installed where this user may), one Release build of the solution, every test
# assembly on that build in a fixed schedule, a smoke run of every benchmark, then a table of where the time went and one line "N passed, N failed".
# CI runs this same script (.ci/run), so the README's test command is what CI proves.
#
#   ./test.sh                 everything
#   ./test.sh Lab04 Toolkit   only the test assemblies whose names contain one of the words (no benchmarks)
#   ./test.sh --no-bench      everything but the benchmark smoke
#
# The schedule: a test that measures time needs the machine to itself, so the test assemblies run one after another
# (each keeps its timing tests from running beside its other tests), and nothing else runs beside them. Then the tests
# that measure nothing against a clock ([Trait("Schedule", "Beside")]: the notebooks, the reports' drift guard) and the
# benchmark smoke (a dry job, one invocation each) run side by side in three lanes of about equal length.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# The replays the tests start use this build instead of building the labs again.
export WORKSHOP_NO_BUILD=1

bench=1
filters=()
for arg in "$@"; do
  case "$arg" in
    --no-bench) bench=0 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "test.sh: unknown option $arg (see --help)" >&2; exit 2 ;;
    *) filters+=("$arg") ;;
  esac
done
[ ${#filters[@]} -gt 0 ] && bench=0

out=artifacts/test
rm -rf "$out" && mkdir -p "$out"
timings=()
passed=0 failed=0
started=$SECONDS
step() { printf '\n== %s\n' "$*"; }
clock() { timings+=("$(printf '%-44s %6d s  %s' "$1" "$2" "$3")"); }
finish() {
  printf '\n%-44s %8s  %s\n' "where the time went" "time" "result"
  printf '%s\n' "${timings[@]}"
  printf '%-44s %6d s\n' "total" $((SECONDS - started))
  echo
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}
fail_setup() { echo "test.sh: $*" >&2; failed=$((failed + 1)); finish; }

# --- what the suite needs --------------------------------------------------------------------------------------------
step "prerequisites"
t=$SECONDS
# The same script the README names for a bare machine and the devcontainer runs: local .NET tools, and Debian's
# prometheus, chromium, wrk and hey, installed where this user may (or the command that would, named).
tools/setup.sh >"$out/setup.log" 2>&1 || { cat "$out/setup.log"; fail_setup "tools/setup.sh could not make this machine ready (above)."; }
tail -n 4 "$out/setup.log"
# Heap snapshots (the diagnoses, the notebooks) write dumps of up to 1 GB to the temporary folder, three lanes at once:
# with too little room they fail with "No space left on device" in tests that have nothing wrong with them. Say so first.
tmp_free_gb=$(df -Pk "${TMPDIR:-/tmp}" | awk 'NR == 2 { print int($4 / 1048576) }')
if [ "${tmp_free_gb:-0}" -lt 6 ]; then
  echo "warning: ${tmp_free_gb:-0} GB free in ${TMPDIR:-/tmp}; the suite's heap dumps need up to 6 GB at once (free some, or point TMPDIR elsewhere)"
fi
clock "prerequisites (tools, apt)" $((SECONDS - t)) "ok"

# --- one build -------------------------------------------------------------------------------------------------------
step "dotnet build Workshop.sln -c Release"
t=$SECONDS
if ! dotnet build Workshop.sln -c Release -nologo -v q -clp:ErrorsOnly >"$out/build.log" 2>&1; then
  grep -E ': error ' "$out/build.log" | sort -u | head -n 30
  clock "build (Release, whole solution)" $((SECONDS - t)) "FAILED"
  fail_setup "the solution did not build (errors above; the whole log: $out/build.log)."
fi
clock "build (Release, whole solution)" $((SECONDS - t)) "ok"

# --- the tests --------------------------------------------------------------------------------------------------------
# In the solution's order of kinds: the labs' specs first (a learner's first question), then the shared code's tests.
assemblies=()
for p in labs/*/Tests/*.csproj chapters/*/Tests/*.csproj src/*Tests/*.csproj; do
  name=$(basename "$p" .csproj)
  if [ ${#filters[@]} -gt 0 ]; then
    keep=0; for f in "${filters[@]}"; do [[ "$name" == *"$f"* ]] && keep=1; done
    [ $keep -eq 1 ] || continue
  fi
  assemblies+=("$p")
done
[ ${#assemblies[@]} -gt 0 ] || fail_setup "no test assembly matches ${filters[*]}."

# run_tests PROJECT LABEL FILTER: one test assembly's tests that match FILTER, on the Release build; its verdict is added
# to the totals and to the time table, and its failures are printed with their messages.
run_tests() {
  local p=$1 label=$2 filter=$3 name dll log line p_n f_n rc t=$SECONDS
  name=$(basename "$p" .csproj)
  dll="$(dirname "$p")/bin/Release/net10.0/$name.dll"
  log="$out/$label.log"
  dotnet test "$dll" --filter "$filter" --logger "trx;LogFileName=$label.trx" --results-directory "$out" >"$log" 2>&1
  rc=$?
  line=$(grep -E '^(Passed|Failed)!' "$log" | tail -n 1)
  p_n=$(grep -oE 'Passed: +[0-9]+' <<<"$line" | grep -oE '[0-9]+' || echo 0)
  f_n=$(grep -oE 'Failed: +[0-9]+' <<<"$line" | grep -oE '[0-9]+' || echo 0)
  if [ "$rc" -ne 0 ] && [ "${f_n:-0}" -eq 0 ]; then f_n=1; fi   # a crash or a run error with no verdict still fails
  {
    echo "-- $label: ${line:-no verdict (exit code $rc)}"
    if [ "$rc" -ne 0 ]; then
      # The failures with their messages, not the whole log (kept in artifacts/test/).
      grep -E -A 12 '^\s+Failed ' "$log" | head -n 120
      [ -n "$line" ] || tail -n 30 "$log"
    fi
  } >"$log.summary"
  printf '%s %s %s %s\n' "$label" "${p_n:-0}" "${f_n:-0}" $((SECONDS - t)) >"$log.verdict"
}
# tally LABEL: prints a run's summary and adds its verdict to the totals and the table.
tally() {
  local label n_pass n_fail secs
  if [ ! -f "$out/$1.log.verdict" ]; then
    echo "-- $1: no verdict (the run wrote none)"; failed=$((failed + 1)); clock "$1" 0 "no verdict"; return
  fi
  cat "$out/$1.log.summary"
  read -r label n_pass n_fail secs <"$out/$1.log.verdict"
  passed=$((passed + n_pass)); failed=$((failed + n_fail))
  case "$label" in
    benchmark-smoke*) clock "$label" "$secs" "$([ "$n_fail" -eq 0 ] && echo ok || echo "$n_fail failed")" ;;
    *) clock "$label" "$secs" "$n_pass passed, $n_fail failed" ;;
  esac
}

# spec_time PROJECT LABEL: a lab's report states how long its spec takes on 2 cores ("Tests`, about N s on 2 cores");
# the statement is held as the reports' figures are: a run that took more than three times as long, or under a third,
# fails with both numbers (three times leaves room for a busy neighbour, and still catches a spec that has grown).
spec_time() {
  local readme stated secs
  readme="$(dirname "$(dirname "$1")")/README.md"
  stated=$(grep -oE 'Tests`, ([a-z]+ )*about [0-9]+ s on 2 cores' "$readme" | grep -oE '[0-9]+' | head -n 1)
  read -r _ _ _ secs <"$out/$2.log.verdict" 2>/dev/null || return
  if [ -z "$stated" ]; then
    echo "-- $2: $readme states no time for its spec (\"Tests\`, about N s on 2 cores\")"; failed=$((failed + 1))
    clock "$2 spec time in its report" 0 "not stated"
  elif [ "$secs" -gt $((stated * 3)) ] || [ $((secs * 3)) -lt "$stated" ]; then
    echo "-- $2: its report states about $stated s for the spec; this run took $secs s, more than 3x apart"; failed=$((failed + 1))
    clock "$2 spec time in its report" "$secs" "stated $stated s: FAILED"
  else
    echo "-- $2: its report states about $stated s for the spec; this run took $secs s"
  fi
}

# Phase 1, one assembly at a time, nothing beside it: every test that measures time (specs, replays, the load driver,
# the browser) has the machine to itself.
for p in "${assemblies[@]}"; do
  name=$(basename "$p" .csproj)
  step "$name"
  run_tests "$p" "$name" "Schedule!=Beside"
  tally "$name"
  [[ "$p" == labs/* ]] && spec_time "$p" "$name"
done

# The benchmark smoke: benchmarks must keep building and running. The dry job runs each benchmark once in-process (a
# smoke, not a measurement) on the Release build above, and lab 01's side-by-side cost run (its results' verdict rests
# on it) one short round. One after another, in a lane of its own: nothing here is measured.
bench_smoke() {
  local t=$SECONDS runs=() run args log i=0 bench_failed=0 p
  for p in labs/*/Benchmarks/*.csproj chapters/*/Benchmarks/*.csproj; do
    [ -f "$p" ] || continue
    runs+=("$(dirname "$p")/bin/Release/net10.0/$(basename "$p" .csproj).dll|--filter * --job dry --inProcess")
  done
  runs+=("labs/01-logging-blocking/Benchmarks/bin/Release/net10.0/Lab01.Benchmarks.dll|paired --rounds 1 --block-ms 50 --hosts Baseline,Fixed,FixedBatched")
  : >"$out/benchmarks.log.summary"
  for run in "${runs[@]}"; do
    read -r -a args <<<"${run#*|}"
    log="$out/bench-$i.log"; i=$((i + 1))
    if ! (cd "$(dirname "${run%%|*}")" && dotnet "$(basename "${run%%|*}")" "${args[@]}") >"$log" 2>&1 || grep -q 'Unhandled exception' "$log"; then
      bench_failed=$((bench_failed + 1))
      { echo "benchmark smoke failed: ${run%%|*} ${args[*]} (the whole log: $log)"; tail -n 30 "$log"; } >>"$out/benchmarks.log.summary"
    fi
  done
  echo "-- benchmark smoke: ${#runs[@]} runs, $bench_failed failed" >>"$out/benchmarks.log.summary"
  # A failed smoke counts as one failed test each; a run that passes adds none (it proves only that it ran).
  printf '%s %s %s %s\n' "benchmark-smoke(${#runs[@]}-runs)" 0 "$bench_failed" $((SECONDS - t)) >"$out/benchmarks.log.verdict"
}

# Phase 2, side by side: the tests marked [Trait("Schedule", "Beside")], which assert what they show and never how fast
# (the notebooks' headless runs and the runner's own tests, the reports' drift guard, the CLI's heap census and a check
# of Broken), and the benchmark smoke, in three lanes of about equal length. Measured beside two CPU hogs: the drift
# guard 370 s; the notebooks 440 s, split by name; the CLI's 85 s; the benchmark smoke 135 s. A lane runs its items
# one after another.
notebooks_a='DisplayName~00-diagnostics|DisplayName~01-|DisplayName~05-|DisplayName~06-|DisplayName~08-|DisplayName~09-|DisplayName~00-middleware'
notebooks_b='DisplayName!~00-diagnostics&DisplayName!~01-&DisplayName!~05-&DisplayName!~06-&DisplayName!~08-&DisplayName!~09-&DisplayName!~00-middleware'
lane_1=() lane_2=() lane_3=()
T=$'\t' # a lane item's fields: project, filter (which holds '|'), label
[ $bench -eq 1 ] && lane_3+=("benchmarks")
for p in "${assemblies[@]}"; do
  case "$(basename "$p" .csproj)" in
    Workshop.Toolkit.Tests) lane_1+=("$p${T}Schedule=Beside${T}Workshop.Toolkit.Tests.beside") ;;
    Workshop.Notebooks.Tests)
      lane_2=("$p${T}Schedule=Beside&($notebooks_a)${T}Workshop.Notebooks.Tests.beside-a" "${lane_2[@]}")
      lane_3+=("$p${T}Schedule=Beside&$notebooks_b${T}Workshop.Notebooks.Tests.beside-b") ;;
    Workshop.Cli.Tests) lane_2+=("$p${T}Schedule=Beside${T}Workshop.Cli.Tests.beside") ;;
  esac
done
# run_lane ITEM...: each item is "benchmarks" or PROJECT, FILTER and LABEL apart by tabs.
run_lane() {
  local item
  for item in "$@"; do
    if [ "$item" = benchmarks ]; then bench_smoke; else IFS="$T" read -r p f l <<<"$item"; run_tests "$p" "$l" "$f"; fi
  done
}
label_of() { if [ "$1" = benchmarks ]; then echo benchmarks; else echo "${1##*"$T"}"; fi; }
all=("${lane_1[@]}" "${lane_2[@]}" "${lane_3[@]}")
if [ ${#all[@]} -gt 0 ]; then
  step "side by side: $(for i in "${all[@]}"; do printf '%s ' "$(label_of "$i")"; done)"
  t=$SECONDS
  pids=()
  [ ${#lane_1[@]} -gt 0 ] && { run_lane "${lane_1[@]}" & pids+=($!); }
  [ ${#lane_2[@]} -gt 0 ] && { run_lane "${lane_2[@]}" & pids+=($!); }
  [ ${#lane_3[@]} -gt 0 ] && { run_lane "${lane_3[@]}" & pids+=($!); }
  for pid in "${pids[@]}"; do wait "$pid"; done
  for i in "${all[@]}"; do tally "$(label_of "$i")"; done
  clock "  (the lanes above, side by side, in all)" $((SECONDS - t)) ""
fi

finish

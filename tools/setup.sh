#!/usr/bin/env bash
# A machine ready for the workshop, in one script: the local .NET tools (dotnet-counters, -gcdump, -stack, -trace) and
# the Debian packages the labs run for real: prometheus (`replay --prometheus`, the diagnostics chapter), chromium
# (the live page's browser tests, driven by Playwright; no browser is ever downloaded), wrk and hey (the load tools
# the instructor's guide uses beside the replay), redis-server (the shared store of the labs that scale out) and
# rabbitmq-server (the broker of the message-queue labs); the toolkit starts its own of each on free loopback ports,
# never the system's service. The README names it for a bare machine, the devcontainer runs it
# when it is created, and the tests run it first (./test.sh), so it cannot rot unseen.
#
#   tools/setup.sh            install what is missing (apt-get as root, or with password-less sudo)
#   tools/setup.sh --check    install nothing; list what is missing and exit 1 if anything is
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

check=0
case "${1:-}" in
  --check) check=1 ;;
  "") ;;
  -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print } /^set /{ exit }' "$0"; exit 0 ;;
  *) echo "setup.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
esac
log=artifacts/setup
mkdir -p "$log"
fail() { echo "setup.sh: $*" >&2; exit 1; }

command -v dotnet >/dev/null || fail "no dotnet on PATH: install the .NET SDK that global.json names ($(grep -o '"version": *"[^"]*"' global.json))."
if [ "$check" -eq 0 ]; then
  dotnet tool restore >"$log/tools.log" 2>&1 || { cat "$log/tools.log"; fail "dotnet tool restore failed (above)."; }
fi

# Debian's names; each with the command that proves it is there.
need=()
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
[ -x /usr/bin/chromium ] || need+=(chromium)
# A Chinese font: Chromium draws the live page in Chinese (`--lang zh-CN`) as boxes without one.
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v hey >/dev/null 2>&1 || need+=(hey)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || command -v rabbitmq-server >/dev/null 2>&1 || need+=(rabbitmq-server)
if [ ${#need[@]} -gt 0 ]; then
  [ "$check" -eq 1 ] && fail "missing: ${need[*]}; install them with: tools/setup.sh (or sudo apt-get install -y ${need[*]})"
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo=(sudo); else
      fail "missing Debian packages: ${need[*]}; install them with: sudo apt-get install -y ${need[*]}"
    fi
  fi
  command -v apt-get >/dev/null || fail "missing ${need[*]} and no apt-get here: install them with your package manager (Debian names: ${need[*]})."
  echo "installing ${need[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  { "${sudo[@]}" apt-get install -y -q "${need[@]}" || { "${sudo[@]}" apt-get update -q && "${sudo[@]}" apt-get install -y -q "${need[@]}"; }; } \
    >"$log/apt.log" 2>&1 || { tail -n 20 "$log/apt.log"; fail "apt-get could not install ${need[*]} (above)."; }
fi
echo "$(prometheus --version 2>&1 | head -n 1)"
echo "$(/usr/bin/chromium --version 2>&1 | tail -n 1)"
echo "wrk $(wrk --version 2>&1 | head -n 1 | awk '{print $2}'), hey at $(command -v hey), $(redis-server --version | awk '{print $1, $2, $3}')"
echo "rabbitmq-server $(ls /usr/lib/rabbitmq/lib 2>/dev/null | sed -n 's/^rabbitmq_server-//p' | head -n 1)"
echo "ready: the .NET tools of dotnet-tools.json, prometheus, chromium (and a Chinese font), wrk, hey, redis-server, rabbitmq-server"

#!/usr/bin/env bash
# Starts or stops the local AWS emulator (moto + our PrivateLink extensions) on 127.0.0.1.
#   emulator.sh start [--state-dir DIR]  -> prints http://127.0.0.1:PORT once it answers
#   emulator.sh stop  [--state-dir DIR]  -> kills the PID in DIR/pid, waits, cleans up
# State dir (default <repo>/.state/emulator, or $EMULATOR_STATE_DIR): pid, url, dns
# (the DNS server's 127.0.0.1:PORT), log (server stderr).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

cmd="${1:-}"; shift || true
state_dir="${EMULATOR_STATE_DIR:-$repo/.state/emulator}"
while [ $# -gt 0 ]; do
  case "$1" in
    --state-dir) state_dir="$2"; shift 2 ;;
    --state-dir=*) state_dir="${1#*=}"; shift ;;
    *) echo "emulator.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

# Only a PID whose command line is our server counts (a stale pid file may name a reused PID).
running() {
  [ -f "$state_dir/pid" ] || return 1
  local pid; pid="$(cat "$state_dir/pid")"
  kill -0 "$pid" 2>/dev/null && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q privatelink_emulator
}

start() {
  if running; then
    echo "emulator.sh: already running (pid $(cat "$state_dir/pid")); stop it first" >&2; exit 1
  fi
  venv="$("$repo/tests/python-env.sh")"
  mkdir -p "$state_dir"
  rm -f "$state_dir/url" "$state_dir/dns" "$state_dir/pid"
  # setsid: the server outlives this script and ignores the caller's terminal signals.
  PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}" setsid "$venv/bin/python" -m privatelink_emulator \
    --state-dir "$state_dir" </dev/null >"$state_dir/log" 2>&1 &
  echo $! > "$state_dir/pid"
  for _ in $(seq 1 300); do
    if [ -s "$state_dir/url" ]; then
      url="$(cat "$state_dir/url")"
      if "$venv/bin/python" -c "import sys,urllib.request; urllib.request.urlopen(sys.argv[1] + '/_emulator/health', timeout=2)" "$url" 2>/dev/null; then
        echo "$url"; return 0
      fi
    fi
    if ! running; then
      echo "emulator.sh: the emulator exited; its log:" >&2; cat "$state_dir/log" >&2; exit 1
    fi
    sleep 0.1
  done
  echo "emulator.sh: no answer after 30 s; log in $state_dir/log" >&2; stop; exit 1
}

stop() {
  if running; then
    pid="$(cat "$state_dir/pid")"
    if kill "$pid" 2>/dev/null; then
      # `running` also ends the wait on a zombie (empty cmdline) nobody has reaped yet.
      for _ in $(seq 1 50); do running || break; sleep 0.1; done
      if running; then kill -9 "$pid" 2>/dev/null || true; fi
    fi
  fi
  rm -f "$state_dir/pid" "$state_dir/url" "$state_dir/dns"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: emulator.sh start|stop [--state-dir DIR]" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Benchmarks of the release plugin on the local AWS emulator with AWS's real delays scaled down
# (tests/bench/bench.py). Prints a table; --json FILE writes the figures; --quick is a
# short run (fewer repeats, 1 and 3 consumers, delays 1/60 of AWS's instead of 1/6). Usage:
#   bash scripts/bench.sh [--quick] [--json FILE] [--factor F]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

cargo build --release --locked -p pulumi-privatelink
venv="$(bash tests/python-env.sh)"

state="$repo/.state/bench-emulator"
# bench.py stops the emulator itself; this only catches an interrupted run.
trap 'bash tests/aws-emulator/emulator.sh stop --state-dir "$state" >/dev/null 2>&1 || true' EXIT

"$venv/bin/python" tests/bench/bench.py --state-dir "$state" \
  --provider "$repo/target/release/pulumi-resource-privatelink" "$@"

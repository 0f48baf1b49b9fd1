#!/usr/bin/env bash
# The README's main command: the article's two stacks (examples/producer, examples/consumer) on
# the local AWS emulator, up then destroy, each `pulumi` command a run of the unchanged program
# under the SDK's mock monitor (tests/python/stacks). scripts/demo.py starts and stops the emulator.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

# The same build as scripts/test.sh, so the two never rebuild each other's crates.
cargo build --workspace --bins --tests --locked
venv="$(bash tests/python-env.sh)"

state="$repo/.state/demo-emulator"
# demo.py stops the emulator itself; this only catches an interrupted run.
trap 'bash tests/aws-emulator/emulator.sh stop --state-dir "$state" >/dev/null 2>&1 || true' EXIT

"$venv/bin/python" scripts/demo.py --state-dir "$state" \
  --provider "$repo/target/debug/pulumi-resource-privatelink"

#!/usr/bin/env bash
# The main job on the embedded default: starts the local AWS emulator, runs the provider against
# it as the Pulumi engine would, and tears everything down again.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

# The same build as scripts/test.sh, so the two never rebuild each other's crates.
cargo build --workspace --bins --tests --locked
venv="$(bash tests/python-env.sh)"

state="$repo/.state/demo-emulator"
url="$(bash tests/aws-emulator/emulator.sh start --state-dir "$state")"
trap 'bash tests/aws-emulator/emulator.sh stop --state-dir "$state" >/dev/null 2>&1 || true' EXIT

"$venv/bin/python" scripts/demo.py --emulator "$url" --dns "$(cat "$state/dns")" \
  --provider "$repo/target/debug/pulumi-resource-privatelink"

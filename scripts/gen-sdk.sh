#!/usr/bin/env bash
# Regenerates sdk/python and sdk/nodejs from schema.json (and the plugin version in Cargo.toml).
# With a directory argument, writes there instead (CI compares that with the committed sdk/).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$repo/sdk}"
cd "$repo"
exec python3 -m sdkgen --repo "$repo" --out "$out"

#!/usr/bin/env bash
# Writes schema.json (or the file given as $1) from the Rust types: the plugin's `--schema`.
# Run it after changing a resource's or the configuration's types or doc comments, then
# bash scripts/gen-sdk.sh, and commit all three (scripts/test.sh fails while any differs).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
out="${1:-schema.json}"
cargo run --quiet --locked --bin pulumi-resource-privatelink -- --schema >"$out.tmp"
mv "$out.tmp" "$out"

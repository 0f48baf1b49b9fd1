#!/usr/bin/env bash
# Runs every test: Rust unit and engine-driven tests, the Python protocol tests (official Pulumi
# stubs as an independent client) and the AWS emulator's own tests. Builds once, in the dev
# profile, into the one shared target directory.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

echo "== generated SDKs match schema.json (sdk/ is regenerated into a temp dir and compared)"
generated="$(mktemp -d)"
trap 'rm -rf "$generated"' EXIT
bash scripts/gen-sdk.sh "$generated" >/dev/null
if ! diff -r -x __pycache__ -x node_modules -x bin -x '*.tgz' -x '*.egg-info' -x package-lock.json -x build "$generated" sdk; then
  echo "sdk/ differs from what schema.json generates: run bash scripts/gen-sdk.sh and commit the result" >&2
  exit 1
fi

echo "== build (dev profile)"
cargo build --workspace --bins --tests --locked

echo "== schema.json is what the Rust types generate (regenerated into a temp file and compared)"
bash scripts/gen-schema.sh "$generated/schema.json"
if ! diff -u schema.json "$generated/schema.json"; then
  echo "schema.json differs from what the types generate: run bash scripts/gen-schema.sh, then bash scripts/gen-sdk.sh, and commit the results" >&2
  exit 1
fi

echo "== the framework crate names no AWS crate (pulumi-rs-provider knows nothing of any cloud)"
if cargo tree -p pulumi-rs-provider --locked --prefix none --format '{p}' | grep -i '^aws-'; then
  echo "framework/ (pulumi-rs-provider) depends on the AWS crates above: AWS belongs in provider/" >&2
  exit 1
fi

echo "== python environment"
venv="$(bash tests/python-env.sh)"

echo "== rust tests"
cargo test --workspace --locked

echo "== python tests (protocol conformance, launched plugin, AWS emulator, Python SDK)"
"$venv/bin/python" -m pytest -p no:cacheprovider tests/python tests/aws-emulator/tests tests/sdk --ignore=tests/sdk/node

echo "== Node.js SDK tests (tsc --strict against @pulumi/pulumi, setMocks)"
bash tests/sdk/node/run.sh

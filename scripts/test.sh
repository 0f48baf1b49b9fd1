#!/usr/bin/env bash
# Runs every test: Rust unit and engine-driven tests, the Python protocol tests (official Pulumi
# stubs as an independent client) and the AWS emulator's own tests. Builds once, in the dev
# profile, into the one shared target directory.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

echo "== build (dev profile)"
cargo build --workspace --bins --tests --locked

echo "== python environment"
venv="$(bash tests/python-env.sh)"

echo "== rust tests"
cargo test --workspace --locked

echo "== python tests (protocol conformance, launched plugin, AWS emulator, Python SDK)"
"$venv/bin/python" -m pytest -p no:cacheprovider tests/python tests/aws-emulator/tests tests/sdk

#!/usr/bin/env bash
# Creates (once) and prints the path of the project's Python venv with the pinned test packages.
# Re-running is cheap: pip is only invoked when tests/requirements*.txt changed since the last install.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${PRIVATELINK_VENV:-$here/../.venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" >&2
fi
stamp="$venv/.requirements.sha256"
want="$(cat "$here/requirements.txt" "$here"/aws-emulator/requirements.txt 2>/dev/null | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt" >&2
  echo "$want" > "$stamp"
fi
cd "$venv" && pwd

#!/usr/bin/env bash
# Tests of the generated Node.js SDK: installs the pinned toolchain (package-lock.json) into
# node_modules here, builds sdk/nodejs with its own tsconfig.json and `tsc --strict` as a user
# would, installs the result into node_modules like a packed tarball, then checks that a program
# using it compiles (and that typical mistakes do not), and runs the setMocks tests with node.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
cd "$here"

stamp=node_modules/.package-lock.sha256
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
tsc=node_modules/.bin/tsc

rm -rf build && mkdir -p build
cp -r "$repo/sdk/nodejs" build/privatelink
echo "-- tsc --strict -p sdk/nodejs"
"$tsc" -p build/privatelink --strict
package=node_modules/@pulumi-privatelink/privatelink
rm -rf "$package" && mkdir -p "$package"
cp -r build/privatelink/package.json build/privatelink/bin "$package/"

# The two checks below skip re-checking the libraries' .d.ts files: the build above did.
echo "-- tsc --strict: the tests, importing the package as a program does"
"$tsc" -p tsconfig.json

echo "-- tsc --strict rejects typical mistakes (test/misuse.ts)"
expected="$(grep -n '// error: TS[0-9]*$' test/misuse.ts | sed -E 's/^([0-9]+):.*error: (TS[0-9]+)$/\1 \2/' | sort -u)"
reported="$("$tsc" --strict --skipLibCheck --noEmit --target ES2020 --module commonjs --moduleResolution node --types node test/misuse.ts \
  | sed -nE 's/^test\/misuse\.ts\(([0-9]+),[0-9]+\): error (TS[0-9]+):.*/\1 \2/p' | sort -u || true)"
if [ "$expected" != "$reported" ] || [ "$(echo "$expected" | wc -l)" -ne 6 ]; then
  echo "misuse.ts: expected errors (line code):"; echo "$expected"
  echo "reported:"; echo "$reported"
  exit 1
fi

echo "-- node --test (setMocks)"
node --test build/test/mocks.test.js

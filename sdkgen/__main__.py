"""python3 -m sdkgen [--repo DIR] [--out DIR]: writes OUT/python and OUT/nodejs (default OUT: REPO/sdk).

Each language's directory is replaced as a whole, so a file the generator no longer makes does not
linger. Standard library only (Python 3.11+), so it runs before any environment is set up.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from . import model, nodejs_sdk, python_sdk

LANGUAGES = {"python": python_sdk.files, "nodejs": nodejs_sdk.files}


def write_tree(root: Path, files: dict[str, str]) -> None:
    if root.exists():
        shutil.rmtree(root)
    for rel, content in sorted(files.items()):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="sdkgen", description=__doc__)
    here = Path(__file__).resolve().parent.parent
    parser.add_argument("--repo", type=Path, default=here, help="repository root holding schema.json")
    parser.add_argument("--out", type=Path, default=None, help="output directory (default: REPO/sdk)")
    args = parser.parse_args(argv)
    out = args.out if args.out is not None else args.repo / "sdk"
    try:
        pkg = model.load(args.repo)
    except model.SchemaError as err:
        print(f"sdkgen: schema.json: {err}", file=sys.stderr)
        return 1
    for language, generate in LANGUAGES.items():
        write_tree(out / language, generate(pkg))
        print(f"sdkgen: wrote {out / language} ({pkg.name} {pkg.version})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Write (or check) the ``SHA256SUMS`` file of each dataset folder.

Maintainer script. ``hiddenwork.datasets.load`` refuses a data file whose SHA-256 differs from
the one listed here, so run this after any deliberate change to a ``.csv`` or ``schema.json``
(and record the change in the folder's DATASHEET.md)::

    .venv/bin/python datasets/tools/checksums.py              # every dataset folder
    .venv/bin/python datasets/tools/checksums.py helpdesk     # one folder
    .venv/bin/python datasets/tools/checksums.py --check      # verify, change nothing

The files use sha256sum's format, so ``cd datasets/helpdesk && sha256sum -c SHA256SUMS`` works.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUMS = "SHA256SUMS"


def folders(selected: list[str]) -> list[Path]:
    """Dataset folders: sub-folders of ``datasets/`` holding a ``schema.json``."""
    found = sorted(p.parent for p in ROOT.glob("*/schema.json"))
    if selected:
        found = [p for p in found if p.name in selected]
        unknown = set(selected) - {p.name for p in found}
        if unknown:
            sys.exit(f"no dataset folder named {', '.join(sorted(unknown))} under {ROOT}")
    return found


def listing(folder: Path) -> str:
    """The SHA256SUMS text for a folder: its CSV files and its schema.json."""
    files = sorted([*folder.glob("*.csv"), folder / "schema.json"], key=lambda p: p.name)
    lines = [f"{hashlib.sha256(f.read_bytes()).hexdigest()}  {f.name}" for f in files]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", help="dataset folder names (default: all)")
    parser.add_argument("--check", action="store_true", help="only compare, write nothing")
    args = parser.parse_args(argv)
    status = 0
    for folder in folders(args.folders):
        target = folder / SUMS
        text = listing(folder)
        if args.check:
            current = target.read_text(encoding="utf-8") if target.exists() else ""
            ok = current == text
            status |= not ok
            print(f"{'ok' if ok else 'OUT OF DATE'}: {target.relative_to(ROOT.parent)}")
        else:
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target.relative_to(ROOT.parent)}")
    return status


if __name__ == "__main__":
    sys.exit(main())

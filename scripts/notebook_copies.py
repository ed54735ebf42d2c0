"""Working copies of the tracked notebooks, so running them never writes into the repository.

``make lab`` opens ``my-notebooks/00_tour.ipynb`` (git-ignored), made from ``notebooks/`` by this
script. A copy is refreshed when its notebook in ``notebooks/`` changed, unless you edited the
copy's cells (then it is kept and a line says so). Each copy records the Python of this
environment in ``language_info`` exactly as its kernel reports it, so JupyterLab does not mark the
notebook modified the moment its kernel connects.

Usage: ``python scripts/notebook_copies.py [TARGET]`` (default ``my-notebooks``).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def kernel_language_info() -> dict:
    """What ipykernel in this environment reports as ``language_info`` (the kernel runs this Python)."""
    from ipykernel.ipkernel import IPythonKernel

    return json.loads(json.dumps(IPythonKernel.language_info))


def cells_digest(nb: dict) -> str:
    """A digest of the cells' types and sources (not outputs: running a notebook is not editing it)."""
    cells = [[c.get("cell_type"), "".join(c.get("source", ""))] for c in nb.get("cells", [])]
    return hashlib.sha256(json.dumps(cells).encode()).hexdigest()[:16]


def copy_notebook(source: Path, target: Path, language_info: dict) -> str:
    """Write ``target`` from ``source``; returns what was done: "created", "updated", "kept" or "current"."""
    nb = json.loads(source.read_text(encoding="utf-8"))
    digest = cells_digest(nb)
    if target.exists():
        mine = json.loads(target.read_text(encoding="utf-8"))
        record = mine.get("metadata", {}).get("workbench", {})
        if record.get("source") == digest:
            return "current"
        if record.get("cells") != cells_digest(mine):
            return "kept"  # the person edited their copy: never overwrite it
    nb.setdefault("metadata", {})["language_info"] = language_info
    nb["metadata"]["workbench"] = {"source": digest, "cells": digest}
    existed = target.exists()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return "updated" if existed else "created"


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else ROOT / "my-notebooks"
    info = kernel_language_info()
    for source in sorted((ROOT / "notebooks").glob("*.ipynb")):
        done = copy_notebook(source, target / source.name, info)
        if done == "kept":
            print(f"{target / source.name}: kept your edited copy; the original changed: see {source}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

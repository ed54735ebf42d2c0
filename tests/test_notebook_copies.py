"""``make lab`` opens working copies of the notebooks (scripts/notebook_copies.py): the tracked
notebooks never get outputs, the copies open unmodified, and a person's edits are never overwritten."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("notebook_copies", ROOT / "scripts" / "notebook_copies.py")
copies = importlib.util.module_from_spec(spec)
spec.loader.exec_module(copies)


@pytest.fixture
def source(tmp_path) -> Path:
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {"language_info": {"name": "python"}},
          "cells": [{"cell_type": "code", "id": "a", "metadata": {}, "execution_count": None, "outputs": [],
                     "source": "1 + 1"}]}
    path = tmp_path / "src.ipynb"
    path.write_text(json.dumps(nb))
    return path


def read(path: Path) -> dict:
    return json.loads(path.read_text())


def test_the_copy_carries_the_kernels_language_info(source, tmp_path):
    from ipykernel.ipkernel import IPythonKernel

    target = tmp_path / "out" / "nb.ipynb"
    assert copies.copy_notebook(source, target, copies.kernel_language_info()) == "created"
    info = read(target)["metadata"]["language_info"]
    assert info == json.loads(json.dumps(IPythonKernel.language_info))  # what JupyterLab will write
    assert info["version"].count(".") == 2
    assert read(target)["cells"] == read(source)["cells"]


def test_an_unchanged_copy_is_left_and_a_changed_tour_refreshes_it(source, tmp_path):
    target = tmp_path / "nb.ipynb"
    copies.copy_notebook(source, target, {"name": "python"})
    assert copies.copy_notebook(source, target, {"name": "python"}) == "current"
    ran = read(target)  # running the copy adds outputs: that is not an edit
    ran["cells"][0]["outputs"] = [{"output_type": "execute_result", "data": {"text/plain": "2"}, "metadata": {},
                                   "execution_count": 1}]
    target.write_text(json.dumps(ran))
    changed = read(source)
    changed["cells"][0]["source"] = "2 + 2"
    source.write_text(json.dumps(changed))
    assert copies.copy_notebook(source, target, {"name": "python"}) == "updated"
    assert read(target)["cells"][0]["source"] == "2 + 2"


def test_an_edited_copy_is_never_overwritten(source, tmp_path):
    target = tmp_path / "nb.ipynb"
    copies.copy_notebook(source, target, {"name": "python"})
    mine = read(target)
    mine["cells"][0]["source"] = "my own work"
    target.write_text(json.dumps(mine))
    changed = read(source)
    changed["cells"][0]["source"] = "a newer tour"
    source.write_text(json.dumps(changed))
    assert copies.copy_notebook(source, target, {"name": "python"}) == "kept"
    assert read(target)["cells"][0]["source"] == "my own work"


def test_make_lab_opens_the_copy_not_the_tracked_notebook():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\nlab: setup\n", 1)[1].split("\n\n", 1)[0]
    assert "scripts/notebook_copies.py my-notebooks" in recipe
    assert "my-notebooks/00_tour.ipynb" in recipe
    assert not re.search(r"(?<!my-)notebooks/00_tour\.ipynb", recipe), "make lab must not open the tracked tour"
    assert "/my-notebooks/" in (ROOT / ".gitignore").read_text().splitlines()

"""The README keeps its promises: the two commands first, CI runs the test one, every model and
dataset of the registries is listed."""

from __future__ import annotations

from pathlib import Path

import workbench as wb

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_readme_opens_with_the_two_commands():
    first_block = README.split("```")[1]
    commands = [line.split("#")[0].strip() for line in first_block.splitlines()[1:] if line.strip()]
    assert commands == ["make lab", "make test"]


def test_ci_runs_the_readme_test_command():
    script = (ROOT / ".ci" / "run").read_text().splitlines()
    steps = [line.strip() for line in script if line.strip() and not line.lstrip().startswith(("#", "set ", "cd "))]
    assert steps == ["make test"]


def test_every_registered_model_and_dataset_is_in_the_readme():
    names = list(wb.catalog()["name"]) + list(wb.datasets()["name"])
    missing = [n for n in names if f"`{n}`" not in README]
    assert not missing, f"add these to the README's tables: {missing}"

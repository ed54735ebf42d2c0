"""Packaging: environment.yml pins the same dependencies as pyproject.toml; CI runs `make test`."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def pyproject_dependencies() -> list[str]:
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["dependencies"]


def _pip_list_by_hand(text: str) -> list[str]:
    """The ``- pip:`` block of a conda environment file, read without a YAML parser."""
    lines, inside, indent = [], False, None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if re.fullmatch(r"-\s*pip:", stripped):
            inside, indent = True, len(line) - len(line.lstrip())
            continue
        if inside:
            if len(line) - len(line.lstrip()) <= indent:
                break
            lines.append(stripped.lstrip("-").strip())
    return lines


def environment_pip_entries() -> list[str]:
    text = (ROOT / "environment.yml").read_text()
    try:
        import yaml
    except ImportError:  # pyyaml is in the venv, but do not depend on it
        return _pip_list_by_hand(text)
    env = yaml.safe_load(text)
    blocks = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(blocks) == 1, "environment.yml should have one pip block"
    entries = [str(e) for e in blocks[0]]
    assert entries == _pip_list_by_hand(text)  # both readers agree
    return entries


def normalise(requirement: str) -> str:
    name, rest = re.match(r"([A-Za-z0-9_.\-\[\]]+)\s*(.*)", requirement.strip()).groups()
    return re.sub(r"[-_.]+", "-", name).lower() + rest.replace(" ", "")


def test_environment_yml_pins_equal_pyproject_dependencies():
    pip_entries = environment_pip_entries()
    requirements = [e for e in pip_entries if not e.startswith("-")]  # options such as --extra-index-url
    ours = [normalise(r) for r in requirements]
    theirs = [normalise(r) for r in pyproject_dependencies()]
    assert sorted(ours) == sorted(theirs), (
        f"only in environment.yml: {sorted(set(ours) - set(theirs))}; "
        f"only in pyproject.toml: {sorted(set(theirs) - set(ours))}")
    assert len(ours) == len(set(ours)), "a requirement is listed twice in environment.yml"


def test_key_dependencies_are_pinned_to_the_verified_versions():
    pins = dict(normalise(r).split("==") for r in pyproject_dependencies() if "==" in r)
    assert pins["torch"] == "2.13.0"
    assert pins["numpy"] == "2.4.6"
    assert pins["gensim"] == "4.4.0"
    assert pins["scikit-learn"] == "1.9.1"
    assert pins["umap-learn"] == "0.5.12"


def test_environment_uses_the_cpu_torch_index():
    entries = environment_pip_entries()
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in entries
    assert entries.index("--extra-index-url https://download.pytorch.org/whl/cpu") < \
        [normalise(e) for e in entries].index("torch==2.13.0")


def test_hand_parser_reads_a_pip_block():
    text = "name: x\ndependencies:\n  - python=3.11\n  - pip:\n      - a==1\n      - b>=2  \nother: 1\n"
    assert _pip_list_by_hand(text) == ["a==1", "b>=2"]


def test_ci_runs_make_test():
    run = ROOT / ".ci" / "run"
    if not run.exists():
        pytest.skip(".ci/run does not exist yet (the lead engineer writes it)")
    text = run.read_text()
    commands = [line.split("#")[0].strip() for line in text.splitlines()]
    assert any(re.search(r"(^|[\s;&|])make\s+(.*\s)?test(\s|$)", c) for c in commands), \
        ".ci/run should call `make test`"
    assert run.stat().st_mode & 0o111, ".ci/run should be executable"

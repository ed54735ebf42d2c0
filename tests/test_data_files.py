"""Files in data/ are ours and reproducible: each equals what its script in scripts/ generates."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections import Counter
from itertools import combinations
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def planted():
    return load_script("make_planted_corpus")


def test_every_data_file_is_described_in_the_readme():
    readme = (ROOT / "data" / "README.md").read_text()
    files = [p.name for p in (ROOT / "data").iterdir() if p.name != "README.md"]
    assert files, "data/ holds at least the planted corpus"
    for name in files:
        assert f"## {name}" in readme, f"data/README.md does not say how {name} was made"


def test_planted_corpus_equals_what_its_script_generates(planted):
    committed = (ROOT / "data" / "planted_corpus.txt").read_text(encoding="utf-8")
    assert committed == planted.text(), "regenerate it: python scripts/make_planted_corpus.py"
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_planted_corpus.py"), "--check"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert planted.generate(lines=20, seed=1) != planted.generate(lines=20, seed=0)  # the seed matters


def test_planted_corpus_has_the_structure_its_readme_promises(planted):
    lines = [line.split() for line in (ROOT / "data" / "planted_corpus.txt").read_text().splitlines()]
    assert len(lines) == 200 and sum(map(len, lines)) == 2022
    topic_of = {w: t for t, words in planted.TOPICS.items() for w in words}
    partner = {a: b for a, b in planted.PAIRS} | {b: a for a, b in planted.PAIRS}
    for words in lines:
        assert len({topic_of[w] for w in words if w in topic_of}) == 1  # one topic per line
        pairs = [(a, b) for a, b in zip(words, words[1:]) if (a, b) in planted.PAIRS]
        assert len(pairs) == 1 and sum(w in partner for w in words) == 2  # exactly one pair, side by side
    together = Counter(frozenset(p) for words in lines for p in combinations(set(words), 2))
    for word, other in partner.items():
        strongest = max((n, sorted(p - {word})[0]) for p, n in together.items() if word in p)
        assert strongest[1] == other, f"{word}'s strongest co-occurrence is {strongest[1]}, not {other}"

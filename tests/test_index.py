"""NeighbourIndex: exact top-k, the exclusion logic, the auto choice, and HNSW recall."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.core import NeighbourIndex
from workbench.core.errors import DimensionMismatchError, EmptyInputError, InvalidParameterError
from workbench.core.index import NotFittedError, normalize_rows


@pytest.fixture
def unit():
    return normalize_rows(np.random.default_rng(10).normal(size=(300, 16)))


def brute_topk(x, q, k, banned=()):
    sims = (x.astype(np.float64) @ q.astype(np.float64))
    sims[list(banned)] = -np.inf
    order = np.argsort(-sims, kind="stable")[:k]
    return order, sims[order]


def test_normalize_rows_gives_unit_rows_and_keeps_zero_rows_zero():
    x = np.array([[3.0, 4.0], [0.0, 0.0], [0.0, -2.0]])
    out = normalize_rows(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[0.6, 0.8], [0, 0], [0, -1]])


def test_exact_query_matches_brute_force(unit):
    index = NeighbourIndex("exact").fit(unit)
    queries = unit[[0, 7, 123]]
    ids, scores = index.query(queries, k=12)
    assert ids.shape == scores.shape == (3, 12)
    assert ids.dtype == np.int64 and scores.dtype == np.float32
    for row, q in enumerate(queries):
        order, sims = brute_topk(unit, q, 12)
        assert ids[row].tolist() == order.tolist()
        np.testing.assert_allclose(scores[row], sims, atol=1e-6)


def test_exact_top_k_with_ties_and_large_k_matches_a_stable_sort():
    """Duplicated rows tie exactly: the answer lists them in row order, as a stable sort would."""
    rng = np.random.default_rng(1)
    base = normalize_rows(rng.normal(size=(40, 6)))
    x = np.vstack([base, base, base])  # every score appears three times
    index = NeighbourIndex("exact").fit(x)
    queries = normalize_rows(rng.normal(size=(7, 6)))
    for k in (1, 5, 17, 119, 120):
        ids, scores = index.query(queries, k=k)
        for row, q in enumerate(queries):
            sims = x @ q
            order = np.argsort(-sims, kind="stable")[:k]
            np.testing.assert_allclose(scores[row], sims[order], atol=1e-6)
            assert ids[row].tolist() == order.tolist()


def test_queries_are_normalised_and_may_be_1d(unit):
    index = NeighbourIndex("exact").fit(unit)
    ids_raw, scores_raw = index.query(unit[5] * 7.5, k=4)
    ids, scores = index.query(unit[5:6], k=4)
    assert ids_raw.shape == (1, 4)
    np.testing.assert_array_equal(ids_raw, ids)
    np.testing.assert_allclose(scores_raw, scores, atol=1e-6)
    assert ids[0, 0] == 5 and scores[0, 0] == pytest.approx(1.0, abs=1e-6)


def test_exclude_removes_each_querys_own_rows(unit):
    index = NeighbourIndex("exact").fit(unit)
    queries = unit[[0, 1]]
    plain, _ = index.query(queries, k=5)
    banned = [[0, int(plain[0, 1])], [1]]  # the query itself and, for the first, its best neighbour too
    ids, scores = index.query(queries, k=5, exclude=banned)
    assert ids.shape == (2, 5)
    for row, q in enumerate(queries):
        order, sims = brute_topk(unit, q, 5, banned[row])
        assert ids[row].tolist() == order.tolist()
        np.testing.assert_allclose(scores[row], sims, atol=1e-6)


def test_exclude_rows_that_are_not_near_still_gives_k(unit):
    index = NeighbourIndex("exact").fit(unit)
    plain, _ = index.query(unit[0], k=5)
    far = int(np.argmin(unit @ unit[0]))
    ids, _ = index.query(unit[0], k=5, exclude=[[far]])
    assert ids[0].tolist() == plain[0].tolist()


def test_k_is_capped_by_rows_left_after_exclusion():
    x = normalize_rows(np.random.default_rng(0).normal(size=(6, 4)))
    index = NeighbourIndex("exact").fit(x)
    ids, _ = index.query(x[0], k=50)
    assert sorted(ids[0].tolist()) == list(range(6))
    ids, _ = index.query(x[0], k=50, exclude=[[0, 1]])
    assert sorted(ids[0].tolist()) == [2, 3, 4, 5]
    ids, scores = index.query(x[:1], k=5, exclude=[list(range(6))])
    assert ids.shape == scores.shape == (1, 0)


def test_auto_resolves_and_records_its_choice(unit):
    small = NeighbourIndex().fit(unit)
    assert small.method == "auto" and small.method_ == "exact"
    large = NeighbourIndex("auto", exact_limit=100).fit(unit)
    assert large.method_ == "hnsw"
    assert repr(large) == "NeighbourIndex(method='auto', method_='hnsw', n=300)"
    assert repr(NeighbourIndex("exact")) == "NeighbourIndex(method='exact')"


def test_init_stores_parameters_and_does_no_work():
    index = NeighbourIndex("hnsw", exact_limit=5, ef=64, M=8, ef_construction=50, random_state=3)
    assert (index.method, index.exact_limit, index.ef, index.M, index.ef_construction, index.random_state) == \
        ("hnsw", 5, 64, 8, 50, 3)
    assert not hasattr(index, "method_")
    with pytest.raises(NotFittedError, match="not fitted"):
        index.query(np.ones(4), k=1)


def test_forced_hnsw_agrees_with_exact_on_a_small_set(unit):
    exact = NeighbourIndex("exact").fit(unit)
    hnsw = NeighbourIndex("hnsw").fit(unit)
    assert hnsw.method_ == "hnsw"
    rows = np.arange(0, 300, 10)
    banned = [[r] for r in rows]
    ids_e, sc_e = exact.query(unit[rows], k=10, exclude=banned)
    ids_h, sc_h = hnsw.query(unit[rows], k=10, exclude=banned)
    assert not any(r in ids_h[i] for i, r in enumerate(rows))
    np.testing.assert_array_equal(ids_h, ids_e)
    np.testing.assert_allclose(sc_h, sc_e, atol=1e-5)


def test_hnsw_with_k_as_large_as_the_set():
    x = normalize_rows(np.random.default_rng(4).normal(size=(40, 8)))
    ids, _ = NeighbourIndex("hnsw").fit(x).query(x[3], k=100, exclude=[[3]])
    assert sorted(ids[0].tolist()) == sorted(set(range(40)) - {3})


def test_bad_method_dimension_and_empty_input(unit):
    with pytest.raises(InvalidParameterError, match=r"The 'method' parameter of NeighbourIndex must be one of "
                                                    r"\('auto', 'exact', 'hnsw'\)\. Got 'annoy' instead\."):
        NeighbourIndex("annoy").fit(unit)
    index = NeighbourIndex().fit(unit)
    with pytest.raises(DimensionMismatchError, match="dimension 3, the index holds dimension 16"):
        index.query(np.ones(3), k=2)
    with pytest.raises(EmptyInputError, match=r"Cannot index \(0, 16\)"):
        NeighbourIndex().fit(np.empty((0, 16)))


@pytest.mark.slow
def test_hnsw_recall_at_10_on_20k_clustered_vectors():
    """HNSW finds >= 95% of the exact top-10 on 20k unit vectors in 100 gaussian clusters (d=64)."""
    rng = np.random.default_rng(0)
    centres = normalize_rows(rng.normal(size=(100, 64)))
    which = rng.integers(0, 100, 20_000)
    x = normalize_rows(centres[which] + rng.normal(scale=0.25, size=(20_000, 64)))
    queries = rng.choice(len(x), size=500, replace=False)
    banned = [[q] for q in queries]
    exact_ids, _ = NeighbourIndex("exact").fit(x).query(x[queries], k=10, exclude=banned)
    hnsw = NeighbourIndex("auto", exact_limit=10_000).fit(x)
    assert hnsw.method_ == "hnsw"
    hnsw_ids, _ = hnsw.query(x[queries], k=10, exclude=banned)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(hnsw_ids, exact_ids)])
    assert recall >= 0.95, f"HNSW recall@10 {recall:.3f}"

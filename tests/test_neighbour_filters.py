"""Neighbours restricted to some rows (``among=``), ranked by inner product (``metric="dot"``), and
raw queries through ``encode_query``.

Planted users and items share one space: each user sits near the other users of its taste and a
little further from the items of that taste, so without a filter a user's nearest rows are users,
and ``among="item"`` must reach past them to the right items. The HNSW check on 20k points compares
the filtered graph search with an exact scan under the same filter.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.core import Embeddings, NeighbourIndex
from workbench.core.errors import (DimensionMismatchError, EmptyInputError, InvalidParameterError,
                                   UnknownNameError)
from workbench.core.index import normalize_rows


@pytest.fixture
def shop() -> Embeddings:
    """6 users and 6 items; tastes "tea" (e[0]) and "cake" (e[1]); users carry an extra e[2] direction.

    u_tea_i = tea + 0.6 e2 + noise, i_tea_j = tea + 0.15 j e3 ...: a tea user's nearest rows are the
    other tea users, then the tea items in the planted order (i_tea0 closest).
    """
    rng = np.random.default_rng(7)
    e = np.eye(8)
    rows, labels, kinds = [], [], []
    for taste, axis in (("tea", 0), ("cake", 1)):
        for i in range(3):
            rows.append(e[axis] + 0.6 * e[2] + 0.02 * rng.normal(size=8))
            labels.append(f"u_{taste}{i}")
            kinds.append("user")
        for j in range(3):
            rows.append(e[axis] + 0.2 * (j + 1) * e[3 + j])
            labels.append(f"i_{taste}{j}")
            kinds.append("item")
    meta = pd.DataFrame({"kind": kinds, "price": np.arange(12)})
    return Embeddings(np.array(rows), labels, meta=meta)


# ----------------------------------------------------------------------------- among=
def test_among_a_kind_returns_only_items_in_the_planted_order(shop):
    plain = shop.neighbours("u_tea0", k=2)
    assert plain["label"].tolist() == ["u_tea1", "u_tea2"]  # unfiltered, the other tea users come first
    items = shop.neighbours("u_tea0", k=4, among="item")
    assert items["label"].tolist() == ["i_tea0", "i_tea1", "i_tea2", "i_cake0"]
    assert set(items["kind"]) == {"item"}
    assert items.attrs["capped"] is False and items.attrs["metric"] == "cosine"
    assert items.attrs["index"] == "exact"
    # the scores are the cosines of those rows, exactly as without a filter
    unit = normalize_rows(shop.vectors).astype(np.float64)
    np.testing.assert_allclose(items["score"], unit[items["row"]] @ unit[0], atol=1e-6)


def test_among_as_kind_list_mask_and_row_ids_agree(shop):
    mask = shop.meta["kind"].eq("item").to_numpy()
    by_kind = shop.neighbours("u_cake1", k=6, among="item")
    by_list = shop.neighbours("u_cake1", k=6, among=["item"])
    by_mask = shop.neighbours("u_cake1", k=6, among=mask)
    by_rows = shop.neighbours("u_cake1", k=6, among=np.flatnonzero(mask).tolist())
    for other in (by_list, by_mask, by_rows):
        assert other["row"].tolist() == by_kind["row"].tolist()
    both = shop.neighbours("u_cake1", k=11, among=["user", "item"])
    assert both["row"].tolist() == shop.neighbours("u_cake1", k=11)["row"].tolist()


def test_the_query_row_is_left_out_of_its_own_kind_unless_asked(shop):
    users = shop.neighbours("u_tea0", k=10, among="user")
    assert "u_tea0" not in users["label"].tolist() and len(users) == 5
    assert users.attrs["capped"] is True
    with_query = shop.neighbours("u_tea0", k=1, among="user", include_query=True)
    assert with_query["label"].tolist() == ["u_tea0"]


def test_k_above_the_candidates_is_capped_and_recorded(shop):
    result = shop.neighbours("u_tea0", k=50, among=[6, 7, 8])
    assert sorted(result["row"].tolist()) == [6, 7, 8]
    assert result.attrs["capped"] is True
    assert shop.neighbours("u_tea0", k=3, among=[6, 7, 8]).attrs["capped"] is False
    # the query's own row does not count as a candidate when it is left out
    assert shop.neighbours("u_tea0", k=3, among=[0, 6, 7, 8]).attrs["capped"] is False
    assert shop.neighbours("u_tea0", k=4, among=[0, 6, 7, 8]).attrs["capped"] is True


def test_similar_to_vectors_takes_the_same_filter(shop):
    mask = shop.meta["kind"].eq("item").to_numpy()
    ids, scores = shop.similar_to_vectors(shop.vectors[[0, 3]], k=3, among="item")
    assert mask[ids].all() and ids.shape == (2, 3)
    assert ids[0].tolist() == shop.neighbours("u_tea0", k=3, among="item")["row"].tolist()


# ----------------------------------------------------------------------------- metric="dot"
def test_dot_ranks_by_raw_inner_product_where_a_long_vector_wins():
    rng = np.random.default_rng(1)
    x = normalize_rows(rng.normal(size=(40, 6))).astype(np.float64)
    query = x[0] + 0.05 * rng.normal(size=6)
    # row 5: at a wide angle to the query, but eight times as long as every other row
    x[5] = normalize_rows((x[0] + 1.5 * normalize_rows(rng.normal(size=(1, 6)))[0])[None])[0] * 8
    emb = Embeddings(x, [f"r{i}" for i in range(40)])
    cos = emb.neighbours(query, k=5)
    dot = emb.neighbours(query, k=5, metric="dot")
    assert cos["row"].iloc[0] == 0 and dot["row"].iloc[0] == 5
    assert 5 not in cos["row"].tolist() and dot.attrs["metric"] == "dot"
    raw = emb.vectors.astype(np.float64) @ query.astype(np.float32).astype(np.float64)
    order = np.argsort(-raw, kind="stable")[:5]
    assert dot["row"].tolist() == order.tolist()
    np.testing.assert_allclose(dot["score"], raw[order], rtol=1e-5)


def test_dot_of_a_label_excludes_it_and_combines_with_among(shop):
    result = shop.neighbours("u_tea0", k=3, metric="dot", among="item")
    raw = shop.vectors.astype(np.float64) @ shop.vectors[0].astype(np.float64)
    items = np.flatnonzero(shop.meta["kind"].eq("item").to_numpy())
    expected = items[np.argsort(-raw[items], kind="stable")][:3]
    assert result["row"].tolist() == expected.tolist()
    np.testing.assert_allclose(result["score"], raw[expected], rtol=1e-5)
    # the cosine index is a different one and is unchanged by the dot query
    assert shop.neighbours("u_tea0", k=3, among="item")["label"].tolist()[:3] == ["i_tea0", "i_tea1", "i_tea2"]


def test_index_metric_dot_keeps_rows_raw_and_cosine_normalises():
    x = np.array([[1.0, 0.0], [3.0, 3.0], [0.0, 0.5]])
    dot = NeighbourIndex("exact", metric="dot").fit(x)
    ids, scores = dot.query(np.array([2.0, 0.0]), k=3)
    assert ids[0].tolist() == [1, 0, 2]
    np.testing.assert_allclose(scores[0], [6.0, 2.0, 0.0])
    cos = NeighbourIndex("exact").fit(x)
    assert cos.query(np.array([2.0, 0.0]), k=1)[0].tolist() == [[0]]
    assert repr(dot) == "NeighbourIndex(method='exact', metric='dot', method_='exact', n=3)"
    with pytest.raises(InvalidParameterError, match=r"The 'metric' parameter of NeighbourIndex must be one of "
                                                    r"\('cosine', 'dot'\)\. Got 'l2' instead\."):
        NeighbourIndex(metric="l2").fit(x)


# ----------------------------------------------------------------------------- the index with allowed=
@pytest.mark.parametrize("share", [0.1, 0.9])  # a small subset is scanned alone, a large one masked
def test_exact_allowed_matches_brute_force_with_exclusion(share):
    rng = np.random.default_rng(3)
    x = normalize_rows(rng.normal(size=(300, 12)))
    allowed = rng.random(300) < share
    index = NeighbourIndex("exact").fit(x)
    rows = np.array([0, 1, 2])
    ids, scores = index.query(x[rows], k=7, exclude=[[r] for r in rows], allowed=allowed)
    for i, r in enumerate(rows):
        sims = x.astype(np.float64) @ x[r].astype(np.float64)
        sims[~allowed] = -np.inf
        sims[r] = -np.inf
        order = np.argsort(-sims, kind="stable")[:7]
        assert ids[i].tolist() == order.tolist()
        np.testing.assert_allclose(scores[i], sims[order], atol=1e-6)


def test_k_is_capped_by_the_allowed_rows_left_after_exclusion():
    x = normalize_rows(np.random.default_rng(0).normal(size=(10, 4)))
    index = NeighbourIndex("exact").fit(x)
    allowed = np.zeros(10, bool)
    allowed[[0, 3, 4]] = True
    assert sorted(index.query(x[0], k=9, allowed=allowed)[0][0].tolist()) == [0, 3, 4]
    assert sorted(index.query(x[0], k=9, exclude=[[0]], allowed=allowed)[0][0].tolist()) == [3, 4]
    assert sorted(index.query(x[0], k=9, exclude=[[1]], allowed=allowed)[0][0].tolist()) == [0, 3, 4]
    with pytest.raises(DimensionMismatchError, match="boolean mask of 10 entries"):
        index.query(x[0], k=2, allowed=np.ones(9, bool))


def test_hnsw_answers_a_small_filter_by_scanning_it():
    rng = np.random.default_rng(5)
    x = normalize_rows(rng.normal(size=(400, 8)))
    index = NeighbourIndex("hnsw").fit(x)
    few = np.zeros(400, bool)
    few[rng.choice(400, 12, replace=False)] = True  # 3% of the rows
    many = rng.random(400) < 0.5
    assert index.method_for(None) == "hnsw" and index.method_for(few) == "exact"
    assert index.method_for(many) == "hnsw"
    exact = NeighbourIndex("exact").fit(x)
    for allowed in (few, many):
        np.testing.assert_array_equal(index.query(x[:5], k=8, allowed=allowed)[0],
                                      exact.query(x[:5], k=8, allowed=allowed)[0])
    emb = Embeddings(x, index="hnsw")
    assert emb.neighbours("0", k=3, among=few).attrs["index"] == "exact"
    assert emb.neighbours("0", k=3, among=many).attrs["index"] == "hnsw"
    # under "auto" a subset no larger than exact_limit is scanned too
    auto = NeighbourIndex("auto", exact_limit=100).fit(x)
    assert auto.method_ == "hnsw" and auto.method_for(many) == "hnsw"
    assert auto.method_for(rng.random(400) < 0.2) == "exact"


@pytest.mark.slow
def test_hnsw_with_a_filter_equals_exact_search_with_it_on_20k_points():
    """20,000 x 64 clustered unit vectors, a random filter keeping ~50% of rows, 50 noisy queries.

    The filtered HNSW search runs with ef / share (256 here); measured: all 50 top-10 lists equal the
    exact ones (with ef=128 alone, recall@10 was 0.99 and 46 of 50 lists equal). The graph built on one
    thread is reproducible, so equality is asserted on it; a graph built on two threads depends on the
    threads' timing (one list in 50 differed once by its 10th neighbour), so it is held to recall@10.
    """
    rng = np.random.default_rng(0)
    centres = normalize_rows(rng.normal(size=(100, 64)))
    x = normalize_rows(centres[rng.integers(0, 100, 20_000)] + rng.normal(scale=0.25, size=(20_000, 64)))
    allowed = rng.random(20_000) < 0.5
    queries = normalize_rows(x[rng.choice(20_000, 50, replace=False)] + rng.normal(scale=0.05, size=(50, 64)))
    hnsw = NeighbourIndex("hnsw", threads=1).fit(x)
    exact = NeighbourIndex("exact").fit(x)
    assert hnsw.method_for(allowed) == "hnsw"
    ids_h, scores_h = hnsw.query(queries, k=10, allowed=allowed)
    ids_e, scores_e = exact.query(queries, k=10, allowed=allowed)
    assert allowed[ids_h].all()
    np.testing.assert_array_equal(ids_h, ids_e)
    np.testing.assert_allclose(scores_h, scores_e, atol=1e-5)
    parallel, _ = NeighbourIndex("hnsw", threads=2).fit(x).query(queries, k=10, allowed=allowed)
    assert allowed[parallel].all()
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(parallel, ids_e)])
    assert recall >= 0.99, f"recall@10 of the two-thread graph with the filter: {recall:.3f}"


# ----------------------------------------------------------------------------- errors
def test_unknown_kind_lists_the_kinds(shop):
    with pytest.raises(UnknownNameError, match=r"Unknown kind 'itme'\. Did you mean 'item'\? "
                                               r"Valid kinds: 'item', 'user'\."):
        shop.neighbours("u_tea0", among="itme")
    with pytest.raises(UnknownNameError, match="Unknown kind 'shop'"):
        shop.neighbours("u_tea0", among=["item", "shop"])


def test_among_a_kind_needs_a_kind_column(random_embeddings):
    with pytest.raises(InvalidParameterError, match=r"The 'among' parameter of neighbours must be a boolean mask or "
                                                    r"row ids.*among=<kind> needs a 'kind' column.*Got 'item'"):
        random_embeddings.neighbours("w0", among="item")


def test_an_empty_candidate_set_is_refused(shop):
    with pytest.raises(EmptyInputError, match="leaves no candidate rows"):
        shop.neighbours("u_tea0", among=np.zeros(12, bool))
    with pytest.raises(EmptyInputError, match="'among' is empty"):
        shop.neighbours("u_tea0", among=[])


def test_bad_masks_row_ids_forms_and_metrics_are_refused(shop):
    with pytest.raises(DimensionMismatchError, match=r"A boolean mask for 'among' needs 12 entries, one per row; "
                                                     r"got shape \(3,\)"):
        shop.neighbours("u_tea0", among=[True, False, True])
    with pytest.raises(InvalidParameterError, match=r"must be row ids between 0 and 11\. Got 12 instead"):
        shop.neighbours("u_tea0", among=[3, 12])
    with pytest.raises(InvalidParameterError, match="must be a kind name, a list of kind names, a boolean mask"):
        shop.neighbours("u_tea0", among=[0.5, 1.5])
    with pytest.raises(InvalidParameterError, match=r"The 'metric' parameter of neighbours must be one of "
                                                    r"\('cosine', 'dot'\)\. Got 'euclidean' instead\."):
        shop.neighbours("u_tea0", metric="euclidean")


# ----------------------------------------------------------------------------- encode_query
class TwoTowers:
    """Items are encoded by ``encode``; queries by ``encode_query`` into another place, as a text->image model."""

    def __init__(self, item_vector, query_vector):
        self.item_vector, self.query_vector, self.queries = item_vector, query_vector, []

    def encode(self, items):
        return np.stack([self.item_vector for _ in items])

    def encode_query(self, query):
        self.queries.append(query)
        return self.query_vector


def test_raw_queries_go_through_encode_query(shop):
    tower = TwoTowers(shop["i_tea0"], shop["i_cake0"])
    emb = Embeddings(shop.vectors, shop.labels, meta=shop.meta, embedder=tower)
    result = emb.neighbours("something sweet", k=1, among="item")
    assert result["label"].tolist() == ["i_cake0"] and tower.queries == ["something sweet"]
    # a label differing only in case is raw input, not that label
    emb.neighbours("U_TEA0", k=1)
    assert tower.queries[-1] == "U_TEA0"
    # a label is still looked up, not encoded
    emb.neighbours("u_tea0", k=1)
    assert tower.queries == ["something sweet", "U_TEA0"]


def test_encode_is_used_when_there_is_no_encode_query(shop):
    class ItemsOnly:
        def encode(self, items):
            return np.stack([shop["i_cake2"] for _ in items])

    emb = Embeddings(shop.vectors, shop.labels, embedder=ItemsOnly())
    assert emb.neighbours("a pastry", k=1)["label"].tolist() == ["i_cake2"]

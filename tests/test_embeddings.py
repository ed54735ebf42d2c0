"""Embeddings: construction, immutability, derived sets, and the questions it answers.

Tiny planted data for behaviour; brute-force numpy and gensim on the same vectors for the numbers.
The GloVe reference checks at the bottom are marked slow.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.core import Embeddings
from workbench.core.errors import DimensionMismatchError, InvalidParameterError, NonFiniteError


def brute_cosines(x: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Cosine of every row of ``x`` with ``q``, in float64 (an independent reference)."""
    x = np.asarray(x, np.float64)
    q = np.asarray(q, np.float64)
    return (x @ q) / (np.linalg.norm(x, axis=1) * np.linalg.norm(q))


# ----------------------------------------------------------------------------- construction
def test_construction_stores_float32_matrix_and_string_labels():
    emb = Embeddings([[1, 2], [3, 4], [5, 6]], labels=[10, 20, 30])
    assert emb.vectors.dtype == np.float32
    assert emb.vectors.shape == (3, 2)
    assert emb.labels == ["10", "20", "30"]
    assert len(emb) == 3 and emb.dim == 2
    assert repr(emb) == "Embeddings(3 x 2)"


def test_metadata_given_as_a_callable_is_made_on_first_use():
    calls = []

    def meta():
        calls.append(1)
        return pd.DataFrame({"colour": ["red", "blue"]}, index=[7, 8])

    emb = Embeddings(np.eye(2), ["a", "b"], meta=meta)
    assert calls == []  # nothing built yet
    assert emb.meta["colour"].tolist() == ["red", "blue"] and emb.meta.index.tolist() == [0, 1]
    assert emb.subset(["b"]).meta["colour"].tolist() == ["blue"]
    assert calls == [1]  # built once
    with pytest.raises(DimensionMismatchError, match="Metadata has 1 rows for 2 vectors"):
        Embeddings(np.eye(2), ["a", "b"], meta=lambda: pd.DataFrame({"c": [1]})).meta


def test_adopted_vectors_are_kept_read_only_with_the_constructors_checks():
    x = np.eye(3, dtype=np.float32)
    emb = Embeddings._adopt(x, ["a", "b", "c"])
    assert emb.vectors is x and not x.flags.writeable  # no copy: the caller hands it over
    view = np.eye(3, dtype=np.float32)[:2]
    assert not np.shares_memory(Embeddings._adopt(view, ["a", "b"]).vectors, view)  # a view is copied
    bad = np.eye(2, dtype=np.float32)
    bad[0, 0] = np.nan
    with pytest.raises(NonFiniteError):
        Embeddings._adopt(bad, ["a", "b"])
    with pytest.raises(InvalidParameterError, match="must be unique"):
        Embeddings._adopt(np.eye(2, dtype=np.float32), ["a", "a"], text_labels=True)


def test_default_labels_are_row_numbers():
    emb = Embeddings(np.ones((4, 3)) + np.arange(4)[:, None])
    assert emb.labels == ["0", "1", "2", "3"]


def test_repr_names_the_model(animals):
    assert repr(animals) == "Embeddings(7 x 8, model='planted')"


def test_vectors_are_read_only(animals):
    with pytest.raises(ValueError, match="read-only"):
        animals.vectors[0, 0] = 99.0
    with pytest.raises(ValueError, match="read-only"):
        animals.unit_vectors[0, 0] = 99.0
    with pytest.raises(ValueError, match="read-only"):
        animals["cat"][0] = 99.0


def test_changing_the_source_array_does_not_change_the_embeddings():
    source = np.arange(6, dtype=np.float32).reshape(3, 2) + 1
    emb = Embeddings(source, ["a", "b", "c"])
    source[0, 0] = -100
    assert emb["a"][0] == 1.0


def test_labels_and_meta_are_copies(animals):
    labels = animals.labels
    labels[0] = "tiger"
    assert animals.labels[0] == "cat"
    meta = animals.meta
    meta.loc[0, "kind"] = "wild"
    meta["new"] = 1
    assert animals.meta.loc[0, "kind"] == "pet"
    assert "new" not in animals.meta


def test_meta_is_aligned_to_rows_whatever_its_index():
    meta = pd.DataFrame({"colour": ["red", "green"]}, index=[7, 3])
    emb = Embeddings(np.eye(2), ["a", "b"], meta=meta)
    assert emb.meta.index.tolist() == [0, 1]
    assert emb.meta["colour"].tolist() == ["red", "green"]


def test_unit_vectors_have_unit_length(random_embeddings):
    norms = np.linalg.norm(random_embeddings.unit_vectors, axis=1)
    np.testing.assert_allclose(norms, 1.0, atol=1e-6)


def test_getitem_contains_len(animals):
    assert len(animals) == 7
    assert "cat" in animals and "tiger" not in animals
    assert animals["cat"].shape == (8,)
    np.testing.assert_array_equal(animals["dog"], animals.vectors[2])
    both = animals[["dog", "cat"]]
    assert both.shape == (2, 8)
    np.testing.assert_array_equal(both, animals.vectors[[2, 0]])
    assert animals.position("car") == 4


# ----------------------------------------------------------------------------- derived sets
def test_subset_by_labels_rows_and_mask(animals):
    by_label = animals.subset(["dog", "cat"])
    assert by_label.labels == ["dog", "cat"]
    np.testing.assert_array_equal(by_label.vectors, animals[["dog", "cat"]])
    assert by_label.meta["kind"].tolist() == ["pet", "pet"]
    by_row = animals.subset([4, 6])
    assert by_row.labels == ["car", "bus"]
    mask = animals.meta["kind"].eq("vehicle").to_numpy()
    assert animals.subset(mask).labels == ["car", "truck", "bus"]
    assert animals.subset(mask).meta.index.tolist() == [0, 1, 2]


def test_head_takes_the_first_rows(animals):
    assert animals.head(3).labels == ["cat", "kitten", "dog"]
    assert animals.head(100).labels == animals.labels


def test_sample_is_seeded_sorted_and_without_replacement(clusters):
    a = clusters.sample(20, random_state=5)
    b = clusters.sample(20, random_state=5)
    c = clusters.sample(20, random_state=6)
    assert a.labels == b.labels
    assert a.labels != c.labels
    rows = [clusters.position(label) for label in a.labels]
    assert rows == sorted(rows) and len(set(rows)) == 20
    np.testing.assert_array_equal(a.vectors, clusters.vectors[rows])
    assert a.meta["cluster"].tolist() == clusters.meta["cluster"].iloc[rows].tolist()
    assert len(clusters.sample(10_000)) == len(clusters)


def test_derived_sets_record_history_and_leave_the_original_alone(animals):
    derived = animals.head(5).subset(["cat", "dog"])
    assert derived.provenance["history"] == ["head(5)", "subset(2)"]
    assert derived.provenance["model"] == "planted"
    assert "history" not in animals.provenance
    assert animals.sample(3, random_state=1).provenance["history"] == ["sample(3, random_state=1)"]


def test_to_frame_from_frame_round_trip(animals):
    frame = animals.to_frame()
    assert frame.columns.tolist() == ["label", "kind", "legs"] + [f"dim_{i}" for i in range(8)]
    back = Embeddings.from_frame(frame)
    assert back.labels == animals.labels
    np.testing.assert_array_equal(back.vectors, animals.vectors)
    pd.testing.assert_frame_equal(back.meta, animals.meta)


def test_from_frame_with_a_list_column_and_plain_numeric_columns():
    frame = pd.DataFrame({"word": ["a", "b"], "vec": [[1.0, 0.0], [0.0, 1.0]], "note": ["x", "y"]})
    emb = Embeddings.from_frame(frame, label="word", vectors="vec")
    assert emb.labels == ["a", "b"] and emb.meta.columns.tolist() == ["note"]
    np.testing.assert_array_equal(emb.vectors, np.eye(2))
    numeric = pd.DataFrame({"label": ["a", "b"], "x": [1.0, 2.0], "y": [3.0, 4.0], "flag": [True, False]})
    emb = Embeddings.from_frame(numeric)
    np.testing.assert_array_equal(emb.vectors, [[1, 3], [2, 4]])
    assert emb.meta.columns.tolist() == ["flag"]


def test_from_keyed_vectors_keeps_order_and_keys():
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vector_size=3)
    kv.add_vectors(["b", "a", "c"], np.arange(9, dtype=np.float32).reshape(3, 3) + 1)
    emb = Embeddings.from_keyed_vectors(kv)
    assert emb.labels == ["b", "a", "c"]
    np.testing.assert_array_equal(emb.vectors, kv.vectors)
    assert emb.provenance["source"] == "gensim.KeyedVectors"


def test_fingerprint_follows_content():
    x = np.arange(6, dtype=np.float32).reshape(3, 2) + 1
    a = Embeddings(x, ["a", "b", "c"])
    assert a.fingerprint() == Embeddings(x.copy(), ["a", "b", "c"]).fingerprint()
    assert a.fingerprint() != Embeddings(x, ["a", "b", "d"]).fingerprint()
    assert a.fingerprint() != Embeddings(x + 1e-3, ["a", "b", "c"]).fingerprint()


# ----------------------------------------------------------------------------- neighbours
def test_neighbours_leave_the_query_out_and_rank_by_cosine(animals):
    result = animals.neighbours("cat", k=3)
    assert result["label"].tolist() == ["kitten", "dog", "puppy"]
    assert result["rank"].tolist() == [1, 2, 3]
    assert result["row"].tolist() == [1, 2, 3]
    expected = brute_cosines(animals.vectors, animals["cat"])[[1, 2, 3]]
    np.testing.assert_allclose(result["score"], expected, atol=1e-6)
    assert result["kind"].tolist() == ["pet"] * 3  # metadata travels with the rows
    assert result.attrs["index"] == "exact"


def test_neighbours_include_query(animals):
    result = animals.neighbours("cat", k=2, include_query=True)
    assert result["label"].tolist() == ["cat", "kitten"]
    assert result["score"].iloc[0] == pytest.approx(1.0, abs=1e-6)


def test_neighbours_k_is_capped_at_what_exists(animals):
    assert len(animals.neighbours("cat", k=100)) == 6
    assert len(animals.neighbours("cat", k=100, include_query=True)) == 7
    everything = animals.neighbours("bus", k=100)
    assert set(everything["label"]) == set(animals.labels) - {"bus"}
    assert everything["score"].is_monotonic_decreasing


def test_neighbours_of_a_vector_keep_every_row(animals):
    result = animals.neighbours(animals["cat"] * 3.0, k=2)  # scale does not matter: cosine
    assert result["label"].tolist() == ["cat", "kitten"]
    assert result["score"].iloc[0] == pytest.approx(1.0, abs=1e-6)


def test_neighbours_match_brute_force(random_embeddings):
    emb = random_embeddings
    for label in ["w0", "w17", "w59"]:
        got = emb.neighbours(label, k=8)
        sims = brute_cosines(emb.vectors, emb[label])
        sims[emb.position(label)] = -np.inf
        order = np.argsort(-sims)[:8]
        assert got["row"].tolist() == order.tolist()
        np.testing.assert_allclose(got["score"], sims[order], atol=1e-6)


def test_neighbours_forced_hnsw_agree_with_exact(clusters):
    exact = clusters.neighbours("p0", k=10, method="exact")
    approx = clusters.neighbours("p0", k=10, method="hnsw")
    assert exact.attrs["index"] == "exact" and approx.attrs["index"] == "hnsw"
    assert approx["label"].tolist() == exact["label"].tolist()
    np.testing.assert_allclose(approx["score"], exact["score"], atol=1e-5)
    hnsw_all = Embeddings(clusters.vectors, clusters.labels, index="hnsw")
    assert hnsw_all.neighbours("p0", k=10).attrs["index"] == "hnsw"


def test_neighbours_of_raw_input_use_the_embedder(animals):
    class Echo:
        """Encodes any text as the vector of 'truck'."""

        def encode(self, items):
            return np.stack([animals["truck"] for _ in items])

    emb = Embeddings(animals.vectors, animals.labels, embedder=Echo())
    result = emb.neighbours("a big lorry", k=2)
    assert result["label"].tolist() == ["truck", "car"]


def test_similar_to_rows_leaves_each_row_out(random_embeddings):
    ids, scores = random_embeddings.similar_to_rows([0, 5], k=3)
    assert ids.shape == (2, 3)
    assert 0 not in ids[0] and 5 not in ids[1]
    assert ids[0].tolist() == random_embeddings.neighbours("w0", k=3)["row"].tolist()


def test_similar_to_rows_by_hnsw_agrees_with_exact(clusters):
    rows = np.arange(0, 200, 7)
    exact_ids, exact_scores = clusters.similar_to_rows(rows, k=5, method="exact")
    hnsw_ids, hnsw_scores = clusters.similar_to_rows(rows, k=5, method="hnsw")
    np.testing.assert_array_equal(hnsw_ids, exact_ids)
    np.testing.assert_allclose(hnsw_scores, exact_scores, atol=1e-5)


# ----------------------------------------------------------------------------- analogy
def reference_analogy(emb, positive, negative, method):
    """Scores written from the papers' equations, independent of workbench's code."""
    unit = emb.vectors / np.linalg.norm(emb.vectors, axis=1, keepdims=True)
    unit = unit.astype(np.float64)
    pos = [unit[emb.position(w)] for w in positive]
    neg = [unit[emb.position(w)] for w in negative]
    if method == "3cosadd":
        target = sum(pos) - sum(neg)
        return unit @ (target / np.linalg.norm(target))
    score = np.ones(len(unit))
    for p in pos:
        score *= (1 + unit @ p) / 2
    den = np.ones(len(unit))
    for n in neg:
        den *= (1 + unit @ n) / 2
    return score / (den + 1e-6)


@pytest.mark.parametrize("method", ["3cosadd", "3cosmul"])
def test_analogy_solves_the_planted_king_queen(royals, method):
    result = royals.analogy(positive=["king", "woman"], negative=["man"], k=3, method=method)
    assert result["label"].iloc[0] == "queen"
    assert not {"king", "woman", "man"} & set(result["label"])
    assert result.attrs["method"] == method and result.attrs["index"] == "exact"
    assert result["rank"].tolist() == [1, 2, 3]


@pytest.mark.parametrize("method", ["3cosadd", "3cosmul"])
def test_analogy_scores_match_the_equations(random_embeddings, method):
    pos, neg = ["w1", "w2"], ["w3"]
    got = random_embeddings.analogy(positive=pos, negative=neg, k=10, method=method)
    ref = reference_analogy(random_embeddings, pos, neg, method)
    ref[[1, 2, 3]] = -np.inf
    order = np.argsort(-ref)[:10]
    assert got["row"].tolist() == order.tolist()
    np.testing.assert_allclose(got["score"], ref[order], rtol=1e-5, atol=1e-6)


def test_analogy_include_inputs_lets_inputs_answer(royals):
    default = royals.analogy(positive=["king", "woman"], negative=["man"], k=len(royals))
    assert len(default) == len(royals) - 3
    included = royals.analogy(positive=["king", "woman"], negative=["man"], k=len(royals), include_inputs=True)
    assert len(included) == len(royals)
    assert {"king", "woman", "man"} <= set(included["label"])
    ref = reference_analogy(royals, ["king", "woman"], ["man"], "3cosadd")
    assert included["label"].tolist() == [royals.labels[i] for i in np.argsort(-ref, kind="stable")]


def test_analogy_with_one_positive_is_neighbours(random_embeddings):
    a = random_embeddings.analogy(positive=["w4"], k=5)
    b = random_embeddings.neighbours("w4", k=5)
    assert a["label"].tolist() == b["label"].tolist()
    np.testing.assert_allclose(a["score"], b["score"], atol=1e-6)


def test_analogy_accepts_vectors_as_terms(royals):
    result = royals.analogy(positive=[royals["king"], "woman"], negative=["man"], k=1)
    assert result["label"].tolist() == ["queen"]


@pytest.mark.parametrize("method", ["3cosadd", "3cosmul"])
def test_analogy_matches_gensim_on_tiny_vectors(random_embeddings, method):
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vector_size=random_embeddings.dim)
    kv.add_vectors(random_embeddings.labels, np.array(random_embeddings.vectors))
    solve = kv.most_similar if method == "3cosadd" else kv.most_similar_cosmul
    for pos, neg in [(["w1", "w2"], ["w3"]), (["w10"], ["w20", "w30"]), (["w5", "w6", "w7"], [])]:
        theirs = solve(positive=pos, negative=neg, topn=10)
        ours = random_embeddings.analogy(positive=pos, negative=neg, k=10, method=method)
        assert ours["label"].tolist() == [w for w, _ in theirs]
        np.testing.assert_allclose(ours["score"], [s for _, s in theirs], atol=1e-5)


# ----------------------------------------------------------------------------- similarity
def test_similarity_of_two_items_is_a_float(animals):
    value = animals.similarity("cat", "kitten")
    assert isinstance(value, float)
    assert value == pytest.approx(brute_cosines(animals[["kitten"]], animals["cat"])[0], abs=1e-6)
    assert animals.similarity("cat", "car") == pytest.approx(0.0, abs=1e-6)
    assert animals.similarity("cat", animals["cat"] * 5) == pytest.approx(1.0, abs=1e-6)


def test_similarity_matrix_between_two_lists(animals):
    table = animals.similarity(["cat", "dog"], ["car", "puppy", "kitten"])
    assert table.shape == (2, 3)
    assert table.index.tolist() == ["cat", "dog"]
    assert table.columns.tolist() == ["car", "puppy", "kitten"]
    assert table.loc["dog", "puppy"] == pytest.approx(animals.similarity("dog", "puppy"), abs=1e-6)


def test_similarity_matrix_of_one_list_is_symmetric_with_unit_diagonal(animals):
    words = ["cat", "dog", "car", "bus"]
    table = animals.similarity(words)
    assert table.index.tolist() == words == table.columns.tolist()
    np.testing.assert_allclose(np.diag(table), 1.0, atol=1e-6)
    np.testing.assert_allclose(table.to_numpy(), table.to_numpy().T, atol=1e-7)
    vectors = animals.similarity(animals[["cat", "dog"]])
    assert vectors.index.tolist() == ["vector 0", "vector 1"]


# ----------------------------------------------------------------------------- GloVe vs gensim (slow)
QUERIES = ["king", "frog", "paris", "computer", "music", "water", "good", "run", "china", "science", "france",
           "love", "red", "doctor", "river", "book", "apple", "january", "football", "house"]
ANALOGIES = [(["king", "woman"], ["man"]), (["paris", "germany"], ["france"]), (["walking", "swam"], ["swimming"]),
             (["bigger", "cold"], ["big"]), (["tokyo", "france"], ["japan"]), (["brother", "her"], ["his"]),
             (["dollar", "japan"], ["usa"]), (["queen"], []), (["good", "worse"], ["bad"]),
             (["mice", "dog"], ["mouse"]), (["rome", "spain"], ["italy"]), (["uncle", "sister"], ["brother"]),
             (["went", "see"], ["go"]), (["quickly", "slow"], ["quick"]), (["euro", "britain"], ["europe"]),
             (["chicago", "texas"], ["illinois"]), (["husband", "girl"], ["boy"]), (["children", "woman"], ["child"]),
             (["cats", "puppy"], ["cat"]), (["computer", "music"], ["software"])]


def assert_same_ranking(ours: pd.DataFrame, theirs: list[tuple[str, float]]):
    assert ours["label"].tolist() == [w for w, _ in theirs]
    np.testing.assert_allclose(ours["score"].to_numpy(), [s for _, s in theirs], atol=1e-5)


@pytest.mark.slow
def test_glove_reference_numbers_from_assets(glove):
    king = glove.analogy(positive=["king", "woman"], negative=["man"], k=5)
    assert king["label"].tolist() == ["queen", "throne", "prince", "daughter", "elizabeth"]
    assert king["score"].iloc[0] == pytest.approx(0.8524, abs=1e-4)
    berlin = glove.analogy(positive=["paris", "germany"], negative=["france"], k=3)
    assert berlin["label"].tolist() == ["berlin", "frankfurt", "vienna"]
    np.testing.assert_allclose(berlin["score"], [0.9204, 0.8202, 0.8182], atol=1e-4)
    frog = glove.neighbours("frog", k=5)
    assert frog["label"].tolist() == ["snake", "ape", "toad", "monkey", "spider"]


@pytest.mark.slow
@pytest.mark.parametrize("head", [None, 30_000], ids=["400k", "30k"])
def test_glove_neighbours_equal_gensim_most_similar(glove, glove_kv, glove30k, glove30k_kv, head):
    emb, kv = (glove, glove_kv) if head is None else (glove30k, glove30k_kv)
    for word in QUERIES:
        ours = emb.neighbours(word, k=10, method="exact")
        assert ours.attrs["index"] == "exact"
        assert_same_ranking(ours, kv.most_similar(word, topn=10))


@pytest.mark.slow
@pytest.mark.parametrize("head", [None, 30_000], ids=["400k", "30k"])
@pytest.mark.parametrize("method", ["3cosadd", "3cosmul"])
def test_glove_analogies_equal_gensim(glove, glove_kv, glove30k, glove30k_kv, head, method):
    emb, kv = (glove, glove_kv) if head is None else (glove30k, glove30k_kv)
    solve = kv.most_similar if method == "3cosadd" else kv.most_similar_cosmul
    for positive, negative in ANALOGIES:
        ours = emb.analogy(positive=positive, negative=negative, k=10, method=method)
        assert_same_ranking(ours, solve(positive=positive, negative=negative, topn=10))


@pytest.mark.slow
def test_glove_vector_query_equals_gensim_similar_by_vector(glove, glove_kv):
    vec = glove["king"] - glove["man"] + glove["woman"]
    ours = glove.neighbours(vec, k=10, method="exact")
    assert_same_ranking(ours, glove_kv.similar_by_vector(vec, topn=10))

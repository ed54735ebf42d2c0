"""Clusters in embedding space and their names (workbench/core/clusters.py).

Planted structure: gaussian blobs whose partition is known, a tiny corpus whose topics are known,
classes whose majority is known. Reference checks: a given k gives exactly the partition of
scikit-learn's KMeans / MiniBatchKMeans run here with the same parameters; c-TF-IDF equals the
formula computed here from scikit-learn's CountVectorizer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from workbench.core import clusters as mod
from workbench.core.clusters import Clusters, class_tfidf, find_clusters, medoid, name_clusters, silhouette
from workbench.core.errors import (DimensionMismatchError, EmptyInputError, InvalidParameterError, NonFiniteError,
                                   WorkbenchError)


def blobs(k: int = 5, per: int = 60, dim: int = 20, spread: float = 0.35, seed: int = 0):
    """``k`` gaussian blobs around random directions (cosine structure), truth per row."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, dim))
    truth = np.repeat(np.arange(k), per)
    x = centres[truth] * 3 + rng.normal(size=(k * per, dim)) * spread * 3
    return x.astype(np.float32), truth


def unit(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


# ----------------------------------------------------------------------------- partition
@pytest.mark.parametrize("k", [3, 5, 8])
def test_planted_blobs_are_recovered_with_k_chosen_by_silhouette(k):
    x, truth = blobs(k=k, seed=k)
    found = find_clusters(x)
    assert found.choice == "silhouette" and found.k == k
    assert adjusted_rand_score(truth, found.labels_) >= 0.95
    assert max(found.silhouette, key=found.silhouette.get) == k
    assert found.sizes.sum() == len(x) and found.method == "kmeans"


def test_a_given_k_is_exactly_scikit_learns_kmeans_on_unit_rows():
    from sklearn.cluster import KMeans

    x, _ = blobs(k=4, seed=1)
    found = find_clusters(x, n_clusters=6, seed=7)
    reference = KMeans(n_clusters=6, n_init=mod.N_INIT, random_state=7).fit(unit(x.astype(np.float32)))
    assert found.choice == "given" and found.k == 6
    np.testing.assert_array_equal(found.labels_, reference.labels_)
    np.testing.assert_allclose(found.centroids, reference.cluster_centers_, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(found.sizes, np.bincount(reference.labels_))


def test_minibatch_is_exactly_scikit_learns_minibatch_kmeans():
    from sklearn.cluster import MiniBatchKMeans

    x, truth = blobs(k=4, per=100, seed=2)
    found = find_clusters(x, n_clusters=4, seed=3, minibatch=True)
    reference = MiniBatchKMeans(n_clusters=4, n_init=mod.N_INIT, random_state=3, batch_size=2048).fit(unit(x))
    assert found.method == "minibatch-kmeans"
    np.testing.assert_array_equal(found.labels_, reference.labels_)
    assert adjusted_rand_score(truth, found.labels_) >= 0.95


def test_silhouette_equals_scikit_learns_including_a_point_alone_in_its_cluster():
    from sklearn.metrics import pairwise_distances, silhouette_score

    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 5))
    labels = rng.integers(0, 4, size=300)
    labels[0] = 9  # a singleton scores 0
    assert silhouette(pairwise_distances(x), labels) == pytest.approx(silhouette_score(x, labels), abs=1e-12)
    x, truth = blobs(k=4, seed=3)
    assert silhouette(pairwise_distances(x), truth) == pytest.approx(silhouette_score(x, truth), abs=1e-6)  # float32


def test_recorded_silhouettes_are_scikit_learns_on_the_same_sample():
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    x, _ = blobs(k=4, per=400, seed=5)  # 1,600 rows: k is chosen on a sample of 1,000
    found = find_clusters(x, seed=2)
    rows = np.sort(np.random.default_rng(2).choice(len(x), size=mod.K_SAMPLE, replace=False))
    part = unit(x)[rows].astype(np.float32)
    for k in (2, 4, 7):
        labels = KMeans(n_clusters=k, n_init=1, random_state=2).fit(part).labels_
        assert found.silhouette[k] == pytest.approx(silhouette_score(part, labels), abs=1e-5)
    assert found.k == 4 and found.choice == "silhouette"


def test_the_same_seed_gives_the_same_clusters_and_another_seed_the_same_partition():
    x, _ = blobs(k=4, seed=4)
    a, b, c = find_clusters(x, seed=0), find_clusters(x, seed=0), find_clusters(x, seed=5)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    assert a.names == b.names and a.silhouette == b.silhouette
    assert adjusted_rand_score(a.labels_, c.labels_) == pytest.approx(1.0)


def test_clustering_uses_cosine_not_length():
    """Rows scaled by any positive factor land in the same clusters (directions, not magnitudes)."""
    x, _ = blobs(k=3, seed=6)
    scales = np.random.default_rng(0).uniform(0.1, 50, size=(len(x), 1)).astype(np.float32)
    np.testing.assert_array_equal(find_clusters(x, n_clusters=3).labels_,
                                  find_clusters(x * scales, n_clusters=3).labels_)


def test_without_structure_k_is_legend_sized_and_capped():
    x = np.random.default_rng(0).normal(size=(3000, 30))
    found = find_clusters(x)
    assert found.choice == "no structure" and max(found.silhouette.values()) <= mod.CLEAR_STRUCTURE
    assert found.k == min(mod.MAX_CLUSTERS, round(3000 ** (1 / 3)))  # 14 -> capped at 12
    assert found.k <= mod.MAX_CLUSTERS
    assert find_clusters(x[:100]).k == round(100 ** (1 / 3))  # 5
    assert find_clusters(x, max_clusters=6).k == 6


def test_column_is_a_categorical_of_names_per_row():
    x, truth = blobs(k=3, seed=8)
    found = find_clusters(x, classes=np.array(["a", "b", "c"])[truth])
    column = found.column()
    assert isinstance(column, pd.Categorical) and list(column.categories) == list(found.names)
    assert len(column) == len(x)
    assert all(column[i] == found.names[found.labels_[i]] for i in range(0, len(x), 17))


# ----------------------------------------------------------------------------- names
def test_word_names_are_the_most_central_members_by_cosine():
    x, truth = blobs(k=3, seed=9)
    labels = [f"w{i}" for i in range(len(x))]
    found = find_clusters(x, n_clusters=3, labels=labels)
    for i, name in enumerate(found.names):
        rows = np.flatnonzero(found.labels_ == i)
        centre = found.centroids[i] / np.linalg.norm(found.centroids[i])
        cosines = unit(x[rows]) @ centre
        expected = [labels[r] for r in rows[np.argsort(-cosines)[:3]]]
        assert name == " · ".join(expected)


def test_embeddings_give_their_labels_as_names(clusters):
    found = find_clusters(clusters)
    assert found.k == 4 and adjusted_rand_score(clusters.meta["cluster"], found.labels_) == 1.0
    assert all(len(name.split(" · ")) == 3 and name.startswith("p") for name in found.names)


def test_document_names_are_the_top_c_tf_idf_terms_of_a_planted_corpus():
    sports = ["the team won the match", "a late goal won the match for the team", "the team keeper saved the match"]
    money = ["the stock market fell", "stock prices and the bond market", "investors sold stock as the market fell"]
    cooking = ["bake the bread in the oven", "knead the dough then bake", "the oven bakes bread and dough"]
    texts = sports + money + cooking
    groups = np.repeat([0, 1, 2], 3)
    found = name_clusters(Clusters(groups, np.eye(3), ("", "", ""), np.array([3, 3, 3])), texts=texts, top=2)
    assert set(found.names[0].split(" · ")) == {"match", "team"}
    assert set(found.names[1].split(" · ")) == {"market", "stock"}
    assert set(found.names[2].split(" · ")) <= {"bread", "dough", "oven", "bake"}
    assert all("the" not in name.split(" · ") for name in found.names)  # stop words removed


def test_class_tfidf_is_bertopics_formula_on_countvectorizer_counts():
    from sklearn.feature_extraction.text import CountVectorizer

    texts = ["apple apple banana", "banana cherry", "cherry cherry date", "date apple"]
    groups = np.array([0, 0, 1, 1])
    weights, terms = class_tfidf(texts, groups)
    counts = CountVectorizer(stop_words="english").fit_transform(["apple apple banana banana cherry",
                                                                   "cherry cherry date date apple"]).toarray()
    tf = counts / counts.sum(axis=1, keepdims=True)
    idf = np.log(1 + counts.sum(axis=1).mean() / counts.sum(axis=0))
    np.testing.assert_allclose(weights, tf * idf)
    assert list(terms) == ["apple", "banana", "cherry", "date"]


def test_class_names_are_the_majority_and_its_share():
    groups = np.array([0] * 10 + [1] * 5)
    classes = ["sports"] * 8 + ["news"] * 2 + ["news"] * 4 + [None]
    found = name_clusters(Clusters(groups, np.eye(2), ("", ""), np.array([10, 5])), classes=classes)
    assert found.names == ("sports 80%", "news 80%")


def test_repeated_names_are_numbered_so_the_column_stays_valid():
    groups = np.array([0, 0, 1, 1])
    found = name_clusters(Clusters(groups, np.eye(2), ("", ""), np.array([2, 2])), classes=["a", "a", "a", "a"])
    assert found.names == ("a 100%", "a 100% (2)") and len(found.column().categories) == 2


def test_all_stop_word_documents_fall_back_to_numbered_names():
    groups = np.array([0, 0, 1, 1])
    found = name_clusters(Clusters(groups, np.eye(2), ("", ""), np.array([2, 2])), texts=["the", "a", "of", "and"])
    assert found.names == ("cluster 1", "cluster 2")


def test_one_cluster_on_request_is_every_usable_row():
    x, _ = blobs(k=3, seed=11)
    found = find_clusters(x, n_clusters=1, labels=[f"w{i}" for i in range(len(x))])
    assert found.k == 1 and found.choice == "given" and found.method == "none" and (found.labels_ == 0).all()
    np.testing.assert_allclose(found.centroids[0], unit(x).mean(axis=0), rtol=1e-5, atol=1e-6)


def test_medoid_is_a_member_on_a_lobe_not_the_mean_in_the_gap():
    rng = np.random.default_rng(0)
    points = np.vstack([rng.normal([-10, 0], 0.5, size=(30, 2)), rng.normal([10, 0], 0.5, size=(40, 2))])
    centre = medoid(points)
    assert abs(points.mean(axis=0)[0]) < 3 and centre[0] > 8  # the mean falls between the lobes
    assert np.min(np.linalg.norm(points - centre, axis=1)) == 0.0
    brute = points[np.argmin([np.linalg.norm(points - p, axis=1).sum() for p in points])]
    np.testing.assert_array_equal(centre, brute)
    big = rng.normal(size=(5000, 2))
    np.testing.assert_array_equal(medoid(big, limit=500), medoid(big, limit=500))
    assert np.linalg.norm(medoid(big, limit=500)) < 0.2


# ----------------------------------------------------------------------------- awkward input
def test_zero_rows_get_minus_one_and_their_own_category():
    x, _ = blobs(k=3, seed=10)
    x[[0, 5]] = 0
    found = find_clusters(x, n_clusters=3)
    assert list(found.labels_[[0, 5]]) == [-1, -1] and found.sizes.sum() == len(x) - 2
    column = found.column()
    assert column[0] == mod.ZERO_NAME and list(column.categories)[-1] == mod.ZERO_NAME
    assert (column == mod.ZERO_NAME).sum() == 2


def test_too_few_or_identical_rows_give_a_single_cluster_when_k_is_automatic():
    for x in (np.ones((50, 4)), np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])):
        found = find_clusters(x, labels=[f"r{i}" for i in range(len(x))])
        assert found.k == 1 and found.choice == "single" and found.method == "none"
        assert (found.labels_ == 0).all() and list(found.sizes) == [len(x)]


def test_duplicate_rows_cap_an_automatic_k_at_the_distinct_rows():
    x = np.repeat(np.eye(3) * 5, 40, axis=0) + 0.0
    found = find_clusters(x)
    assert found.k == 3 and adjusted_rand_score(np.repeat([0, 1, 2], 40), found.labels_) == 1.0


# Bad-input cases for the project's matrix: input -> error class, message.
BAD_INPUTS = [
    (lambda: find_clusters(np.zeros((0, 3))), EmptyInputError, "Vectors are empty"),
    (lambda: find_clusters(np.zeros((6, 3))), EmptyInputError, "All 6 vectors are zero"),
    (lambda: find_clusters([[1.0, np.nan], [1.0, 2.0]]), NonFiniteError, "NaN or infinite"),
    (lambda: find_clusters(np.eye(4), n_clusters=3), InvalidParameterError,
     r"'n_clusters' parameter of find_clusters must be at most half the usable rows \(2 for 4 rows\). Got 3"),
    (lambda: find_clusters(np.repeat(np.eye(2), 5, axis=0), n_clusters=3), InvalidParameterError,
     r"at most the number of distinct rows \(2\). Got 3"),
    (lambda: find_clusters(np.eye(4), n_clusters=0), InvalidParameterError, "an integer of at least 1. Got 0"),
    (lambda: find_clusters(np.eye(4), n_clusters=2.5), InvalidParameterError, "Got 2.5"),
    (lambda: find_clusters(np.eye(4), labels=["a", "b"]), DimensionMismatchError, "Got 2 labels for 4 vectors"),
    (lambda: find_clusters(np.eye(4), max_clusters=1), InvalidParameterError, "'max_clusters'"),
    (lambda: find_clusters("not vectors"), DimensionMismatchError, "Vectors must be numbers"),
    (lambda: find_clusters(np.eye(4), texts=["a"]), DimensionMismatchError, "Got 1 texts for 4 vectors"),
    (lambda: medoid(np.zeros((0, 2))), EmptyInputError, "A medoid needs at least one point"),
    (lambda: name_clusters(Clusters(np.array([0, 0]), np.eye(1), ("a",), np.array([2])), labels=["x", "y"]),
     InvalidParameterError, "'vectors' parameter of name_clusters"),
]


@pytest.mark.parametrize("call, error, message", BAD_INPUTS, ids=[str(i) for i in range(len(BAD_INPUTS))])
def test_bad_input_raises_a_workbench_error_with_a_clear_message(call, error, message):
    with pytest.raises(error, match=message) as info:
        call()
    assert isinstance(info.value, WorkbenchError)


# ----------------------------------------------------------------------------- real vectors
@pytest.mark.slow
def test_glove_words_cluster_into_a_legend_of_sensible_named_groups():
    import time

    import workbench

    emb = workbench.pipeline.embed("glove-vocab", "glove-6b-50d", limit=5000)
    start = time.perf_counter()
    found = find_clusters(emb)
    seconds = time.perf_counter() - start
    print(f"\nGloVe 5,000 words: k={found.k} ({found.choice}) in {seconds:.2f} s; names: {found.names}")
    assert 2 <= found.k <= mod.MAX_CLUSTERS and found.sizes.min() >= 50
    assert all(len(name.split(" · ")) == 3 for name in found.names)
    # Each name's members are closer to each other than random words are (a real group, not noise).
    index = {w: i for i, w in enumerate(emb.labels)}
    u = emb.unit_vectors
    within = np.mean([float(u[index[a]] @ u[index[b]]) for name in found.names
                      for a, b in [name.split(" · ")[:2]]])
    rng = np.random.default_rng(0)
    pairs = rng.integers(0, len(emb), size=(2000, 2))
    background = float(np.mean(np.sum(u[pairs[:, 0]] * u[pairs[:, 1]], axis=1)))
    assert within > background + 0.3
    again = find_clusters(emb)
    np.testing.assert_array_equal(found.labels_, again.labels_)

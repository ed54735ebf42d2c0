"""project(): PCA, UMAP and t-SNE maps in 2-D and 3-D, determinism, caching, limits; map_quality()."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.core import Embeddings, MapQuality, Projection, map_quality, project
from workbench.core.errors import CancelledError, EmptyInputError, InvalidParameterError, SizeLimitError
from workbench.core.index import normalize_rows

METHODS = ["pca", "umap", "tsne"]


@pytest.mark.parametrize("dim", [2, 3])
@pytest.mark.parametrize("method", METHODS)
def test_maps_have_the_right_shape_and_keep_clusters_apart(clusters, method, dim):
    proj = project(clusters, method, dim, cache=False)
    assert isinstance(proj, Projection)
    assert proj.coords.shape == (200, dim) and proj.coords.dtype == np.float32
    assert np.isfinite(proj.coords).all()
    assert not proj.coords.flags.writeable
    assert (proj.method, proj.dim, proj.from_cache) == (method, dim, False)
    assert isinstance(proj.quality, MapQuality) and proj.quality.sampled == 200
    # Four well-separated clusters: a faithful map keeps them, so k-NN classification on it is perfect.
    from sklearn.neighbors import KNeighborsClassifier

    y = clusters.meta["cluster"].to_numpy()
    assert KNeighborsClassifier(5).fit(proj.coords, y).score(proj.coords, y) >= 0.98
    assert proj.quality.trustworthiness > 0.75
    assert repr(proj).startswith(f"Projection({method}, {dim}D, 200 points, trustworthiness=")


def test_frame_has_axes_labels_meta_and_quality(clusters):
    frame = project(clusters, "pca", 3, cache=False).frame
    assert frame.columns.tolist() == ["x", "y", "z", "label", "cluster", "quality_trustworthiness",
                                      "quality_knn_recall"]
    assert frame["label"].tolist() == clusters.labels
    two = project(clusters, "pca", 2, cache=False, quality=False)
    assert two.quality is None
    assert two.frame.columns.tolist() == ["x", "y", "label", "cluster"]


def test_pca_equals_sklearn_on_unit_vectors(clusters):
    from sklearn.decomposition import PCA

    proj = project(clusters, "pca", 2, cache=False, quality=False)
    ref = PCA(2, random_state=0).fit_transform(clusters.unit_vectors)
    # PCA components are defined up to sign.
    for axis in range(2):
        sign = np.sign(ref[:, axis] @ proj.coords[:, axis])
        np.testing.assert_allclose(proj.coords[:, axis], sign * ref[:, axis], atol=1e-4)


def test_pca_of_a_set_with_fewer_dimensions_than_the_map_pads_with_zeros():
    emb = Embeddings(np.random.default_rng(0).normal(size=(30, 2)))
    proj = project(emb, "pca", 3, cache=False, quality=False)
    assert proj.coords.shape == (30, 3)
    assert np.all(proj.coords[:, 2] == 0)


@pytest.mark.parametrize("method", METHODS)
def test_same_random_state_same_map(clusters, method):
    a = project(clusters, method, 2, random_state=1, cache=False, quality=False)
    b = project(clusters, method, 2, random_state=1, cache=False, quality=False)
    np.testing.assert_array_equal(a.coords, b.coords)


def test_umap_random_state_changes_the_layout(clusters):
    # (t-SNE starts from PCA here, so its layout does not depend on the seed at all.)
    a = project(clusters, "umap", 2, random_state=1, cache=False, quality=False)
    c = project(clusters, "umap", 2, random_state=2, cache=False, quality=False)
    assert not np.allclose(a.coords, c.coords)


def test_params_are_resolved_and_recorded(clusters):
    umap_proj = project(clusters.head(40), "umap", 2, cache=False, quality=False, n_neighbors=80, min_dist=0.3)
    assert umap_proj.params == {"n_neighbors": 39, "min_dist": 0.3}  # capped at n - 1
    tsne_proj = project(clusters.head(31), "tsne", 2, cache=False, quality=False)
    assert tsne_proj.params == {"perplexity": 10.0}  # capped at (n - 1) / 3
    assert project(clusters, "pca", cache=False, quality=False).params == {}


def test_second_call_is_served_from_the_cache(clusters, fresh_cache):
    clusters = clusters.subset(np.arange(0, 200, 4))  # 50 points keep the six t-SNE runs quick
    first = project(clusters, "tsne", 2)
    second = project(clusters, "tsne", 2)
    assert (first.from_cache, second.from_cache) == (False, True)
    np.testing.assert_array_equal(first.coords, second.coords)
    assert second.quality.trustworthiness == pytest.approx(first.quality.trustworthiness)
    pd.testing.assert_frame_equal(second.quality.per_point, first.quality.per_point)
    assert second.seconds == pytest.approx(first.seconds)
    assert len(list((fresh_cache / "projection").iterdir())) == 1
    # Any change to what determines the map is a miss.
    assert project(clusters, "tsne", 2, perplexity=10).from_cache is False
    assert project(clusters, "tsne", 3).from_cache is False
    assert project(clusters, "tsne", 2, random_state=7).from_cache is False
    assert project(clusters.head(49), "tsne", 2).from_cache is False
    assert project(clusters, "tsne", 2, cache=False).from_cache is False


def test_umap_progress_reports_real_fractions_through_graph_and_epochs(clusters):
    seen = []
    project(clusters, "umap", 2, cache=False, progress=lambda fraction, message: seen.append((fraction, message)))
    fractions = [f for f, _ in seen]
    messages = [m for _, m in seen]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert fractions == sorted(fractions)  # never goes backwards
    assert messages[0].startswith("UMAP: computing 2D map of 200 points")
    assert any("neighbour graph" in m for m in messages)
    epochs = [(f, m) for f, m in seen if "epoch" in m]
    assert epochs and epochs[-1][1] == "UMAP: layout: epoch 500 of 500"
    assert 0.3 <= epochs[0][0] < epochs[-1][0] <= 0.9 + 1e-9  # the layout is the bulk between graph and quality
    assert "measuring map quality" in messages and messages[-1] == "UMAP map ready"


@pytest.mark.parametrize("method", ["pca", "tsne"])
def test_pca_and_tsne_report_stage_fractions(clusters, method):
    seen = []
    project(clusters.head(60), method, 2, cache=False, progress=lambda fraction, message: seen.append(fraction))
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen) and len(seen) >= 3


def test_a_progress_callable_of_one_argument_still_gets_the_messages(clusters):
    messages = []
    project(clusters, "umap", 2, cache=False, progress=messages.append)
    assert messages[0].startswith("UMAP: computing 2D map of 200 points")
    assert any("neighbour graph" in m for m in messages)
    assert messages[-2:] == ["measuring map quality", "UMAP map ready"]


def test_cancel_during_the_umap_layout_stops_it_and_caches_nothing(fresh_cache):
    import umap.layouts

    rng = np.random.default_rng(5)
    emb = Embeddings(rng.normal(size=(8, 16))[rng.integers(0, 8, 2000)] * 4 + rng.normal(size=(2000, 16)))
    bar_before = umap.layouts.tqdm
    seen = []

    def should_stop():  # press Cancel at the second report from the layout loop (epoch 0 is the first)
        return sum("epoch" in m for m in seen) >= 2

    with pytest.raises(CancelledError, match="Cancelled the UMAP map during its layout"):
        project(emb, "umap", 2, progress=lambda f, m: seen.append(m), should_stop=should_stop)
    epochs = [m for m in seen if "epoch" in m]
    assert len(epochs) == 2 and epochs[-1] != "UMAP: layout: epoch 500 of 500"
    assert "measuring map quality" not in seen
    assert not (fresh_cache / "projection").exists() or not list((fresh_cache / "projection").iterdir())
    assert umap.layouts.tqdm is bar_before
    small = emb.head(100)
    assert project(small, "umap", 2, quality=False).from_cache is False  # and a later run works
    assert project(small, "umap", 2, quality=False).from_cache is True


@pytest.mark.parametrize("method", METHODS)
def test_cancel_before_the_work_raises_for_every_method(clusters, method, fresh_cache):
    with pytest.raises(CancelledError, match=f"Cancelled the {method.upper()} map"):
        project(clusters, method, 2, should_stop=lambda: True)
    assert not (fresh_cache / "projection").exists() or not list((fresh_cache / "projection").iterdir())


def test_in_a_notebook_kernel_umap_still_reports_epochs_and_gets_its_bar_back(clusters, monkeypatch):
    """In Jupyter, umap's tqdm.auto is the widget bar, which never writes to a file: we swap in the console bar."""
    import umap.layouts
    from tqdm.std import tqdm as console

    widget_bars = []

    class WidgetBar(console):
        def __init__(self, *args, **kwargs):
            widget_bars.append(kwargs)
            super().__init__(*args, **{**kwargs, "disable": True})

    monkeypatch.setattr(umap.layouts, "tqdm", WidgetBar)
    messages = []
    project(clusters, "umap", 2, cache=False, quality=False, progress=lambda f, m: messages.append(m))
    assert widget_bars == []
    assert "UMAP: layout: epoch 500 of 500" in messages
    assert umap.layouts.tqdm is WidgetBar


def test_metadata_columns_named_like_coordinates_are_renamed(clusters):
    meta = pd.DataFrame({"x": np.arange(200), "label": ["L"] * 200, "quality_note": ["ok"] * 200,
                         "meta: x": ["taken"] * 200, "cluster": clusters.meta["cluster"]})
    emb = Embeddings(clusters.vectors, clusters.labels, meta=meta)
    proj = project(emb, "pca", 2, cache=False)
    frame = proj.frame
    assert frame.attrs["renamed"] == {"x": "meta: meta: x", "label": "meta: label",
                                      "quality_note": "meta: quality_note"}
    assert frame.columns.tolist() == ["x", "y", "label", "meta: meta: x", "meta: label", "meta: quality_note",
                                      "meta: x", "cluster", "quality_trustworthiness", "quality_knn_recall"]
    assert frame.columns.is_unique
    np.testing.assert_array_equal(frame["x"], proj.coords[:, 0])
    assert frame["label"].tolist() == clusters.labels
    assert frame["meta: meta: x"].tolist() == list(range(200)) and frame["meta: x"].eq("taken").all()
    assert project(clusters, "pca", 2, cache=False).frame.attrs["renamed"] == {}
    z = Embeddings(clusters.vectors, meta=pd.DataFrame({"z": np.zeros(200)}))
    assert project(z, "pca", 2, cache=False, quality=False).frame.attrs["renamed"] == {"z": "meta: z"}


def test_size_limit_names_the_limit_and_the_ways_around_it():
    big = Embeddings(np.random.default_rng(0).normal(size=(20_001, 2)))
    with pytest.raises(SizeLimitError, match=r"TSNE on 20,001 points is above the limit of 20,000.*"
                                             r"emb\.sample\(20000\).*max_points=None"):
        project(big, "tsne")
    small = Embeddings(np.random.default_rng(0).normal(size=(50, 4)))
    with pytest.raises(SizeLimitError, match="UMAP on 50 points is above the limit of 10"):
        project(small, "umap", max_points=10)
    assert project(small, "tsne", max_points=None, cache=False, quality=False).coords.shape == (50, 2)


def test_unknown_parameters_and_values_are_refused(clusters):
    with pytest.raises(InvalidParameterError, match=r"The 'perplexity' parameter of project must be one of "
                                                    r"\['min_dist', 'n_neighbors', 'spread'\] for umap\. "
                                                    r"Got 30 instead\."):
        project(clusters, "umap", perplexity=30)
    with pytest.raises(InvalidParameterError, match="'n_neighbors' parameter of project must be one of "
                                                    "no parameters for pca"):
        project(clusters, "pca", n_neighbors=5)
    with pytest.raises(InvalidParameterError, match=r"The 'method' parameter of project must be one of "
                                                    r"\('pca', 'umap', 'tsne'\)\. Got 'mds' instead\."):
        project(clusters, "mds")
    with pytest.raises(InvalidParameterError, match="The 'dim' parameter of project must be 2 or 3. Got 4 instead."):
        project(clusters, "pca", 4)


def test_too_few_points_for_umap_and_pca():
    with pytest.raises(EmptyInputError, match="A PCA map needs at least 3 points; got 2"):
        project(Embeddings(np.eye(2)), "pca", quality=False)
    with pytest.raises(EmptyInputError, match=r"A UMAP map needs at least 5 points; got 4\..*or use method='pca'\."):
        project(Embeddings(np.eye(4)), "umap")


# ----------------------------------------------------------------------------- map_quality
@pytest.fixture
def clustered_unit():
    rng = np.random.default_rng(1)
    centres = rng.normal(size=(8, 50))
    which = rng.integers(0, 8, 500)
    return normalize_rows(centres[which] + 0.7 * rng.normal(size=(500, 50)))


@pytest.mark.parametrize("k", [5, 10, 20])
@pytest.mark.parametrize("layout", ["pca", "random"])
def test_trustworthiness_equals_sklearn(clustered_unit, k, layout):
    from sklearn.decomposition import PCA
    from sklearn.manifold import trustworthiness

    x = clustered_unit
    y = PCA(2).fit_transform(x) if layout == "pca" else np.random.default_rng(k).normal(size=(len(x), 2))
    q = map_quality(x, y, k=k)
    assert q.sampled == 500 and q.k == k
    assert q.trustworthiness == pytest.approx(trustworthiness(x, y, n_neighbors=k), abs=1e-6)
    assert q.per_point["trustworthiness"].mean() == pytest.approx(q.trustworthiness, abs=1e-9)


def test_knn_recall_by_brute_force(clustered_unit):
    from scipy.spatial.distance import cdist

    x = clustered_unit[:120]
    y = np.random.default_rng(0).normal(size=(120, 2))
    q = map_quality(x, y, k=7)
    dx, dy = cdist(x, x), cdist(y, y)
    np.fill_diagonal(dx, np.inf)
    np.fill_diagonal(dy, np.inf)
    nx, ny = np.argsort(dx, 1)[:, :7], np.argsort(dy, 1)[:, :7]
    per_point = np.array([len(set(a) & set(b)) / 7 for a, b in zip(nx, ny)])
    np.testing.assert_allclose(q.per_point["knn_recall"], per_point)
    assert q.knn_recall == pytest.approx(per_point.mean())


def test_a_perfect_map_scores_one():
    x = np.random.default_rng(0).normal(size=(80, 2))
    q = map_quality(x, x.copy(), k=5)
    assert q.trustworthiness == pytest.approx(1.0)
    assert q.knn_recall == pytest.approx(1.0)


def test_sampled_quality_leaves_nan_outside_the_sample(clustered_unit):
    y = clustered_unit[:, :2]
    q = map_quality(clustered_unit, y, k=10, max_points=100, random_state=3)
    assert q.sampled == 100
    assert q.per_point["trustworthiness"].notna().sum() == 100
    assert q.per_point["knn_recall"].isna().sum() == 400
    assert q.trustworthiness == pytest.approx(q.per_point["trustworthiness"].mean())
    full = map_quality(clustered_unit, y, k=10)
    sampled_rows = q.per_point["trustworthiness"].notna()
    # each sampled point is still compared with all rows: same per-point value as without sampling
    np.testing.assert_allclose(q.per_point["trustworthiness"][sampled_rows],
                               full.per_point["trustworthiness"][sampled_rows])


def test_k_shrinks_for_tiny_sets():
    x = np.random.default_rng(0).normal(size=(8, 3))
    q = map_quality(x, x[:, :2], k=10)
    assert q.k == 3
    assert repr(q).startswith("MapQuality(trustworthiness=")


@pytest.mark.slow
def test_trustworthiness_equals_sklearn_on_glove_words(glove):
    from sklearn.manifold import trustworthiness

    words = glove.subset(np.arange(1000, 1500))
    proj = project(words, "pca", 2, cache=False)
    x = words.unit_vectors
    assert proj.quality.sampled == 500
    assert proj.quality.trustworthiness == pytest.approx(trustworthiness(x, proj.coords, n_neighbors=10), abs=1e-6)
    assert proj.quality.per_point["trustworthiness"].mean() == pytest.approx(proj.quality.trustworthiness)

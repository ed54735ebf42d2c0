"""Maps that place new points: ``Projection.transform`` and ``Projection.place``.

PCA maps are linear, so a row's own vector must land exactly on it. UMAP and t-SNE maps place a
vector at the inverse-distance weighted mean of its nearest rows' positions; "near" is judged
against the map's own scale (the median distance between two points of the map).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.distance import pdist

from workbench.core import Embeddings, project
from workbench.core.errors import DimensionMismatchError, EmptyInputError, InvalidParameterError, NonFiniteError

METHODS = ["pca", "umap", "tsne"]


@pytest.fixture(scope="module")
def maps():
    """The four-cluster set of conftest (200 x 16) and one 2-D map of it per method."""
    rng = np.random.default_rng(2)
    centres = rng.normal(size=(4, 16)) * 4
    which = np.repeat(np.arange(4), 50)
    emb = Embeddings(centres[which] + rng.normal(size=(200, 16)), [f"p{i}" for i in range(200)])
    return emb, {m: project(emb, m, 2, cache=False, quality=False) for m in METHODS}


def scale(proj) -> float:
    return float(np.median(pdist(proj.coords)))


# ----------------------------------------------------------------------------- transform
def test_pca_transform_of_rows_lands_exactly_on_them(maps):
    emb, projs = maps
    proj = projs["pca"]
    assert proj.placement == "pca"
    placed = proj.transform(emb.vectors)
    assert placed.dtype == np.float32 and placed.shape == (200, 2)
    np.testing.assert_allclose(placed, proj.coords, atol=1e-5)  # measured: 1.8e-7 at most
    np.testing.assert_allclose(proj.transform(emb.vectors[[7]]), proj.coords[[7]], atol=1e-5)
    # scale does not matter (the map is of unit vectors), and a 1-D vector is one row
    np.testing.assert_allclose(proj.transform(emb.vectors[7] * 3), proj.coords[[7]], atol=1e-5)


@pytest.mark.parametrize("method", ["umap", "tsne"])
def test_umap_and_tsne_transform_of_a_row_lands_on_it(maps, method):
    emb, projs = maps
    proj = projs[method]
    assert proj.placement == "knn-weighted, k=10"
    for i in (0, 57, 123, 199):
        placed = proj.transform(emb.vectors[[i]])
        assert placed.shape == (1, 2) and placed.dtype == np.float32
        assert np.linalg.norm(placed[0] - proj.coords[i]) < scale(proj)  # within the neighbourhood...
        np.testing.assert_array_equal(placed[0], proj.coords[i])  # ...in fact on it: an equal vector snaps


@pytest.mark.parametrize("method", METHODS)
def test_a_noisy_copy_of_a_row_lands_next_to_its_neighbours(maps, method):
    emb, projs = maps
    proj = projs[method]
    rng = np.random.default_rng(0)
    rows = np.arange(0, 200, 10)
    noisy = emb.vectors[rows] + 0.3 * rng.normal(size=(len(rows), emb.dim))
    placed = proj.transform(noisy)
    # next to the row itself on the map (measured: ~1-2% of the median inter-point distance)...
    assert np.median(np.linalg.norm(placed - proj.coords[rows], axis=1)) < 0.05 * scale(proj)
    if method == "pca":
        return
    # ...and, placed from its neighbours, inside the cloud of the row's 10 nearest rows in the original space
    ids, _ = emb.similar_to_rows(rows, k=10)
    for placed_point, neighbours in zip(placed, ids):
        cloud = proj.coords[neighbours]
        assert np.linalg.norm(placed_point - cloud.mean(0)) <= np.linalg.norm(cloud - cloud.mean(0), axis=1).max()


def test_transform_leaves_the_map_alone_and_checks_its_input(maps):
    emb, projs = maps
    proj = projs["umap"]
    before = proj.coords.copy()
    proj.transform(np.random.default_rng(1).normal(size=(5, 16)))
    np.testing.assert_array_equal(proj.coords, before)
    assert proj.transform(np.empty((0, 16))).shape == (0, 2)
    with pytest.raises(DimensionMismatchError, match=r"transform needs vectors of shape \(m, 16\).*got \(3, 8\)"):
        proj.transform(np.ones((3, 8)))
    with pytest.raises(DimensionMismatchError, match=r"got \(8,\)"):
        projs["pca"].transform(np.ones(8))
    with pytest.raises(NonFiniteError, match="NaN or infinite"):
        proj.transform(np.full((1, 16), np.nan))


# ----------------------------------------------------------------------------- place
@pytest.mark.parametrize("method", METHODS)
def test_place_of_the_same_embeddings_gives_back_nearly_the_same_map(maps, method):
    emb, projs = maps
    proj = projs[method]
    placed = proj.place(emb)
    assert placed.method == "placed" and placed.embeddings is emb and placed.dim == 2
    assert placed.params["on"] == method and placed.params["shared"] == 200
    assert not placed.coords.flags.writeable
    moved = np.linalg.norm(placed.coords - proj.coords, axis=1)
    if method == "pca":  # the linear map: exactly the same
        assert placed.params["how"] == "linear" and placed.placement == "pca"
        assert moved.max() < 1e-5
    else:  # each point goes to the weighted mean of its neighbours' positions (itself left out)
        assert placed.params["how"] == "neighbours"
        assert np.median(moved) < 0.05 * scale(proj)  # measured: about 2-3%


@pytest.mark.parametrize("method", METHODS)
def test_place_of_a_perturbed_copy_keeps_each_point_near_its_old_position(maps, method):
    emb, projs = maps
    proj = projs[method]
    rng = np.random.default_rng(3)
    later = Embeddings(emb.vectors + 0.1 * rng.normal(size=emb.vectors.shape), emb.labels)
    spread = float(np.linalg.norm(proj.coords.std(0)))
    for how in ("auto", "neighbours"):
        placed = proj.place(later, how=how)
        displacement = np.linalg.norm(placed.coords - proj.coords, axis=1)
        assert np.median(displacement) < 0.1 * spread  # measured: 1-6% of the spread


def test_place_of_a_second_model_of_another_dimension_anchors_on_shared_labels(maps):
    emb, projs = maps
    proj = projs["umap"]
    rng = np.random.default_rng(4)
    # another model: a random 16 -> 24 linear map keeps neighbourhoods, not axes; rows in another order,
    # a few items the map has never seen, and a few of its items missing
    keep = rng.permutation(200)[:180]
    lift = rng.normal(size=(16, 24))
    new = rng.normal(size=(5, 16)) * 4
    other = Embeddings(np.vstack([emb.vectors[keep] @ lift, new @ lift]),
                       [emb.labels[i] for i in keep] + [f"new{i}" for i in range(5)])
    placed = proj.place(other)
    assert placed.params["how"] == "neighbours" and placed.params["shared"] == 180
    assert placed.coords.shape == (185, 2)
    displacement = np.linalg.norm(placed.coords[:180] - proj.coords[keep], axis=1)
    assert np.median(displacement) < 0.1 * float(np.linalg.norm(proj.coords.std(0)))
    assert np.isfinite(placed.coords).all()
    # the placed map places points of its own space too
    np.testing.assert_array_equal(placed.transform(other.vectors[[0]])[0], placed.coords[0])
    with pytest.raises(DimensionMismatchError, match="how='linear' needs a PCA map"):
        proj.place(other, how="linear")
    with pytest.raises(DimensionMismatchError, match="how='linear' needs a PCA map and vectors of its dimension"):
        projs["pca"].place(other, how="linear")
    # a PCA map and a model of another dimension: neighbour placement is chosen
    assert projs["pca"].place(other).params["how"] == "neighbours"


def test_place_needs_shared_labels_and_a_known_how(maps):
    emb, projs = maps
    strangers = Embeddings(emb.vectors[:10], [f"q{i}" for i in range(10)])
    with pytest.raises(EmptyInputError, match="at least 2 labels shared .* 0 of 10 labels are on this map"):
        projs["umap"].place(strangers)
    with pytest.raises(InvalidParameterError, match=r"The 'how' parameter of Projection.place must be one of "
                                                    r"\('auto', 'linear', 'neighbours'\)\. Got 'magic' instead\."):
        projs["umap"].place(emb, how="magic")


def test_place_is_fast_on_10k_points():
    """10k x 100 through the neighbour placement (one 10k x 10k exact search): well under a second here.

    Not a timing assert (benchmarks hold speed goals): the check is that it runs and stays sensible.
    """
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20, 100))[rng.integers(0, 20, 10_000)] * 3 + rng.normal(size=(10_000, 100))
    emb = Embeddings(x)
    proj = project(emb, "pca", 2, cache=False, quality=False)
    later = Embeddings(emb.vectors + 0.05 * rng.normal(size=x.shape), emb.labels)
    placed = proj.place(later, how="neighbours")
    assert placed.coords.shape == (10_000, 2) and placed.seconds < 30


# ----------------------------------------------------------------------------- the cache
def test_a_cached_pca_map_can_transform(maps, fresh_cache):
    emb, _ = maps
    first = project(emb, "pca", 2, quality=False)
    entry = next((fresh_cache / "projection").iterdir())
    assert {"fitted_components.npy", "fitted_mean.npy"} <= {p.name for p in entry.iterdir()}
    again = project(emb, "pca", 2, quality=False)
    assert again.from_cache and again.placement == "pca"
    np.testing.assert_allclose(again.transform(emb.vectors), first.coords, atol=1e-5)


def test_cache_entries_written_before_components_existed_still_load_and_place(maps, fresh_cache):
    emb, _ = maps
    project(emb, "pca", 2, quality=False)
    project(emb, "umap", 2, quality=False)
    for entry in (fresh_cache / "projection").iterdir():
        for old in entry.glob("fitted_*.npy"):
            old.unlink()  # what an entry from before this change looks like
        (entry / ".complete").write_text("")  # written before entries carried a checksum, too
    pca = project(emb, "pca", 2, quality=False)
    assert pca.from_cache and pca.fitted == {}
    assert pca.placement == "pca"  # the components are recomputed (they match the stored map)
    np.testing.assert_allclose(pca.transform(emb.vectors[[3]]), pca.coords[[3]], atol=1e-5)
    umap_map = project(emb, "umap", 2, quality=False)
    assert umap_map.from_cache and umap_map.placement == "knn-weighted, k=10"
    np.testing.assert_array_equal(umap_map.transform(emb.vectors[[3]]), umap_map.coords[[3]])


def test_a_pca_map_whose_components_cannot_be_recovered_falls_back_to_neighbours(maps):
    emb, projs = maps
    proj = projs["pca"]
    odd = type(proj)(proj.coords[::-1].copy(), "pca", 2, {}, emb)  # coords that PCA would not give
    assert odd.placement == "knn-weighted, k=10"
    np.testing.assert_array_equal(odd.transform(emb.vectors[[5]])[0], odd.coords[5])

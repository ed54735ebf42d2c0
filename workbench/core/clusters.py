"""Clusters in the original embedding space, each with a short name a legend can show.

Clustering runs on the unit-length rows (so Euclidean k-means ranks like cosine), never on the
2-D map: a map squeezes distances, and clusters found on it would mostly echo the projection.
The number of clusters is chosen by silhouette on a sample when the data have clear structure;
real embeddings seldom do (GloVe's best silhouette is about 0.06), so then a legend-sized count
is taken instead and the choice is recorded in ``Clusters.choice``, scikit-learn's habit with
``"auto"``.

Names come from what the rows are:

- words or labels: the most central members (highest cosine to the centroid), "king · prince · queen";
- documents: the top terms of each cluster by class-based TF-IDF, as BERTopic's c-TF-IDF;
- labelled rows: the majority class and its share, "sports 82%".
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .errors import DimensionMismatchError, EmptyInputError, InvalidParameterError
from .validation import as_matrix

__all__ = ["Clusters", "find_clusters", "name_clusters", "class_tfidf", "medoid", "silhouette", "MAX_CLUSTERS", "ZERO_NAME"]

MAX_CLUSTERS = 12          # a legend with more entries stops being read
K_SAMPLE = 1_000           # rows the silhouette of each candidate k is measured on
CLEAR_STRUCTURE = 0.25     # Kaufman & Rousseeuw: a silhouette at or below 0.25 means "no substantial structure"
MINIBATCH_ABOVE = 20_000   # rows above which MiniBatchKMeans replaces KMeans (same partition quality, far faster)
N_INIT = 3                 # k-means restarts; the best inertia wins
SEPARATOR = " · "
ZERO_NAME = "(zero vector)"  # the name column() gives rows that have no direction (label -1)


@dataclass(frozen=True)
class Clusters:
    """A partition of the rows of an embedding and a name per cluster.

    Attributes
    ----------
    labels_ : ndarray of int, shape (n,)
        Cluster of each row, ``0 .. k-1``; ``-1`` for all-zero rows, which have no direction.
    centroids : ndarray, shape (k, dim)
        Mean of each cluster's unit-length rows (k-means centres; not re-normalised).
    names : tuple of str
        One short, unique name per cluster.
    sizes : ndarray of int, shape (k,)
        Rows in each cluster.
    choice : str
        How ``k`` was chosen: ``"given"``, ``"silhouette"`` (clear structure), ``"no structure"``
        (best silhouette at or below 0.25: a legend-sized k) or ``"single"`` (too few distinct rows).
    silhouette : dict
        Silhouette score of each candidate k on the sample (empty unless k was chosen automatically).
    method : str
        ``"kmeans"``, ``"minibatch-kmeans"`` or ``"none"`` (single cluster).

    Examples
    --------
    >>> c = Clusters(np.array([0, 0, 1]), np.eye(2), ("a", "b"), np.array([2, 1]))
    >>> c.k, list(c.column())
    (2, ['a', 'a', 'b'])
    """

    labels_: np.ndarray
    centroids: np.ndarray
    names: tuple[str, ...]
    sizes: np.ndarray
    choice: str = "given"
    silhouette: dict = field(default_factory=dict)
    method: str = "kmeans"

    @property
    def k(self) -> int:
        """Number of clusters."""
        return len(self.names)

    def column(self) -> pd.Categorical:
        """The cluster name of each row, as a Categorical (categories in cluster order), for colouring a map.

        Rows labelled ``-1`` (all-zero vectors) get ``ZERO_NAME``, added as a last category only when present.
        """
        names = list(self.names)
        codes = self.labels_.astype(np.int64)
        if (codes < 0).any():
            names.append(ZERO_NAME)
            codes = np.where(codes < 0, len(names) - 1, codes)
        return pd.Categorical.from_codes(codes, categories=names)

    def __repr__(self) -> str:
        shown = ", ".join(repr(n) for n in self.names[:4]) + (", ..." if self.k > 4 else "")
        return f"Clusters(k={self.k}, choice={self.choice!r}, names=[{shown}])"


def find_clusters(vectors, *, n_clusters: int | None = None, seed: int = 0, labels=None, texts=None,
                  classes=None, max_clusters: int = MAX_CLUSTERS, sample: int = K_SAMPLE,
                  minibatch: bool | None = None) -> Clusters:
    """Cluster rows by cosine with k-means and name each cluster.

    Parameters
    ----------
    vectors : array-like of shape (n, dim) or Embeddings
        The original vectors (not map coordinates). An ``Embeddings`` also gives its labels.
    n_clusters : int, optional
        Number of clusters. ``None`` chooses it: silhouette over ``k = 2 .. max_clusters`` on a sample of
        ``sample`` rows; when the best score shows no substantial structure (at most 0.25), ``k`` grows with
        the cube root of ``n``, capped at ``max_clusters``.
    seed : int
        Random state of the sample and of k-means; the same seed gives the same clusters.
    labels, texts, classes : sequence, optional
        One per row; they decide the names (``classes`` first, then ``texts``, then ``labels``):
        majority class and share, c-TF-IDF top terms, or the most central labels. Without any: "cluster 1", ...
    max_clusters : int
        Most clusters an automatic choice may give (a readable legend: 12-15).
    sample : int
        Rows used to score each candidate k (more is steadier and slower; 500-5,000).
    minibatch : bool, optional
        Use ``MiniBatchKMeans``; by default when ``n`` is above 20,000.

    Raises
    ------
    EmptyInputError
        No rows, or every row is all zeros.
    NonFiniteError
        NaN or infinite values.
    InvalidParameterError
        ``n_clusters`` not a positive integer, more than ``n / 2``, or more than the distinct rows.

    Notes
    -----
    Awkward input is handled so: all-zero rows are left out of the fit and labelled ``-1`` (shown as
    ``ZERO_NAME`` by ``Clusters.column()``); duplicate rows cap an automatic k at the number of distinct
    rows; fewer than 4 usable rows or a single distinct row give one cluster (``choice="single"``).
    A k that was asked for and cannot be honoured is an error, never silently changed.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = np.vstack([rng.normal(size=(20, 5)) + 8 * np.eye(5)[i] for i in range(3)])
    >>> find_clusters(x, labels=[f"w{i}" for i in range(60)]).k
    3
    """
    if labels is None and hasattr(vectors, "unit_vectors") and hasattr(vectors, "labels"):
        labels = vectors.labels
    x = as_matrix(getattr(vectors, "vectors", vectors))
    n = len(x)
    _check_int("max_clusters", max_clusters, 2)
    _check_int("sample", sample, 10)
    if n_clusters is not None:
        _check_int("n_clusters", n_clusters, 1)
    for name, values in (("labels", labels), ("texts", texts), ("classes", classes)):
        if values is not None and len(values) != n:
            raise DimensionMismatchError(f"Got {len(values)} {name} for {n} vectors: give one per row.")

    norms = np.linalg.norm(x.astype(np.float64), axis=1)
    usable = np.flatnonzero(norms > 0)
    if not len(usable):
        raise EmptyInputError(f"All {n} vectors are zero: cosine clusters need vectors with a direction.")
    unit = (x[usable] / norms[usable, None]).astype(np.float32)
    distinct = _distinct_rows(unit, seed)
    if n_clusters is not None:
        _check_feasible(n_clusters, len(unit), distinct)
    use_minibatch = len(unit) > MINIBATCH_ABOVE if minibatch is None else bool(minibatch)

    scores: dict[int, float] = {}
    if n_clusters is not None:
        k, choice = int(n_clusters), "given"
    else:
        k, choice, scores = _choose_k(unit, distinct, max_clusters, sample, seed)
    if k == 1:
        found, centroids, method = np.zeros(len(unit), dtype=np.int64), unit.mean(axis=0, keepdims=True), "none"
    else:
        model = _kmeans(k, seed, use_minibatch).fit(unit)
        found, centroids = model.labels_.astype(np.int64), model.cluster_centers_
        method = "minibatch-kmeans" if use_minibatch else "kmeans"
    row_labels = np.full(n, -1, dtype=np.int64)
    row_labels[usable] = found
    clusters = Clusters(row_labels, np.asarray(centroids, dtype=np.float32), tuple(f"cluster {i + 1}" for i in range(k)),
                        np.bincount(found, minlength=k), choice, scores, method)
    return name_clusters(clusters, x, labels=labels, texts=texts, classes=classes)


def name_clusters(clusters: Clusters, vectors=None, *, labels=None, texts=None, classes=None,
                  top: int = 3) -> Clusters:
    """The same clusters with names from ``classes``, ``texts`` or ``labels`` (first given wins).

    Parameters
    ----------
    clusters : Clusters
    vectors : array-like (n, dim), optional
        Needed for names from ``labels``: members are ranked by cosine to their centroid.
    labels : sequence, optional
        Row labels: a name joins the ``top`` most central ones with " · ".
    texts : sequence of str, optional
        Documents: a name joins the ``top`` terms by c-TF-IDF (see :func:`class_tfidf`).
    classes : sequence, optional
        Known classes: a name is the majority class and its share of the cluster, "sports 82%".
    top : int
        Members or terms per name (2-3 keep a legend readable).

    Examples
    --------
    >>> c = Clusters(np.array([0, 0, 1]), np.eye(2), ("cluster 1", "cluster 2"), np.array([2, 1]))
    >>> name_clusters(c, classes=["cat", "cat", "dog"]).names
    ('cat 100%', 'dog 100%')
    """
    _check_int("top", top, 1)
    if classes is not None:
        names = _majority_names(clusters, classes)
    elif texts is not None:
        names = _term_names(clusters, texts, top)
    elif labels is not None:
        if vectors is None:
            raise InvalidParameterError("vectors", "the clustered vectors when names come from labels", None,
                                        owner="name_clusters")
        names = _central_names(clusters, as_matrix(getattr(vectors, "vectors", vectors)), labels, top)
    else:
        names = [f"cluster {i + 1}" for i in range(clusters.k)]
    return replace(clusters, names=tuple(_unique(names)))


def class_tfidf(texts, cluster_labels, k: int | None = None, *, stop_words: str | None = "english"):
    """Class-based TF-IDF (BERTopic's c-TF-IDF): one document per cluster, then tf x idf per term.

    ``W[c, t] = tf[c, t] * log(1 + A / f[t])`` with ``tf`` the term counts of cluster ``c`` divided by its
    total (L1), ``f[t]`` the count of term ``t`` over all clusters and ``A`` the mean number of words per
    cluster (Grootendorst 2022, eq. 1). Counts come from scikit-learn's ``CountVectorizer``.

    Returns
    -------
    weights : ndarray, shape (k, terms)
    terms : ndarray of str

    Examples
    --------
    >>> w, terms = class_tfidf(["goal match", "goal team", "stock market"], [0, 0, 1])
    >>> [terms[i] for i in w.argmax(axis=1)]
    ['goal', 'market']
    """
    from sklearn.feature_extraction.text import CountVectorizer

    cluster_labels = np.asarray(cluster_labels, dtype=np.int64)
    k = int(cluster_labels.max()) + 1 if k is None else k
    joined = [" ".join(t for t, c in zip(_texts(texts), cluster_labels) if c == i) for i in range(k)]
    vectorizer = CountVectorizer(stop_words=stop_words)
    counts = vectorizer.fit_transform(joined).toarray().astype(np.float64)  # k rows: small and dense
    per_class = counts.sum(axis=1, keepdims=True)
    tf = np.divide(counts, per_class, out=np.zeros_like(counts), where=per_class > 0)
    idf = np.log(1.0 + counts.sum(axis=1).mean() / counts.sum(axis=0))
    return tf * idf, vectorizer.get_feature_names_out()


def medoid(points, *, limit: int = 1_000) -> np.ndarray:
    """The point with the least total distance to the others: a cluster's centre that is one of its points.

    Unlike the mean, it cannot fall in the empty space between two lobes. Above ``limit`` points it is
    taken over an evenly spaced sample of ``limit`` (deterministic; the cost grows with its square).

    Examples
    --------
    >>> medoid([[0, 0], [1, 0], [2, 0], [10, 0], [11, 0]]).tolist()  # the mean, 4.8, lies in the gap
    [2.0, 0.0]
    """
    points = np.asarray(points, dtype=float)
    if not points.size:
        raise EmptyInputError("A medoid needs at least one point; got none.")
    points = points.reshape(len(points), -1)
    if len(points) > limit:
        points = points[np.linspace(0, len(points) - 1, limit).astype(int)]
    distances = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2)).sum(axis=1)
    return points[int(np.argmin(distances))]


# ----------------------------------------------------------------------------- choosing k
def _choose_k(unit: np.ndarray, distinct: int, max_clusters: int, sample: int, seed: int):
    n = len(unit)
    highest = min(max_clusters, n // 2, distinct)
    if highest < 2:
        return 1, "single", {}
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(n, size=min(n, sample), replace=False))
    part = unit[rows]
    # One distance matrix for every candidate k (unit rows: |a - b| = sqrt(2 - 2 a.b)), not one per k.
    wide = part.astype(np.float64)
    distances = np.sqrt(np.clip(2.0 - 2.0 * (wide @ wide.T), 0.0, None))
    np.fill_diagonal(distances, 0.0)
    scores = {}
    for k in range(2, min(highest, len(part) // 2) + 1):
        found = _kmeans(k, seed, minibatch=False, n_init=1).fit(part).labels_
        if len(np.unique(found)) > 1:
            scores[k] = silhouette(distances, found)
    if not scores:
        return 1, "single", {}
    best = max(scores, key=lambda k: (scores[k], -k))
    if scores[best] > CLEAR_STRUCTURE:
        return best, "silhouette", scores
    return int(np.clip(round(n ** (1 / 3)), 2, highest)), "no structure", scores


def silhouette(distances: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette (Rousseeuw 1987) from a square distance matrix, as scikit-learn's ``silhouette_score``.

    One product with the one-hot labels gives every point's summed distance to every cluster, so
    scoring several k on one matrix costs a matrix product each (a test checks it against scikit-learn).
    A point alone in its cluster scores 0.

    Examples
    --------
    >>> d = np.abs(np.subtract.outer([0.0, 0.1, 5.0, 5.2], [0.0, 0.1, 5.0, 5.2]))
    >>> round(silhouette(d, np.array([0, 0, 1, 1])), 2)
    0.97
    """
    labels = np.asarray(labels)
    codes, counts = np.unique(labels, return_inverse=True, return_counts=True)[1:]
    sums = distances @ np.eye(len(counts))[codes]  # (n, k): summed distance of each point to each cluster
    own = counts[codes]
    a = sums[np.arange(len(codes)), codes] / np.maximum(own - 1, 1)
    means = sums / counts
    means[np.arange(len(codes)), codes] = np.inf
    b = means.min(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(own > 1, (b - a) / np.maximum(a, b), 0.0)
    return float(np.nan_to_num(s).mean())


def _kmeans(k: int, seed: int, minibatch: bool, n_init: int = N_INIT):
    """The estimator find_clusters fits (tests build the same one to check the partition)."""
    from sklearn.cluster import KMeans, MiniBatchKMeans

    if minibatch:
        return MiniBatchKMeans(n_clusters=k, n_init=n_init, random_state=seed, batch_size=2048)
    return KMeans(n_clusters=k, n_init=n_init, random_state=seed)


def _distinct_rows(unit: np.ndarray, seed: int) -> int:
    """How many different rows there are (a random projection separates distinct rows almost surely)."""
    direction = np.random.default_rng(seed).normal(size=unit.shape[1])
    return len(np.unique(unit.astype(np.float64) @ direction))


def _check_feasible(k: int, n: int, distinct: int) -> None:
    if k > 1 and n < 2 * k:
        raise InvalidParameterError("n_clusters", f"at most half the usable rows ({n // 2} for {n} rows)", k,
                                    owner="find_clusters")
    if k > distinct:
        raise InvalidParameterError("n_clusters", f"at most the number of distinct rows ({distinct})", k,
                                    owner="find_clusters")


def _check_int(name: str, value, low: int) -> None:
    if not isinstance(value, (int, np.integer)) or isinstance(value, (bool, np.bool_)) or value < low:
        raise InvalidParameterError(name, f"an integer of at least {low}", value, owner="find_clusters")


# ----------------------------------------------------------------------------- names
def _central_names(clusters: Clusters, x: np.ndarray, labels, top: int) -> list[str]:
    labels = [str(v) for v in labels]
    norms = np.linalg.norm(x, axis=1)
    names = []
    for i, centre in enumerate(clusters.centroids):
        rows = np.flatnonzero(clusters.labels_ == i)
        cosines = (x[rows] @ centre) / (norms[rows] * max(float(np.linalg.norm(centre)), 1e-12))
        best = rows[np.argsort(-cosines, kind="stable")[:top]]
        names.append(SEPARATOR.join(labels[r] for r in best))
    return names


def _term_names(clusters: Clusters, texts, top: int) -> list[str]:
    try:
        weights, terms = class_tfidf(texts, clusters.labels_, clusters.k)
    except ValueError:  # every word is a stop word: CountVectorizer has an empty vocabulary
        return [f"cluster {i + 1}" for i in range(clusters.k)]
    names = []
    for i, row in enumerate(weights):
        best = [t for t in np.argsort(-row, kind="stable")[:top] if row[t] > 0]
        names.append(SEPARATOR.join(terms[t] for t in best) or f"cluster {i + 1}")
    return names


def _majority_names(clusters: Clusters, classes) -> list[str]:
    classes = pd.Series(list(classes), dtype=object).astype("string").fillna("(missing)")
    names = []
    for i in range(clusters.k):
        counts = classes[clusters.labels_ == i].value_counts()
        names.append(f"{counts.index[0]} {counts.iloc[0] / counts.sum():.0%}" if len(counts) else f"cluster {i + 1}")
    return names


def _texts(texts) -> list[str]:
    return ["" if t is None or (isinstance(t, float) and np.isnan(t)) else str(t) for t in texts]


def _unique(names: list[str]) -> list[str]:
    """Names made unique by numbering repeats ("sports 80%", "sports 80% (2)"), so a Categorical can hold them."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


"""The map's default colour: clusters found in the original vectors, named for what they hold.

Clusters are found once per :class:`Embeddings` (k-means on unit vectors, ``core.clusters``) and
kept while those embeddings live, so switching PCA / UMAP / t-SNE or 2-D / 3-D recolours at once.
Names follow the data: the majority class and its share for labelled rows, a cluster's top
c-TF-IDF terms for texts, its most central members for words.
"""

from __future__ import annotations

import weakref

from ..core.errors import WorkbenchError

__all__ = ["CLUSTERS", "CLUSTER_LIMIT", "clusters_of", "cluster_column_name"]

CLUSTERS = "clusters (in the vectors)"  # the colour choice
CLUSTER_LIMIT = 200_000  # above this many points clusters are offered but not the default (k-means takes seconds)

_found: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def clusters_of(emb):
    """The :class:`~workbench.core.clusters.Clusters` of ``emb``, or None when they cannot be found.

    Examples
    --------
    >>> import numpy as np, workbench as wb
    >>> blobs = np.repeat(np.eye(3), 20, axis=0) + np.random.default_rng(0).normal(0, 0.05, (60, 3))
    >>> clusters_of(wb.Embeddings(blobs)).k
    3
    """
    if emb in _found:
        return _found[emb]
    from ..core.clusters import find_clusters

    meta = emb.meta
    names: dict = {}
    class_column = emb.provenance.get("class_column")
    if class_column and class_column in meta:
        names["classes"] = meta[class_column].astype(str).tolist()
    elif (emb.provenance.get("modality") == "text") and "item" in meta:
        names["texts"] = meta["item"].astype(str).tolist()
    else:
        names["labels"] = emb.labels
    try:
        found = find_clusters(emb.vectors, **names)
    except WorkbenchError:  # all-zero vectors, too few distinct rows: the map is shown in one colour
        found = None
    _found[emb] = found
    return found


def cluster_column_name(frame) -> str:
    """A column name for the cluster names that collides with nothing in the map's ``frame``."""
    name = "cluster"
    while name in frame:
        name += " (found)"
    return name

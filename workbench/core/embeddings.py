"""`Embeddings`: an immutable set of labelled vectors and the questions you ask of it.

Semantics follow gensim's ``KeyedVectors`` so numbers can be checked against it: similarities are
cosines of unit vectors, a label's neighbours leave the label out, and analogy answers leave their
inputs out unless ``include_inputs=True``. Neighbours can also be restricted to some rows
(``among="item"``) and ranked by raw inner product (``metric="dot"``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._queries import (ANALOGY_METHODS, COSMUL_EPSILON, analogy_scores, candidate_mask, check_metric, query_vector,
                       result_frame, rows_query, top_k)
from .errors import DimensionMismatchError, EmptyInputError, InvalidParameterError, UnknownLabelError, closest
from .index import NeighbourIndex, normalize_rows
from .validation import as_labels, as_list, as_matrix, as_meta, check_k, check_number, is_many

__all__ = ["Embeddings", "ANALOGY_METHODS", "COSMUL_EPSILON", "analogy_scores"]
# n x dim up to which "auto" answers single queries exactly. Exact search costs ~0.1 s a query at 200M
# cells here, while an HNSW build on 100k x 384 took ~110 s and repays itself only after ~6,000 queries
# (benchmarks/results/latest.md): for a person clicking points, exact is the faster choice.
EXACT_CELLS = 200_000_000
BATCH_EXACT_CELLS = 10_000_000_000  # queries x n x dim up to which a batch of queries is searched exactly


class Embeddings:
    """Labelled vectors: float32 ``(n, dim)``, unique string labels, metadata aligned to rows.

    Parameters
    ----------
    vectors : array-like of shape (n, dim)
        Finite numbers; stored as a read-only float32 array.
    labels : sequence of str, optional
        One unique label per row (a word, a title, an id). Defaults to ``"0"``, ``"1"``, ...
    meta : pandas.DataFrame or callable, optional
        Extra columns aligned to the rows (category, text, year, ...), used to colour maps and
        fill tooltips. A callable returning that frame is called on first use (lazy metadata).
    provenance : dict, optional
        Where the vectors came from: ``model``, ``dataset``, ``params`` and the ``history`` of
        operations that produced this object.
    embedder : object with ``encode(items) -> (m, dim)``, optional
        The model that made the vectors; lets queries be raw input (a sentence, a word not in
        the labels). Not saved with the vectors.
    index : {"auto", "exact", "hnsw"}, default="auto"
        Neighbour search method; see :class:`~workbench.core.index.NeighbourIndex`.

    Examples
    --------
    >>> import numpy as np
    >>> emb = Embeddings(np.array([[1, 0], [0.9, 0.1], [0, 1]]), ["cat", "kitten", "car"])
    >>> emb
    Embeddings(3 x 2)
    >>> emb.neighbours("cat", k=1)[["label", "rank"]].values.tolist()
    [['kitten', 1]]
    >>> round(emb.similarity("cat", "car"), 3)
    0.0
    """

    def __init__(self, vectors, labels: Sequence[str] | None = None, *, meta: pd.DataFrame | None = None,
                 provenance: dict | None = None, embedder: Any = None, index: str = "auto"):
        self._setup(as_matrix(vectors), labels, meta, provenance, embedder, index)

    def _setup(self, x: np.ndarray, labels, meta, provenance, embedder, index, text_labels=False) -> None:
        self._vectors = x
        self._labels = _checked_labels(labels, len(x), text_labels)
        self._positions = None  # label -> row, built on the first lookup by label
        # A callable ``meta`` is built on first use: a plain word list needs no table until someone asks.
        self._meta_frame = None if callable(meta) else as_meta(meta, len(x))
        self._meta_source = meta if callable(meta) else None
        self.provenance = dict(provenance or {})
        self.embedder = embedder
        self.index_method = index
        self._unit = None
        self._indexes = {}
        self._fingerprint = None

    @classmethod
    def _adopt(cls, vectors: np.ndarray, labels, *, text_labels: bool = False, **kwargs) -> Embeddings:
        """Like the constructor, but keeps ``vectors`` itself (made read-only) instead of a copy.

        For arrays nobody else holds: fresh from a model or read from the cache (a view of another
        array is copied). Every check of the constructor still runs (shape, finite numbers, unique
        labels). ``text_labels=True`` says the caller has checked that ``labels`` is a list of str.
        """
        self = cls.__new__(cls)
        x = vectors
        if not (isinstance(x, np.ndarray) and x.base is None and x.dtype == np.float32 and x.ndim == 2 and x.size
                and x.flags.c_contiguous and np.isfinite(x).all()):
            x = as_matrix(vectors)  # a view of another array, another dtype: a copy, or the constructor's error
        x.setflags(write=False)
        self._setup(x, labels, kwargs.pop("meta", None), kwargs.pop("provenance", None),
                    kwargs.pop("embedder", None), kwargs.pop("index", "auto"), text_labels=text_labels)
        return self

    @property
    def _position(self) -> dict:
        if self._positions is None:
            self._positions = dict(zip(self._labels, range(len(self._labels))))
        return self._positions

    @property
    def _meta(self) -> pd.DataFrame:
        if self._meta_frame is None:
            self._meta_frame = as_meta(self._meta_source(), len(self._vectors))
            self._meta_source = None
        return self._meta_frame

    # ----------------------------------------------------------------- constructors
    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, label: str | None = "label",
                   vectors: Sequence[str] | str | None = None, **kwargs) -> Embeddings:
        """From a DataFrame: one label column, vector columns, the rest becomes metadata.

        ``vectors`` names the vector columns, or one column holding a list/array per row. By default
        the columns named ``dim_0``, ``dim_1``, ... (what :meth:`to_frame` writes) are used, else
        every numeric column other than the label.
        """
        from .io import frame_to_parts

        x, labels, meta = frame_to_parts(frame, label=label, vectors=vectors)
        return cls(x, labels, meta=meta, **kwargs)

    @classmethod
    def from_keyed_vectors(cls, kv, **kwargs) -> Embeddings:
        """From gensim ``KeyedVectors`` (their order and keys are kept)."""
        kwargs.setdefault("provenance", {"source": "gensim.KeyedVectors"})
        return cls(kv.vectors, [str(k) for k in kv.index_to_key], **kwargs)

    @classmethod
    def from_word2vec(cls, path, *, binary: bool | None = None, limit: int | None = None, **kwargs) -> Embeddings:
        """From a word2vec text or binary file (GloVe text without a header line works too)."""
        from .io import read_word2vec

        labels, x = read_word2vec(path, binary=binary, limit=limit)
        kwargs.setdefault("provenance", {"source": f"word2vec file {path}"})
        return cls(x, labels, **kwargs)

    @classmethod
    def load(cls, path) -> Embeddings:
        """Read what :meth:`save` wrote (npy + Parquet + JSON; nothing is unpickled)."""
        from .io import load_embeddings

        return cls(**load_embeddings(path))

    def save(self, path) -> None:
        """Write ``vectors.npy``, ``rows.parquet`` (labels + metadata) and ``provenance.json``."""
        from .io import save_embeddings

        save_embeddings(path, self._vectors, self._labels, self._meta, self.provenance)

    # ----------------------------------------------------------------- basic access
    @property
    def vectors(self) -> np.ndarray:
        """The (n, dim) float32 matrix, read-only."""
        return self._vectors

    @property
    def unit_vectors(self) -> np.ndarray:
        """Rows scaled to unit length (read-only, computed once)."""
        if self._unit is None:
            self._unit = normalize_rows(self._vectors)
            self._unit.setflags(write=False)
        return self._unit

    @property
    def labels(self) -> list[str]:
        return list(self._labels)

    @property
    def meta(self) -> pd.DataFrame:
        """Metadata aligned to rows (a copy: changing it does not change the embeddings)."""
        return self._meta.copy()

    @property
    def dim(self) -> int:
        return self._vectors.shape[1]

    def __len__(self) -> int:
        return len(self._vectors)

    def __contains__(self, label) -> bool:
        try:
            return label in self._position
        except TypeError:  # an unhashable value is simply not a label
            return False

    def __getitem__(self, key):
        """A label gives its 1-D vector, a list of labels a 2-D array."""
        if isinstance(key, str):
            return self._vectors[self.position(key)]
        return self._vectors[[self.position(k) for k in key]]

    def __repr__(self) -> str:
        model = self.provenance.get("model")
        return f"Embeddings({len(self)} x {self.dim}" + (f", model={model!r})" if model else ")")

    def rows_of(self, labels) -> np.ndarray:
        """Row numbers of ``labels``, -1 where a label is unknown (no error: for bulk lookups)."""
        return np.array([self._position.get(label, -1) for label in labels], dtype=np.int64)

    def position(self, label: str) -> int:
        """Row number of ``label``; unknown labels raise with the closest known ones."""
        try:
            return self._position[label]
        except (KeyError, TypeError):
            raise UnknownLabelError(str(label), closest(str(label), self._labels)) from None

    def fingerprint(self) -> str:
        """A content hash (vectors, labels) used as cache key."""
        if self._fingerprint is None:
            from .cache import content_hash

            self._fingerprint = content_hash(self._vectors, list(self._labels))
        return self._fingerprint

    # ----------------------------------------------------------------- derived sets
    def _derive(self, rows: np.ndarray, step: str) -> Embeddings:
        history = [*self.provenance.get("history", []), step]
        return Embeddings(self._vectors[rows], [self._labels[i] for i in rows],
                          meta=self._meta.iloc[rows].reset_index(drop=True),
                          provenance={**self.provenance, "history": history},
                          embedder=self.embedder, index=self.index_method)

    def subset(self, rows) -> Embeddings:
        """A new Embeddings with some rows: labels, row numbers, or a boolean mask."""
        rows = self._rows(rows)
        if len(rows) == 0:
            raise EmptyInputError("The subset is empty: select at least one row.")
        return self._derive(rows, f"subset({len(rows)})")

    def head(self, n: int) -> Embeddings:
        """The first ``n`` rows (for frequency-ordered vocabularies: the ``n`` commonest words)."""
        check_number("head", "n", n, low=1)
        return self._derive(np.arange(min(n, len(self))), f"head({n})")

    def sample(self, n: int, *, random_state: int = 0) -> Embeddings:
        """``n`` rows drawn without replacement (seeded), kept in their original order."""
        check_number("sample", "n", n, low=1)
        if n >= len(self):
            return self
        rows = np.sort(np.random.default_rng(random_state).choice(len(self), size=n, replace=False))
        return self._derive(rows, f"sample({n}, random_state={random_state})")

    def _rows(self, rows) -> np.ndarray:
        rows = np.asarray(rows)
        if rows.dtype == bool:
            if rows.shape != (len(self),):
                raise DimensionMismatchError(f"A boolean mask needs {len(self)} entries, got {rows.shape}.")
            return np.flatnonzero(rows)
        if rows.dtype.kind in "iu":
            rows = rows.astype(np.int64).reshape(-1)
            bad = rows[(rows < 0) | (rows >= len(self))]
            if bad.size:
                raise InvalidParameterError("rows", f"row numbers between 0 and {len(self) - 1}", int(bad[0]),
                                            owner="subset")
            return rows
        if rows.dtype.kind == "f" and rows.size:
            raise InvalidParameterError("rows", "labels, integer row numbers or a boolean mask", rows.tolist()[:5],
                                        owner="subset")
        return np.array([self.position(str(r)) for r in rows], dtype=np.int64)

    def to_frame(self) -> pd.DataFrame:
        """Label, metadata and one ``dim_i`` column per dimension (read back by :meth:`from_frame`)."""
        dims = pd.DataFrame(self._vectors, columns=[f"dim_{i}" for i in range(self.dim)])
        return pd.concat([pd.DataFrame({"label": self._labels}), self._meta, dims], axis=1)

    # ----------------------------------------------------------------- queries
    def vector(self, query) -> np.ndarray:
        """The vector for a query: a label, a raw input the embedder can encode, or a vector."""
        return self._query_vector(query)[0]

    def _query_vector(self, query) -> tuple[np.ndarray, int | None]:
        """(vector, row of the query or None); see :func:`~workbench.core._queries.query_vector`."""
        return query_vector(query, vectors=self._vectors, position=self._position, labels=self._labels,
                            embedder=self.embedder)

    def _get_index(self, method: str | None, metric: str = "cosine", *, queries: int = 1) -> NeighbourIndex:
        """One index per (method, metric), built on first use: unit rows for cosine, raw rows for dot."""
        if method is None and self.index_method == "auto" and queries * len(self) * self.dim > BATCH_EXACT_CELLS:
            method = "hnsw"  # a large batch of queries repays building the graph
        key = (method or self.index_method, metric)
        if key not in self._indexes:
            index = NeighbourIndex(key[0], metric=metric, exact_limit=EXACT_CELLS // self.dim)
            self._indexes[key] = index.fit(self.unit_vectors if metric == "cosine" else self._vectors)
        return self._indexes[key]

    def neighbours(self, query, k: int = 10, *, among=None, metric: str = "cosine", include_query: bool = False,
                   method: str | None = None) -> pd.DataFrame:
        """The ``k`` rows most similar to ``query``, best first.

        Parameters
        ----------
        query : str or array of shape (dim,)
            A label, raw input that the embedder can encode (with its ``encode_query`` when it has
            one), or a vector.
        k : int, default=10
            Capped at the number of candidate rows (then ``attrs["capped"]`` is True).
        among : str, list of str, boolean mask or list of row ids, optional
            Only these rows may answer: a kind or kinds (matched against the metadata column
            ``kind``, e.g. ``among="item"`` for a user's nearest items), a mask of one entry per
            row, or row ids.
        metric : {"cosine", "dot"}, default="cosine"
            ``"cosine"`` as gensim; ``"dot"`` ranks by raw inner product ``q . x``, for models
            trained for it (matrix factorisation), where vector length carries popularity.
        include_query : bool, default=False
            Keep the query's own row in the answer (gensim leaves it out).
        method : {"auto", "exact", "hnsw"}, optional
            Override the search method for this call.

        Returns
        -------
        DataFrame with columns ``label``, ``score`` (the metric), ``rank`` (1 = nearest) and ``row``,
        plus the metadata columns. ``attrs`` holds ``index`` (the search used), ``metric`` and
        ``capped``.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> emb = Embeddings(np.array([[1, 0], [1, 0.1], [0.9, 0.2], [5, 4]]), ["ann", "bob", "tea", "cake"],
        ...                  meta=pd.DataFrame({"kind": ["user", "user", "item", "item"]}))
        >>> emb.neighbours("ann", k=1)["label"].tolist()
        ['bob']
        >>> emb.neighbours("ann", k=1, among="item")["label"].tolist()
        ['tea']
        >>> emb.neighbours("ann", k=1, among="item", metric="dot")["label"].tolist()
        ['cake']
        """
        check_k(k)
        check_metric(metric)
        vec, row = self._query_vector(query)
        allowed = candidate_mask(among, self._meta, len(self))
        index = self._get_index(method, metric)
        exclude = [[row]] if row is not None and not include_query else None
        left_out = exclude is not None and (allowed is None or bool(allowed[row]))  # the query's own row
        candidates = (len(self) if allowed is None else int(allowed.sum())) - left_out
        ids, scores = index.query(vec, k, exclude=exclude, allowed=allowed)
        result = self._result(ids[0], scores[0], index=index.method_for(allowed))
        result.attrs.update(metric=metric, capped=k > candidates)
        return result

    def similar_to_rows(self, rows: Sequence[int], k: int = 10, *, among=None, metric: str = "cosine",
                        method: str | None = None, progress=None) -> tuple[np.ndarray, np.ndarray]:
        """Neighbours of many rows at once, each row left out of its own answer: (ids, scores).

        ``among`` and ``metric`` as in :meth:`neighbours`. A large batch (such as every row, for a
        UMAP neighbour graph) is answered by HNSW when exact search would cost more than
        ``BATCH_EXACT_CELLS`` multiply-adds (20k x 20k x 50 and up). ``progress`` (a
        :class:`~workbench.core.progress.Progress`) hears about each of ~20 chunks of rows, and its
        ``check()`` runs between them.
        """
        check_metric(metric)
        rows = np.asarray(rows, dtype=np.int64)
        allowed = candidate_mask(among, self._meta, len(self))
        if progress is not None:
            progress(0.0, f"neighbour graph: indexing {len(self):,} rows")
        index = self._get_index(method, metric, queries=len(rows))
        source = self.unit_vectors if metric == "cosine" else self._vectors
        return rows_query(index, source, rows, k, allowed, progress)

    def similar_to_vectors(self, vectors, k: int = 10, *, among=None, metric: str = "cosine",
                           method: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Neighbours of many vectors at once (no row is left out): (ids, scores), each (m, k).

        ``among`` and ``metric`` as in :meth:`neighbours`; large batches go to HNSW as in
        :meth:`similar_to_rows`.

        Examples
        --------
        >>> import numpy as np
        >>> emb = Embeddings(np.eye(3))
        >>> emb.similar_to_vectors(np.array([[1.0, 0.1, 0.0], [0.0, 0.0, 2.0]]), k=1)[0].tolist()
        [[0], [2]]
        """
        check_metric(metric)
        q = np.asarray(vectors, dtype=np.float32)
        if q.ndim != 2 or q.shape[1] != self.dim:
            raise DimensionMismatchError(
                f"Vectors must have shape (m, {self.dim}) to match these embeddings; got {q.shape}.")
        allowed = candidate_mask(among, self._meta, len(self))
        return self._get_index(method, metric, queries=len(q)).query(q, k, allowed=allowed)

    def analogy(self, positive: Sequence, negative: Sequence = (), k: int = 5, *, method: str = "3cosadd",
                include_inputs: bool = False) -> pd.DataFrame:
        """Solve ``a : b :: c : ?`` as ``positive=[b, c], negative=[a]``.

        ``"3cosadd"`` (Mikolov et al. 2013) ranks rows by cosine with the unit-length mean of
        the unit vectors, negatives weighted -1: gensim's ``most_similar``. ``"3cosmul"`` (Levy &
        Goldberg 2014, eq. 4) ranks by ``prod(pos) / (prod(neg) + 1e-6)`` with each cosine shifted to
        ``(1 + cos) / 2``: gensim's ``most_similar_cosmul``. Both scan every row exactly.

        Returns the same columns as :meth:`neighbours`.

        Examples
        --------
        >>> import numpy as np
        >>> emb = Embeddings(np.array([[1, 1, 0], [1, 0, 0], [0, 1, 1], [0, 0, 1]]), ["king", "man", "queen", "woman"])
        >>> emb.analogy(positive=["king", "woman"], negative=["man"], k=1)["label"].tolist()
        ['queen']
        """
        check_k(k)
        if method not in ANALOGY_METHODS:
            raise InvalidParameterError("method", f"one of {ANALOGY_METHODS}", method, owner="analogy")
        positive, negative = as_list(positive), as_list(negative)
        if not positive:
            raise EmptyInputError("An analogy needs at least one positive term.")
        pos = [self._query_vector(q) for q in positive]
        neg = [self._query_vector(q) for q in negative]
        inputs = {row for _, row in pos + neg if row is not None}
        pos_unit = normalize_rows(np.array([v for v, _ in pos]))
        neg_unit = normalize_rows(np.array([v for v, _ in neg]).reshape(len(neg), self.dim))
        scores = analogy_scores(self.unit_vectors, pos_unit, neg_unit, method)
        if not include_inputs and inputs:
            scores[list(inputs)] = -np.inf
        candidates = len(self) - (0 if include_inputs else len(inputs))
        top = top_k(scores, min(k, candidates)) if candidates > 0 else np.empty(0, np.int64)
        result = self._result(top, scores[top], index="exact")
        result.attrs.update(method=method, capped=k > candidates)
        return result

    def similarity(self, a, b=None):
        """Cosine similarity.

        ``similarity("cat", "dog")`` gives a float. With lists, a DataFrame: ``similarity(["cat",
        "dog"], ["car", "puppy"])`` has one row per item of ``a`` and one column per item of ``b``;
        ``similarity(["cat", "dog", "car"])`` compares the list with itself.
        """
        if b is None and not is_many(a):
            raise EmptyInputError("similarity needs two items, or one list of items.")
        if not is_many(a) and not is_many(b):
            va, vb = normalize_rows(np.stack([self.vector(a), self.vector(b)]))
            return float(va @ vb)
        rows = as_list(a)
        cols = rows if b is None else as_list(b)
        if not rows or not cols:
            raise EmptyInputError("similarity got an empty list.")
        va, names = self._unit_and_names(rows)
        vb, cnames = (va, names) if b is None else self._unit_and_names(cols)
        return pd.DataFrame(va @ vb.T, index=names, columns=cnames)

    def _unit_and_names(self, items: list) -> tuple[np.ndarray, list[str]]:
        unit = normalize_rows(np.stack([self.vector(q) for q in items]))
        return unit, [q if isinstance(q, str) else f"vector {i}" for i, q in enumerate(items)]

    def _result(self, ids: np.ndarray, scores: np.ndarray, *, index: str) -> pd.DataFrame:
        return result_frame(ids, scores, labels=self._labels, meta=self._meta, index=index)


def _checked_labels(labels, n: int, text: bool = False) -> tuple[str, ...]:
    """Labels as a tuple of unique str; a set checks uniqueness of text labels in one C-speed pass.

    ``text=True``: the caller has checked that every label is a str.
    """
    if isinstance(labels, (list, tuple)) and len(labels) == n and (text or set(map(type, labels)) <= {str}):
        labels = tuple(labels)
        if len(set(labels)) == n:
            return labels
    return as_labels(labels, n)  # the general path, with its messages (repeated labels, wrong count...)

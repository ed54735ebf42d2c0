"""Helpers behind :class:`~workbench.core.Embeddings`' questions: the query's vector, the candidate
rows a question may answer with (``among=``), and the analogy scores.

Kept apart so ``embeddings.py`` reads as the list of questions, and each rule here can be read on
its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .errors import (DimensionMismatchError, EmptyInputError, InvalidParameterError, NonFiniteError,
                     UnknownLabelError, UnknownNameError, closest)
from .index import METRICS, normalize_rows

__all__ = ["query_vector", "casefold_row", "candidate_mask", "check_metric", "analogy_scores", "ANALOGY_METHODS",
           "COSMUL_EPSILON", "result_frame", "rows_query", "top_k"]

ANALOGY_METHODS = ("3cosadd", "3cosmul")
COSMUL_EPSILON = 1e-6  # gensim's, Levy & Goldberg (2014) footnote 7
AMONG_FORMS = "a kind name, a list of kind names, a boolean mask of one entry per row, or a list of row ids"


def query_vector(query, *, vectors: np.ndarray, position: Mapping[str, int], labels: Sequence[str],
                 embedder: Any = None) -> tuple[np.ndarray, int | None]:
    """``(vector, row)`` for a query: a label (its row), raw input for the embedder, or a vector (row None).

    A string is a label only when it matches one exactly (so "King" goes to the embedder even if
    "king" is a label). Raw input is encoded with ``embedder.encode_query(query)`` when the embedder
    has it (a text query for an image model), else ``embedder.encode([query])[0]``. Its row is
    then the label that differs from it only in case (see :func:`casefold_row`), so "King" is
    left out of its own neighbours as gensim leaves out "king": the word asked about is never
    its own answer.
    """
    dim = vectors.shape[1]
    if isinstance(query, (int, np.integer)) and not isinstance(query, (bool, np.bool_)):
        if str(query) in position:  # labels are stored as text: 7 means the label "7"
            row = position[str(query)]
            return vectors[row], row
        raise UnknownLabelError(str(query), closest(str(query), labels),
                                what="label (labels are text; for row i use emb.labels[i])")
    if isinstance(query, (float, np.floating, bool, np.bool_)) or query is None:
        raise InvalidParameterError("query", f"a label, text the model can embed, or a vector of shape ({dim},)",
                                    query, owner="neighbours")
    if isinstance(query, str):
        if query in position:
            row = position[query]
            return vectors[row], row
        if not query.strip():
            raise EmptyInputError("The query is empty: type a label or some text.")
        if embedder is None:
            raise UnknownLabelError(query, closest(query, labels))
        encode_query = getattr(embedder, "encode_query", None)
        vec = encode_query(query) if callable(encode_query) else embedder.encode([query])[0]
        vec = np.asarray(vec, np.float32)
        if vec.ndim == 2 and vec.shape[0] == 1:  # an encoder that answers one query as a (1, dim) batch
            vec = vec[0]
        if vec.ndim != 1 or vec.shape[0] != dim:
            name = getattr(embedder, "name", "") or type(embedder).__name__
            raise DimensionMismatchError(
                f"The model {name!r} makes {vec.shape[-1] if vec.ndim else 0}-d vectors, but these embeddings are "
                f"{dim}-d: queries must come from the model that made the vectors.")
        return vec, casefold_row(query, labels, position)
    try:
        vec = np.asarray(query, dtype=np.float32)
    except (TypeError, ValueError) as err:
        raise InvalidParameterError("query", f"a label, text the model can embed, or a vector of shape ({dim},)",
                                    type(query).__name__, owner="neighbours") from err
    if vec.ndim != 1 or vec.shape[0] != dim:
        raise DimensionMismatchError(
            f"A query vector must have shape ({dim},) to match these embeddings; got {vec.shape}.")
    if not np.isfinite(vec).all():
        raise NonFiniteError("The query vector contains NaN or infinite values.")
    return vec, None


def casefold_row(query: str, labels: Sequence[str], position: Mapping[str, int] | None = None) -> int | None:
    """The row of the label that equals ``query`` but for case ("king" for "King"), or None.

    gensim's ``most_similar`` leaves the words asked about out of the answer; a query typed with
    other capitals is the same word, so its case-folded label is the query itself. With several
    such labels ("KING" and "king"), the lowercase one wins, then the capitalised, title-case and
    upper-case ones (looked up in ``position``); any other spelling is found by one scan of the
    labels (the first row wins).

    Examples
    --------
    >>> casefold_row("King", ["queen", "king"]), casefold_row("pARIS", ["Paris"]), casefold_row("rome", ["paris"])
    (1, 0, None)
    """
    if not isinstance(query, str):
        return None
    folded = query.casefold()
    if position is not None:
        for guess in (query.lower(), query.capitalize(), query.title(), query.upper()):
            row = position.get(guess)
            if row is not None and guess.casefold() == folded:
                return row
    return next((row for row, label in enumerate(labels) if label.casefold() == folded), None)


def check_metric(metric) -> None:
    if metric not in METRICS:
        raise InvalidParameterError("metric", f"one of {METRICS}", metric, owner="neighbours")


def candidate_mask(among, meta: pd.DataFrame, n: int) -> np.ndarray | None:
    """The rows a question may answer with, as a boolean mask of ``n`` (None: every row).

    ``among`` is a kind name or a list of them (matched against the metadata column ``kind``, which
    datasets with several kinds of entity carry), a boolean mask, or a sequence of row ids.

    Examples
    --------
    >>> meta = pd.DataFrame({"kind": ["user", "item", "item"]})
    >>> candidate_mask("item", meta, 3).tolist(), candidate_mask([0, 2], meta, 3).tolist()
    ([False, True, True], [True, False, True])
    """
    if among is None:
        return None
    items = [among] if isinstance(among, str) else among
    if not isinstance(items, np.ndarray):
        items = list(items) if isinstance(items, (Sequence, pd.Series, set, frozenset)) else items
    if isinstance(items, list) and items and all(isinstance(v, str) for v in items):
        mask = _kind_mask(items, among, meta)
    else:
        values = np.asarray(items)
        if values.dtype == bool:
            if values.shape != (n,):
                raise DimensionMismatchError(f"A boolean mask for 'among' needs {n} entries, one per row; "
                                             f"got shape {values.shape}.")
            mask = values.copy()
        elif values.size == 0:
            raise EmptyInputError("'among' is empty: give the kinds or rows the answer may come from.")
        elif values.dtype.kind in "iu" and values.ndim == 1:
            bad = values[(values < 0) | (values >= n)]
            if bad.size:
                raise InvalidParameterError("among", f"row ids between 0 and {n - 1}", int(bad[0]),
                                            owner="neighbours")
            mask = np.zeros(n, dtype=bool)
            mask[values] = True
        else:
            raise InvalidParameterError("among", AMONG_FORMS, among, owner="neighbours")
    if not mask.any():
        raise EmptyInputError(f"among={among!r} leaves no candidate rows: choose a kind or rows that exist.")
    return mask


def _kind_mask(kinds: list[str], among, meta: pd.DataFrame) -> np.ndarray:
    if "kind" not in meta.columns:
        columns = ", ".join(repr(c) for c in meta.columns) or "none"
        raise InvalidParameterError(
            "among", f"a boolean mask or row ids for these embeddings: among=<kind> needs a 'kind' column in the "
                     f"metadata (datasets with users and items carry one), and these have none (columns: {columns})",
            among, owner="neighbours")
    column = meta["kind"].astype(str)
    known = sorted(column.unique())
    for kind in kinds:
        if kind not in known:
            raise UnknownNameError("kind", kind, known)
    return column.isin(kinds).to_numpy()


def analogy_scores(unit: np.ndarray, pos: np.ndarray, neg: np.ndarray, method: str) -> np.ndarray:
    """Scores of every row of ``unit`` for one analogy (float64 array of length n)."""
    if method == "3cosadd":
        target = normalize_rows((pos.sum(0) - neg.sum(0)) / (len(pos) + len(neg)))
        return (unit @ target).astype(np.float64)
    shifted = lambda terms: (1.0 + unit @ terms.T) / 2.0  # noqa: E731 - cosines into [0, 1]
    num = np.prod(shifted(pos), axis=1, dtype=np.float64)
    den = np.prod(shifted(neg), axis=1, dtype=np.float64) if len(neg) else np.ones(len(unit))
    return num / (den + COSMUL_EPSILON)


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` highest scores, best first (ties keep row order)."""
    top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    return top[np.argsort(-scores[top], kind="stable")]


def result_frame(ids: np.ndarray, scores: np.ndarray, *, labels: Sequence[str], meta: pd.DataFrame,
                 index: str) -> pd.DataFrame:
    """The one answer type: ``label``, ``score``, ``rank``, ``row`` and the rows' metadata."""
    ids = np.asarray(ids, dtype=np.int64)
    frame = pd.DataFrame({
        "label": [labels[i] for i in ids],
        "score": np.asarray(scores, dtype=np.float64),
        "rank": np.arange(1, len(ids) + 1),
        "row": ids,
    })
    extra = meta.iloc[ids].reset_index(drop=True)
    frame = pd.concat([frame, extra.drop(columns=[c for c in extra if c in frame])], axis=1)
    frame.attrs["index"] = index
    return frame


def rows_query(index, source: np.ndarray, rows: np.ndarray, k: int, allowed: np.ndarray | None = None,
               progress=None) -> tuple[np.ndarray, np.ndarray]:
    """Neighbours of ``source[rows]`` among ``allowed``, each row left out of its own answer.

    With ``progress`` (a :class:`~workbench.core.progress.Progress`) the rows go in ~20 chunks:
    it hears each one, and its ``check()`` runs between them (raising CancelledError once stopped).
    """
    if progress is None or len(rows) == 0:
        return index.query(source[rows], k, exclude=rows[:, None], allowed=allowed)
    step = max(1000, -(-len(rows) // 20))
    parts = []
    for start in range(0, len(rows), step):
        progress(start / len(rows), f"neighbour graph: {start:,} of {len(rows):,} rows")
        progress.check("the neighbour search")
        part = rows[start:start + step]
        parts.append(index.query(source[part], k, exclude=part[:, None], allowed=allowed))
    progress(1.0, f"neighbour graph: {len(rows):,} rows")
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])

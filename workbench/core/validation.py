"""Checks that turn loose user input into the exact shapes Embeddings stores, or say what is wrong."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import DimensionMismatchError, EmptyInputError, InvalidParameterError, NonFiniteError

__all__ = ["as_matrix", "as_labels", "as_meta", "check_k", "check_number", "is_many", "as_list"]


def as_matrix(vectors) -> np.ndarray:
    try:
        x = np.array(vectors, dtype=np.float32)
    except (TypeError, ValueError) as err:
        raise DimensionMismatchError(
            f"Vectors must be numbers of one shape (n, dim); they could not be read as such: {err}.") from None
    if x.size == 0:  # before the shape check: Embeddings([]) is empty input, not a wrong shape
        raise EmptyInputError(f"Vectors are empty (shape {x.shape}): give at least one row and one dimension.")
    if x.ndim != 2:
        raise DimensionMismatchError(f"Vectors must be a 2-D array (n, dim); got shape {x.shape}.")
    bad = ~np.isfinite(x).all(axis=1)
    if bad.any():
        rows = np.flatnonzero(bad)
        shown = ", ".join(str(r) for r in rows[:5]) + (", ..." if len(rows) > 5 else "")
        raise NonFiniteError(f"{len(rows)} of {len(x)} vectors contain NaN or infinite values (rows {shown}). "
                             "Drop or fix those rows first.")
    x.setflags(write=False)
    return x


def as_labels(labels, n: int) -> tuple[str, ...]:
    if labels is None:
        return tuple(str(i) for i in range(n))
    labels = tuple(str(label) for label in labels)
    if len(labels) != n:
        raise DimensionMismatchError(f"Got {len(labels)} labels for {n} vectors: give one label per row.")
    if len(set(labels)) != n:
        counts = pd.Series(labels).value_counts()
        dup = counts[counts > 1]
        shown = ", ".join(f"{k!r} ({v}x)" for k, v in dup.head(5).items())
        raise InvalidParameterError("labels", "unique", f"{len(dup)} repeated labels: {shown}", owner="Embeddings")
    return labels


def as_meta(meta, n: int) -> pd.DataFrame:
    if meta is None:
        return pd.DataFrame(index=pd.RangeIndex(n))
    meta = pd.DataFrame(meta).reset_index(drop=True)
    if len(meta) != n:
        raise DimensionMismatchError(f"Metadata has {len(meta)} rows for {n} vectors: they must align row by row.")
    return meta


def check_k(k) -> None:
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise InvalidParameterError("k", "a positive integer", k)


def is_many(x) -> bool:
    return isinstance(x, (list, tuple)) or (isinstance(x, np.ndarray) and x.ndim == 2)


def as_list(x) -> list:
    if x is None:
        return []
    if isinstance(x, str) or (isinstance(x, np.ndarray) and x.ndim == 1):
        return [x]
    return list(x)


def check_number(owner: str, name: str, value, *, low=None, high=None, integer: bool = True,
                 low_open: bool = False) -> None:
    """Raise :class:`InvalidParameterError` unless ``value`` is a (finite) number in range.

    Examples
    --------
    >>> check_number("Word2Vec", "window", 0, low=1)
    Traceback (most recent call last):
    ...
    workbench.core.errors.InvalidParameterError: The 'window' parameter of Word2Vec must be an integer >= 1. ...
    """
    kinds = (int, np.integer) if integer else (int, float, np.integer, np.floating)
    ok = isinstance(value, kinds) and not isinstance(value, (bool, np.bool_)) and np.isfinite(value)
    if ok:
        ok = (low is None or (value > low if low_open else value >= low)) and (high is None or value <= high)
    if not ok:
        kind = "an integer" if integer else "a number"
        bounds = []
        if low is not None:
            bounds.append(f"{'>' if low_open else '>='} {low}")
        if high is not None:
            bounds.append(f"<= {high}")
        raise InvalidParameterError(name, f"{kind} {' and '.join(bounds)}".strip(), value, owner=owner)

"""Checks that turn loose user input into the exact shapes Embeddings stores, or say what is wrong."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .errors import DimensionMismatchError, EmptyInputError, InvalidParameterError, NonFiniteError

__all__ = ["as_matrix", "as_labels", "as_meta", "check_k", "check_number", "is_many", "as_list", "check_map_size",
           "zero_rows", "zero_vectors_note", "MIN_MAP_POINTS"]

MIN_MAP_POINTS = 3  # with fewer, PCA's variance and the map quality's normaliser divide by zero
FLOAT32_MAX = float(np.finfo(np.float32).max)


def as_matrix(vectors) -> np.ndarray:
    kind = getattr(getattr(vectors, "dtype", None), "kind", "")
    if kind in ("c", "M", "m", "V"):
        what = {"c": "complex numbers", "M": "dates", "m": "time spans", "V": "records"}[kind]
        raise DimensionMismatchError(f"Vectors must be real numbers of shape (n, dim); got an array of {what}. "
                                     "Convert them first (for complex values: the real part or np.abs).")
    if isinstance(vectors, (str, bytes, dict, set)):
        raise DimensionMismatchError(f"Vectors must be numbers of one shape (n, dim); got a {type(vectors).__name__}.")
    try:
        with np.errstate(over="ignore", invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("error", np.exceptions.ComplexWarning)
            warnings.simplefilter("ignore", RuntimeWarning)  # overflow to inf is reported below
            x = np.array(vectors, dtype=np.float32)
    except np.exceptions.ComplexWarning:
        raise DimensionMismatchError("Vectors must be real numbers (n, dim); got complex numbers. Convert them "
                                     "first (e.g. np.abs or the real part).") from None
    except (TypeError, ValueError, OverflowError) as err:
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
                             + _overflow_hint(vectors, rows) + "Drop or fix those rows first.")
    x.setflags(write=False)
    return x


def _overflow_hint(vectors, rows) -> str:
    """Say so when finite numbers became infinite because they do not fit float32."""
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            original = np.asarray(vectors, dtype=np.float64)[rows]
    except (TypeError, ValueError, IndexError):
        return ""
    if np.isfinite(original).all():
        return f"Their numbers are finite but beyond +-{FLOAT32_MAX:.1e}, which float32 cannot hold. "
    return ""


def as_labels(labels, n: int) -> tuple[str, ...]:
    if labels is None:
        return tuple(str(i) for i in range(n))
    if isinstance(labels, (str, bytes)) or not hasattr(labels, "__iter__"):
        raise InvalidParameterError("labels", "a sequence of one label per row", labels, owner="Embeddings")
    labels = tuple(labels)
    if not set(map(type, labels)) <= {str}:  # only convert what is not text already
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
    try:
        meta = pd.DataFrame(meta).reset_index(drop=True)
    except (TypeError, ValueError) as err:
        raise InvalidParameterError("meta", "a DataFrame (or a dict of columns) with one row per vector",
                                    type(meta).__name__, owner="Embeddings") from err
    if len(meta) != n:
        raise DimensionMismatchError(f"Metadata has {len(meta)} rows for {n} vectors: they must align row by row.")
    return meta


def check_k(k) -> None:
    if not isinstance(k, (int, np.integer)) or isinstance(k, (bool, np.bool_)) or k < 1:
        raise InvalidParameterError("k", "a positive integer", k)


def check_map_size(n: int, method: str = "pca") -> None:
    """Refuse maps of fewer than 3 points (UMAP and t-SNE: 5) with a message saying what still works.

    Examples
    --------
    >>> check_map_size(2)
    Traceback (most recent call last):
    ...
    workbench.core.errors.EmptyInputError: A PCA map needs at least 3 points; got 2. ...
    """
    need = MIN_MAP_POINTS if method == "pca" else 5
    if n < need:
        raise EmptyInputError(f"A {method.upper()} map needs at least {need} points; got {n}. Add more rows "
                              "(neighbours and similarities work on any number)"
                              + ("." if method == "pca" else ", or use method='pca'."))


def zero_rows(vectors: np.ndarray) -> np.ndarray:
    """Row numbers of all-zero vectors (their cosine with anything is undefined)."""
    return np.flatnonzero(~np.any(np.asarray(vectors) != 0, axis=1))


def zero_vectors_note(vectors: np.ndarray) -> str:
    """A sentence warning about all-zero vectors, or "" when there are none.

    Examples
    --------
    >>> zero_vectors_note(np.array([[0.0, 0.0], [1.0, 0.0]]))
    'Warning: 1 of 2 vectors are all zeros (rows 0): cosine similarity is undefined for them, so they score 0 with everything and sit at the centre of PCA maps.'
    """
    rows = zero_rows(vectors)
    if not len(rows):
        return ""
    shown = ", ".join(str(r) for r in rows[:5]) + (", ..." if len(rows) > 5 else "")
    return (f"Warning: {len(rows)} of {len(vectors)} vectors are all zeros (rows {shown}): cosine similarity is "
            "undefined for them, so they score 0 with everything and sit at the centre of PCA maps.")


def is_many(x) -> bool:
    return isinstance(x, (list, tuple)) or (isinstance(x, np.ndarray) and x.ndim == 2)


def as_list(x) -> list:
    if x is None:
        return []
    if isinstance(x, (str, bytes, np.generic)) or (isinstance(x, np.ndarray) and x.ndim <= 1):
        return [x]
    try:
        return list(x)
    except TypeError:  # one item that is not a collection (an integer label)
        return [x]


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

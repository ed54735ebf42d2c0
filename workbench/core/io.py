"""Reading and writing embeddings in open formats: npy, Parquet, JSON and word2vec files.

Nothing here unpickles: ``np.load(..., allow_pickle=False)`` and plain text/binary parsing only, so a
file handed in by a user can never run code.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import BadFileError, DimensionMismatchError, EmptyInputError, InvalidParameterError, UnknownNameError

__all__ = ["read_word2vec", "parse_word2vec", "save_embeddings", "load_embeddings", "frame_to_parts", "find_label_column",
           "describe_columns", "sniff_format", "read_vectors_file"]


def read_word2vec(path, *, binary: bool | None = None, limit: int | None = None) -> tuple[list[str], np.ndarray]:
    """Labels and vectors from a word2vec file.

    Text files start with a ``"<count> <dim>"`` header line (GloVe files without it are accepted),
    then one ``word v1 ... vd`` line per word. Binary files have the same header, then each word,
    a space and ``dim`` little-endian float32s. ``binary=None`` guesses from the content.
    """
    path = Path(path)
    if not path.is_file():
        raise BadFileError(f"No such file: {path}")
    with open(path, "rb") as f:
        return parse_word2vec(f, path.name, binary=binary, limit=limit)


def parse_word2vec(f, name: str, *, binary: bool | None = None, limit: int | None = None):
    """:func:`read_word2vec` on an open binary file ``f``; messages name the file ``name``."""
    head = f.read(4096)
    f.seek(0)
    if binary is None:
        text_name = Path(name).suffix.lower() in (".txt", ".vec")  # then only NUL bytes make it binary
        binary = b"\0" in head or (_looks_binary(head) and not text_name)
    try:
        if binary:
            return _read_binary(f, limit)
        return _read_text(io.TextIOWrapper(f, encoding="utf-8", newline=None), name, limit)
    except (UnicodeDecodeError, ValueError, IndexError) as err:
        raise BadFileError(f"{name} is not a valid word2vec {'binary' if binary else 'text'} file: {err}") from None


def _looks_binary(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as err:
        return err.start < len(head) - 4  # a cut multi-byte character at the very end is still text
    return False


def _read_text(f, name: str, limit: int | None):
    labels, rows = [], []
    first = f.readline().split()
    count = dim = None
    if len(first) == 2 and all(t.isdigit() for t in first):
        count, dim = int(first[0]), int(first[1])
    else:  # GloVe style: no header, the first line is already a vector
        f.seek(0)
    for line_no, line in enumerate(f, start=2 if dim else 1):
        if limit is not None and len(labels) >= limit:
            break
        parts = line.rstrip().split(" ")  # word2vec's C tool and fastText end lines with a space
        if len(parts) < 2 or not line.strip():
            continue
        dim = dim or len(parts) - 1
        if len(parts) - 1 != dim:
            raise ValueError(f"line {line_no} has {len(parts) - 1} numbers, expected {dim}")
        try:
            rows.append(np.asarray(parts[1:], dtype=np.float32))
        except ValueError as err:
            raise ValueError(f"line {line_no} ({parts[0][:40]!r}): {err}") from None
        labels.append(parts[0])
    if not rows:
        raise EmptyInputError(f"{name} holds no vectors.")
    if count is not None and len(labels) < (count if limit is None else min(count, limit)):
        raise ValueError(f"the header promises {count} vectors but the file ends after {len(labels)}")
    return labels, np.vstack(rows)


def _read_binary(f, limit: int | None):
    header = f.readline().split()
    if len(header) != 2 or not all(t.isdigit() for t in header):
        raise ValueError(f"the first line must be '<count> <dim>'; got {b' '.join(header)[:40]!r}")
    count, dim = (int(t) for t in header)
    if dim < 1:
        raise ValueError(f"the header gives dimension {dim}")
    count = count if limit is None else min(count, limit)
    labels, rows = [], []
    for i in range(count):
        word = bytearray()
        while (ch := f.read(1)) != b" ":
            if not ch:
                raise ValueError(f"the file ends inside entry {i + 1} of {count}")
            if ch != b"\n":
                word += ch
        labels.append(word.decode("utf-8"))
        raw = f.read(4 * dim)
        if len(raw) != 4 * dim:
            raise ValueError(f"the file ends inside the vector of {labels[-1]!r}")
        rows.append(np.frombuffer(raw, dtype="<f4"))
    if not rows:
        raise ValueError("the header promises no vectors")
    return labels, np.vstack(rows).astype(np.float32)


def save_embeddings(path, vectors: np.ndarray, labels, meta: pd.DataFrame, provenance: dict) -> None:
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    np.save(path / "vectors.npy", np.asarray(vectors, np.float32), allow_pickle=False)
    rows = pd.concat([pd.DataFrame({"label": list(labels)}), meta.drop(columns=["label"], errors="ignore")], axis=1)
    rows.columns = [str(c) for c in rows.columns]
    rows.to_parquet(path / "rows.parquet", index=False)
    (path / "provenance.json").write_text(json.dumps(provenance, default=str, indent=1))


def load_embeddings(path) -> dict:
    path = Path(path)
    try:
        vectors = np.load(path / "vectors.npy", allow_pickle=False)
        rows = pd.read_parquet(path / "rows.parquet")
        provenance = json.loads((path / "provenance.json").read_text())
    except FileNotFoundError as err:
        raise BadFileError(f"{path} is not a saved Embeddings folder: {Path(err.filename).name} is missing.") from None
    except (ValueError, OSError) as err:
        raise BadFileError(f"{path} could not be read as saved Embeddings: {err}") from None
    return dict(vectors=vectors, labels=rows["label"].astype(str).tolist(),
                meta=rows.drop(columns=["label"]), provenance=provenance)


LABEL_NAMES = ("label", "word", "token", "name", "id")  # columns taken as labels by their name, in this order


def find_label_column(frame: pd.DataFrame):
    """The column holding the labels, or None (labels become "0", "1", ...).

    A column named ``label``, ``word``, ``token``, ``name`` or ``id`` (any case; the first in that
    order), else the only text column whose values are all different. Two or more such columns
    are ambiguous: the error lists them, and ``label=`` picks one.

    Examples
    --------
    >>> find_label_column(pd.DataFrame({"Word": ["a", "b"], "x": [1, 2]}))
    'Word'
    >>> find_label_column(pd.DataFrame({"x": [1, 2], "kind": ["p", "p"]})) is None
    True
    """
    by_name = {str(c).lower(): c for c in frame.columns}
    for name in LABEL_NAMES:
        if name in by_name:
            return by_name[name]
    text = [c for c in frame.columns if not _is_number_column(frame[c]) and not _looks_numeric(frame[c])]
    unique = [c for c in text if _all_different(frame[c])]
    if len(unique) > 1:
        raise InvalidParameterError(
            "label", f"one column of {[str(c) for c in frame.columns]}: several text columns have a different value "
                     f"on every row ({', '.join(repr(str(c)) for c in unique)}), so which holds the labels is "
                     "ambiguous; name it, e.g. Embeddings.from_frame(frame, label=...) or rename it 'label'",
            None, owner="from_frame")
    return unique[0] if unique else None


def _all_different(column: pd.Series) -> bool:
    try:
        return bool(column.is_unique)
    except TypeError:  # cells that cannot be hashed (lists, arrays) are no labels
        return False


def _is_number_column(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def _looks_numeric(column: pd.Series) -> bool:
    """A text column whose cells are mostly numbers: a vector column with a few bad cells."""
    if _is_number_column(column) or not (pd.api.types.is_object_dtype(column) or
                                         pd.api.types.is_string_dtype(column)):
        return False
    values = column.dropna()
    if len(values) == 0:
        return False
    parsed = pd.to_numeric(values.astype(str).str.strip(), errors="coerce")
    share = parsed.notna().mean()
    return bool(0.5 <= share < 1.0)  # all numbers as text (zip codes, ids) stay metadata


def _bad_cell(column: pd.Series) -> tuple[int, str]:
    """The first cell of ``column`` that is not a number (row 0 if every cell looks like one)."""
    parsed = pd.to_numeric(column.astype(str).str.strip(), errors="coerce")
    bad = np.flatnonzero((parsed.isna() | column.isna()).to_numpy())
    row = int(bad[0]) if len(bad) else 0
    return row, str(column.iloc[row])[:40]


def frame_to_parts(frame: pd.DataFrame, *, label: str | None = "label", vectors=None):
    """Split a DataFrame into (matrix, labels, metadata).

    ``label="label"`` (the default) looks for the label column (see :func:`find_label_column`);
    ``label=None`` means no label column. ``vectors=None`` takes the ``dim_*`` columns, else every
    numeric column. A column of numbers with a few text cells is refused (naming the cell) rather
    than quietly left out, which would change the dimension. ``meta.attrs`` records the
    ``label_column``, the ``vector_columns`` and the ``metadata_columns`` (kept, not dimensions).
    """
    if not isinstance(frame, pd.DataFrame):
        raise InvalidParameterError("frame", "a pandas DataFrame", type(frame).__name__, owner="from_frame")
    if len(frame) == 0:
        raise EmptyInputError("The table has no rows.")
    if len(set(map(str, frame.columns))) != len(frame.columns):
        dup = sorted({str(c) for c in frame.columns if list(map(str, frame.columns)).count(str(c)) > 1})
        raise InvalidParameterError("columns", "unique names", dup, owner="from_frame")
    if label is not None and label not in frame:
        if label != "label":
            raise UnknownNameError("column", label, [str(c) for c in frame.columns])
        label = find_label_column(frame)
    labels = frame[label].astype(str).tolist() if label is not None else None
    rest = frame.drop(columns=[label]) if label is not None else frame
    if isinstance(vectors, str):
        if vectors not in frame:
            raise UnknownNameError("column", vectors, [str(c) for c in frame.columns])
        try:
            x = np.stack([np.asarray(v, np.float32) for v in frame[vectors]])
        except (TypeError, ValueError) as err:
            raise DimensionMismatchError(f"Column {vectors!r} must hold one list of numbers of the same length per "
                                         f"row: {err}") from None
        return x, labels, _described(rest.drop(columns=[vectors]), label, [vectors])
    if vectors is None:
        named = [c for c in rest.columns if str(c).startswith("dim_")]
        vectors = named or [c for c in rest.columns if _is_number_column(rest[c])]
        almost = [c for c in (named or rest.columns) if _looks_numeric(rest[c])]
        if almost:
            row, cell = _bad_cell(rest[almost[0]])
            raise DimensionMismatchError(
                f"Column {str(almost[0])!r} holds numbers but row {row} holds {cell!r}, which is not a number. "
                "Fix that cell (or drop the column) first: leaving the column out would change the dimension.")
        if not vectors:
            columns = ", ".join(repr(str(c)) for c in frame.columns)
            raise EmptyInputError(f"The table has no numeric columns to use as vectors (columns: {columns}).")
    elif isinstance(vectors, (list, tuple, pd.Index)):
        vectors = list(vectors)
    else:
        raise InvalidParameterError("vectors", "a column name or a list of column names", vectors,
                                    owner="from_frame")
    missing = [c for c in vectors if c not in rest]
    if missing:
        raise UnknownNameError("column", missing[0], [str(c) for c in frame.columns])
    try:
        x = rest[vectors].to_numpy(np.float32)
    except (TypeError, ValueError) as err:
        for column in vectors:
            if not _is_number_column(rest[column]):
                row, cell = _bad_cell(rest[column])
                raise DimensionMismatchError(f"Vector column {str(column)!r} must hold numbers only; row {row} holds "
                                             f"{cell!r}.") from None
        raise DimensionMismatchError(f"The vector columns must hold numbers only: {err}") from None
    return x, labels, _described(rest.drop(columns=vectors), label, vectors)


def _described(meta: pd.DataFrame, label, vectors) -> pd.DataFrame:
    meta = meta.reset_index(drop=True)
    meta.attrs.update(label_column=None if label is None else str(label), vector_columns=[str(c) for c in vectors],
                      metadata_columns=[str(c) for c in meta.columns])
    return meta


def describe_columns(meta: pd.DataFrame | None) -> str:
    """A sentence saying which columns became labels, dimensions and metadata (from ``meta.attrs``)."""
    if meta is None or "vector_columns" not in meta.attrs:
        return ""
    a = meta.attrs
    parts = [f"labels from column {a['label_column']!r}" if a["label_column"] else "no label column (labels 0, 1, ...)"]
    if a["metadata_columns"]:
        shown = ", ".join(repr(c) for c in a["metadata_columns"][:8])
        more = f" and {len(a['metadata_columns']) - 8} more" if len(a["metadata_columns"]) > 8 else ""
        parts.append(f"kept as metadata, not dimensions: {shown}{more}")
    return "; ".join(parts)


def sniff_format(name: str, data: bytes) -> str:
    """What an upload really is, from its first bytes: ``npy``, ``parquet``, ``csv``, ``tsv``, ``word2vec``.

    The extension decides only when the content does not: a word2vec text file named ``.bin``
    is read as text, an NPY file named ``.txt`` as NPY.
    """
    suffix = Path(name).suffix.lower()
    head = data[:4096]
    if head.startswith(b"\x93NUMPY"):
        return "npy"
    if head.startswith(b"PAR1"):
        return "parquet"
    if suffix in (".csv", ".tsv"):
        first = head.split(b"\n", 1)[0]
        if b"\t" in first and b"," not in first:
            return "tsv"
        if b"," in first:
            return "csv"
        return "tsv" if suffix == ".tsv" else "csv"
    if suffix in (".txt", ".vec", ".bin", ".w2v"):
        return "word2vec"
    return suffix or "(none)"


def read_vectors_file(name: str, data: bytes) -> tuple[np.ndarray, list[str] | None, pd.DataFrame | None]:
    """Parse an uploaded file: ``.npy``, ``.csv``/``.tsv`` or word2vec ``.txt/.vec/.bin``.

    The real format is sniffed from the content (see :func:`sniff_format`); every message names
    ``name``, the person's file. Returns (vectors, labels or None, metadata or None); for tables,
    ``meta.attrs`` says which column gave the labels and which were kept as metadata.
    """
    if not data:
        raise EmptyInputError(f"{name} is empty.")
    kind = sniff_format(name, data)
    try:
        if kind == "npy":
            x = np.load(io.BytesIO(data), allow_pickle=False)
            return x, None, None
        if kind in ("csv", "tsv"):
            frame = pd.read_csv(io.BytesIO(data), sep="\t" if kind == "tsv" else ",")
            x, labels, meta = frame_to_parts(frame, label="label")
            return x, labels, meta
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError, EOFError) as err:
        raise BadFileError(f"{name} could not be read as {kind.upper()}: {err}") from None
    if kind == "word2vec":
        labels, x = parse_word2vec(io.BytesIO(data), name)
        return x, labels, None
    raise BadFileError(f"{name}: unsupported file type {Path(name).suffix.lower() or '(none)'}; use .npy, .csv, "
                       ".tsv, .txt/.vec (word2vec text) or .bin.")


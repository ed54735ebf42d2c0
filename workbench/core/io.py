"""Reading and writing embeddings in open formats: npy, Parquet, JSON and word2vec files.

Nothing here unpickles: ``np.load(..., allow_pickle=False)`` and plain text/binary parsing only, so a
file handed in by a user can never run code.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import BadFileError, EmptyInputError, UnknownNameError

__all__ = ["read_word2vec", "save_embeddings", "load_embeddings", "frame_to_parts", "read_vectors_file"]


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
        head = f.read(4096)
    if binary is None:
        binary = b"\0" in head or _looks_binary(head)
    try:
        return (_read_binary if binary else _read_text)(path, limit)
    except (UnicodeDecodeError, ValueError, IndexError) as err:
        raise BadFileError(f"{path.name} is not a valid word2vec {'binary' if binary else 'text'} file: {err}") from None


def _looks_binary(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as err:
        return err.start < len(head) - 4  # a cut multi-byte character at the very end is still text
    return False


def _read_text(path: Path, limit: int | None):
    labels, rows = [], []
    with open(path, encoding="utf-8") as f:
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
            labels.append(parts[0])
            rows.append(np.asarray(parts[1:], dtype=np.float32))
    if not rows:
        raise EmptyInputError(f"{path.name} holds no vectors.")
    if count is not None and len(labels) < (count if limit is None else min(count, limit)):
        raise ValueError(f"the header promises {count} vectors but the file ends after {len(labels)}")
    return labels, np.vstack(rows)


def _read_binary(path: Path, limit: int | None):
    with open(path, "rb") as f:
        count, dim = (int(t) for t in f.readline().split())
        count = count if limit is None else min(count, limit)
        labels, x = [], np.empty((count, dim), np.float32)
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
            x[i] = np.frombuffer(raw, dtype="<f4")
    return labels, x


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


def frame_to_parts(frame: pd.DataFrame, *, label: str | None, vectors=None):
    """Split a DataFrame into (matrix, labels, metadata)."""
    if len(frame) == 0:
        raise EmptyInputError("The DataFrame has no rows.")
    if label is not None and label not in frame:
        if label != "label":
            raise UnknownNameError("column", label, [str(c) for c in frame.columns])
        label = None
    labels = frame[label].astype(str).tolist() if label else None
    rest = frame.drop(columns=[label]) if label else frame
    if isinstance(vectors, str):
        if vectors not in frame:
            raise UnknownNameError("column", vectors, [str(c) for c in frame.columns])
        x = np.stack([np.asarray(v, np.float32) for v in frame[vectors]])
        return x, labels, rest.drop(columns=[vectors])
    if vectors is None:
        named = [c for c in rest.columns if str(c).startswith("dim_")]
        vectors = named or [c for c in rest.columns if pd.api.types.is_numeric_dtype(rest[c])
                            and not pd.api.types.is_bool_dtype(rest[c])]
        if not vectors:
            raise EmptyInputError("The DataFrame has no numeric columns to use as vectors.")
    missing = [c for c in vectors if c not in rest]
    if missing:
        raise UnknownNameError("column", missing[0], [str(c) for c in frame.columns])
    return rest[list(vectors)].to_numpy(np.float32), labels, rest.drop(columns=list(vectors))


def read_vectors_file(name: str, data: bytes) -> tuple[np.ndarray, list[str] | None, pd.DataFrame | None]:
    """Parse an uploaded file by its extension: ``.npy``, ``.csv``/``.tsv`` or word2vec ``.txt/.vec/.bin``.

    Returns (vectors, labels or None, metadata or None). Used by the Source panel's upload.
    """
    import io
    import tempfile

    suffix = Path(name).suffix.lower()
    if not data:
        raise EmptyInputError(f"{name} is empty.")
    try:
        if suffix == ".npy":
            x = np.load(io.BytesIO(data), allow_pickle=False)
            return x, None, None
        if suffix in (".csv", ".tsv"):
            frame = pd.read_csv(io.BytesIO(data), sep="\t" if suffix == ".tsv" else ",")
            first = frame.columns[0]
            label = "label" if "label" in frame else (first if not pd.api.types.is_numeric_dtype(frame[first]) else None)
            x, labels, meta = frame_to_parts(frame, label=label)
            return x, labels, meta
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as err:
        raise BadFileError(f"{name} could not be read as {suffix[1:].upper()}: {err}") from None
    if suffix in (".txt", ".vec", ".bin", ".w2v"):
        with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
            tmp.write(data)
            tmp.flush()
            labels, x = read_word2vec(tmp.name, binary=True if suffix == ".bin" else None)
        return x, labels, None
    raise BadFileError(f"{name}: unsupported file type {suffix or '(none)'}; use .npy, .csv, .tsv, .txt/.vec (word2vec text) or .bin.")

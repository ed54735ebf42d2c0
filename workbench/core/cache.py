"""A content-addressed disk cache for embeddings and projections.

Keys hash what determines the result — array dtype, shape and bytes, labels, and parameters with
sorted keys — so a changed input never hits a stale entry. Entries are folders written atomically
(a temporary folder renamed into place) in open formats, with a checksum of their files; an entry
that is corrupt, fails its checksum or holds the wrong kind of value is deleted and recomputed with
a warning naming it, never fatal. The location is ``$WORKBENCH_CACHE``, else ``~/.cache/workbench``; set
``WORKBENCH_CACHE=off`` to disable it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np

__all__ = ["content_hash", "cache_dir", "cached", "peek"]

T = TypeVar("T")


def content_hash(*parts) -> str:
    """A short stable hex digest of arrays, strings, numbers and JSON-able containers."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        if isinstance(part, np.ndarray):
            a = np.ascontiguousarray(part)
            h.update(f"ndarray:{a.dtype.str}:{a.shape}".encode())
            h.update(a.data if a.dtype != object else json.dumps(a.tolist(), default=str).encode())
        elif isinstance(part, (list, tuple)) and part and set(map(type, part)) == {str}:  # C-speed check
            h.update(b"strings:" + "\x1f".join(part).encode())
        else:
            h.update(json.dumps(part, sort_keys=True, default=str).encode())
        h.update(b"\x1e")
    return h.hexdigest()


def cache_dir() -> Path | None:
    """The cache root, or None when caching is switched off."""
    setting = os.environ.get("WORKBENCH_CACHE", "")
    if setting.lower() in ("off", "0", "none", "false"):
        return None
    return Path(setting).expanduser() if setting else Path.home() / ".cache" / "workbench"


def cached(kind: str, key: str, compute: Callable[[], T], save: Callable[[T, Path], None],
           load: Callable[[Path], T], validate: Callable[[T], object] | None = None) -> tuple[T, bool]:
    """Return ``(value, hit)``: the stored value for ``kind/key``, or ``compute()`` stored now.

    ``save(value, folder)`` writes into an empty folder, ``load(folder)`` reads it back. What is
    read is not trusted: the entry's files must match the checksum written with them (in the
    ``.complete`` marker), arrays in the value must be finite numbers, and ``validate(value)``, if
    given, must not raise or return False (check shapes and dtypes there). Any failure counts as
    a corrupt entry: a warning names the entry and the cache, and the value is recomputed and
    stored again.

    Examples
    --------
    >>> import json, uuid
    >>> key = uuid.uuid4().hex
    >>> save = lambda v, folder: (folder / "v.json").write_text(json.dumps(v))
    >>> load = lambda folder: json.loads((folder / "v.json").read_text())
    >>> cached("demo", key, lambda: [1, 2], save, load, validate=lambda v: len(v) == 2)
    ([1, 2], False)
    >>> cached("demo", key, lambda: [1, 2], save, load, validate=lambda v: len(v) == 2)
    ([1, 2], True)
    """
    root = cache_dir()
    if root is None:
        return compute(), False
    entry = root / kind / key
    if (entry / ".complete").exists():
        try:
            return _load_checked(entry, load, validate), True
        except Exception as err:  # noqa: BLE001 - any unreadable entry is recomputed
            warnings.warn(f"Cache entry {entry} was unreadable ({err}); recomputing it. (This is the workbench "
                          f"cache at {root}; set WORKBENCH_CACHE=off to switch it off.)", stacklevel=2)
            shutil.rmtree(entry, ignore_errors=True)
    value = compute()
    tmp = None
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=entry.parent))
        save(value, tmp)
        (tmp / ".complete").write_text(CHECKSUM_PREFIX + _checksum(tmp) + "\n")
        shutil.rmtree(entry, ignore_errors=True)
        os.replace(tmp, entry)
    except OSError as err:  # a read-only or full disk must not break the computation
        warnings.warn(f"Could not write cache entry {entry} in the workbench cache at {root}: {err}", stacklevel=2)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return value, False


CHECKSUM_PREFIX = "blake2b-128 "


def _checksum(folder: Path) -> str:
    """A digest of every file of an entry (names and bytes), the ``.complete`` marker left out."""
    h = hashlib.blake2b(digest_size=16)
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != ".complete"):
        h.update(str(path.relative_to(folder)).encode() + b"\0")
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        h.update(b"\x1e")
    return h.hexdigest()


def _load_checked(entry: Path, load: Callable[[Path], T], validate) -> T:
    marker = (entry / ".complete").read_text().strip()
    if marker.startswith(CHECKSUM_PREFIX.strip()):  # entries written before checksums have an empty marker
        if marker.split()[-1] != _checksum(entry):
            raise ValueError("its files do not match the checksum written with them")
    value = load(entry)
    _check_arrays(value)
    if validate is not None and validate(value) is False:
        raise ValueError("what it holds does not fit what was asked for (shape or type)")
    return value


def _check_arrays(value) -> None:
    """Arrays in the value (itself, or the items of a tuple or list) must be finite numbers."""
    parts = value if isinstance(value, (tuple, list)) else (value,)
    for part in parts:
        if isinstance(part, np.ndarray):
            if part.dtype.kind not in "biuf":
                raise ValueError(f"an array of dtype {part.dtype} where numbers were stored")
            if part.dtype.kind == "f" and not np.isfinite(part).all():
                raise ValueError("NaN or infinite values in a stored array")


def peek(kind: str, key: str, load: Callable[[Path], T], validate: Callable[[T], object] | None = None) -> T | None:
    """The stored value for ``kind/key``, or None if there is none (or it is unreadable or fails its checks)."""
    root = cache_dir()
    entry = None if root is None else root / kind / key
    if entry is None or not (entry / ".complete").exists():
        return None
    try:
        return _load_checked(entry, load, validate)
    except Exception:  # noqa: BLE001 - unreadable: let the next compute replace it
        return None

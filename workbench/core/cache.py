"""A content-addressed disk cache for embeddings and projections.

Keys hash what determines the result — array dtype, shape and bytes, labels, and parameters with
sorted keys — so a changed input never hits a stale entry. Entries are folders written atomically
(a temporary folder renamed into place) in open formats; a corrupt entry is deleted and recomputed,
never fatal. The location is ``$WORKBENCH_CACHE``, else ``~/.cache/workbench``; set
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
        elif isinstance(part, (list, tuple)) and part and all(isinstance(p, str) for p in part):
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
           load: Callable[[Path], T]) -> tuple[T, bool]:
    """Return ``(value, hit)``: the stored value for ``kind/key``, or ``compute()`` stored now.

    ``save(value, folder)`` writes into an empty folder, ``load(folder)`` reads it back. Any error
    while loading counts as a corrupt entry: it is removed, recomputed and stored again.
    """
    root = cache_dir()
    if root is None:
        return compute(), False
    entry = root / kind / key
    if (entry / ".complete").exists():
        try:
            return load(entry), True
        except Exception as err:  # noqa: BLE001 - any unreadable entry is recomputed
            warnings.warn(f"Cache entry {entry} was unreadable ({err}); recomputing it.", stacklevel=2)
            shutil.rmtree(entry, ignore_errors=True)
    value = compute()
    tmp = None
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=entry.parent))
        save(value, tmp)
        (tmp / ".complete").touch()
        shutil.rmtree(entry, ignore_errors=True)
        os.replace(tmp, entry)
    except OSError as err:  # a read-only or full disk must not break the computation
        warnings.warn(f"Could not write cache entry {entry}: {err}", stacklevel=2)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return value, False


def peek(kind: str, key: str, load: Callable[[Path], T]) -> T | None:
    """The stored value for ``kind/key``, or None if there is none (or it is unreadable)."""
    root = cache_dir()
    entry = None if root is None else root / kind / key
    if entry is None or not (entry / ".complete").exists():
        return None
    try:
        return load(entry)
    except Exception:  # noqa: BLE001 - unreadable: let the next compute replace it
        return None

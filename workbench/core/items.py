"""What an item *is*: its content digest for cache keys, and how one item is shown.

Cache keys hash item content, never ``repr``: a text by its characters, bytes by their bytes, an
image by its pixels (mode, size, bytes), a file path by the file's bytes, an array by dtype, shape
and bytes. Two different images with the same file name, or the same picture opened twice, get the
right keys.

Each modality registers a renderer ``render(item, row) -> HTML`` (``row``: the item's metadata as a
dict). Hovers, neighbour tables and selection grids ask for one item by row id through
:func:`render_item`, so the items themselves stay in the kernel. Every renderer escapes its text.

Examples
--------
>>> item_digest("cat") == item_digest("cat"), item_digest("cat") == item_digest(b"cat")
(True, False)
>>> render_item("text", "<b>bold</b> claim")
'<span class="wb-item wb-item-text">&lt;b&gt;bold&lt;/b&gt; claim</span>'
"""

from __future__ import annotations

import hashlib
import html
import os
from collections.abc import Callable, Iterable, Mapping

import numpy as np

__all__ = ["item_digest", "items_digest", "register_renderer", "render_item", "RENDERERS"]

RENDERERS: dict[str, Callable[[object, Mapping], str]] = {}
TEXT_LIMIT = 300  # characters of a text item shown in a table cell


def item_digest(item) -> str:
    """A hex digest of what ``item`` is (see the module docstring)."""
    h = hashlib.blake2b(digest_size=16)
    if isinstance(item, str):
        h.update(b"str:" + item.encode("utf-8", "surrogatepass"))
    elif isinstance(item, (bytes, bytearray, memoryview)):
        h.update(b"bytes:" + bytes(item))
    elif isinstance(item, os.PathLike):
        with open(item, "rb") as f:
            h.update(b"file:")
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    elif isinstance(item, np.ndarray):
        a = np.ascontiguousarray(item)
        h.update(f"ndarray:{a.dtype.str}:{a.shape}:".encode() + a.tobytes())
    elif hasattr(item, "tobytes") and hasattr(item, "mode") and hasattr(item, "size"):  # a PIL image
        h.update(f"image:{item.mode}:{item.size}:".encode() + item.tobytes())
    elif isinstance(item, (int, float, bool, np.integer, np.floating)) or item is None:
        h.update(f"{type(item).__name__}:{item!r}".encode())
    elif isinstance(item, (tuple, list)):
        h.update(b"seq:" + "|".join(item_digest(i) for i in item).encode())
    else:
        raise TypeError(f"Cannot take the content of a {type(item).__name__} item for a cache key; items are "
                        "text, bytes, paths, arrays, images, numbers or tuples of those.")
    return h.hexdigest()


def items_digest(items: Iterable) -> str:
    """One digest for a whole list of items (order matters). Text lists take a fast path."""
    items = list(items)
    h = hashlib.blake2b(digest_size=16)
    if set(map(type, items)) <= {str}:  # all plain text (one C-speed pass)
        h.update(b"texts:" + "\x1f".join(items).encode("utf-8", "surrogatepass"))
    else:
        for item in items:
            h.update(item_digest(item).encode())
    return h.hexdigest()


def register_renderer(modality: str):
    """Decorator: ``render(item, row) -> HTML`` shows one item of ``modality``."""
    def decorate(fn):
        RENDERERS[modality] = fn
        return fn
    return decorate


def render_item(modality: str, item, row: Mapping | None = None) -> str:
    """HTML for one item; modalities without a renderer show their text, escaped."""
    render = RENDERERS.get(modality, _text)
    return render(item, dict(row or {}))


def _snippet(value, limit: int = TEXT_LIMIT) -> str:
    text = str(value)
    return html.escape(text if len(text) <= limit else text[: limit - 1] + "…")


@register_renderer("text")
def _text(item, row=None) -> str:
    return f'<span class="wb-item wb-item-text">{_snippet(item)}</span>'


@register_renderer("word")
def _word(item, row=None) -> str:
    return f'<span class="wb-item wb-item-word">{_snippet(item, 80)}</span>'


@register_renderer("graph")
def _node(item, row=None) -> str:
    degree = (row or {}).get("degree")
    extra = f" <small>degree {int(degree)}</small>" if degree is not None else ""
    return f'<span class="wb-item wb-item-node">● {_snippet(item, 80)}{extra}</span>'


@register_renderer("table")
def _row(item, row=None) -> str:
    if isinstance(item, Mapping):
        cells = ", ".join(f"{html.escape(str(k))}={_snippet(v, 40)}" for k, v in list(item.items())[:8])
        return f'<span class="wb-item wb-item-row">{cells}</span>'
    return f'<span class="wb-item wb-item-row">{_snippet(item)}</span>'

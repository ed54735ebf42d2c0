"""Checking views and view states: a state file is user input, so every field is checked before use.

* :func:`read_state_file` reads the JSON of a file written by ``save_view`` (size and syntax).
* :func:`check_state` checks a state field by field (format, version, source, view, bookmarks);
  :func:`check_view` checks one view (types, ranges, sizes), the same in a state and a bookmark.
* :func:`check_view_fits` checks that a well-formed view can be shown on an app's data: the same
  items (:func:`items_fingerprint`), a colour the map offers, rows in range, the same labels.
* :func:`check_name` checks the name of a bookmark.

The first wrong field raises a :class:`~workbench.core.errors.WorkbenchError` that names it; a
long value is named by its kind and size (:func:`shown`), never echoed.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

from ..core.errors import BadFileError, InvalidParameterError, SizeLimitError, UnknownNameError, WorkbenchError

__all__ = ["check_state", "check_view", "check_view_fits", "check_name", "read_state_file", "items_fingerprint",
           "shown", "FORMAT", "VERSION", "MAX_STATE_BYTES", "MAX_BOOKMARKS", "MAX_NAME_CHARS"]

FORMAT, VERSION = "workbench-view", 1
MAX_STATE_BYTES = 50 * 2**20  # a selection of a million rows with their labels fits
MAX_BOOKMARKS = 200
MAX_NAME_CHARS = 80
MAX_QUERY_CHARS = 10_000  # a typed query (a sentence, a paragraph) fits; a pasted book does not
MAX_TEXT_CHARS = 10_000  # a selected item's label
MAX_ROWS = 1_000_000
MAX_QUERY_POINTS = 100
VIEW_FIELDS = ("items", "map", "colour", "k", "query", "highlight", "query_rows", "arrows", "query_points",
               "selection", "zoom")
STATE = "the view state"  # how error messages name what they check


def items_fingerprint(embeddings) -> dict:
    """``{"count": n, "labels_sha1": ...}`` of the embeddings a view's row numbers refer to.

    Examples
    --------
    >>> import numpy as np
    >>> from workbench.core import Embeddings
    >>> items_fingerprint(Embeddings(np.eye(3), ["a", "b", "c"]))["count"]
    3
    """
    digest = hashlib.sha1("\x1f".join(map(str, embeddings.labels)).encode("utf-8", "surrogatepass"))
    return {"count": len(embeddings), "labels_sha1": digest.hexdigest()}


# ---------------------------------------------------------------------- values in messages
class _Shown:
    """A value as an error message shows it: long texts and lists by their size, never in full."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


def shown(value):
    """``value`` if it is short, else a stand-in whose repr gives its kind and size.

    Examples
    --------
    >>> shown("x" * 100)
    'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'… (100 characters)
    >>> shown([1, 2])
    [1, 2]
    """
    if isinstance(value, str):
        return value if len(value) <= 60 else _Shown(repr(value[:40]) + f"… ({len(value):,} characters)")
    if isinstance(value, (list, tuple, dict)):
        return value if len(repr(value)) <= 80 else _Shown(f"a {type(value).__name__} of {len(value):,} entries")
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return _Shown(type(value).__name__)


# ---------------------------------------------------------------------- one field at a time
def _bad(field: str, allowed: str, value):
    raise InvalidParameterError(field, allowed, shown(value), owner=STATE)


def _mapping(value, field: str, allowed_keys, required=()) -> dict:
    if not isinstance(value, dict):
        _bad(field, "a JSON object", value)
    unknown = [k for k in value if k not in allowed_keys]
    if unknown:
        _bad(field, f"an object with keys among {tuple(allowed_keys)}", f"key {shown(str(unknown[0]))!r}")
    missing = [k for k in required if k not in value]
    if missing:
        _bad(field, f"an object with the keys {tuple(required)}", f"no {missing[0]!r}")
    return value


def _int(value, field: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        _bad(field, f"an integer from {low} to {high:,}", value)
    return value


def _number(value, field: str) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        _bad(field, "a finite number", value)
    return float(value)


def _text(value, field: str, limit: int, *, allow_none: bool = False):
    if value is None and allow_none:
        return None
    if not isinstance(value, str) or len(value) > limit:
        _bad(field, f"a text of at most {limit:,} characters" + (" or null" if allow_none else ""), value)
    return value


def _rows(value, field: str, count: int, *, limit: int = MAX_ROWS) -> list[int]:
    if not isinstance(value, list) or len(value) > limit:
        _bad(field, f"a list of at most {limit:,} row numbers", value)
    for r in value:
        _int(r, field, 0, max(count - 1, 0))
    return list(value)


def check_name(name, *, field: str = "name", owner: str = "bookmark") -> str:
    """A bookmark's name without surrounding spaces: a text of 1 to :data:`MAX_NAME_CHARS` characters.

    Examples
    --------
    >>> check_name("  capitals ")
    'capitals'
    """
    cleaned = name.strip() if isinstance(name, str) else None
    if not cleaned or len(cleaned) > MAX_NAME_CHARS:
        raise InvalidParameterError(field, f"a text of 1 to {MAX_NAME_CHARS} characters",
                                    shown(name), owner=owner)
    return cleaned


# ---------------------------------------------------------------------- a view
def check_view(view, field: str = "view") -> dict:
    """``view`` checked field by field (types, ranges, sizes); an InvalidParameterError names the first bad one.

    Examples
    --------
    >>> check_view({"k": 0})
    Traceback (most recent call last):
    ...
    workbench.core.errors.InvalidParameterError: The 'view' parameter of the view state must be an object with ...
    """
    from ..core.projection import METHODS

    v = _mapping(view, field, VIEW_FIELDS, VIEW_FIELDS)
    items = _mapping(v["items"], f"{field}.items", ("count", "labels_sha1"), ("count", "labels_sha1"))
    count = _int(items["count"], f"{field}.items.count", 0, 100_000_000)
    sha = items["labels_sha1"]
    if not isinstance(sha, str) or len(sha) != 40 or any(c not in "0123456789abcdef" for c in sha):
        _bad(f"{field}.items.labels_sha1", "40 hexadecimal digits", sha)
    m = _mapping(v["map"], f"{field}.map", ("method", "dim", "params", "random_state"), ("method", "dim"))
    if not isinstance(m["method"], str) or m["method"] not in METHODS:
        _bad(f"{field}.map.method", f"one of {METHODS}", m["method"])
    dim = _int(m["dim"], f"{field}.map.dim", 2, 3)
    params = m.get("params", {})
    if not isinstance(params, dict) or len(params) > 20:
        _bad(f"{field}.map.params", "an object of at most 20 parameters", params)
    for key, value in params.items():
        _text(key, f"{field}.map.params", 40)
        if not (value is None or isinstance(value, (bool, int, float)) or (isinstance(value, str) and len(value) <= 40)):
            _bad(f"{field}.map.params.{key}", "a number, a short text, true/false or null", value)
    _int(m.get("random_state", 0), f"{field}.map.random_state", 0, 2**32 - 1)
    _text(v["colour"], f"{field}.colour", 200, allow_none=True)
    _int(v["k"], f"{field}.k", 1, 50)
    _text(v["query"], f"{field}.query", MAX_QUERY_CHARS)
    _rows(v["highlight"], f"{field}.highlight", count)
    _rows(v["query_rows"], f"{field}.query_rows", count)
    if not isinstance(v["arrows"], list) or len(v["arrows"]) > 1000:
        _bad(f"{field}.arrows", "a list of at most 1,000 [from, to] row pairs", v["arrows"])
    for pair in v["arrows"]:
        if not isinstance(pair, list) or len(pair) != 2:
            _bad(f"{field}.arrows", "a list of [from, to] row pairs", pair)
        _rows(pair, f"{field}.arrows", count)
    points = v["query_points"]
    if not isinstance(points, list) or len(points) > MAX_QUERY_POINTS:
        _bad(f"{field}.query_points", f"a list of at most {MAX_QUERY_POINTS} points", points)
    for p in points:
        _mapping(p, f"{field}.query_points", ("label", "coords"), ("label", "coords"))
        _text(p["label"], f"{field}.query_points.label", 200)
        if not isinstance(p["coords"], list) or len(p["coords"]) != dim:
            _bad(f"{field}.query_points.coords", f"a list of {dim} numbers (the map is {dim}-D)", p["coords"])
        for c in p["coords"]:
            _number(c, f"{field}.query_points.coords")
    sel = _mapping(v["selection"], f"{field}.selection", ("rows", "labels"), ("rows", "labels"))
    _rows(sel["rows"], f"{field}.selection.rows", count)
    if not isinstance(sel["labels"], list) or len(sel["labels"]) != len(sel["rows"]):
        _bad(f"{field}.selection.labels", f"a list of {len(sel['rows']):,} labels, one per selected row", sel["labels"])
    for label in sel["labels"]:
        _text(label, f"{field}.selection.labels", MAX_TEXT_CHARS)
    _check_zoom(v["zoom"], f"{field}.zoom", dim)
    return v


def _check_zoom(zoom, field: str, dim: int) -> None:
    if zoom is None:
        return
    if dim == 2:
        _mapping(zoom, field, ("x", "y"))
        for axis, pair in zoom.items():
            if not isinstance(pair, list) or len(pair) != 2:
                _bad(f"{field}.{axis}", "a [low, high] pair of numbers", pair)
            for value in pair:
                _number(value, f"{field}.{axis}")
        return
    camera = _mapping(zoom, field, ("camera",), ("camera",))["camera"]
    _mapping(camera, f"{field}.camera", ("eye", "center", "up", "projection"))
    for part in ("eye", "center", "up"):
        if part in camera:
            for key, value in _mapping(camera[part], f"{field}.camera.{part}", ("x", "y", "z")).items():
                _number(value, f"{field}.camera.{part}.{key}")
    if "projection" in camera:
        kind = _mapping(camera["projection"], f"{field}.camera.projection", ("type",)).get("type", "perspective")
        if kind not in ("perspective", "orthographic"):
            _bad(f"{field}.camera.projection.type", "'perspective' or 'orthographic'", kind)


def check_view_fits(app, view: dict) -> None:
    """Raise a WorkbenchError unless ``view`` (already well-formed) can be shown on ``app``'s data.

    Examples
    --------
    >>> check_view_fits(app, capture_view(other_app))   # doctest: +SKIP
    Traceback (most recent call last):
    ...
    workbench.core.errors.WorkbenchError: This view was saved on other data (500 items) than the 300 items ...
    """
    from .projection import NO_COLOUR

    emb = app.state.require_embeddings()
    if view["items"] != items_fingerprint(emb):
        raise WorkbenchError(f"This view was saved on other data ({view['items']['count']:,} items) than the "
                             f"{len(emb):,} items shown now; embed the same dataset and model first.")
    options = list(app.projection.colour.options)
    colour = NO_COLOUR if view["colour"] is None else view["colour"]
    if colour not in options:
        raise UnknownNameError("colour", colour, options)
    n = len(emb)
    rows = [*view["highlight"], *view["query_rows"], *view["selection"]["rows"], *(r for a in view["arrows"] for r in a)]
    bad = [r for r in rows if not 0 <= r < n]
    if bad:
        raise InvalidParameterError("rows", f"row numbers from 0 to {n - 1}", bad[0], owner="the view")
    labels = [str(emb.labels[r]) for r in view["selection"]["rows"]]
    if labels != view["selection"]["labels"]:
        wrong = next(i for i, (a, b) in enumerate(zip(labels, view["selection"]["labels"])) if a != b)
        raise WorkbenchError(f"Selected row {view['selection']['rows'][wrong]} is {labels[wrong]!r} here but "
                             f"{view['selection']['labels'][wrong][:80]!r} in the view: the data differ.")


# ---------------------------------------------------------------------- a state file
def read_state_file(path) -> dict:
    """The JSON object in a state file (size and syntax checked; the fields by :func:`check_state`).

    Examples
    --------
    >>> read_state_file("no-such-view.json")
    Traceback (most recent call last):
    ...
    workbench.core.errors.BadFileError: No view state file at no-such-view.json.
    """
    path = Path(path)
    if not path.is_file():
        raise BadFileError(f"No view state file at {str(path)[:200]}.")
    size = path.stat().st_size
    if size > MAX_STATE_BYTES:
        raise SizeLimitError(f"{path.name} is {size / 2**20:.0f} MB; a view state is at most "
                             f"{MAX_STATE_BYTES // 2**20} MB. Is it really a file written by save_view?")
    try:
        return json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise BadFileError(f"{path.name} is not a view state: it is not UTF-8 JSON ({str(err)[:120]}).") from None
    except RecursionError:
        raise BadFileError(f"{path.name} is not a view state: its JSON is nested too deeply.") from None


def check_state(state) -> dict:
    """``state`` checked field by field; returns it. A WorkbenchError names the first wrong field.

    Examples
    --------
    >>> check_state({"format": "workbench-view", "version": 99})
    Traceback (most recent call last):
    ...
    workbench.core.errors.InvalidParameterError: The 'version' parameter of the view state must be 1 ...
    """
    if not isinstance(state, dict):
        raise InvalidParameterError("state", "a dict or the path of a file written by save_view",
                                    shown(state), owner="open_state")
    if state.get("format") != FORMAT:
        _bad("format", repr(FORMAT) + " (a state written by save_view or view_state)", state.get("format"))
    if state.get("version") != VERSION:
        _bad("version", f"{VERSION} (this workbench reads version {VERSION} states)", state.get("version"))
    _mapping(state, "state", ("format", "version", "saved", "source", "view", "bookmarks"),
             ("format", "version", "source", "view"))
    _text(state.get("saved", ""), "saved", 40)
    src = _check_source(state["source"])
    fingerprint = {"count": src["count"], "labels_sha1": src["labels_sha1"]}
    _check_view_of_source(state["view"], "view", fingerprint)
    marks = state.get("bookmarks", {})
    if not isinstance(marks, dict) or len(marks) > MAX_BOOKMARKS:
        _bad("bookmarks", f"an object of at most {MAX_BOOKMARKS} named views", marks)
    for name, mark in marks.items():
        check_name(name, field="bookmarks", owner=STATE)
        _check_view_of_source(mark, f"bookmarks[{name!r}]", fingerprint)
    return state


def _check_view_of_source(view, field: str, fingerprint: dict) -> None:
    """A well-formed view of the same items as the state's source (the view and each bookmark)."""
    if check_view(view, field)["items"] != fingerprint:
        _bad(f"{field}.items", "the items of source (same count and labels_sha1)", view["items"])


def _check_source(src) -> dict:
    """The ``source`` of a state: a registered dataset + model, or vectors brought into the app."""
    from ..loaders import DATASETS
    from ..models import MODELS

    if not isinstance(src, dict) or src.get("kind") not in ("registry", "vectors"):
        _bad("source.kind", "'registry' or 'vectors'", src.get("kind") if isinstance(src, dict) else src)
    common = ("kind", "count", "labels_sha1", "modality")
    if src["kind"] == "registry":
        _mapping(src, "source", (*common, "dataset", "model", "limit"), (*common, "dataset", "model", "limit"))
        for kind, name, registry in (("dataset", src["dataset"], DATASETS), ("model", src["model"], MODELS)):
            _text(name, f"source.{kind}", 200)
            if name not in registry:
                raise UnknownNameError(kind, name, registry.names())
        _int(src["limit"], "source.limit", 10, 1_000_000)
    else:
        _mapping(src, "source", (*common, "name", "dim", "vectors"), (*common, "name", "dim"))
        _text(src["name"], "source.name", 500)
        _int(src["dim"], "source.dim", 1, 100_000)
        folder = _text(src.get("vectors"), "source.vectors", 255, allow_none=True)
        if folder is not None and (folder in ("", ".", "..") or "/" in folder or "\\" in folder
                                   or not folder.endswith(".vectors")):
            _bad("source.vectors", "the name of a '<name>.vectors' folder beside the state file", folder)
    _text(src["modality"], "source.modality", 40)
    _int(src["count"], "source.count", 1, 100_000_000)
    return src

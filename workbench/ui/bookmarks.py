"""Views of the map: what one looks at (map, colour, query, highlights, selection, zoom), captured and restored.

A *view* is a small JSON-ready dict, the same in a bookmark and in a saved state file
(:mod:`workbench.ui.export`). :func:`bookmark` names the current view of an app, :func:`go_to`
brings it back within the same kernel: the map is taken from the cache when it was computed
before, so going back to a UMAP view does not lay the map out again. :class:`BookmarksPanel` is
the small widget (name, *Save view*, a list to go back) an app places under its map.

Rows are row numbers of the embeddings shown; each view keeps a fingerprint of those
embeddings (count and a hash of the labels), so a view is never applied to other data.
"""

from __future__ import annotations

import hashlib
import weakref

import ipywidgets as widgets

from ..core.errors import EmptyInputError, InvalidParameterError, UnknownNameError, WorkbenchError

__all__ = ["bookmark", "bookmarks", "go_to", "capture_view", "apply_view", "check_view", "items_fingerprint",
           "BookmarksPanel", "MAX_NAME_CHARS"]

MAX_NAME_CHARS = 80
NO_COLOUR = "(one colour)"  # the map panel's "no colour" choice, stored as None

_BOOKMARKS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # app -> {name: view}
_LISTENERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # app -> [callback()]


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


def _zoom(app, dim: int) -> dict | None:
    """The zoom the person set in the browser (the FigureWidget's layout receives every relayout)."""
    fig = _figure_widget(app)
    if fig is None:
        return None
    layout = fig.layout
    if dim == 3:
        camera = layout.scene.camera.to_plotly_json()
        return {"camera": camera} if camera else None
    x, y = layout.xaxis.range, layout.yaxis.range
    if x is None and y is None:
        return None
    zoom = {}
    if x is not None and layout.xaxis.autorange is not True:
        zoom["x"] = [float(v) for v in x]
    if y is not None and layout.yaxis.autorange is not True:
        zoom["y"] = [float(v) for v in y]
    return zoom or None


def _figure_widget(app):
    """The map panel's plotly FigureWidget (an attribute, or a method returning it) when it shows the map.

    None before the first map, and while the map is drawn by another backend (jupyter-scatter).
    """
    if getattr(app.projection, "backend_name", "plotly") not in ("plotly", None):
        return None
    fig = getattr(app.projection, "figure", None)
    if callable(fig) and not hasattr(fig, "layout"):
        fig = fig()
    return fig


def capture_view(app) -> dict:
    """The current view of ``app`` as a JSON-ready dict (see the module docstring).

    Examples
    --------
    >>> app = Workbench(limit=500, method="pca", background=False)      # doctest: +SKIP
    >>> app.state.query = "king"                                        # doctest: +SKIP
    >>> capture_view(app)["query"], capture_view(app)["map"]["method"]  # doctest: +SKIP
    ('king', 'pca')
    """
    state, panel = app.state, app.projection
    emb = state.require_embeddings()
    method, dim = panel.method.value, panel.dim.value
    proj = state.projection
    shown = proj is not None and proj.embeddings is emb and (proj.method, proj.dim) == (method, dim)
    selection = state.selection
    rows = [int(r) for r in selection["row"]] if selection is not None and "row" in selection else []
    colour = panel.colour.value
    return {
        "items": items_fingerprint(emb),
        "map": {"method": method, "dim": int(dim), "params": dict(proj.params) if shown else {},
                "random_state": int(proj.random_state) if shown else 0},
        "colour": None if colour == NO_COLOUR else str(colour),
        "k": int(app.neighbours.k.value),
        "query": state.query,
        "highlight": [int(r) for r in state.highlight],
        "query_rows": [int(r) for r in state.query_rows],
        "arrows": [[int(a), int(b)] for a, b in state.arrows],
        "query_points": [{"label": str(p["label"]), "coords": [float(c) for c in p["coords"]]}
                         for p in state.query_points],
        "selection": {"rows": rows, "labels": [str(emb.labels[r]) for r in rows]},
        "zoom": _zoom(app, dim) if shown else None,
    }


# ---------------------------------------------------------------------- checking a view read from a file
MAX_QUERY_CHARS = 10_000  # a typed query (a sentence, a paragraph) fits; a pasted book does not
MAX_TEXT_CHARS = 10_000  # a selected item's label
MAX_ROWS = 1_000_000
MAX_QUERY_POINTS = 100
VIEW_FIELDS = ("items", "map", "colour", "k", "query", "highlight", "query_rows", "arrows", "query_points",
               "selection", "zoom")


class _Shown:
    """A value as an error message shows it: long texts and lists by their size, never in full."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


def shown(value):
    """``value`` if it is short, else a stand-in whose repr gives its kind and size."""
    if isinstance(value, str):
        return value if len(value) <= 60 else _Shown(repr(value[:40]) + f"… ({len(value):,} characters)")
    if isinstance(value, (list, tuple, dict)):
        return value if len(repr(value)) <= 80 else _Shown(f"a {type(value).__name__} of {len(value):,} entries")
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return _Shown(type(value).__name__)


def _bad(field: str, allowed: str, value):
    raise InvalidParameterError(field, allowed, shown(value), owner="the view state")


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
    import math

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
    """Raise a WorkbenchError unless ``view`` (already well-formed) can be shown on ``app``'s data."""
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


def apply_view(app, view: dict) -> None:
    """Show ``view`` on ``app``: map method and dimension, colour, k, query, highlights, selection, zoom.

    Everything is checked first (:func:`check_view_fits`), so a view that does not fit changes
    nothing. A map computed before comes from the cache; the zoom and the selected points are put
    on the figure once the map asked for is drawn (at once when it is cached).
    """
    check_view_fits(app, view)
    state, panel = app.state, app.projection
    method, dim = view["map"]["method"], view["map"]["dim"]
    _set_map(panel, method, dim)
    panel.colour.value = NO_COLOUR if view["colour"] is None else view["colour"]
    app.neighbours.k.value = view["k"]
    if view["query"] and view["query"] != state.query:
        state.query = view["query"]  # the neighbours panel answers it (and sets highlights we replace below)
    elif not view["query"]:
        state.query = ""
    with state.hold_trait_notifications():
        state.highlight = list(view["highlight"])
        state.query_rows = list(view["query_rows"])
        state.arrows = [tuple(a) for a in view["arrows"]]
        state.query_points = [dict(p) for p in view["query_points"]]
    rows = view["selection"]["rows"]
    state.selection = state.frame_of(rows) if rows else None
    if hasattr(panel, "selected"):
        from . import _html

        panel.selected.value = _html.items_grid(state.render_items(rows[:40]), len(rows)) if rows else ""
    _when_drawn(app, method, dim, lambda: _apply_figure(app, view))


def _set_map(panel, method: str, dim: int) -> None:
    """Switch the map to (method, dim) without laying out a slow map on the way.

    Each toggle recomputes; when both change, the way goes through PCA (milliseconds), so going
    from UMAP 2D to t-SNE 3D never computes a UMAP 3D in between.
    """
    if panel.dim.value != dim and panel.method.value != method:
        panel.method.value = "pca"
    if panel.dim.value != dim:
        panel.dim.value = dim
    if panel.method.value != method:
        panel.method.value = method


def _when_drawn(app, method: str, dim: int, then) -> None:
    """Run ``then()`` now if the map shows (method, dim), else once it does (after the panel drew it)."""
    state = app.state

    def ready() -> bool:
        proj = state.projection
        return proj is not None and proj.embeddings is state.embeddings and (proj.method, proj.dim) == (method, dim)

    if ready():
        then()
        return

    def on_projection(_change) -> None:
        if (app.projection.method.value, app.projection.dim.value) != (method, dim):
            state.unobserve(on_projection, names="projection")  # the person moved on
        elif ready():
            state.unobserve(on_projection, names="projection")
            with state.guard("restoring the zoom"):
                then()

    state.observe(on_projection, names="projection")


def _apply_figure(app, view: dict) -> None:
    """Zoom and selected points on the map's figure (what the browser shows)."""
    fig = _figure_widget(app)
    if fig is None:
        return
    from .. import figures

    wanted = set(view["selection"]["rows"])
    zoom = view["zoom"] or {}
    with fig.batch_update():
        for trace in fig.data:
            if figures.role(trace) == figures.ROLE_POINTS and view["map"]["dim"] == 2:
                custom = trace.customdata if trace.customdata is not None else ()
                trace.selectedpoints = [i for i, r in enumerate(custom) if int(r) in wanted] if wanted else None
        if "camera" in zoom:
            fig.layout.scene.camera = zoom["camera"]
        for axis in ("x", "y"):
            if axis in zoom:
                fig.layout[f"{axis}axis"].update(range=list(zoom[axis]), autorange=False)
            elif view["map"]["dim"] == 2:
                fig.layout[f"{axis}axis"].update(range=None, autorange=True)


# ---------------------------------------------------------------------- named views in this kernel
def _check_name(name) -> str:
    if not isinstance(name, str):
        raise InvalidParameterError("name", "a text of 1 to 80 characters", type(name).__name__, owner="bookmark")
    cleaned = name.strip()
    if not cleaned or len(cleaned) > MAX_NAME_CHARS:
        shown = cleaned if len(cleaned) <= MAX_NAME_CHARS else cleaned[:40] + f"… ({len(cleaned):,} characters)"
        raise InvalidParameterError("name", f"a text of 1 to {MAX_NAME_CHARS} characters", shown, owner="bookmark")
    return cleaned


def bookmark(app, name: str) -> dict:
    """Remember the current view of ``app`` as ``name`` (replacing a view of that name); returns it.

    Examples
    --------
    >>> app = Workbench(limit=500, method="pca", background=False)   # doctest: +SKIP
    >>> app.state.query = "paris"                                    # doctest: +SKIP
    >>> _ = bookmark(app, "capitals"); bookmarks(app)                # doctest: +SKIP
    ['capitals']
    >>> app.state.query = "frog"; go_to(app, "capitals")             # doctest: +SKIP
    >>> app.state.query                                              # doctest: +SKIP
    'paris'
    """
    name = _check_name(name)
    view = capture_view(app)
    _BOOKMARKS.setdefault(app, {})[name] = view
    _changed(app)
    return view


def bookmarks(app) -> list[str]:
    """Names of the views remembered for ``app``, oldest first."""
    return list(_BOOKMARKS.get(app, {}))


def bookmark_views(app) -> dict[str, dict]:
    """The remembered views themselves, by name (a copy)."""
    return dict(_BOOKMARKS.get(app, {}))


def set_bookmark_views(app, views: dict[str, dict]) -> None:
    """Replace ``app``'s remembered views (used when a saved state is opened)."""
    _BOOKMARKS[app] = {_check_name(k): v for k, v in views.items()}
    _changed(app)


def go_to(app, name: str) -> None:
    """Show the view remembered as ``name``; a map computed before is taken from the cache."""
    name = _check_name(name)
    views = _BOOKMARKS.get(app, {})
    if name not in views:
        if not views:
            raise EmptyInputError(f"No view is bookmarked yet, so there is no {name!r} to go to: "
                                  "save one with bookmark(app, name) or the Save view button.")
        raise UnknownNameError("bookmark", name, list(views))
    apply_view(app, views[name])


def _changed(app) -> None:
    for callback in list(_LISTENERS.get(app, [])):
        callback()


class BookmarksPanel(widgets.HBox):
    """Name the current view, save it, and go back to any saved view from a list.

    Parameters
    ----------
    app : Workbench
        The app whose views are saved (its map panel, neighbours panel and state).

    Examples
    --------
    >>> panel = BookmarksPanel(app)                   # doctest: +SKIP
    >>> panel.name.value = "capitals"; panel.save()   # doctest: +SKIP
    >>> panel.views.options                           # doctest: +SKIP
    ('(saved views)', 'capitals')
    """

    PROMPT = "(saved views)"

    def __init__(self, app):
        self.app = app
        self.name = widgets.Text(placeholder="name this view", layout={"width": "180px"}).add_class("wb-bookmark-name")
        self.save_button = widgets.Button(description="Save view", icon="bookmark",
                                          layout={"width": "110px"}).add_class("wb-bookmark-save")
        self.views = widgets.Dropdown(options=[self.PROMPT], value=self.PROMPT, description="Go to",
                                      style={"description_width": "45px"},
                                      layout={"width": "240px"}).add_class("wb-bookmark-views")
        super().__init__([self.name, self.save_button, self.views])
        self.add_class("wb-bookmarks")
        self._filling = False
        self.save_button.on_click(lambda _: self.save())
        self.views.observe(self._on_pick, names="value")
        _LISTENERS.setdefault(app, []).append(self._refresh)
        self._refresh()

    def save(self) -> None:
        """Save the current view under the typed name (the status says what happened)."""
        state = self.app.state
        with state.guard("saving the view"):
            name = self.name.value.strip() or f"view {len(bookmarks(self.app)) + 1}"
            bookmark(self.app, name)
            state.report(f"Saved this view as {name!r}: pick it under 'Go to' to come back.", "success")

    def _refresh(self) -> None:
        self._filling = True
        try:
            self.views.options = [self.PROMPT, *bookmarks(self.app)]
            self.views.value = self.PROMPT
        finally:
            self._filling = False

    def _on_pick(self, change) -> None:
        name = change["new"]
        if self._filling or name in (None, self.PROMPT):
            return
        with self.app.state.guard(f"going to the view {name!r}"):
            go_to(self.app, name)
            self.app.state.report(f"Showing the saved view {name!r}.", "success")
        self._refresh()  # back to the prompt, so the same view can be picked again

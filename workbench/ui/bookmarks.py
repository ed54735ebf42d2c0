"""Views of the map: what one looks at (map, colour, query, highlights, selection, zoom), captured and restored.

A *view* is a small JSON-ready dict, the same in a bookmark and in a saved state file
(:mod:`workbench.ui.export`). :func:`bookmark` names the current view of an app, :func:`go_to`
brings it back within the same kernel: the map is taken from the cache when it was computed
before, so going back to a UMAP view does not lay the map out again. :class:`BookmarksPanel` is
the small widget (name, *Save view*, a list to go back) an app places under its map.

Rows are row numbers of the embeddings shown; each view keeps a fingerprint of those
embeddings (count and a hash of the labels), so a view is never applied to other data. A view
read from a file is checked by :mod:`workbench.ui.view_checks` before it is shown.
"""

from __future__ import annotations

import weakref

import ipywidgets as widgets

from ..core.errors import EmptyInputError, UnknownNameError
from .projection import MAX_SHOWN_ITEMS, NO_COLOUR
from .view_checks import check_name, check_view_fits, items_fingerprint

__all__ = ["bookmark", "bookmarks", "go_to", "capture_view", "apply_view", "figure_widget", "BookmarksPanel"]

_BOOKMARKS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # app -> {name: view}
_LISTENERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # app -> [callback()]


def figure_widget(app):
    """The map panel's plotly FigureWidget (an attribute, or a method returning it) when it shows the map.

    None before the first map, and while the map is drawn by another backend (jupyter-scatter).

    Examples
    --------
    >>> figure_widget(app).layout.xaxis.range    # doctest: +SKIP
    (-1.2, 3.4)
    """
    if getattr(app.projection, "backend_name", "plotly") not in ("plotly", None):
        return None
    fig = getattr(app.projection, "figure", None)
    if callable(fig) and not hasattr(fig, "layout"):
        fig = fig()
    return fig


def _map_shows(state, method: str, dim: int) -> bool:
    """Whether the map drawn is (method, dim) of the embeddings shown (not one still being laid out)."""
    proj = state.projection
    return proj is not None and proj.embeddings is state.embeddings and (proj.method, proj.dim) == (method, dim)


def _zoom(app, dim: int) -> dict | None:
    """The zoom the person set in the browser (the FigureWidget's layout receives every relayout)."""
    fig = figure_widget(app)
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
    shown = _map_shows(state, method, dim)
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

        panel.selected.value = _html.items_grid(state.render_items(rows[:MAX_SHOWN_ITEMS]), len(rows)) if rows else ""
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
    if _map_shows(state, method, dim):
        then()
        return

    def on_projection(_change) -> None:
        if (app.projection.method.value, app.projection.dim.value) != (method, dim):
            state.unobserve(on_projection, names="projection")  # the person moved on
        elif _map_shows(state, method, dim):
            state.unobserve(on_projection, names="projection")
            with state.guard("restoring the zoom"):
                then()

    state.observe(on_projection, names="projection")


def _apply_figure(app, view: dict) -> None:
    """Zoom and selected points on the map's figure (what the browser shows)."""
    fig = figure_widget(app)
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
    name = check_name(name)
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
    _BOOKMARKS[app] = {check_name(k): v for k, v in views.items()}
    _changed(app)


def go_to(app, name: str) -> None:
    """Show the view remembered as ``name``; a map computed before is taken from the cache."""
    name = check_name(name)
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

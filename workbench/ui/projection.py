"""Projection panel: the map. PCA at once, UMAP / t-SNE as a job with progress and Cancel, 2-D or 3-D.

Clicking a point sets ``state.query``; a box or lasso selection puts the selected rows into
``state.selection``; ``state.highlight``, ``state.query_points`` and ``state.arrows`` are drawn on
top. The panel draws through a backend: plotly (``_plotly_map``) for small maps and every 3-D map,
jupyter-scatter (``_scatter_map``, WebGL) for 2-D maps of more than ``LARGE_MAP`` points.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import pandas as pd

from . import _html
from ..core.projection import cached_projection, project
from ..core.validation import MIN_MAP_POINTS, check_map_size, check_number
from ._map_clusters import CLUSTER_LIMIT, CLUSTERS, cluster_column_name, clusters_of
from ._plotly_map import PlotlyMap
from ._scatter_map import ScatterMap
from .job_bar import JobBar
from .state import State

__all__ = ["ProjectionPanel", "LARGE_MAP", "BACKENDS"]

QUALITY_COLOURS = {"map quality: k-NN recall": "quality_knn_recall",
                   "map quality: trustworthiness": "quality_trustworthiness"}
NO_COLOUR = "(one colour)"
MAX_CATEGORY_LEVELS = 60  # a text column with more distinct values is not offered for colouring
MAX_SHOWN_ITEMS = 40  # selected items shown under the map (all of them are in state.selection)
# Above this many points a 2-D map is drawn with jupyter-scatter: plotly's scattergl needs ~8 s to
# draw 1M points in software WebGL and ~2.6 s per pan frame, jupyter-scatter ~3 s and ~0.5 s
# (benchmarks/bench_browser_map.py); below it plotly's hover labels and text overlays are richer.
LARGE_MAP = 50_000
BACKENDS = ("auto", "plotly", "scatter")


def _colourable(column: pd.Series) -> bool:
    """Numbers, or text with few distinct values (cells that cannot be hashed, such as lists, never)."""
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_complex_dtype(column):
        return True
    try:
        return column.nunique() <= MAX_CATEGORY_LEVELS
    except TypeError:
        return False


def check_backend(owner: str, backend) -> None:
    """A WorkbenchError for a map backend that is not one of ``BACKENDS``."""
    from ..core.errors import InvalidParameterError

    if not isinstance(backend, str) or backend not in BACKENDS:
        raise InvalidParameterError("backend", f"one of {BACKENDS} (auto: jupyter-scatter above "
                                    f"{LARGE_MAP:,} points in 2-D, plotly otherwise)", backend, owner=owner)


def choose_backend(backend: str, n: int, dim: int) -> str:
    """``"plotly"`` or ``"scatter"`` for a map of ``n`` points in ``dim`` dimensions.

    ``"auto"`` picks jupyter-scatter for 2-D maps of more than ``LARGE_MAP`` points; 3-D maps are
    always plotly (jupyter-scatter draws 2-D only), whatever was asked.

    Examples
    --------
    >>> choose_backend("auto", 60_000, 2), choose_backend("auto", 5_000, 2), choose_backend("scatter", 10, 3)
    ('scatter', 'plotly', 'plotly')
    """
    if dim == 3:
        return "plotly"
    if backend == "auto":
        return "scatter" if n > LARGE_MAP else "plotly"
    return backend


def check_map_options(owner: str, method, dim, height, width) -> None:
    """A WorkbenchError (never a TraitError) for a map method, dimension or size out of range."""
    from ..core.errors import InvalidParameterError
    from ..core.projection import METHODS

    if not isinstance(method, str) or method not in METHODS:
        raise InvalidParameterError("method", f"one of {METHODS}", method, owner=owner)
    if dim not in (2, 3) or isinstance(dim, bool):
        raise InvalidParameterError("dim", "2 or 3", dim, owner=owner)
    check_number(owner, "height", height, low=100, high=5000)
    check_number(owner, "width", width, low=100, high=5000)


class ProjectionPanel(widgets.VBox):
    """The embedding map, linked to the shared :class:`State`.

    Parameters
    ----------
    state : State
    method : {"pca", "umap", "tsne"}
        The map to show; for UMAP and t-SNE a PCA map is shown while they compute.
    colour : str, optional
        Metadata column to colour by. By default the class column of an uploaded table, else the
        clusters found in the vectors (``CLUSTERS``: k-means on unit vectors, each cluster named on
        the map; up to ``CLUSTER_LIMIT`` points), else the first categorical column.
    height, width : int
        Size of the map in pixels (plotly widgets do not resize with their container).
    backend : {"auto", "plotly", "scatter"}
        How the map is drawn: ``"plotly"`` (hover labels, text on the map, 2-D and 3-D),
        ``"scatter"`` (jupyter-scatter, WebGL: millions of points, 2-D only) or ``"auto"``:
        jupyter-scatter for 2-D maps of more than ``LARGE_MAP`` (50,000) points. 3-D maps are
        always drawn with plotly.

    Examples
    --------
    >>> import numpy as np, workbench as wb
    >>> emb = wb.Embeddings(np.random.default_rng(0).normal(size=(200, 8)))
    >>> panel = ProjectionPanel(State(embeddings=emb, background=False), method="pca", backend="scatter")
    >>> panel.backend_name, panel.scatter.widget.points.shape[0]
    ('scatter', 200)
    """

    def __init__(self, state: State, *, method: str = "umap", dim: int = 2, colour: str | None = None,
                 height: int = 560, width: int = 640, backend: str = "auto"):
        check_map_options("ProjectionPanel", method, dim, height, width)
        check_backend("ProjectionPanel", backend)
        self.state = state
        self.height, self.width, self.backend = height, width, backend
        self._wanted_colour = colour
        self.method = widgets.ToggleButtons(options=[("PCA", "pca"), ("UMAP", "umap"), ("t-SNE", "tsne")],
                                            value=method, style={"button_width": "56px"}).add_class("wb-method")
        self.dim = widgets.ToggleButtons(options=[("2D", 2), ("3D", 3)], value=dim,
                                         style={"button_width": "40px"}).add_class("wb-dim")
        self.colour = widgets.Dropdown(options=[NO_COLOUR], value=NO_COLOUR, description="Colour",
                                       style={"description_width": "50px"},
                                       layout={"width": "230px"}).add_class("wb-colour")
        self.job = JobBar(state, width="140px")
        self.quality = widgets.HTML().add_class("wb-quality")
        self.plot = widgets.Box(layout={"min_height": f"{height}px", "width": f"{width}px"}).add_class("wb-map")
        self.selected = widgets.HTML(layout={"width": f"{width}px"}).add_class("wb-selected")
        # Each backend draws into a box of its own, made once; the panel shows the one in use.
        self._boxes = {name: widgets.VBox() for name in ("plotly", "scatter")}
        self._boxes["scatter"].add_class("wb-scatter-map")
        self._backends = {name: cls(self._boxes[name], on_click=self._clicked, on_select=self._selected_rows,
                                    guard=state.guard)
                          for name, cls in (("plotly", PlotlyMap), ("scatter", ScatterMap))}
        self.backend_name = None  # the backend drawing the map shown ("plotly" or "scatter")
        # One row that never wraps at the app's 560-px map: 3 x 60 + 2 x 44 + 230 px.
        controls = widgets.HBox([self.method, self.dim, self.colour], layout={"flex_flow": "row nowrap"})
        super().__init__([controls, self.job, self.quality, self.plot,
                          self.selected])
        self.method.observe(self._recompute, names="value")
        self.dim.observe(self._recompute, names="value")
        self._filling = False
        self.colour.observe(lambda _: None if self._filling else self.draw(), names="value")
        self._prepared = None  # (projection, colour, backend, frame, figure) built by _check, drawn by draw()
        state.checks.append(self._check)
        state.observe(self._on_embeddings, names="embeddings")
        state.observe(lambda _: self.draw(), names="projection")
        state.observe(lambda _: self._draw_overlays(), names=["highlight", "query_rows", "arrows", "query_points"])
        if state.embeddings is not None:
            self._on_embeddings()

    @property
    def figure(self):
        """The plotly ``FigureWidget`` of the plotly backend (None before its first map)."""
        return self._backends["plotly"].figure

    @property
    def scatter(self):
        """The jupyter-scatter backend (its ``widget`` is None before its first map)."""
        return self._backends["scatter"]

    # ------------------------------------------------------------------ computing maps
    def _on_embeddings(self, change=None) -> None:
        emb = self.state.embeddings
        if emb is None:
            return
        self._fill_colours(emb)
        self.state.highlight, self.state.query_rows, self.state.arrows, self.state.query_points = [], [], [], []
        self.state.selection, self.selected.value = None, ""
        for backend in self._backends.values():
            backend.clear_selection()  # also plotly's lasso outline and jupyter-scatter's selected points
        proj = self.state.projection
        if proj is not None and proj.embeddings is emb:  # set together with its map (State.show, a training epoch)
            self.draw()
            if proj.method != "placed" and (proj.method, proj.dim) != (self.method.value, self.dim.value):
                self._recompute()  # the quick PCA arrived; the map asked for (UMAP, 3D) follows
            return
        if not self._recompute():
            # No map for the new embeddings: put the previous ones back, so map and tables stay together.
            old = change["old"] if change else None
            if old is not None and self.state.projection is not None and self.state.projection.embeddings is old:
                self.state.embeddings = old

    def _recompute(self, _=None) -> bool:
        """Show the map asked for; False if not even a quick PCA map could be made (the status says why)."""
        emb, method, dim = self.state.embeddings, self.method.value, self.dim.value
        if emb is None:
            return True
        cached = cached_projection(emb, method, dim) if len(emb) >= MIN_MAP_POINTS else None
        if cached is not None:  # stored by an earlier session: show it at once
            if self.job.job is not None:
                self.job.job.cancel()
            self.state.projection = cached
            return True
        current = self.state.projection
        # A map placed during training already shows these labels: keep it until the new map is ready.
        keep = (method != "pca" and current is not None and current.method == "placed" and current.dim == dim
                and current.embeddings.labels == emb.labels)
        have_quick = current is not None and current.embeddings is emb and (current.method, current.dim) == ("pca", dim)
        if not keep and not have_quick:
            made = False
            with self.state.guard("computing the PCA map"):
                check_map_size(len(emb))
                quick = project(emb, "pca", dim)  # milliseconds: something to look at right away
                if method == "pca" or current is None or current.embeddings is not emb:
                    self._check(emb, quick)
                    self.state.projection = quick
                made = True
            if not made:
                return False
        if method == "pca":
            return True
        if len(emb) < 5:
            self.state.report(f"{method.upper()} needs at least 5 points; these {len(emb)} are shown with PCA.",
                              "info")
            return True
        self.state.report(f"Computing the {method.upper()} map of {len(emb):,} points; the current map is shown "
                          "meanwhile. The first UMAP in a new kernel also compiles UMAP (up to ~2 minutes).", "busy")

        def work(progress):
            return project(emb, method, dim, progress=progress, should_stop=progress.should_stop)

        def done(proj) -> None:
            # Only show it if the person has not moved on to other embeddings or settings meanwhile.
            if self.state.embeddings is emb and (self.method.value, self.dim.value) == (method, dim):
                self.state.projection = proj
                self.state.report(f"{method.upper()} map ready ({proj.seconds:.0f} s).", "success")

        self.job.run(f"computing the {method.upper()} map", work, done, slot="map")
        return True

    def _check(self, emb, proj) -> None:
        """Build the figure for ``proj`` before it is shown (State.show runs this): raise if it cannot be drawn."""
        _, wanted = self._colour_choices(emb)
        backend, frame, fig = self._build(proj, wanted)
        self._prepared = (proj, wanted, backend, frame, fig)

    # ------------------------------------------------------------------ drawing
    def _colour_choices(self, emb) -> tuple[list[str], str]:
        meta = emb.meta
        usable = [c for c in meta.columns if _colourable(meta[c])]
        options = [NO_COLOUR, CLUSTERS, *usable, *QUALITY_COLOURS]
        class_column = emb.provenance.get("class_column")
        if self._wanted_colour in usable or self._wanted_colour == CLUSTERS:
            wanted = self._wanted_colour
        elif class_column in usable:
            wanted = class_column
        elif 4 <= len(emb) <= CLUSTER_LIMIT:
            wanted = CLUSTERS
        else:
            wanted = next((c for c in usable if not pd.api.types.is_numeric_dtype(meta[c])), NO_COLOUR)
        return options, wanted

    def _fill_colours(self, emb) -> None:
        options, wanted = self._colour_choices(emb)
        self._filling = True
        try:
            self.colour.options = options
            self.colour.value = wanted
        finally:
            self._filling = False

    @staticmethod
    def _colour_column(frame: pd.DataFrame, value: str) -> str | None:
        wanted = QUALITY_COLOURS.get(value, value)
        if wanted == NO_COLOUR:
            return None
        renamed = frame.attrs.get("renamed", {})  # a metadata column named like a coordinate
        return renamed.get(wanted, wanted)

    def draw(self) -> None:
        """Show ``state.projection`` through the backend that fits it (see ``backend``).

        One widget per backend for the panel's life, updated in place: a new FigureWidget costs the
        browser 2-3 s (it loads plotly's widget code again), a new jupyter-scatter widget its 2 MB
        module, and replaced ones would linger as orphan models.
        """
        proj = self.state.projection
        if proj is None:
            return
        with self.state.guard("drawing the map"):
            prepared, self._prepared = self._prepared, None
            if prepared is not None and prepared[0] is proj and prepared[1] == self.colour.value:
                name, frame, fig = prepared[2:]
            else:
                name, frame, fig = self._build(proj, self.colour.value)
            for other, backend in self._backends.items():
                if other != name:
                    backend.clear_selection()
            self._backends[name].show(fig, dim=proj.dim)
            self.backend_name = name
            self.plot.children = [self._boxes[name]]
            self._frame = frame
            self.quality.value = self._quality_text(proj, name, self.backend)
            self._draw_overlays()

    def _build(self, proj, colour_value: str):
        """The backend, table and figure for ``proj`` coloured by ``colour_value`` (nothing is shown yet)."""
        frame = proj.frame
        clustered = False
        if colour_value == CLUSTERS:
            found = clusters_of(proj.embeddings)
            colour, clustered = (cluster_column_name(frame), True) if found is not None else (None, False)
            if found is not None:
                frame = frame.copy()
                frame[colour] = found.column()
        else:
            colour = self._colour_column(frame, colour_value)
        if colour is not None and colour not in frame:
            colour = None  # a quality colour on a map without quality scores
        hover = [c for c in ("item", "text", "category") if c in frame and c not in ("label", colour)
                 and not frame[c].astype(str).equals(frame["label"])][:2]
        name = choose_backend(self.backend, len(frame), proj.dim)
        fig = self._backends[name].build(frame, colour=colour, hover=hover, dim=proj.dim, height=self.height,
                                         width=self.width, cluster_labels=clustered)
        return name, frame, fig

    @staticmethod
    def _quality_text(proj, name: str = "plotly", asked: str = "auto") -> str:
        cache = " · from cache" if proj.from_cache else ""
        if name == "scatter":
            cache += " · drawn with jupyter-scatter (WebGL): lasso tool on its left"
        elif asked == "scatter":
            cache += " · 3-D maps are drawn with plotly"
        if proj.method == "placed":
            return (f"<small>{len(proj.coords):,} points placed on the previous map (no new layout computed); "
                    "pick PCA/UMAP/t-SNE for a fresh map</small>")
        if proj.quality is None:
            return f"<small>{proj.method.upper()} {proj.dim}D · {len(proj.coords):,} points{cache}</small>"
        q = proj.quality
        if not np.isfinite(q.trustworthiness):
            return (f"<small>{proj.method.upper()} {proj.dim}D · {len(proj.coords):,} points · map quality undefined: "
                    f"every vector is all zeros, so there are no cosine neighbours to keep{cache}</small>")
        return (f"<small>{proj.method.upper()} {proj.dim}D · {len(proj.coords):,} points · "
                f"<b>trustworthiness {q.trustworthiness:.3f}</b> · k-NN recall {q.knn_recall:.3f} "
                f"(k={q.k}, {q.sampled:,} points measured){cache}</small>")

    def _draw_overlays(self) -> None:
        """Update the highlight, typed-query and arrow layers in place (the points stay)."""
        proj = self.state.projection
        if self.backend_name is None or proj is None:
            return
        with self.state.guard("highlighting points"):
            n = len(self._frame)
            self._backends[self.backend_name].draw_overlays(
                self._frame, dim=proj.dim, rows=[r for r in self.state.highlight if 0 <= r < n],
                query_rows=self.state.query_rows,
                points=[p for p in self.state.query_points if len(p.get("coords", ())) == proj.dim],
                arrows=[(a, b) for a, b in self.state.arrows if 0 <= a < n and 0 <= b < n])

    # ------------------------------------------------------------------ events from the browser
    def _on_click(self, trace, points, selector) -> None:
        """A click on a plotly trace (plotly's ``on_click`` signature)."""
        self._backends["plotly"].on_click(trace, points, selector)

    def _on_selection(self, trace, points, selector) -> None:
        """A box or lasso selection on a plotly trace (plotly's ``on_selection`` signature)."""
        self._backends["plotly"].on_selection(trace, points, selector)

    def _clicked(self, row: int) -> None:
        """Either backend: the point in ``row`` was clicked; ask about it."""
        with self.state.guard("reading the clicked point"):
            label = self._frame["label"].iloc[row]
            if self.state.query == label:
                self.state.query = ""  # clicking the same point again asks again
            self.state.query = label

    def _selection_frame(self, rows: list[int]) -> pd.DataFrame:
        """What ``state.frame_of(rows)`` gives (row, label, metadata), in time linear in the rows.

        ``frame_of`` reads ``emb.labels`` (a copy of every label) once per row: minutes for a
        100,000-point lasso on a 200,000-point map; here the labels are read once.
        """
        emb = self.state.embeddings
        labels = np.asarray(emb.labels, dtype=object)[np.asarray(rows, dtype=np.int64)].tolist()
        meta = emb.meta.iloc[rows].reset_index(drop=True)
        return pd.concat([pd.DataFrame({"row": rows, "label": labels}), meta], axis=1)

    def _selected_rows(self, rows: list[int]) -> None:
        """Either backend: ``rows`` are selected (empty: the selection was cleared)."""
        with self.state.guard("reading the selection"):
            rows = [r for r in rows if 0 <= r < len(self._frame)]  # a late message about an older map
            self.state.selection = self._selection_frame(rows)
            self.selected.value = _html.items_grid(self.state.render_items(rows[:MAX_SHOWN_ITEMS]), len(rows))
            said = (f"Selected {len(rows):,} points: read them in Python as app.selection." if rows else
                    "Nothing selected: drag a box or lasso around some points.")
            # A drag sends a selection per mouse move: it rewrites its own newest message, not the history.
            newest = self.state.history[0]["text"] if self.state.history else None
            self.state.report(said, "info", replace=newest is not None and newest == getattr(self, "_said", None))
            self._said = said

"""Projection panel: the map. PCA at once, UMAP / t-SNE as a job with progress and Cancel, 2-D or 3-D.

Clicking a point sets ``state.query``; a box or lasso selection puts the selected rows into
``state.selection``; ``state.highlight``, ``state.query_points`` and ``state.arrows`` are drawn on
top. Traces are found by their role (``figures.role``), never by position.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import pandas as pd

from .. import figures
from . import _html
from ..core.projection import cached_projection, project
from ..core.validation import MIN_MAP_POINTS, check_map_size, check_number
from ._figure import show_figure
from .job_bar import JobBar
from .state import State

__all__ = ["ProjectionPanel"]

QUALITY_COLOURS = {"map quality: k-NN recall": "quality_knn_recall",
                   "map quality: trustworthiness": "quality_trustworthiness"}
NO_COLOUR = "(one colour)"
MAX_CATEGORY_LEVELS = 60  # a text column with more distinct values is not offered for colouring
MAX_SHOWN_ITEMS = 40  # selected items shown under the map (all of them are in state.selection)


def _colourable(column: pd.Series) -> bool:
    """Numbers, or text with few distinct values (cells that cannot be hashed, such as lists, never)."""
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_complex_dtype(column):
        return True
    try:
        return column.nunique() <= MAX_CATEGORY_LEVELS
    except TypeError:
        return False


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
        Metadata column to colour by (default: the first categorical column).
    height, width : int
        Size of the map in pixels (plotly widgets do not resize with their container).
    """

    def __init__(self, state: State, *, method: str = "umap", dim: int = 2, colour: str | None = None,
                 height: int = 560, width: int = 640):
        check_map_options("ProjectionPanel", method, dim, height, width)
        self.state = state
        self.height, self.width = height, width
        self._wanted_colour = colour
        self.method = widgets.ToggleButtons(options=[("PCA", "pca"), ("UMAP", "umap"), ("t-SNE", "tsne")],
                                            value=method, style={"button_width": "70px"}).add_class("wb-method")
        self.dim = widgets.ToggleButtons(options=[("2D", 2), ("3D", 3)], value=dim,
                                         style={"button_width": "48px"}).add_class("wb-dim")
        self.colour = widgets.Dropdown(options=[NO_COLOUR], value=NO_COLOUR, description="Colour",
                                       style={"description_width": "50px"}).add_class("wb-colour")
        self.job = JobBar(state, width="140px")
        self.quality = widgets.HTML().add_class("wb-quality")
        self.plot = widgets.Box(layout={"min_height": f"{height}px", "width": f"{width}px"}).add_class("wb-map")
        self.selected = widgets.HTML(layout={"width": f"{width}px"}).add_class("wb-selected")
        self.figure = None
        self._selected: dict[int, list[int]] = {}
        super().__init__([widgets.HBox([self.method, self.dim, self.colour]), self.job, self.quality, self.plot,
                          self.selected])
        self.method.observe(self._recompute, names="value")
        self.dim.observe(self._recompute, names="value")
        self._filling = False
        self.colour.observe(lambda _: None if self._filling else self.draw(), names="value")
        self._prepared = None  # (projection, colour, frame, figure) built by _check, drawn by draw()
        state.checks.append(self._check)
        state.observe(self._on_embeddings, names="embeddings")
        state.observe(lambda _: self.draw(), names="projection")
        state.observe(lambda _: self._draw_overlays(), names=["highlight", "query_rows", "arrows", "query_points"])
        if state.embeddings is not None:
            self._on_embeddings()

    # ------------------------------------------------------------------ computing maps
    def _on_embeddings(self, change=None) -> None:
        emb = self.state.embeddings
        if emb is None:
            return
        self._fill_colours(emb)
        self.state.highlight, self.state.query_rows, self.state.arrows, self.state.query_points = [], [], [], []
        self.state.selection, self.selected.value = None, ""
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
        frame, fig = self._build(proj, wanted)
        self._prepared = (proj, wanted, frame, fig)

    # ------------------------------------------------------------------ drawing
    def _colour_choices(self, emb) -> tuple[list[str], str]:
        meta = emb.meta
        usable = [c for c in meta.columns if _colourable(meta[c])]
        options = [NO_COLOUR, *usable, *QUALITY_COLOURS]
        wanted = self._wanted_colour if self._wanted_colour in usable else next(
            (c for c in usable if not pd.api.types.is_numeric_dtype(meta[c])), NO_COLOUR)
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
        """Show ``state.projection``: traces and layout are replaced inside one FigureWidget.

        One widget for the panel's life: a new FigureWidget costs the browser 2-3 s (it loads
        plotly's widget code again), and replaced ones would linger as orphan models.
        """
        proj = self.state.projection
        if proj is None:
            return
        with self.state.guard("drawing the map"):
            prepared, self._prepared = self._prepared, None
            if prepared is not None and prepared[0] is proj and prepared[1] == self.colour.value:
                frame, fig = prepared[2], prepared[3]
            else:
                frame, fig = self._build(proj, self.colour.value)
            self.figure = show_figure(self.plot, self.figure, fig)
            self._selected = {}
            for trace in self.figure.data:
                if figures.role(trace) in (figures.ROLE_POINTS, figures.ROLE_HIGHLIGHT):
                    trace.on_click(self._on_click)
                if proj.dim == 2 and figures.role(trace) == figures.ROLE_POINTS:
                    trace.on_selection(self._on_selection)
            self._frame = frame
            self.quality.value = self._quality_text(proj)
            self._draw_overlays()

    def _build(self, proj, colour_value: str):
        """The map's table and figure for ``proj`` coloured by ``colour_value`` (nothing is shown yet)."""
        frame = proj.frame
        colour = self._colour_column(frame, colour_value)
        if colour is not None and colour not in frame:
            colour = None  # a quality colour on a map without quality scores
        hover = [c for c in ("item", "text", "category") if c in frame and c not in ("label", colour)
                 and not frame[c].astype(str).equals(frame["label"])][:2]
        fig = figures.scatter_map(frame, colour=colour, hover_columns=hover, dim=proj.dim, height=self.height,
                                  width=self.width)
        fig.update_layout(modebar={"remove": ["sendDataToCloud"]})
        return frame, fig

    @staticmethod
    def _quality_text(proj) -> str:
        cache = " · from cache" if proj.from_cache else ""
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

    def _traces(self, wanted: str) -> list[int]:
        return [i for i, t in enumerate(self.figure.data) if figures.role(t) == wanted]

    def _draw_overlays(self) -> None:
        """Update the highlight, typed-query and arrow layers in place (the points stay)."""
        fig, proj = self.figure, self.state.projection
        if fig is None or proj is None:
            return
        with self.state.guard("highlighting points"):
            n = len(self._frame)
            rows = [r for r in self.state.highlight if 0 <= r < n]
            overlay = figures.highlight_trace(self._frame, rows, dim=proj.dim, query_rows=self.state.query_rows)
            points = [p for p in self.state.query_points if len(p.get("coords", ())) == proj.dim]
            typed = figures.query_trace(points, dim=proj.dim)
            arrows = [(a, b) for a, b in self.state.arrows if 0 <= a < n and 0 <= b < n]
            with fig.batch_update():
                for i in self._traces(figures.ROLE_HIGHLIGHT):
                    fig.data[i].update(overlay.to_plotly_json())
                for i in self._traces(figures.ROLE_QUERY):
                    fig.data[i].update(typed.to_plotly_json())
                if self._traces(figures.ROLE_ARROW):
                    fig.data = [t for t in fig.data if figures.role(t) != figures.ROLE_ARROW]
                if arrows:
                    fig.add_traces(figures.arrow_traces(self._frame, arrows, dim=proj.dim))

    # ------------------------------------------------------------------ events from the browser
    def _on_click(self, trace, points, _selector) -> None:
        if not points.point_inds:
            return  # plotly calls every trace; only one holds the point
        with self.state.guard("reading the clicked point"):
            row = int(trace.customdata[points.point_inds[0]])
            label = self._frame["label"].iloc[row]
            if self.state.query == label:
                self.state.query = ""  # clicking the same point again asks again
            self.state.query = label

    def _on_selection(self, trace, points, _selector) -> None:
        with self.state.guard("reading the selection"):
            index = list(self.figure.data).index(trace) if trace in self.figure.data else -1
            if index < 0 or figures.role(trace) != figures.ROLE_POINTS:
                return  # the highlight trace and arrows are not data
            self._selected[index] = [int(trace.customdata[i]) for i in points.point_inds]
            rows = sorted({r for part in self._selected.values() for r in part})
            self.state.selection = self.state.frame_of(rows)
            self.selected.value = _html.items_grid(self.state.render_items(rows[:MAX_SHOWN_ITEMS]), len(rows))
            if rows:
                self.state.report(f"Selected {len(rows):,} points: read them in Python as app.selection.", "info")
            else:
                self.state.report("Nothing selected: drag a box or lasso around some points.", "info")

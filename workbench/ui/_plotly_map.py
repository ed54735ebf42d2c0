"""The plotly backend of the map panel: one ``FigureWidget`` for the panel's life, 2-D and 3-D.

Every point carries its row number in ``customdata`` (``figures.scatter_map``); clicks and box or
lasso selections are turned into row numbers and handed to the panel. The highlight, typed-query
and arrow layers are traces found by their role and updated in place.
"""

from __future__ import annotations

import contextlib

import pandas as pd

from .. import figures
from ._figure import show_figure

__all__ = ["PlotlyMap"]


@contextlib.contextmanager
def _unguarded(_action: str):
    yield


def _legend_below(fig, names: pd.Series, width: int, height: int) -> None:
    """Cluster names are written on the map; their legend goes in rows under it, so the map keeps its
    whole width (a legend of long names beside a 560-px map takes half of it). The figure grows by the
    legend's height: the plot area stays the size the label layout assumed."""
    shown = [str(n) for n in pd.unique(names.astype(str))][: figures.MAX_CATEGORIES]
    longest = max((len(n) for n in shown), default=10)
    per_row = max(1, int((width - 20) // (7 * longest + 40)))
    extra = 22 * -(-len(shown) // per_row) + 12
    fig.update_layout(height=height + extra, margin={**fig.layout.margin.to_plotly_json(), "b": 10 + extra},
                      legend={"orientation": "h", "yanchor": "top", "y": -0.01, "x": 0, "font": {"size": 11},
                              "title": {"text": ""}})


class PlotlyMap:
    """Draws a map frame with plotly in ``box``; reports clicked and selected rows to the panel.

    Parameters
    ----------
    box : ipywidgets.Box
        Where the figure is shown.
    on_click : callable
        ``on_click(row)`` with the clicked point's row number.
    on_select : callable
        ``on_select(rows)`` with every selected row number (sorted; empty when the selection is cleared).
    guard : callable, optional
        ``guard(action)``, a context manager that turns errors into a status message (``State.guard``).

    Examples
    --------
    >>> import ipywidgets
    >>> frame = pd.DataFrame({"x": [0.0, 1.0, 2.0], "y": [1.0, 0.0, 1.0], "label": ["a", "b", "c"]})
    >>> backend = PlotlyMap(ipywidgets.Box(), on_click=print, on_select=print)
    >>> backend.show(backend.build(frame, colour=None, hover=[], dim=2, height=300, width=300), dim=2)
    >>> backend.figure.data[0].customdata.tolist()
    [0, 1, 2]
    """

    name = "plotly"

    def __init__(self, box, *, on_click, on_select, guard=None):
        self.box, self._on_click_row, self._on_select_rows = box, on_click, on_select
        self._guard = guard or _unguarded  # errors in browser events become a status message, not a traceback
        self.figure = None
        self._selected: dict[int, list[int]] = {}
        self._outlined = False  # a box or lasso was drawn in the browser since the last clear

    @property
    def widget(self):
        return self.figure

    def build(self, frame: pd.DataFrame, *, colour, hover, dim: int, height: int, width: int,
              cluster_labels: bool = False):
        """The plotly figure of ``frame`` (nothing is shown yet): raises if it cannot be drawn.

        2-D maps get explicit axis ranges (plotly's own autorange, computed here): labels of
        highlighted points are laid out in pixels, so the kernel must know the view the browser shows.
        """
        fig = figures.scatter_map(frame, colour=colour, hover_columns=hover, dim=dim, height=height, width=width,
                                  cluster_labels=cluster_labels, highlight_labels=True)
        if dim == 2 and len(frame):
            (x0, x1), (y0, y1) = figures._default_ranges(frame)
            fig.update_layout(xaxis_range=[x0, x1], yaxis_range=[y0, y1])
        if cluster_labels and dim == 2:
            _legend_below(fig, frame[colour], width, height)
        self._size = (width, height)
        return fig

    def show(self, fig, *, dim: int) -> None:
        """Replace the traces and layout of the one FigureWidget by ``fig``'s; the old selection goes."""
        self.figure = show_figure(self.box, self.figure, fig)
        self._selected = {}
        self.clear_selection()
        for trace in self.figure.data:
            if figures.role(trace) in (figures.ROLE_POINTS, figures.ROLE_HIGHLIGHT):
                trace.on_click(self.on_click)
            if dim == 2 and figures.role(trace) == figures.ROLE_POINTS:
                trace.on_selection(self.on_selection)

    def clear_selection(self) -> None:
        """Forget the selection, and remove the lasso or box outline plotly.js keeps in ``layout.selections``.

        The outline lives only in the browser (the kernel's layout never holds it), so replacing
        the layout does not remove it: a relayout to no selections is sent explicitly, and only
        after a selection was made (never to a figure whose view may still be rendering).
        """
        self._selected = {}
        if self.figure is not None and self._outlined:
            self.figure._send_relayout_msg({"selections": []})
        self._outlined = False

    def _traces(self, wanted: str) -> list[int]:
        return [i for i, t in enumerate(self.figure.data) if figures.role(t) == wanted]

    def draw_overlays(self, frame: pd.DataFrame, *, dim: int, rows, query_rows, points, arrows) -> None:
        """Update the highlight, typed-query and arrow layers in place (the points stay)."""
        fig = self.figure
        if fig is None:
            return
        width, height = getattr(self, "_size", (None, 560))
        notes = [a for a in fig.layout.annotations if figures.role(a) != figures.ROLE_ARROW]
        ranges = None
        if dim == 2 and fig.layout.xaxis.range is not None and fig.layout.yaxis.range is not None:
            ranges = (tuple(fig.layout.xaxis.range), tuple(fig.layout.yaxis.range))  # the view shown (zoom included)
        layers = figures.highlight_label_traces(
            frame, rows, dim=dim, query_rows=query_rows, width=width, height=height, ranges=ranges, arrows=arrows,
            avoid=[a for a in notes if figures.role(a) == figures.ROLE_CLUSTER_LABELS])
        typed = figures.query_trace(points, dim=dim)
        with fig.batch_update():
            for layer in [*layers, typed]:
                for i in self._traces(figures.role(layer)):
                    fig.data[i].update(layer.to_plotly_json())
            if self._traces(figures.ROLE_ARROW):
                fig.data = [t for t in fig.data if figures.role(t) != figures.ROLE_ARROW]
            if dim == 2:  # annotations: drawn above the WebGL points, unlike an SVG trace
                fig.layout.annotations = notes + figures.arrow_annotations(frame, arrows, labels=False)
            elif arrows:
                fig.add_traces(figures.arrow_traces(frame, arrows, dim=dim))

    # ------------------------------------------------------------------ events from the browser
    def on_click(self, trace, points, _selector) -> None:
        if not points.point_inds:
            return  # plotly calls every trace; only one holds the point
        with self._guard("reading the clicked point"):
            self._on_click_row(int(trace.customdata[points.point_inds[0]]))

    def on_selection(self, trace, points, _selector) -> None:
        with self._guard("reading the selection"):
            index = list(self.figure.data).index(trace) if trace in self.figure.data else -1
            if index < 0 or figures.role(trace) != figures.ROLE_POINTS:
                return  # the highlight trace and arrows are not data
            self._outlined = True
            self._selected[index] = [int(trace.customdata[i]) for i in points.point_inds]
            self._on_select_rows(sorted({r for part in self._selected.values() for r in part}))

"""The jupyter-scatter backend of the map panel: WebGL (regl-scatterplot) for large 2-D maps.

Plotly stops being interactive near 100,000 points; jupyter-scatter draws millions in software
WebGL (SwiftShader) because it sends the coordinates once as a binary float32 array and draws
them with one shader. Only the points (x, y and the colour value per point, 24 bytes each) go to
the browser: the table stays in the kernel and hover text is fetched from it by row number
(``JupyterScatter._handle_tooltip`` answers each hover with the row's label and columns).

What it cannot draw is text on the map, so the highlight layers become line annotations in data
coordinates (they pan and zoom with the points): a red box around each highlighted row, a double
box around query rows, a gold cross for each typed query, a line with an arrow head for each
analogy pair; the highlighted labels are listed under the map. 3-D maps stay with plotly.

One ``Scatter`` and one widget for the panel's life: a new widget costs the browser another
copy of jupyter-scatter's 2 MB module (anywidget imports each model's code afresh).
"""

from __future__ import annotations

import contextlib
import html

import ipywidgets as widgets
import numpy as np
import pandas as pd

from .. import figures

__all__ = ["ScatterMap", "scatter_frame"]


@contextlib.contextmanager
def _unguarded(_action: str):
    yield


HIGHLIGHT_COLOUR, QUERY_COLOUR = "#d62728", "#b8860b"
MARK = 0.012  # half the side of a highlight box, as a fraction of the map's larger span
MAX_LISTED = 20  # highlighted labels listed under the map


def _point_size(n: int) -> float:
    return 4.0 if n < 100_000 else 3.0 if n < 500_000 else 2.0


def scatter_frame(frame: pd.DataFrame, colour: str | None, hover=()) -> tuple[pd.DataFrame, dict]:
    """The columns jupyter-scatter needs from a map frame, and how to colour them.

    Categories follow ``figures.scatter_map``: the commonest ``figures.MAX_CATEGORIES - 1`` keep
    their palette colour, the rest are pooled as "other"; floats, and integers with many distinct
    values, get a viridis scale (missing numbers take the lowest value, as in plotly).

    Examples
    --------
    >>> frame = pd.DataFrame({"x": [0.0, 1.0], "y": [1.0, 0.0], "label": ["a", "b"], "kind": ["u", "v"]})
    >>> data, style = scatter_frame(frame, "kind")
    >>> list(data.columns), style["kind"], list(style["map"])
    (['x', 'y', 'label', 'kind'], 'category', ['u', 'v'])
    """
    columns = ["x", "y", "label", *[c for c in hover if c not in ("x", "y", "label", colour)]]
    data = pd.DataFrame({c: frame[c].to_numpy() for c in columns})
    data["label"] = data["label"].astype(str)
    for c in columns[3:]:
        data[c] = frame[c].astype(str).to_numpy()
    if colour is None or colour not in frame:
        return data, {"kind": None, "by": None, "map": None}
    values = frame[colour]
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values) and (
            pd.api.types.is_float_dtype(values) or values.nunique() > figures.MAX_CATEGORIES):
        numbers = values.to_numpy(dtype=float)
        low = np.nanmin(numbers) if np.isfinite(numbers).any() else 0.0
        data[colour] = np.where(np.isfinite(numbers), numbers, low)
        return data, {"kind": "number", "by": colour, "map": "viridis"}
    categories = values.astype("string").fillna("(missing)")
    top = list(categories.value_counts().index[: figures.MAX_CATEGORIES - 1])
    categories = categories.where(categories.isin(top), "other")
    order = top + (["other"] if (categories == "other").any() else [])
    data[colour] = pd.Categorical(categories.to_numpy(dtype=object), categories=order)
    palette = {c: figures.PALETTE[i % len(figures.PALETTE)] for i, c in enumerate(order)}
    return data, {"kind": "category", "by": colour, "map": palette}


class ScatterMap:
    """Draws a 2-D map frame with jupyter-scatter in ``box``; reports clicked and selected rows.

    A click selects one point in jupyter-scatter; it is reported as a click (``on_click(row)``)
    and as a one-row selection. A lasso (the lasso tool of its toolbar) reports every row.

    Examples
    --------
    >>> box = widgets.Box()
    >>> frame = pd.DataFrame({"x": [0.0, 1.0, 2.0], "y": [1.0, 0.0, 1.0], "label": ["a", "b", "c"]})
    >>> backend = ScatterMap(box, on_click=print, on_select=print)
    >>> backend.show(backend.build(frame, colour=None, hover=[], dim=2, height=300, width=300), dim=2)
    >>> backend.widget.points.shape[0]
    3
    """

    name = "scatter"

    def __init__(self, box, *, on_click, on_select, guard=None):
        self.box, self._on_click_row, self._on_select_rows = box, on_click, on_select
        self._guard = guard or _unguarded  # errors in browser events become a status message, not a traceback
        self.scatter = None
        self.caption = widgets.HTML().add_class("wb-map-caption")
        self._muted = False
        self._span = (0.0, 0.0, 1.0)  # x0, y0, size of the data extent (for highlight boxes)

    @property
    def widget(self):
        return None if self.scatter is None else self.scatter.widget

    def build(self, frame: pd.DataFrame, *, colour, hover, dim: int, height: int, width: int,
              cluster_labels: bool = False):
        """The table and colour settings jupyter-scatter gets (nothing is shown yet; it writes no text on the
        map, so cluster names are in its legend only)."""
        if dim != 2:
            raise ValueError("the scatter backend draws 2-D maps; 3-D maps are drawn with plotly")
        data, style = scatter_frame(frame, colour, hover)
        return {"data": data, "style": style, "hover": [c for c in data.columns[3:] if c != style["by"]],
                "height": height, "width": width}

    def show(self, prepared, *, dim: int) -> None:
        """Show ``prepared`` in the one widget (made on first use); the old selection and highlights go."""
        import jscatter

        data, style = prepared["data"], prepared["style"]
        xs, ys = data["x"].to_numpy(dtype=float), data["y"].to_numpy(dtype=float)
        if len(data):
            self._span = (float(xs.min()), float(ys.min()),
                          float(max(np.ptp(xs), np.ptp(ys))) or 1.0)
        properties = (["color"] if style["by"] else []) + prepared["hover"]
        colour = {"color_by": style["by"], "color_map": style["map"]} if style["by"] else {}
        fresh = jscatter.Scatter(
            data=data, x="x", y="y", width=prepared["width"], height=prepared["height"], color=figures.PALETTE[0],
            size=_point_size(len(data)), axes=False, legend=bool(style["by"]), legend_position="top-right",
            tooltip=True, tooltip_properties=properties, tooltip_preview="label", tooltip_histograms=False,
            **colour)
        if self.scatter is None:
            fresh.widget.observe(self._on_widget_selection, names="selection")
            fresh.show(["pan_zoom", "lasso", "divider", "reset"])
        else:
            widget = self.scatter.widget
            traits = _widget_traits(fresh)
            with widget.hold_sync(), self._mute():
                widget.data, widget.label_placement = data, None
                widget.transition_points = False
                for name, value in traits.items():
                    setattr(widget, name, value)
            fresh._widget = widget  # the new description now drives the one widget
            widget.reset_view()  # show the whole new map (the person may have zoomed into the old one)
        self.scatter = fresh
        self.caption.value = ""
        self.box.children = [self.scatter.widget, self.caption]

    def clear_selection(self) -> None:
        if self.scatter is not None:
            with self._mute():
                self.scatter.selection(None)

    @contextlib.contextmanager
    def _mute(self):
        """Changes made from the kernel are not reported back as a person's selection."""
        self._muted = True
        try:
            yield
        finally:
            self._muted = False

    # ------------------------------------------------------------------ highlights
    def _box(self, x: float, y: float, half: float, colour: str, width: int = 2):
        from jscatter import Rect

        return Rect(x_start=x - half, x_end=x + half, y_start=y - half, y_end=y + half, line_color=colour,
                    line_width=width)

    def draw_overlays(self, frame: pd.DataFrame, *, dim: int, rows, query_rows, points, arrows) -> None:
        """Boxes, crosses and arrows as annotations; the highlighted labels listed in the caption."""
        if self.scatter is None:
            return
        from jscatter import Line

        half = MARK * self._span[2]
        xs, ys = frame["x"].to_numpy(dtype=float), frame["y"].to_numpy(dtype=float)
        query = set(query_rows)
        marks = []
        for r in rows:
            marks.append(self._box(xs[r], ys[r], half, HIGHLIGHT_COLOUR))
            if r in query:
                marks.append(self._box(xs[r], ys[r], 1.6 * half, HIGHLIGHT_COLOUR))
        for p in points:
            x, y = (float(v) for v in p["coords"][:2])
            marks += [Line([(x - 1.5 * half, y - 1.5 * half), (x + 1.5 * half, y + 1.5 * half)], QUERY_COLOUR, 3),
                      Line([(x - 1.5 * half, y + 1.5 * half), (x + 1.5 * half, y - 1.5 * half)], QUERY_COLOUR, 3)]
        for i, (a, b) in enumerate(arrows):
            marks += _arrow((xs[a], ys[a]), (xs[b], ys[b]), 2 * half, figures.PALETTE[(i + 1) % len(figures.PALETTE)])
        self.scatter.annotations(marks or None)
        labels = frame["label"].to_numpy()
        named = [f"<b>{html.escape(str(labels[r]))}</b>" if r in query else html.escape(str(labels[r]))
                 for r in rows[:MAX_LISTED]]
        named += [f"“{html.escape(str(p['label']))}”" for p in points]
        more = f" and {len(rows) - MAX_LISTED} more" if len(rows) > MAX_LISTED else ""
        self.caption.value = (f"<small>Marked on the map (red boxes{', gold crosses: typed queries' if points else ''}"
                              f"): {', '.join(named)}{more}</small>") if named else ""

    # ------------------------------------------------------------------ events from the browser
    def _on_widget_selection(self, change) -> None:
        if self._muted:
            return
        with self._guard("reading the selection"):
            new = change["new"]
            rows = sorted(int(r) for r in (() if new is None else new))
            self._on_select_rows(rows)
            if len(rows) == 1:
                self._on_click_row(rows[0])


def _widget_traits(scatter) -> dict:
    """The traits ``scatter.widget`` would be created with, without creating a widget.

    ``Scatter.widget`` turns the scatter's settings into ``JupyterScatter(**traits)``; jupyter-
    scatter has no call that applies a whole new description to an existing widget (and updating
    colour, data and legend one call at a time fails when the colour column changes kind), so the
    constructor is swapped for one that records its arguments while the property runs.
    """
    from jscatter import jscatter as module

    traits: dict = {}

    def record(data=None, label_placement=None, **kwargs):
        traits.update(kwargs)
        return None

    real = module.JupyterScatter
    module.JupyterScatter = record
    try:
        scatter.widget
    finally:
        module.JupyterScatter = real
        scatter._widget = None
    return traits


def _arrow(start, end, head: float, colour: str) -> list:
    """A line from ``start`` to ``end`` with a two-stroke head of length ``head`` (data units)."""
    from jscatter import Line

    (x0, y0), (x1, y1) = start, end
    dx, dy = x1 - x0, y1 - y0
    length = float(np.hypot(dx, dy))
    parts = [Line([(x0, y0), (x1, y1)], colour, 3)]
    if length > 0:
        ux, uy = dx / length, dy / length
        for sign in (1, -1):  # two strokes at +-25 degrees from the shaft
            c, s = np.cos(np.radians(25)), sign * np.sin(np.radians(25))
            hx, hy = -(ux * c - uy * s), -(ux * s + uy * c)
            parts.append(Line([(x1, y1), (x1 + head * hx, y1 + head * hy)], colour, 3))
    return parts

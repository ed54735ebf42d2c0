"""What every figure builder shares: the palette, trace roles, escaping, axes, and the plot area.

Every trace says what it is in ``meta["role"]`` (a layout annotation in its ``name``); panels find
layers by role, never by position.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go

PALETTE = ["#636efa", "#EF553B", "#00cc96", "#ab63fa", "#FFA15A", "#19d3f3", "#FF6692", "#B6E880", "#FF97FF",
           "#FECB52", "#1f77b4", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
MAX_CATEGORIES = len(PALETTE)  # beyond this, rare categories are pooled into "other"
HOVER_LIMIT = 200_000  # above this many points, hover shows no text (it would dominate transfer)
HIGHLIGHT = "highlight"  # name of the trace drawn on top for neighbours / analogy terms
# Every trace says what it is in ``meta["role"]``; panels find traces by role, never by position,
# so a category named "highlight" or a new layer (edges, arrows, typed queries) shifts nothing.
ROLE_POINTS, ROLE_HIGHLIGHT, ROLE_QUERY, ROLE_ARROW = "points", "highlight", "query", "arrow"
ROLE_DENSITY, ROLE_CLUSTER_LABELS = "density", "cluster-labels"
ROLE_HIGHLIGHT_LABELS, ROLE_LEADER = "highlight-labels", "leader"
# Plotly draws WebGL traces (the points of a 2-D map) above every SVG trace, so an SVG layer over the
# points would be hidden by them. Layers that must stay readable over the points are therefore WebGL
# traces (highlight markers and labels, leader lines) or layout annotations, which sit above both
# (cluster names and analogy arrows). An annotation's role is its ``name``.
MODEBAR = {"remove": ["sendDataToCloud"]}  # plotly's "share chart" cloud button: never wanted here
PLOT_WIDTH = 600  # assumed plot width (px) when the figure's is not given: a narrow guess keeps labels apart
LABEL_FONT = 13
UNNAMED = ("other", "(missing)", "(zero vector)")  # categories that get no name on the map (the last: Clusters)


def role(trace) -> str | None:
    """The role a figure builder gave ``trace`` (``points``, ``highlight``, ``query``, ``arrow``, ...).

    Traces carry it in ``meta["role"]``; layout annotations (cluster names, arrows) in their ``name``.
    """
    meta = getattr(trace, "meta", None)
    if isinstance(meta, dict):
        return meta.get("role")
    return getattr(trace, "name", None) if isinstance(trace, go.layout.Annotation) else None


def escape(values) -> list[str]:
    """Escape ``&``, ``<`` and ``>`` in each value, so plotly shows tags as text.

    Quotes stay as they are: outside a tag they are harmless, and plotly.js does not decode
    ``&quot;`` (a label ``say "hi"`` would show the entity).
    """
    return [html.escape(str(v), quote=False) for v in values]


def _marker_size(n: int) -> float:
    return 7.0 if n < 2_000 else 5.0 if n < 20_000 else 3.0 if n < 200_000 else 2.0


def _axes(frame: pd.DataFrame, rows: np.ndarray, dim: int) -> dict:
    axes = {"x": frame["x"].to_numpy()[rows], "y": frame["y"].to_numpy()[rows]}
    if dim == 3:
        axes["z"] = frame["z"].to_numpy()[rows]
    return axes


def _trace(dim: int, *, webgl: bool = True, **kwargs):
    if dim == 3:
        return go.Scatter3d(**kwargs)
    return go.Scattergl(**kwargs) if webgl else go.Scatter(**kwargs)


def _hover(frame: pd.DataFrame, rows: np.ndarray, hover_columns) -> dict:
    if len(frame) > HOVER_LIMIT:
        return {"hoverinfo": "none"}
    text = escape(frame["label"].to_numpy()[rows])
    if hover_columns:
        extra = [f"{c}: " for c in escape(hover_columns)]
        cols = [escape(frame[c].to_numpy()[rows]) for c in hover_columns]
        text = ["<br>".join([t, *(p + v[i] for p, v in zip(extra, cols))]) for i, t in enumerate(text)]
    return {"text": text, "hovertemplate": "%{text}<extra></extra>"}


def _default_ranges(frame: pd.DataFrame) -> tuple[tuple[float, float], tuple[float, float]]:
    """The axis ranges plotly's autorange gives a map: the data's extent plus 5 % of the axis each side."""
    out = []
    for axis in ("x", "y"):
        values = frame[axis].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        lo, hi = (float(values.min()), float(values.max())) if len(values) else (-1.0, 1.0)
        span = hi - lo if hi > lo else max(abs(lo), 1.0)
        pad = span * 0.05 / 0.9
        out.append((lo - pad, hi + pad))
    return tuple(out)


def _ranges(ranges, frame: pd.DataFrame):
    """Axis ranges from ``zoom_to``'s dict, a pair of ``(low, high)`` pairs, or the data (None)."""
    if ranges is None:
        return _default_ranges(frame)
    if isinstance(ranges, dict):
        return tuple(tuple(float(v) for v in ranges[f"{a}axis.range"]) for a in ("x", "y"))
    (x0, x1), (y0, y1) = ranges
    return (float(x0), float(x1)), (float(y0), float(y1))


def _plot_area(width, height, *, legend: int = 12, title: bool = False) -> tuple[float, float]:
    """The plot area in pixels of a ``scatter_map`` figure of that size: margins and a legend of names of
    ``legend`` characters taken off (an unknown width is taken as narrow, which keeps labels apart)."""
    legend_px = float(np.clip(60 + 7.2 * legend, 100, 320))
    w = (width - 20 - legend_px) if width else PLOT_WIDTH
    h = (height or 450) - 20 - (30 if title else 0)
    return float(max(w, 50)), float(max(h, 50))

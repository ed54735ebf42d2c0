"""The map: points coloured by a column, cluster names at their medoids, optional density contours."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go


from ._base import (LABEL_FONT, MAX_CATEGORIES, MODEBAR, PALETTE, ROLE_CLUSTER_LABELS, ROLE_DENSITY, ROLE_POINTS,
                    UNNAMED, _axes, _default_ranges, _hover, _marker_size, _plot_area, _trace, escape)
from .overlays import highlight_label_traces, highlight_trace, query_trace


def scatter_map(frame: pd.DataFrame, *, colour: str | None = None, hover_columns=(), dim: int = 2,
                title: str | None = None, height: int = 560, width: int | None = None,
                cluster_labels: bool = False, density: bool = False, highlight_labels: bool = False) -> go.Figure:
    """A map of points: one trace per category of ``colour`` (or a colour scale for numbers).

    Parameters
    ----------
    frame : DataFrame
        ``x``, ``y`` (``z`` for 3-D), ``label`` and any metadata; row order = row numbers.
    colour : str, optional
        Column to colour by: categories get a legend (the commonest ``MAX_CATEGORIES - 1`` are kept,
        the rest pooled as "other"); floats, and integers with many values, get a colour bar.
    hover_columns : sequence of str
        Extra columns shown under the label on hover.
    dim : {2, 3}
        2-D maps use WebGL (``Scattergl``); 3-D maps use ``Scatter3d``.
    cluster_labels : bool
        Write each category's name (``colour`` holding cluster names, e.g. ``Clusters.column()``) over
        its densest part: the medoid of its 2-D points, not the mean, which can fall between two lobes.
        Names are laid out without overlap, bold on a light box, as layout annotations named
        ``"cluster-labels"`` (they stay above the WebGL points). 2-D categorical maps only; else ignored.
    density : bool
        Add faint density contours under the points (a ``Histogram2dContour``, role ``"density"``); 2-D only.
    highlight_labels : bool
        Start with the empty layers of :func:`highlight_label_traces` (roles ``"highlight"``,
        ``"highlight-labels"``, ``"leader"``) instead of :func:`highlight_trace`'s, so a panel can
        update each in place by role with that function's traces.

    Examples
    --------
    >>> frame = pd.DataFrame({"x": [0, 1], "y": [1, 0], "label": ["a", "<b>"], "kind": ["u", "v"]})
    >>> fig = scatter_map(frame, colour="kind")
    >>> [t.name for t in fig.data], fig.data[1].text
    (['u', 'v', 'highlight', 'typed query'], ('&lt;b&gt;',))
    """
    n = len(frame)
    size = _marker_size(n)
    traces, groups = [], []  # groups: (category, rows, colour) of the named categories
    if colour is None or colour not in frame:
        rows = np.arange(n)
        traces.append(_trace(dim, mode="markers", name="points", customdata=rows, meta={"role": ROLE_POINTS},
                             marker={"size": size, "color": PALETTE[0]}, showlegend=False,
                             **_axes(frame, rows, dim), **_hover(frame, rows, hover_columns)))
    elif pd.api.types.is_numeric_dtype(frame[colour]) and not pd.api.types.is_bool_dtype(frame[colour]) and (
            pd.api.types.is_float_dtype(frame[colour]) or frame[colour].nunique() > MAX_CATEGORIES):
        values = frame[colour].to_numpy(dtype=float)
        rows = np.arange(n)
        traces.append(_trace(dim, mode="markers", name=colour, customdata=rows, showlegend=False,
                             meta={"role": ROLE_POINTS},
                             marker={"size": size, "color": np.nan_to_num(values, nan=np.nanmin(values)),
                                     "colorscale": "Viridis", "showscale": True,
                                     "colorbar": {"title": {"text": escape([colour])[0]}, "thickness": 12}},
                             **_axes(frame, rows, dim), **_hover(frame, rows, [colour, *hover_columns])))
    else:
        categories = frame[colour].astype("string").fillna("(missing)")
        top = categories.value_counts().index[: MAX_CATEGORIES - 1]
        categories = categories.where(categories.isin(top), "other")
        order = [c for c in top] + (["other"] if (categories == "other").any() else [])
        for i, category in enumerate(order):
            rows = np.flatnonzero((categories == category).to_numpy())
            traces.append(_trace(dim, mode="markers", name=escape([category])[0], customdata=rows,
                                 meta={"role": ROLE_POINTS},
                                 marker={"size": size, "color": PALETTE[i % len(PALETTE)]},
                                 legendgroup=str(category), **_axes(frame, rows, dim),
                                 **_hover(frame, rows, hover_columns)))
            if category not in UNNAMED:
                groups.append((str(category), rows, PALETTE[i % len(PALETTE)]))
    if density and dim == 2 and n:
        traces.insert(0, _density_trace(frame))
    fig = go.Figure(traces)
    if highlight_labels:  # panels update these in place
        fig.add_traces(highlight_label_traces(frame, [], dim=dim, width=width, height=height))
    else:
        fig.add_trace(highlight_trace(frame, [], dim=dim))
    fig.add_trace(query_trace([], dim=dim))
    layout = dict(height=height, width=width, margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
                  dragmode="lasso" if dim == 2 else "orbit", hovermode="closest", uirevision="map",
                  legend={"itemsizing": "constant", "title": {"text": escape([colour or ""])[0]}},
                  title={"text": escape([title])[0]} if title else None, template="plotly_white",
                  modebar=MODEBAR)
    fig.update_layout(**{k: v for k, v in layout.items() if v is not None})
    if dim == 2:
        fig.update_xaxes(showticklabels=False, title=None, zeroline=False)
        fig.update_yaxes(showticklabels=False, title=None, zeroline=False)
        if cluster_labels and groups:
            fig.update_layout(annotations=_cluster_annotations(frame, groups, width=width, height=height,
                                                               title=bool(title)))
    return fig


DENSITY_SAMPLE = 20_000  # points sent for the density contours: enough for a 40 x 40 grid, never the whole map twice


def _density_trace(frame: pd.DataFrame) -> go.Histogram2dContour:
    """Faint contour lines of point density, drawn under the points (from an evenly spaced sample)."""
    rows = np.linspace(0, len(frame) - 1, min(len(frame), DENSITY_SAMPLE)).astype(int)
    return go.Histogram2dContour(x=frame["x"].to_numpy()[rows], y=frame["y"].to_numpy()[rows], name="density",
                                 meta={"role": ROLE_DENSITY}, ncontours=8, showscale=False, showlegend=False,
                                 contours={"coloring": "lines", "showlabels": False}, line={"width": 0.8},
                                 colorscale=[[0, "rgba(90,90,120,0.25)"], [1, "rgba(60,60,90,0.6)"]],
                                 hoverinfo="skip", nbinsx=40, nbinsy=40)


def _cluster_annotations(frame: pd.DataFrame, groups, *, width, height, title: bool) -> list[dict]:
    """One bold name per category at its medoid, moved off the others' names when they would collide."""
    from ..core.clusters import medoid
    from ..core.label_layout import label_sizes, place_labels, to_data, to_pixels

    names = [name for name, _, _ in groups]
    xy = np.column_stack([frame["x"].to_numpy(dtype=float), frame["y"].to_numpy(dtype=float)])
    centres = np.array([medoid(xy[rows]) for _, rows, _ in groups])
    ranges = _default_ranges(frame)
    area = _plot_area(width, height, legend=max(len(n) for n in names), title=title)
    sizes = label_sizes(names, font_size=LABEL_FONT) * [1.1, 1.0] + 8  # bold text, box padding
    placed = place_labels(to_pixels(centres, ranges, area), sizes, width=area[0], height=area[1], on_anchor=True)
    at = to_data(placed, ranges, area)
    return [{"x": float(x), "y": float(y), "xref": "x", "yref": "y", "text": f"<b>{text}</b>", "showarrow": False,
             "name": ROLE_CLUSTER_LABELS, "font": {"size": LABEL_FONT, "color": "#222"},
             "bgcolor": "rgba(255,255,255,0.72)", "bordercolor": colour, "borderwidth": 1.5, "borderpad": 2}
            for (x, y), text, (_, _, colour) in zip(at, escape(names), groups)]


# ----------------------------------------------------------------------------- pixels and data

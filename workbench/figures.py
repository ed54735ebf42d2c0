"""Pure figure builders: data in, ``plotly.graph_objects.Figure`` out. No widgets, no computation.

Each function takes a DataFrame (or arrays) plus column names and returns a figure, so it can be
tested through ``fig.to_dict()`` and reused outside the app. Every point carries its row number in
``customdata``, which is how clicks and selections find their way back to the data. Text from
datasets is HTML-escaped: plotly renders a subset of HTML in hover labels, and a label such as
``<b>`` or ``<script>`` must show as itself.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go

__all__ = ["scatter_map", "highlight_trace", "highlight_label_traces", "query_trace", "arrow_traces",
           "arrow_annotations", "zoom_to", "similarity_heatmap", "section_accuracy_bars", "loss_curve", "role",
           "PALETTE", "escape"]

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
    from .core.clusters import medoid
    from .core.label_layout import label_sizes, place_labels, to_data, to_pixels

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


def highlight_trace(frame: pd.DataFrame, rows, *, dim: int = 2, query_rows=()) -> go.BaseTraceType:
    """Labelled, enlarged markers for ``rows`` (neighbours, analogy terms); ``query_rows`` as stars."""
    rows = np.asarray(list(rows), dtype=np.int64)
    is_query = np.isin(rows, np.asarray(list(query_rows), dtype=np.int64))
    symbol = np.where(is_query, "diamond" if dim == 3 else "star", "circle").tolist()
    labels = escape(frame["label"].to_numpy()[rows]) if len(rows) else []
    return _trace(dim, webgl=False, mode="markers+text", name=HIGHLIGHT, customdata=rows, showlegend=False,
                  meta={"role": ROLE_HIGHLIGHT},
                  text=labels, textposition="top center", hovertemplate="%{text}<extra></extra>",
                  textfont={"size": 13, "color": "#111"},
                  marker={"size": 12 if dim == 2 else 6, "color": "rgba(255,255,255,0.6)", "symbol": symbol,
                          "line": {"width": 2, "color": "#d62728"}},
                  **_axes(frame, rows, dim))


def highlight_label_traces(frame: pd.DataFrame, rows, *, dim: int = 2, query_rows=(), width: int | None = None,
                           height: int = 560, ranges=None, arrows=(), avoid=()) -> list[go.BaseTraceType]:
    """Highlighted points with labels that never overlap: markers, moved labels and thin leader lines.

    The labels are laid out in pixels (:func:`workbench.core.label_layout.place_labels`): none covers
    another label or any highlighted marker, and a label pushed away from its point gets a leader line.
    All three are WebGL traces in 2-D, so they stay above the map's points.

    Parameters
    ----------
    frame : DataFrame
        The map's frame (``x``, ``y``, ``label``).
    rows : sequence of int
        Rows to highlight, most important first (it gets the best spot): the query, then its neighbours.
    query_rows : sequence of int
        Rows drawn as stars.
    width, height : int, optional
        The figure's size, as given to :func:`scatter_map` (an unknown width is taken as narrow).
    ranges : dict or pair of pairs, optional
        The axis ranges shown, e.g. :func:`zoom_to`'s answer; by default the whole map's autorange.
    arrows : sequence of (int, int)
        The ``(from_row, to_row)`` pairs drawn by :func:`arrow_annotations`: labels keep off them too.
    avoid : sequence of annotations
        Text annotations already on the map, such as the cluster names of ``fig.layout.annotations``:
        labels keep off their boxes (annotations are drawn above every trace and would hide them).

    Returns
    -------
    list of traces
        Roles ``"highlight"`` (markers, clickable, rows in ``customdata``), ``"highlight-labels"``
        and ``"leader"``. In 3-D the camera moves, so the labels stay plotly's own (on the markers).

    Examples
    --------
    >>> frame = pd.DataFrame({"x": [0.0, 0.01, 5.0], "y": [0.0, 0.0, 5.0], "label": ["king", "queen", "car"]})
    >>> [role(t) for t in highlight_label_traces(frame, [0, 1], query_rows=[0])]
    ['highlight', 'highlight-labels', 'leader']
    """
    from .core.label_layout import label_boxes, label_sizes, place_labels, to_data, to_pixels

    rows = np.asarray(list(rows), dtype=np.int64)
    if dim == 3:
        return [highlight_trace(frame, rows, dim=3, query_rows=query_rows),
                go.Scatter3d(x=[], y=[], z=[], mode="text", name="highlight labels", showlegend=False,
                             meta={"role": ROLE_HIGHLIGHT_LABELS}),
                go.Scatter3d(x=[], y=[], z=[], mode="lines", name="leader", showlegend=False,
                             meta={"role": ROLE_LEADER})]
    is_query = np.isin(rows, np.asarray(list(query_rows), dtype=np.int64))
    raw = frame["label"].to_numpy()[rows]
    labels = escape(raw)
    xy = np.column_stack([frame["x"].to_numpy(dtype=float)[rows], frame["y"].to_numpy(dtype=float)[rows]])
    view, area = _ranges(ranges, frame), _plot_area(width, height)
    anchors, sizes = to_pixels(xy, view, area), label_sizes(raw, font_size=LABEL_FONT) * [1.1, 1.0]
    centres = place_labels(anchors, sizes, width=area[0], height=area[1], marker_radius=7.0, gap=2.0, padding=3.0,
                           obstacles=np.vstack([_segment_boxes(frame, arrows, view, area),
                                                _annotation_boxes(avoid, view, area)]))
    at = to_data(centres, view, area)
    markers = go.Scattergl(mode="markers", name=HIGHLIGHT, customdata=rows, showlegend=False,
                           meta={"role": ROLE_HIGHLIGHT}, text=labels, hovertemplate="%{text}<extra></extra>",
                           marker={"size": np.where(is_query, 16, 12).tolist(), "color": "rgba(255,255,255,0.7)",
                                   "symbol": np.where(is_query, "star", "circle").tolist(),
                                   "line": {"width": 2, "color": "#d62728"}}, x=xy[:, 0], y=xy[:, 1])
    text = go.Scattergl(mode="text", name="highlight labels", customdata=rows, showlegend=False,
                        meta={"role": ROLE_HIGHLIGHT_LABELS}, text=labels, textposition="middle center",
                        textfont={"size": LABEL_FONT, "color": "#111", "weight": "bold"}, hoverinfo="skip",
                        x=at[:, 0], y=at[:, 1])
    # A leader from each point to the nearest edge of its label, where the label had to move away.
    boxes = label_boxes(centres, sizes)
    edge = np.clip(anchors, boxes[:, :2], boxes[:, 2:])
    far = np.linalg.norm(edge - anchors, axis=1) > 7.0 + 2.0 + 6.0
    ends = to_data(edge, view, area)
    lx = [v for i in np.flatnonzero(far) for v in (xy[i, 0], ends[i, 0], None)]
    ly = [v for i in np.flatnonzero(far) for v in (xy[i, 1], ends[i, 1], None)]
    leader = go.Scattergl(mode="lines", name="leader", x=lx, y=ly, showlegend=False, hoverinfo="skip",
                          meta={"role": ROLE_LEADER}, line={"width": 1, "color": "rgba(60,60,60,0.7)"})
    return [markers, text, leader]


def _segment_boxes(frame: pd.DataFrame, pairs, view, area, *, every: float = 4.0, half: float = 3.0) -> np.ndarray:
    """Small boxes along each arrow in pixels (its head a larger one), for labels to keep off."""
    from .core.label_layout import to_pixels

    boxes = [np.zeros((0, 4))]
    for a, b in pairs:
        ends = to_pixels(frame[["x", "y"]].to_numpy(dtype=float)[[a, b]], view, area)
        steps = max(int(np.linalg.norm(ends[1] - ends[0]) / every), 1)
        points = ends[0] + np.linspace(0, 1, steps + 1)[:, None] * (ends[1] - ends[0])
        size = np.full((len(points), 1), half)
        size[-3:] = 3 * half  # the head
        boxes.append(np.hstack([points - size, points + size]))
    return np.vstack(boxes)


def _annotation_boxes(annotations, view, area) -> np.ndarray:
    """Pixel boxes of text annotations placed in data coordinates (with cluster names' size estimate)."""
    from .core.label_layout import label_boxes, label_sizes, to_pixels

    notes = [a.to_plotly_json() if hasattr(a, "to_plotly_json") else dict(a) for a in annotations]
    notes = [a for a in notes if a.get("text") and a.get("xref") == "x" and a.get("yref") == "y"]
    if not notes:
        return np.zeros((0, 4))
    texts = [html.unescape(re.sub(r"<[^>]+>", "", a["text"])) for a in notes]
    centres = to_pixels([[a["x"], a["y"]] for a in notes], view, area)
    return label_boxes(centres, label_sizes(texts, font_size=LABEL_FONT) * [1.1, 1.0] + 8)


def zoom_to(frame: pd.DataFrame, rows, *, pad: float = 0.15, dim: int = 2) -> dict:
    """Axis ranges that frame ``rows`` (highlighted points) with ``pad`` of their extent around them.

    A single point, or points in a line, get a window of 5 % of the whole map's extent. Pass the
    answer to ``fig.update_layout(**answer)`` (and as ``ranges`` to :func:`highlight_label_traces`).

    Examples
    --------
    >>> frame = pd.DataFrame({"x": [0.0, 1.0, 10.0], "y": [0.0, 2.0, 10.0], "label": list("abc")})
    >>> zoom_to(frame, [0, 1], pad=0.5)
    {'xaxis.range': [-0.5, 1.5], 'yaxis.range': [-1.0, 3.0]}
    """
    from .core.errors import InvalidParameterError

    if not isinstance(pad, (int, float)) or isinstance(pad, bool) or not 0 <= pad <= 10:
        raise InvalidParameterError("pad", "a number between 0 and 10 (a share of the points' extent)", pad,
                                    owner="zoom_to")
    rows = np.asarray(list(rows), dtype=np.int64)
    if len(rows) and (rows.min() < 0 or rows.max() >= len(frame)):
        raise InvalidParameterError("rows", f"row numbers of the map (0 to {len(frame) - 1})",
                                    int(rows.max() if rows.max() >= len(frame) else rows.min()), owner="zoom_to")
    out = {}
    for axis in ("x", "y", "z")[:dim]:
        everything = frame[axis].to_numpy(dtype=float)
        values = everything[rows] if len(rows) else everything
        lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
        margin = pad * (hi - lo)
        if hi - lo <= 0:  # one point: a window of 5 % of the map around it
            margin = max(float(np.nanmax(everything) - np.nanmin(everything)) * 0.025, 1e-6)
        key = f"scene.{axis}axis.range" if dim == 3 else f"{axis}axis.range"
        out[key] = [lo - margin, hi + margin]
    return out


def query_trace(points, *, dim: int = 2) -> go.BaseTraceType:
    """Typed queries placed on the map (``[{"label": ..., "coords": [x, y(, z)]}]``), drawn as stars."""
    coords = np.array([p["coords"] for p in points], dtype=float).reshape(len(points), dim)
    axes = {"x": coords[:, 0], "y": coords[:, 1], **({"z": coords[:, 2]} if dim == 3 else {})}
    labels = escape([p["label"] for p in points])
    return _trace(dim, webgl=False, mode="markers+text", name="typed query", meta={"role": ROLE_QUERY},
                  showlegend=False, text=labels, textposition="bottom center", hovertemplate="%{text}<extra></extra>",
                  textfont={"size": 13, "color": "#8b0000"},
                  marker={"size": 16 if dim == 2 else 7, "color": "#ffd700", "symbol": "star" if dim == 2 else "diamond",
                          "line": {"width": 1.5, "color": "#8b0000"}}, **axes)


def arrow_traces(frame: pd.DataFrame, pairs, *, dim: int = 2) -> list[go.BaseTraceType]:
    """One line with an arrow head per ``(from_row, to_row)`` pair (analogy offsets), labelled at the head.

    These are SVG traces in 2-D, which plotly draws under a WebGL point cloud; over a 2-D map use
    :func:`arrow_annotations`, which stay on top.
    """
    traces = []
    labels = frame["label"].to_numpy()
    for i, (a, b) in enumerate(pairs):
        ends = _axes(frame, np.array([a, b]), dim)
        line = {"color": PALETTE[(i + 1) % len(PALETTE)], "width": 4}
        marker = {"size": [0, 18], "symbol": ["circle", "arrow"], "angleref": "previous",
                  "color": line["color"]} if dim == 2 else {"size": [0, 5], "color": line["color"]}
        traces.append(_trace(dim, webgl=False, mode="lines+markers+text", name=f"arrow {i + 1}", line=line,
                             marker=marker, meta={"role": ROLE_ARROW}, text=["", escape([labels[b]])[0]],
                             textposition="top center", textfont={"size": LABEL_FONT, "color": line["color"]},
                             hoverinfo="skip", showlegend=False, **ends))
    return traces


def arrow_annotations(frame: pd.DataFrame, pairs, *, labels: bool = True) -> list[dict]:
    """Analogy offsets on a 2-D map as layout annotations: a thick arrow per ``(from_row, to_row)`` pair.

    Annotations sit above the WebGL points, and plotly keeps each head pointing along its line at any
    zoom. Each arrow is named ``"arrow"`` (its role); with ``labels`` the head's label is written above
    the head (leave it out when the heads are already labelled by :func:`highlight_label_traces`).
    Add them with ``fig.update_layout(annotations=[*kept, *arrow_annotations(frame, pairs)])``.

    Examples
    --------
    >>> frame = pd.DataFrame({"x": [0.0, 1.0], "y": [0.0, 1.0], "label": ["man", "woman"]})
    >>> [(a["name"], a["text"], a.get("arrowhead")) for a in arrow_annotations(frame, [(0, 1)])]
    [('arrow', '', 2), ('arrow', '<b>woman</b>', None)]
    """
    x, y, names = frame["x"].to_numpy(dtype=float), frame["y"].to_numpy(dtype=float), frame["label"].to_numpy()
    out = []
    for i, (a, b) in enumerate(pairs):
        colour = PALETTE[(i + 1) % len(PALETTE)]
        out.append({"name": ROLE_ARROW, "x": float(x[b]), "y": float(y[b]), "ax": float(x[a]), "ay": float(y[a]),
                    "xref": "x", "yref": "y", "axref": "x", "ayref": "y", "text": "", "showarrow": True,
                    "arrowhead": 2, "arrowsize": 1.1, "arrowwidth": 3, "arrowcolor": colour, "standoff": 4})
        out.append({"name": ROLE_ARROW, "x": float(x[b]), "y": float(y[b]), "xref": "x", "yref": "y",
                    "text": f"<b>{escape([names[b]])[0]}</b>", "showarrow": False, "yshift": 16,
                    "font": {"size": LABEL_FONT, "color": colour}, "bgcolor": "rgba(255,255,255,0.75)"})
    return out if labels else [a for a in out if a["showarrow"]]


def similarity_heatmap(matrix: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Cosine similarities as a heatmap (rows x columns of ``matrix``), values printed in cells to 2 decimals."""
    fig = go.Figure(go.Heatmap(z=matrix.to_numpy(), x=escape(matrix.columns), y=escape(matrix.index),
                               zmin=-1, zmax=1, colorscale="RdBu", reversescale=True,
                               texttemplate="%{z:.2f}",  # 0.47999998 (float32) shows as 0.48
                               hovertemplate="%{y} · %{x}: %{z:.3f}<extra></extra>"))
    fig.update_layout(height=120 + 36 * len(matrix), margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
                      yaxis={"autorange": "reversed"}, template="plotly_white", modebar=MODEBAR,
                      title={"text": escape([title])[0]} if title else {})
    return fig


def section_accuracy_bars(sections: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Horizontal bars of analogy accuracy per benchmark section (``section``, ``accuracy``, ``total``)."""
    fig = go.Figure(go.Bar(x=sections["accuracy"], y=escape(sections["section"]), orientation="h",
                           text=[f"{a:.0%} of {t}" for a, t in zip(sections["accuracy"], sections["total"])],
                           textposition="auto", marker_color=PALETTE[0],
                           hovertemplate="%{y}: %{x:.1%}<extra></extra>"))
    fig.update_layout(height=80 + 24 * len(sections), margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
                      xaxis={"range": [0, 1], "tickformat": ".0%"}, yaxis={"autorange": "reversed"},
                      template="plotly_white", modebar=MODEBAR, title={"text": escape([title])[0]} if title else {})
    return fig


def loss_curve(history: pd.DataFrame, *, metric: str = "loss", title: str | None = None,
               height: int = 220) -> go.Figure:
    """A training curve: ``metric`` per ``epoch`` (one line; empty until the first epoch ends)."""
    x = history["epoch"].to_numpy() if "epoch" in history else np.array([])
    y = history[metric].to_numpy() if metric in history else np.array([])
    fig = go.Figure(go.Scatter(x=x, y=y, mode="lines+markers", name=metric, meta={"role": "curve"},
                               line={"color": PALETTE[1]}, hovertemplate="epoch %{x}: %{y:.4g}<extra></extra>"))
    fig.update_layout(height=height, margin={"l": 50, "r": 10, "t": 30 if title else 10, "b": 40},
                      xaxis={"title": {"text": "epoch"}, "rangemode": "tozero"},
                      yaxis={"title": {"text": escape([metric])[0]}}, template="plotly_white", modebar=MODEBAR,
                      title={"text": escape([title])[0]} if title else {})
    return fig

"""Layers drawn over a map: highlighted points with labels that never overlap, typed queries, arrows, zoom."""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go


from ._base import (HIGHLIGHT, LABEL_FONT, PALETTE, ROLE_ARROW, ROLE_HIGHLIGHT, ROLE_HIGHLIGHT_LABELS, ROLE_LEADER,
                    ROLE_QUERY, _axes, _plot_area, _ranges, _trace, escape)


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
    from ..core.label_layout import label_boxes, label_sizes, place_labels, to_data, to_pixels

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
    # WebGL text is drawn as glyphs, never parsed as HTML: it gets the labels as they are (escaped, a
    # label "<b>" would show as "&lt;b&gt;"). Hover text and SVG text stay escaped.
    text = go.Scattergl(mode="text", name="highlight labels", customdata=rows, showlegend=False,
                        meta={"role": ROLE_HIGHLIGHT_LABELS}, text=[str(r) for r in raw], textposition="middle center",
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
    from ..core.label_layout import to_pixels

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
    from ..core.label_layout import label_boxes, label_sizes, to_pixels

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
    from ..core.errors import InvalidParameterError

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

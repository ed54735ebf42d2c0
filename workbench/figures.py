"""Pure figure builders: data in, ``plotly.graph_objects.Figure`` out. No widgets, no computation.

Each function takes a DataFrame (or arrays) plus column names and returns a figure, so it can be
tested through ``fig.to_dict()`` and reused outside the app. Every point carries its row number in
``customdata``, which is how clicks and selections find their way back to the data. Text from
datasets is HTML-escaped: plotly renders a subset of HTML in hover labels, and a label such as
``<b>`` or ``<script>`` must show as itself.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go

__all__ = ["scatter_map", "highlight_trace", "query_trace", "arrow_traces", "similarity_heatmap",
           "section_accuracy_bars", "loss_curve", "role", "PALETTE", "escape"]

PALETTE = ["#636efa", "#EF553B", "#00cc96", "#ab63fa", "#FFA15A", "#19d3f3", "#FF6692", "#B6E880", "#FF97FF",
           "#FECB52", "#1f77b4", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
MAX_CATEGORIES = len(PALETTE)  # beyond this, rare categories are pooled into "other"
HOVER_LIMIT = 200_000  # above this many points, hover shows no text (it would dominate transfer)
HIGHLIGHT = "highlight"  # name of the trace drawn on top for neighbours / analogy terms
# Every trace says what it is in ``meta["role"]``; panels find traces by role, never by position,
# so a category named "highlight" or a new layer (edges, arrows, typed queries) shifts nothing.
ROLE_POINTS, ROLE_HIGHLIGHT, ROLE_QUERY, ROLE_ARROW = "points", "highlight", "query", "arrow"


def role(trace) -> str | None:
    """The role a figure builder gave ``trace`` (``points``, ``highlight``, ``query``, ``arrow``)."""
    meta = getattr(trace, "meta", None)
    return meta.get("role") if isinstance(meta, dict) else None


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
                title: str | None = None, height: int = 560, width: int | None = None) -> go.Figure:
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

    Examples
    --------
    >>> frame = pd.DataFrame({"x": [0, 1], "y": [1, 0], "label": ["a", "<b>"], "kind": ["u", "v"]})
    >>> fig = scatter_map(frame, colour="kind")
    >>> [t.name for t in fig.data], fig.data[1].text
    (['u', 'v', 'highlight', 'typed query'], ('&lt;b&gt;',))
    """
    n = len(frame)
    size = _marker_size(n)
    traces = []
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
    fig = go.Figure(traces)
    fig.add_trace(highlight_trace(frame, [], dim=dim))  # panels update it in place
    fig.add_trace(query_trace([], dim=dim))
    layout = dict(height=height, width=width, margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
                  dragmode="lasso" if dim == 2 else "orbit", hovermode="closest", uirevision="map",
                  legend={"itemsizing": "constant", "title": {"text": escape([colour or ""])[0]}},
                  title={"text": escape([title])[0]} if title else None, template="plotly_white")
    fig.update_layout(**{k: v for k, v in layout.items() if v is not None})
    if dim == 2:
        fig.update_xaxes(showticklabels=False, title=None, zeroline=False)
        fig.update_yaxes(showticklabels=False, title=None, zeroline=False)
    return fig


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
    """One line with an arrow head per ``(from_row, to_row)`` pair (analogy offsets)."""
    traces = []
    for i, (a, b) in enumerate(pairs):
        ends = _axes(frame, np.array([a, b]), dim)
        line = {"color": PALETTE[(i + 1) % len(PALETTE)], "width": 3}
        marker = {"size": [0, 12], "symbol": ["circle", "arrow"], "angleref": "previous",
                  "color": line["color"]} if dim == 2 else {"size": [0, 4], "color": line["color"]}
        traces.append(_trace(dim, webgl=False, mode="lines+markers", name=f"arrow {i + 1}", line=line, marker=marker,
                             meta={"role": ROLE_ARROW},
                             hoverinfo="skip", showlegend=False, **ends))
    return traces


def similarity_heatmap(matrix: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Cosine similarities as a heatmap (rows x columns of ``matrix``), values printed in cells."""
    fig = go.Figure(go.Heatmap(z=matrix.to_numpy(), x=escape(matrix.columns), y=escape(matrix.index),
                               zmin=-1, zmax=1, colorscale="RdBu", reversescale=True,
                               text=np.round(matrix.to_numpy(), 2), texttemplate="%{text}",
                               hovertemplate="%{y} · %{x}: %{z:.3f}<extra></extra>"))
    fig.update_layout(height=120 + 36 * len(matrix), margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
                      yaxis={"autorange": "reversed"}, template="plotly_white",
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
                      template="plotly_white", title={"text": escape([title])[0]} if title else {})
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
                      yaxis={"title": {"text": escape([metric])[0]}}, template="plotly_white",
                      title={"text": escape([title])[0]} if title else {})
    return fig

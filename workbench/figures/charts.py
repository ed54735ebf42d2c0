"""Charts beside the map: similarity heatmaps, benchmark bars, training curves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ._base import MODEBAR, PALETTE, escape


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

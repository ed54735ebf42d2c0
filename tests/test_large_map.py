"""Large maps: the map panel's two backends (plotly, jupyter-scatter) behind one interface.

60,000 points in 12 planted gaussian clusters, each with its cluster id (``cluster``, a future
clustering column), a text ``kind`` and a float ``score``. Each backend is forced in turn and does
the same things headless: colour by a category or a number, click -> ``state.query``, a
selection -> ``state.selection`` and the grid under the map, highlights drawn on top, new data
clears the old selection and highlights. What the browser shows is checked in
``tests/browser/test_large_map_browser.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import workbench as wb
from workbench import figures
from workbench.core.errors import InvalidParameterError
from workbench.ui import ProjectionPanel, State
from workbench.ui.projection import LARGE_MAP, choose_backend

N, CLUSTERS = 60_000, 12


def clustered(n: int = N, seed: int = 0) -> wb.Embeddings:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(CLUSTERS, 16)) * 5
    cluster = rng.integers(0, CLUSTERS, size=n)
    x = (centres[cluster] + rng.normal(size=(n, 16))).astype(np.float32)
    meta = pd.DataFrame({"cluster": cluster, "kind": np.where(cluster % 2 == 0, "even", "odd"),
                         "score": rng.random(n)})
    meta.loc[::97, "score"] = np.nan  # a few missing numbers
    return wb.Embeddings(x, [f"p{i}" for i in range(n)], meta=meta)


@pytest.fixture(scope="module")
def emb() -> wb.Embeddings:
    return clustered()


@pytest.fixture(scope="module")
def scatter_panel(emb):
    return ProjectionPanel(State(embeddings=emb, background=False), method="pca", colour="kind")


@pytest.fixture(scope="module")
def plotly_panel(emb):
    return ProjectionPanel(State(embeddings=emb, background=False), method="pca", colour="kind", backend="plotly")


def select(panel: ProjectionPanel, rows) -> None:
    """What jupyter-scatter does when a lasso or a click selects ``rows`` in the browser."""
    panel.scatter.widget.selection = np.asarray(rows, dtype=np.uint32)


def plotly_points(panel: ProjectionPanel) -> list:
    return [t for t in panel.figure.data if figures.role(t) == figures.ROLE_POINTS]


def colour_values(widget) -> np.ndarray:
    """The per-point colour value the widget sends: column valueA (2) or valueB (3) of its points."""
    return np.asarray(widget.points)[:, {"valueA": 2, "valueB": 3}[widget.color_by]]


def ndc(panel: ProjectionPanel, rows) -> np.ndarray:
    """The widget's own (normalised) coordinates of ``rows``: what the browser draws."""
    return np.asarray(panel.scatter.widget.points)[np.asarray(rows), :2]


# ------------------------------------------------------------------------------ choosing a backend
def test_backend_is_chosen_by_size_and_dimension():
    assert LARGE_MAP == 50_000
    assert choose_backend("auto", LARGE_MAP, 2) == "plotly" and choose_backend("auto", LARGE_MAP + 1, 2) == "scatter"
    assert choose_backend("auto", 1_000_000, 3) == "plotly"  # jupyter-scatter draws 2-D only
    assert choose_backend("scatter", 10, 2) == "scatter" and choose_backend("plotly", 10**6, 2) == "plotly"


def test_auto_uses_jupyter_scatter_for_60k_points(scatter_panel):
    assert scatter_panel.backend_name == "scatter"
    assert scatter_panel.plot.children[0].children[0] is scatter_panel.scatter.widget
    assert scatter_panel.figure is None  # no plotly figure was built for it
    assert "jupyter-scatter" in scatter_panel.quality.value
    assert len(scatter_panel.scatter.widget.points) == N


@pytest.mark.parametrize("backend", ["webgl", "", None, 3, "Scatter"])
def test_unknown_backend_is_refused_with_a_sentence(emb, backend):
    with pytest.raises(InvalidParameterError, match=r"'backend' parameter of ProjectionPanel must be one of"):
        ProjectionPanel(State(background=False), backend=backend)


# ------------------------------------------------------------------------------ jupyter-scatter
def test_scatter_colours_by_category_with_a_legend(scatter_panel, emb):
    w = scatter_panel.scatter.widget
    assert w.color_by in ("valueA", "valueB") and w.legend is True
    codes = colour_values(w).astype(int)
    kinds = np.array(["even", "odd"])[codes]
    order = emb.meta["kind"].value_counts().index.tolist()  # commonest first, as in the plotly legend
    assert (np.array(order)[codes] == emb.meta["kind"].to_numpy()).all() and set(kinds) == {"even", "odd"}
    expected = [figures.PALETTE[0], figures.PALETTE[1]]
    from matplotlib.colors import to_rgba

    assert [tuple(c) for c in w.color] == [to_rgba(c) for c in expected]


def test_scatter_colours_a_cluster_column_as_categories_and_numbers_on_a_scale(emb):
    panel = ProjectionPanel(State(embeddings=emb, background=False), method="pca", colour="cluster",
                            backend="scatter")
    w = panel.scatter.widget
    codes = colour_values(w).astype(int)
    order = emb.meta["cluster"].astype("string").value_counts().index.tolist()
    assert [int(order[c]) for c in codes[:500]] == emb.meta["cluster"].tolist()[:500]
    assert len(w.color) == CLUSTERS and w.legend is True

    panel.colour.value = "score"  # floats: a viridis scale, missing values at the lowest value
    from sklearn.preprocessing import minmax_scale

    score = emb.meta["score"].to_numpy()
    filled = np.where(np.isnan(score), np.nanmin(score), score)
    np.testing.assert_allclose(colour_values(w), minmax_scale(filled), atol=1e-6)
    assert len(w.color) == 256 and w.legend is True and w.color_scale in ("linear", "continuous")

    panel.colour.value = "(one colour)"
    assert w.color_by is None and w.legend is False


def test_scatter_click_sets_the_query_and_a_lasso_fills_the_selection(scatter_panel, emb):
    state = scatter_panel.state
    select(scatter_panel, [123])  # a click selects one point in jupyter-scatter
    assert state.query == "p123"
    rows = np.flatnonzero(emb.meta["cluster"].to_numpy() == 3)  # a lasso around one cluster
    select(scatter_panel, rows)
    assert list(state.selection["row"]) == rows.tolist() and set(state.selection["cluster"]) == {3}
    assert f"{len(rows):,} selected" in scatter_panel.selected.value and ">p" in scatter_panel.selected.value
    select(scatter_panel, rows[:500])  # the same table State.frame_of makes (it is slow for big selections)
    pd.testing.assert_frame_equal(state.selection, state.frame_of(rows[:500].tolist()))
    select(scatter_panel, [])
    assert len(state.selection) == 0 and "Nothing selected" in state.status


def test_scatter_highlights_are_drawn_where_their_points_are(scatter_panel):
    from jscatter import Line, Rect

    state = scatter_panel.state
    state.highlight, state.query_rows = [10, 20, 30], [10]
    state.arrows = [(10, 20)]
    coords = scatter_panel.state.projection.coords
    state.query_points = [{"label": "typed <b>", "coords": [float(coords[5, 0]), float(coords[5, 1])]}]
    marks = scatter_panel.scatter.widget.annotations
    boxes = [m for m in marks if isinstance(m, Rect)]
    assert len(boxes) == 4  # three highlighted rows, the query row boxed twice
    centres = np.array([[(b.x_start + b.x_end) / 2, (b.y_start + b.y_end) / 2] for b in boxes])
    np.testing.assert_allclose(centres, ndc(scatter_panel, [10, 10, 20, 30]), atol=1e-5)
    lines = [m for m in marks if isinstance(m, Line)]
    assert len(lines) == 2 + 3  # a cross for the typed query; an arrow shaft and its two-stroke head
    shaft = np.array(lines[2].vertices)
    np.testing.assert_allclose(shaft, ndc(scatter_panel, [10, 20]), atol=1e-5)
    caption = scatter_panel.scatter.caption.value
    assert "<b>p10</b>" in caption and "p20" in caption and "“typed &lt;b&gt;”" in caption
    state.highlight, state.query_rows, state.arrows, state.query_points = [], [], [], []
    assert scatter_panel.scatter.widget.annotations in (None, []) and scatter_panel.scatter.caption.value == ""


def test_scatter_hover_fetches_the_row_from_the_kernel(scatter_panel):
    w = scatter_panel.scatter.widget
    assert w.tooltip_enable is True and w.tooltip_preview == "label" and "color" in w.tooltip_properties
    sent = []
    w.send = sent.append
    try:  # what the browser asks when the mouse rests on point 4321
        w._handle_tooltip({"type": "tooltip", "index": 4321, "preview": "label", "properties": ["kind"]})
    finally:
        del w.send
    assert sent == [{"type": "tooltip", "index": 4321, "preview": "p4321",
                     "properties": {"kind": scatter_panel.state.embeddings.meta["kind"].iloc[4321]}}]


def test_scatter_new_data_clears_selection_and_highlights_in_one_widget(emb):
    state = State(embeddings=emb, background=False)
    panel = ProjectionPanel(state, method="pca")
    widget = panel.scatter.widget
    select(panel, [1, 2, 3])
    state.highlight = [1, 2]
    assert len(state.selection) == 3 and widget.annotations
    state.embeddings = clustered(55_000, seed=1)
    assert panel.scatter.widget is widget  # updated in place
    assert len(widget.points) == 55_000 and len(widget.selection) == 0 and not widget.annotations
    assert state.selection is None and panel.selected.value == "" and state.highlight == []
    select(panel, [7])
    assert state.query == "p7"  # the new labels answer


def test_scatter_3d_stays_plotly(emb):
    panel = ProjectionPanel(State(embeddings=emb, background=False), method="pca", dim=3, backend="scatter")
    assert panel.backend_name == "plotly" and panel.figure.data[0].type == "scatter3d"
    assert "3-D maps are drawn with plotly" in panel.quality.value
    panel.dim.value = 2
    assert panel.backend_name == "scatter" and panel.plot.children[0].children[0] is panel.scatter.widget


def test_small_maps_switch_back_to_plotly(emb):
    state = State(embeddings=emb, background=False)
    panel = ProjectionPanel(state, method="pca")
    select(panel, [5, 6])
    state.embeddings = clustered(2_000, seed=2)
    assert panel.backend_name == "plotly" and sum(len(t.x) for t in plotly_points(panel)) == 2_000
    assert len(panel.scatter.widget.selection) == 0  # nothing left selected in the hidden widget


# ------------------------------------------------------------------------------ plotly, same checks
def test_plotly_colours_by_category_and_number(plotly_panel, emb):
    assert plotly_panel.backend_name == "plotly"
    points = plotly_points(plotly_panel)
    assert [t.name for t in points] == emb.meta["kind"].value_counts().index.tolist()
    assert sum(len(t.x) for t in points) == N
    plotly_panel.colour.value = "score"
    [trace] = plotly_points(plotly_panel)
    assert trace.marker.showscale is True
    plotly_panel.colour.value = "kind"


def test_plotly_click_and_selection(plotly_panel, emb):
    from plotly.callbacks import Points

    state = plotly_panel.state
    trace = plotly_points(plotly_panel)[0]
    plotly_panel._on_click(trace, Points(point_inds=[7], xs=[trace.x[7]], ys=[trace.y[7]]), None)
    assert state.query == emb.labels[int(trace.customdata[7])]
    plotly_panel._on_selection(trace, Points(point_inds=list(range(100))), None)
    assert list(state.selection["row"]) == sorted(int(r) for r in trace.customdata[:100])
    assert "100 selected" in plotly_panel.selected.value


def test_plotly_highlights_are_drawn_on_top(plotly_panel):
    state = plotly_panel.state
    state.highlight, state.query_rows, state.arrows = [10, 20], [10], [(10, 20)]
    [overlay] = [t for t in plotly_panel.figure.data if figures.role(t) == figures.ROLE_HIGHLIGHT]
    assert list(overlay.customdata) == [10, 20] and overlay.text == ("p10", "p20")
    arrows = [a for a in plotly_panel.figure.layout.annotations if figures.role(a) == figures.ROLE_ARROW]
    assert len(arrows) == 1  # 2-D arrows are annotations: above the WebGL points
    state.highlight, state.query_rows, state.arrows = [], [], []


def test_plotly_new_data_clears_the_lasso_outline(emb):
    from plotly.callbacks import Points

    state = State(embeddings=emb, background=False)
    panel = ProjectionPanel(state, method="pca", backend="plotly")
    trace = plotly_points(panel)[0]
    panel._on_selection(trace, Points(point_inds=[0, 1]), None)
    sent = []
    original = panel.figure._send_relayout_msg
    panel.figure._send_relayout_msg = lambda data, **kw: (sent.append(data), original(data, **kw))
    try:
        state.embeddings = clustered(52_000, seed=3)
    finally:
        del panel.figure._send_relayout_msg
    assert {"selections": []} in sent  # plotly.js drops the lasso outline it keeps in layout.selections
    assert state.selection is None and panel.selected.value == ""
    assert sum(len(t.x) for t in plotly_points(panel)) == 52_000


def test_rows_the_map_no_longer_has_are_dropped(scatter_panel):
    state = scatter_panel.state
    select(scatter_panel, [5, 6, N + 5])  # a late message from the browser about a larger map
    assert list(state.selection["row"]) == [5, 6] and state.status_level != "error"

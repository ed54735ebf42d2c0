"""Every figure builder in workbench/figures.py, tested as data through ``fig.to_dict()``.

Plotly serialises numeric arrays as typed base64 (``{"dtype": "f8", "bdata": ...}``); :func:`values`
decodes them, so each check reads what the browser would receive. Traces are found by their role
(``meta["role"]``), never by position.
"""

from __future__ import annotations

import base64

import numpy as np
import pandas as pd
import pytest

figures = pytest.importorskip("workbench.figures")

TESTED = {"scatter_map", "highlight_trace", "query_trace", "arrow_traces", "similarity_heatmap",
          "section_accuracy_bars", "loss_curve", "role", "escape", "PALETTE"}


def values(value) -> list:
    """A trace attribute as a plain list, whether plotly sent a list, a tuple, an array or typed base64."""
    if isinstance(value, dict) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        if "shape" in value:
            array = array.reshape([int(s) for s in str(value["shape"]).split(",")])
        return array.tolist()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return list(value) if isinstance(value, (list, tuple)) else value


def traces(fig, role: str | None = None) -> list[dict]:
    data = fig.to_dict()["data"]
    return [t for t in data if role is None or (t.get("meta") or {}).get("role") == role]


@pytest.fixture
def frame() -> pd.DataFrame:
    """Six points; labels with markup and quotes; a category with 3/2/1 members; a float and an int column."""
    return pd.DataFrame({
        "x": [0.0, 1.0, 2.0, 3.0, 4.0, 5.0], "y": [5.0, 4.0, 3.0, 2.0, 1.0, 0.0], "z": [1.0, 1.0, 2.0, 2.0, 3.0, 3.0],
        "label": ["cat", "<b>bold</b>", 'say "hi"', "dog & co", "car", "<script>x</script>"],
        "kind": ["pet", "pet", "vehicle", "pet", "vehicle", "<i>odd</i>"],
        "score": [0.1, np.nan, 0.3, 0.4, 0.5, 0.6],
        "legs": [4, 4, 0, 4, 0, 0],
    })


def test_every_public_builder_has_a_test_here():
    assert set(figures.__all__) <= TESTED, f"untested figure builders: {sorted(set(figures.__all__) - TESTED)}"


def test_escape_keeps_quotes_and_escapes_markup():
    assert figures.escape(["<b>", "a & b", 'say "hi"', 3]) == ["&lt;b&gt;", "a &amp; b", 'say "hi"', "3"]


# ----------------------------------------------------------------------------- scatter_map
def test_categories_become_one_points_trace_each_with_their_row_ids(frame):
    fig = figures.scatter_map(frame, colour="kind", hover_columns=["legs"])
    points = traces(fig, "points")
    assert [t["name"] for t in points] == ["pet", "vehicle", "&lt;i&gt;odd&lt;/i&gt;"]  # commonest first, escaped
    assert [values(t["customdata"]) for t in points] == [[0, 1, 3], [2, 4], [5]]
    assert [t["marker"]["color"] for t in points] == figures.PALETTE[:3]
    assert all(t["type"] == "scattergl" for t in points)
    pets = points[0]
    assert values(pets["x"]) == [0.0, 1.0, 3.0] and values(pets["y"]) == [5.0, 4.0, 2.0]
    assert pets["text"] == ["cat<br>legs: 4", "&lt;b&gt;bold&lt;/b&gt;<br>legs: 4", "dog &amp; co<br>legs: 4"]
    assert points[1]["text"][0] == 'say "hi"<br>legs: 0'  # quotes stay literal
    assert fig.to_dict()["layout"]["legend"]["title"]["text"] == "kind"


def test_overlays_come_after_the_points_and_start_empty(frame):
    fig = figures.scatter_map(frame, colour="kind")
    data = traces(fig)
    roles = [(t.get("meta") or {}).get("role") for t in data]
    assert roles.count("highlight") == 1
    last_points = max(i for i, r in enumerate(roles) if r == "points")
    overlays = roles[last_points + 1:]
    assert "highlight" in overlays and all(r != "points" for r in overlays)
    highlight = traces(fig, "highlight")[0]
    assert values(highlight["customdata"]) == [] and values(highlight["x"]) == []
    if "query" in roles:
        assert values(traces(fig, "query")[0]["x"]) == []


def test_a_category_named_highlight_does_not_take_the_highlights_role(frame):
    fig = figures.scatter_map(frame.assign(kind=["highlight"] * 6), colour="kind")
    assert [t["name"] for t in traces(fig, "points")] == ["highlight"]
    assert len(traces(fig, "highlight")) == 1 and values(traces(fig, "highlight")[0]["customdata"]) == []


def test_floats_get_a_colour_scale_and_missing_values_take_the_minimum(frame):
    fig = figures.scatter_map(frame, colour="score")
    [points] = traces(fig, "points")
    assert points["name"] == "score" and values(points["customdata"]) == list(range(6))
    marker = points["marker"]
    assert marker["colorscale"] and marker["showscale"] is True
    assert marker["colorbar"]["title"]["text"] == "score"
    assert values(marker["color"]) == pytest.approx([0.1, 0.1, 0.3, 0.4, 0.5, 0.6])
    assert points["text"][0] == "cat<br>score: 0.1"


def test_integers_with_few_values_are_categories_with_many_a_scale(frame):
    few = traces(figures.scatter_map(frame, colour="legs"), "points")
    assert {t["name"]: values(t["customdata"]) for t in few} == {"0": [2, 4, 5], "4": [0, 1, 3]}
    many = pd.DataFrame({"x": np.arange(40.0), "y": np.zeros(40), "label": [f"p{i}" for i in range(40)],
                         "year": np.arange(1980, 2020)})
    [scale] = traces(figures.scatter_map(many, colour="year"), "points")
    assert scale["marker"]["showscale"] is True and values(scale["marker"]["color"])[:2] == [1980, 1981]
    flags = traces(figures.scatter_map(frame.assign(flag=[True, False] * 3), colour="flag"), "points")
    assert sorted(t["name"] for t in flags) == ["False", "True"]  # booleans are categories


def test_rare_categories_are_pooled_into_other_and_missing_ones_named():
    n = figures.MAX_CATEGORIES + 5
    frame = pd.DataFrame({"x": np.arange(n + 2.0), "y": np.zeros(n + 2), "label": [f"p{i}" for i in range(n + 2)],
                          "group": [f"g{i:02d}" for i in range(n)] + ["g00", None]})
    points = traces(figures.scatter_map(frame, colour="group"), "points")
    names = [t["name"] for t in points]
    assert len(points) == figures.MAX_CATEGORIES and names[0] == "g00" and names[-1] == "other"
    assert values(points[0]["customdata"]) == [0, n]
    rows = sorted(r for t in points for r in values(t["customdata"]))
    assert rows == list(range(n + 2))  # every row on the map exactly once
    missing = traces(figures.scatter_map(frame.head(4).assign(group=["a", None, "a", "b"]), colour="group"), "points")
    assert {t["name"]: values(t["customdata"]) for t in missing} == {"a": [0, 2], "(missing)": [1], "b": [3]}


def test_no_colour_column_gives_one_trace_and_a_3d_map_uses_z(frame):
    [plain] = traces(figures.scatter_map(frame, colour="no-such-column"), "points")
    assert plain["name"] == "points" and values(plain["customdata"]) == list(range(6))
    fig = figures.scatter_map(frame, colour="kind", dim=3)
    points = traces(fig, "points")
    assert {t["type"] for t in points} == {"scatter3d"}
    assert values(points[0]["z"]) == [1.0, 1.0, 2.0]
    assert fig.to_dict()["layout"]["dragmode"] == "orbit"


def test_title_is_escaped_and_huge_maps_drop_hover_text(frame, monkeypatch):
    fig = figures.scatter_map(frame, title="<b>GloVe</b> & co", height=300)
    layout = fig.to_dict()["layout"]
    assert layout["title"]["text"] == "&lt;b&gt;GloVe&lt;/b&gt; &amp; co" and layout["height"] == 300
    monkeypatch.setattr(figures, "HOVER_LIMIT", 3)
    [points] = traces(figures.scatter_map(frame), "points")
    assert points["hoverinfo"] == "none" and "text" not in points


# ----------------------------------------------------------------------------- overlays
def test_highlight_trace_labels_rows_and_stars_the_queries(frame):
    trace = figures.highlight_trace(frame, [1, 3, 0], query_rows=[3]).to_plotly_json()
    assert trace["meta"]["role"] == "highlight"
    assert values(trace["customdata"]) == [1, 3, 0]
    assert trace["text"] == ["&lt;b&gt;bold&lt;/b&gt;", "dog &amp; co", "cat"]
    assert trace["marker"]["symbol"] == ["circle", "star", "circle"]
    assert values(trace["x"]) == [1.0, 3.0, 0.0] and values(trace["y"]) == [4.0, 2.0, 5.0]
    solid = figures.highlight_trace(frame, [2], dim=3, query_rows=[2]).to_plotly_json()
    assert solid["type"] == "scatter3d" and solid["marker"]["symbol"] == ["diamond"] and values(solid["z"]) == [2.0]


def test_role_reads_the_meta_of_a_trace(frame):
    fig = figures.scatter_map(frame, colour="kind")
    assert [figures.role(t) for t in fig.data].count("highlight") == 1
    assert figures.role(fig.data[0]) == "points"
    import plotly.graph_objects as go

    assert figures.role(go.Scatter()) is None


def test_query_trace_places_typed_queries_as_stars():
    trace = figures.query_trace([{"label": "<new> word", "coords": [0.5, -1.0]}]).to_plotly_json()
    assert trace["meta"]["role"] == "query"
    assert values(trace["x"]) == [0.5] and values(trace["y"]) == [-1.0]
    assert trace["text"] == ["&lt;new&gt; word"] and trace["marker"]["symbol"] == "star"
    solid = figures.query_trace([{"label": "q", "coords": [1, 2, 3]}], dim=3).to_plotly_json()
    assert solid["type"] == "scatter3d" and values(solid["z"]) == [3.0]
    assert values(figures.query_trace([]).to_plotly_json()["x"]) == []


def test_arrow_traces_go_from_the_first_row_to_the_second(frame):
    arrows = [t.to_plotly_json() for t in figures.arrow_traces(frame, [(0, 2), (4, 1)])]
    assert [a["name"] for a in arrows] == ["arrow 1", "arrow 2"]
    assert all(a["meta"]["role"] == "arrow" for a in arrows)
    assert values(arrows[0]["x"]) == [0.0, 2.0] and values(arrows[0]["y"]) == [5.0, 3.0]
    assert values(arrows[1]["x"]) == [4.0, 1.0]
    head = arrows[0]["marker"]
    assert head["symbol"] == ["circle", "arrow"] and head["angleref"] == "previous" and head["size"] == [0, 12]
    assert arrows[0]["line"]["color"] != arrows[1]["line"]["color"] and arrows[0]["hoverinfo"] == "skip"
    solid = figures.arrow_traces(frame, [(0, 5)], dim=3)[0].to_plotly_json()
    assert solid["type"] == "scatter3d" and values(solid["z"]) == [1.0, 3.0]


# ----------------------------------------------------------------------------- heatmap, bars, curves
def test_similarity_heatmap_rounds_cell_text_to_two_decimals_and_escapes_labels():
    matrix = pd.DataFrame([[1.0, 0.123456], [-0.98765, 0.5]], index=["cat", "<b>"], columns=["dog", "a & b"])
    fig = figures.similarity_heatmap(matrix, title="cos")
    [heat] = fig.to_dict()["data"]
    assert heat["type"] == "heatmap"
    assert values(heat["z"]) == matrix.to_numpy().tolist()
    assert values(heat["text"]) == [[1.0, 0.12], [-0.99, 0.5]]
    assert heat["texttemplate"] == "%{text}"
    assert heat["x"] == ["dog", "a &amp; b"] and heat["y"] == ["cat", "&lt;b&gt;"]
    assert (heat["zmin"], heat["zmax"]) == (-1, 1)
    layout = fig.to_dict()["layout"]
    assert layout["yaxis"]["autorange"] == "reversed" and layout["title"]["text"] == "cos"
    assert figures.similarity_heatmap(pd.concat([matrix] * 3)).layout.height > fig.layout.height


def test_section_accuracy_bars_show_the_accuracy_of_each_section():
    sections = pd.DataFrame({"section": ["capital-world", "<gram1>"], "accuracy": [0.4637, 1.0], "total": [100, 3]})
    fig = figures.section_accuracy_bars(sections)
    [bars] = fig.to_dict()["data"]
    assert bars["type"] == "bar" and bars["orientation"] == "h"
    assert values(bars["x"]) == [0.4637, 1.0]
    assert bars["y"] == ["capital-world", "&lt;gram1&gt;"]
    assert bars["text"] == ["46% of 100", "100% of 3"]
    assert fig.to_dict()["layout"]["xaxis"]["range"] == [0, 1]


def test_loss_curve_draws_the_metric_per_epoch_and_starts_empty():
    history = pd.DataFrame({"epoch": [1, 2, 3], "loss": [2.0, 1.5, 1.2], "seconds": [0.1, 0.2, 0.3]})
    [curve] = figures.loss_curve(history).to_dict()["data"]
    assert values(curve["x"]) == [1, 2, 3] and values(curve["y"]) == [2.0, 1.5, 1.2]
    assert curve["meta"]["role"] == "curve" and curve["name"] == "loss"
    [empty] = figures.loss_curve(pd.DataFrame()).to_dict()["data"]
    assert values(empty["x"]) == [] and values(empty["y"]) == []
    [other] = figures.loss_curve(history, metric="seconds").to_dict()["data"]
    assert values(other["y"]) == [0.1, 0.2, 0.3]

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

TESTED = {"scatter_map", "highlight_trace", "highlight_label_traces", "query_trace", "arrow_traces",
          "arrow_annotations", "zoom_to", "similarity_heatmap", "section_accuracy_bars", "loss_curve", "role",
          "escape", "PALETTE"}


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
    monkeypatch.setattr(figures._base, "HOVER_LIMIT", 3)  # where _hover reads it
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
    assert head["symbol"] == ["circle", "arrow"] and head["angleref"] == "previous" and head["size"] == [0, 18]
    assert arrows[0]["line"]["width"] >= 4  # thick enough to see at the default zoom
    assert arrows[0]["text"] == ["", 'say "hi"'] and arrows[1]["text"] == ["", "&lt;b&gt;bold&lt;/b&gt;"]
    assert arrows[0]["line"]["color"] != arrows[1]["line"]["color"] and arrows[0]["hoverinfo"] == "skip"
    solid = figures.arrow_traces(frame, [(0, 5)], dim=3)[0].to_plotly_json()
    assert solid["type"] == "scatter3d" and values(solid["z"]) == [1.0, 3.0]


def test_arrow_annotations_draw_thick_arrows_with_a_head_and_a_label_there(frame):
    fig = figures.scatter_map(frame)
    fig.update_layout(annotations=figures.arrow_annotations(frame, [(0, 2), (4, 1)]))
    notes = fig.to_dict()["layout"]["annotations"]
    assert [figures.role(a) for a in fig.layout.annotations] == ["arrow"] * 4
    arrows = [a for a in notes if a["showarrow"]]
    labels = [a for a in notes if not a["showarrow"]]
    assert [(a["ax"], a["ay"], a["x"], a["y"]) for a in arrows] == [(0.0, 5.0, 2.0, 3.0), (4.0, 1.0, 1.0, 4.0)]
    assert all(a["axref"] == "x" and a["ayref"] == "y" and a["arrowhead"] >= 1 for a in arrows)
    assert all(a["arrowwidth"] >= 3 and a["arrowsize"] >= 1 for a in arrows)
    assert arrows[0]["arrowcolor"] != arrows[1]["arrowcolor"]
    assert [(a["x"], a["y"], a["text"]) for a in labels] == [(2.0, 3.0, '<b>say "hi"</b>'),
                                                             (1.0, 4.0, "<b>&lt;b&gt;bold&lt;/b&gt;</b>")]
    assert all(a["showarrow"] for a in figures.arrow_annotations(frame, [(0, 2)], labels=False))


# ----------------------------------------------------------------------------- clusters, density, labels
def pixel_boxes(fig, frame, annotations, *, legend_chars):
    """The annotation boxes in pixels, with the same estimates the figure used."""
    from workbench.core.label_layout import label_boxes, label_sizes, to_pixels

    area = figures._plot_area(fig.layout.width, fig.layout.height, legend=legend_chars)
    names = [a["text"][3:-4] for a in annotations]
    centres = to_pixels([[a["x"], a["y"]] for a in annotations], figures._default_ranges(frame), area)
    return label_boxes(centres, label_sizes(names, font_size=figures.LABEL_FONT) * [1.1, 1.0] + 8)


def lobes_frame() -> pd.DataFrame:
    """Three categories; "split" has two lobes far apart (its mean lies in the empty gap between them)."""
    rng = np.random.default_rng(0)
    left, right = rng.normal([-10, 0], 0.5, size=(30, 2)), rng.normal([10, 0], 0.5, size=(40, 2))
    round_ = rng.normal([0, 8], 0.5, size=(30, 2))
    tight = rng.normal([0.3, 8.2], 0.5, size=(25, 2))
    xy = np.vstack([left, right, round_, tight])
    kind = ["split"] * 70 + ["<b>round</b>"] * 30 + ["tight"] * 25
    return pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "label": [f"p{i}" for i in range(len(xy))], "kind": kind})


def test_cluster_labels_sit_at_each_categorys_medoid_and_never_overlap():
    frame = lobes_frame()
    fig = figures.scatter_map(frame, colour="kind", cluster_labels=True, width=900, height=500)
    notes = [a for a in fig.to_dict()["layout"]["annotations"] if a["name"] == "cluster-labels"]
    assert [a["text"] for a in notes] == ["<b>split</b>", "<b>&lt;b&gt;round&lt;/b&gt;</b>", "<b>tight</b>"]
    assert [figures.role(a) for a in fig.layout.annotations] == ["cluster-labels"] * 3
    split = frame[frame["kind"] == "split"][["x", "y"]].to_numpy()
    assert abs(notes[0]["x"]) > 8  # on a lobe (the medoid), not at the mean near x = 1.4 in the gap
    assert np.min(np.linalg.norm(split - [notes[0]["x"], notes[0]["y"]], axis=1)) < 1e-9
    from workbench.core.label_layout import overlapping_pairs

    boxes = pixel_boxes(fig, frame, notes, legend_chars=len("<b>round</b>"))
    assert overlapping_pairs(boxes) == []  # "round" and "tight" have medoids a few pixels apart
    assert all(a["bgcolor"].startswith("rgba(255,255,255") and not a["showarrow"] for a in notes)
    assert [a["bordercolor"] for a in notes] == figures.PALETTE[:3]  # the colour of their legend entry
    assert [t["name"] for t in traces(fig, "points")] == ["split", "&lt;b&gt;round&lt;/b&gt;", "tight"]


def test_cluster_labels_from_find_clusters_name_the_legend_and_the_map():
    from workbench.core.clusters import find_clusters

    rng = np.random.default_rng(1)
    centres = rng.normal(size=(3, 8)) * 4
    truth = np.repeat(np.arange(3), 40)
    vectors = centres[truth] + rng.normal(size=(120, 8))
    found = find_clusters(vectors, labels=[f"w{i}" for i in range(120)])
    frame = pd.DataFrame({"x": vectors[:, 0], "y": vectors[:, 1], "label": [f"w{i}" for i in range(120)],
                          "cluster": found.column()})
    fig = figures.scatter_map(frame, colour="cluster", cluster_labels=True)
    assert sorted(t["name"] for t in traces(fig, "points")) == sorted(found.names)
    notes = fig.to_dict()["layout"]["annotations"]
    assert sorted(a["text"] for a in notes) == sorted(f"<b>{n}</b>" for n in found.names)


def test_cluster_labels_are_off_by_default_and_skip_other_numbers_and_3d(frame):
    assert not figures.scatter_map(frame, colour="kind").layout.annotations
    assert not figures.scatter_map(frame, colour="score", cluster_labels=True).layout.annotations
    assert not figures.scatter_map(frame, colour="kind", dim=3, cluster_labels=True).layout.annotations
    n = figures.MAX_CATEGORIES + 3
    many = pd.DataFrame({"x": np.arange(n + 0.0), "y": np.zeros(n), "label": [f"p{i}" for i in range(n)],
                         "g": [f"g{i:02d}" for i in range(n)]})
    notes = figures.scatter_map(many, colour="g", cluster_labels=True).to_dict()["layout"]["annotations"]
    assert len(notes) == figures.MAX_CATEGORIES - 1 and "<b>other</b>" not in [a["text"] for a in notes]
    from workbench.core.clusters import ZERO_NAME

    zero = frame.assign(kind=["a", "a", ZERO_NAME, "b", "b", None])
    notes = figures.scatter_map(zero, colour="kind", cluster_labels=True).to_dict()["layout"]["annotations"]
    assert sorted(a["text"] for a in notes) == ["<b>a</b>", "<b>b</b>"]  # no name for zero vectors or missing


def test_density_contours_are_off_by_default_and_drawn_under_the_points(frame):
    assert traces(figures.scatter_map(frame, colour="kind"), "density") == []
    fig = figures.scatter_map(frame, colour="kind", density=True)
    data = traces(fig)
    [density] = traces(fig, "density")
    assert data[0] is not None and (data[0].get("meta") or {}).get("role") == "density"  # first: under the rest
    assert density["type"] == "histogram2dcontour" and values(density["x"]) == frame["x"].tolist()
    assert density["showscale"] is False and density["hoverinfo"] == "skip" and density["showlegend"] is False
    assert density["contours"]["coloring"] == "lines"
    assert traces(figures.scatter_map(frame, dim=3, density=True), "density") == []
    big = pd.DataFrame({"x": np.arange(50_000.0), "y": np.zeros(50_000), "label": np.arange(50_000).astype(str)})
    [sample] = traces(figures.scatter_map(big, density=True), "density")
    assert len(values(sample["x"])) == figures.DENSITY_SAMPLE  # the map's points are not all sent twice
    assert values(sample["x"])[0] == 0.0 and values(sample["x"])[-1] == 49_999.0


def crowded_frame() -> pd.DataFrame:
    """A map of 300 points with 11 neighbours of "king" packed within 1 % of it."""
    rng = np.random.default_rng(2)
    xy = rng.uniform(-10, 10, size=(300, 2))
    xy[:11] = [0.0, 0.0] + rng.normal(0, 0.05, size=(11, 2))
    labels = ["king", "prince", "queen", "monarch", "throne", "kingdom", "uncle", "ii", "son", "brother",
              "<nephew>"] + [f"w{i}" for i in range(11, 300)]
    return pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "label": labels})


def label_pixels(frame, text_trace, *, width, height, ranges=None):
    from workbench.core.label_layout import label_boxes, label_sizes, to_pixels

    view = figures._ranges(ranges, frame)
    area = figures._plot_area(width, height)
    centres = to_pixels(np.column_stack([values(text_trace["x"]), values(text_trace["y"])]), view, area)
    raw = frame["label"].to_numpy()[values(text_trace["customdata"])]
    return label_boxes(centres, label_sizes(raw, font_size=figures.LABEL_FONT) * [1.1, 1.0]), view, area


def test_highlight_labels_of_crowded_neighbours_never_overlap_and_clear_the_markers():
    from workbench.core.label_layout import covers_anchor, overlapping_pairs, to_pixels

    frame = crowded_frame()
    rows = list(range(11))
    fig = figures.scatter_map(frame, width=800, height=560)
    fig.add_traces(figures.highlight_label_traces(frame, rows, query_rows=[0], width=800, height=560))
    markers = traces(fig, "highlight")[-1]  # after scatter_map's own (empty) highlight layer
    [text], [leader] = traces(fig, "highlight-labels"), traces(fig, "leader")
    assert markers["type"] == text["type"] == leader["type"] == "scattergl"  # above the WebGL points
    assert values(markers["customdata"]) == rows and values(text["customdata"]) == rows
    assert markers["marker"]["symbol"][:2] == ["star", "circle"]
    assert text["text"][10] == "<nephew>" and text["textfont"]["weight"] == "bold"  # WebGL glyphs: never HTML
    boxes, view, area = label_pixels(frame, text, width=800, height=560)
    assert overlapping_pairs(boxes) == []
    anchors = to_pixels(frame[["x", "y"]].to_numpy()[rows], view, area)
    for a in anchors:  # no label covers any highlighted marker
        assert not covers_anchor(boxes, np.repeat(a[None], 11, axis=0), radius=7).any()
    # labels pushed away get a leader line from their point; segments are separated by None
    lx = values(leader["x"])
    assert len(lx) % 3 == 0 and len(lx) >= 3 and all(v is None for v in lx[2::3])
    assert set(lx[0::3]) <= set(frame["x"].to_numpy()[rows].tolist())


def test_highlight_labels_far_apart_stay_above_their_points_without_leaders(frame):
    [markers, text, leader] = [t.to_plotly_json() for t in figures.highlight_label_traces(frame, [0, 2, 3, 5])]
    assert values(text["x"])[:3] == pytest.approx([0.0, 2.0, 3.0])  # straight above, like plotly's "top center"
    assert all(ty > y for ty, y in zip(values(text["y"]), [5.0, 3.0, 2.0]))
    boxes, _, area = label_pixels(frame, text, width=None, height=560)
    assert boxes[3, 2] <= area[0] and boxes[3, 0] >= 0  # the long label at the right edge moved inside the plot
    assert values(leader["x"]) == [] and [markers["meta"]["role"], text["meta"]["role"], leader["meta"]["role"]] \
        == ["highlight", "highlight-labels", "leader"]
    empty = [t.to_plotly_json() for t in figures.highlight_label_traces(frame, [])]
    assert all(values(t["x"]) == [] for t in empty)


def test_highlight_labels_keep_off_analogy_arrows(frame):
    from workbench.core.label_layout import to_pixels

    def covered(arrows) -> bool:
        [_, text, _] = [t.to_plotly_json() for t in figures.highlight_label_traces(frame, [3, 1], arrows=arrows)]
        boxes, view, area = label_pixels(frame, text, width=None, height=560)
        line = to_pixels(frame[["x", "y"]].to_numpy()[[3, 1]], view, area)
        samples = line[0] + np.linspace(0.05, 0.95, 40)[:, None] * (line[1] - line[0])
        return any((b[0] < p[0] < b[2]) and (b[1] < p[1] < b[3]) for b in boxes for p in samples)

    assert covered(arrows=())  # straight above row 3, its label sits on the arrow from row 3 up to row 1
    assert not covered(arrows=[(3, 1)])


def test_highlight_labels_keep_off_the_cluster_names_drawn_above_them():
    from workbench.core.label_layout import overlapping_pairs

    frame = lobes_frame()
    fig = figures.scatter_map(frame, colour="kind", cluster_labels=True)
    notes = fig.to_dict()["layout"]["annotations"]
    # the points right beside the "split" name: their labels would sit on it
    near = np.argsort(np.linalg.norm(frame[["x", "y"]].to_numpy() - [notes[0]["x"], notes[0]["y"]], axis=1))[1:4]
    name_box = pixel_boxes(fig, frame, notes[:1], legend_chars=12)

    def hits(avoid) -> bool:
        [_, text, _] = [t.to_plotly_json() for t in figures.highlight_label_traces(frame, near, avoid=avoid)]
        boxes, _, _ = label_pixels(frame, text, width=None, height=560)
        return bool(overlapping_pairs(np.vstack([name_box, boxes])))

    assert hits(avoid=())
    assert not hits(avoid=fig.layout.annotations)


def test_highlight_labels_follow_the_zoom_and_3d_keeps_plotlys_labels():
    from workbench.core.label_layout import overlapping_pairs

    frame = crowded_frame()
    zoom = figures.zoom_to(frame, range(11))
    [_, text, _] = [t.to_plotly_json() for t in figures.highlight_label_traces(frame, range(11), ranges=zoom)]
    boxes, _, _ = label_pixels(frame, text, width=None, height=560, ranges=zoom)
    assert overlapping_pairs(boxes) == []
    solid = frame.assign(z=np.arange(300.0))
    [markers, labels, leader] = [t.to_plotly_json() for t in figures.highlight_label_traces(solid, [0, 1], dim=3)]
    assert markers["type"] == "scatter3d" and markers["text"] == ["king", "prince"]
    assert labels["meta"]["role"] == "highlight-labels" and leader["meta"]["role"] == "leader"


def test_a_map_can_start_with_the_label_layers_and_update_them_in_place_by_role():
    frame = crowded_frame()
    fig = figures.scatter_map(frame, highlight_labels=True, width=800, height=560)
    roles = [figures.role(t) for t in fig.data]
    assert roles == ["points", "highlight", "highlight-labels", "leader", "query"]
    assert all(values(t["x"]) == [] for t in traces(fig) if t["meta"]["role"] != "points")
    fresh = figures.highlight_label_traces(frame, range(11), query_rows=[0], width=800, height=560)
    for trace in fresh:  # what the map panel does with every overlay
        [i] = [i for i, t in enumerate(fig.data) if figures.role(t) == figures.role(trace)]
        fig.data[i].update(trace.to_plotly_json())
    for trace in fresh:
        [now] = traces(fig, figures.role(trace))
        want = trace.to_plotly_json()
        assert values(now["x"]) == values(want["x"]) and now["type"] == want["type"] == "scattergl"
    assert traces(fig, "highlight-labels")[0]["text"][0] == "king"
    assert [figures.role(t) for t in figures.scatter_map(frame).data] == ["points", "highlight", "query"]


def test_zoom_to_frames_the_rows_with_padding():
    frame = crowded_frame()
    zoom = figures.zoom_to(frame, range(11), pad=0.15)
    xs, ys = frame["x"].to_numpy()[:11], frame["y"].to_numpy()[:11]
    span = xs.max() - xs.min()
    assert zoom["xaxis.range"] == pytest.approx([xs.min() - 0.15 * span, xs.max() + 0.15 * span])
    assert zoom["yaxis.range"][0] < ys.min() and zoom["yaxis.range"][1] > ys.max()
    one = figures.zoom_to(frame, [5])
    whole = frame["x"].max() - frame["x"].min()
    assert one["xaxis.range"] == pytest.approx([frame["x"][5] - 0.025 * whole, frame["x"][5] + 0.025 * whole])
    solid = figures.zoom_to(frame.assign(z=np.arange(300.0)), [0, 1], dim=3)
    assert set(solid) == {"scene.xaxis.range", "scene.yaxis.range", "scene.zaxis.range"}
    fig = figures.scatter_map(frame)
    fig.update_layout(**zoom)
    assert list(fig.to_dict()["layout"]["xaxis"]["range"]) == pytest.approx(zoom["xaxis.range"])


# ----------------------------------------------------------------------------- heatmap, bars, curves
def test_similarity_heatmap_rounds_cell_text_to_two_decimals_and_escapes_labels():
    matrix = pd.DataFrame([[1.0, 0.123456], [-0.98765, 0.5]], index=["cat", "<b>"], columns=["dog", "a & b"])
    fig = figures.similarity_heatmap(matrix, title="cos")
    [heat] = fig.to_dict()["data"]
    assert heat["type"] == "heatmap"
    assert values(heat["z"]) == matrix.to_numpy().tolist()
    assert heat["texttemplate"] == "%{z:.2f}" and "text" not in heat  # the browser formats z itself
    assert heat["x"] == ["dog", "a &amp; b"] and heat["y"] == ["cat", "&lt;b&gt;"]
    assert (heat["zmin"], heat["zmax"]) == (-1, 1)
    layout = fig.to_dict()["layout"]
    assert layout["yaxis"]["autorange"] == "reversed" and layout["title"]["text"] == "cos"
    assert figures.similarity_heatmap(pd.concat([matrix] * 3)).layout.height > fig.layout.height


def test_float32_similarities_show_rounded_not_as_float32_noise():
    """0.48 stored as float32 reads back 0.47999998; d3's ".2f" (the same spec as Python's) prints 0.48."""
    matrix = pd.DataFrame(np.array([[0.48, 1.0]], dtype=np.float32), index=["a"], columns=["b", "c"])
    [heat] = figures.similarity_heatmap(matrix).to_dict()["data"]
    z = values(heat["z"])[0][0]
    assert z != 0.48 and repr(float(z)).startswith("0.4799999")  # what a plain "%{z}" would print
    spec = heat["texttemplate"].removeprefix("%{z:").removesuffix("}")
    assert format(z, spec) == "0.48"


def test_no_figure_offers_plotlys_share_chart_cloud_button(frame):
    history = pd.DataFrame({"epoch": [1], "loss": [1.0]})
    sections = pd.DataFrame({"section": ["s"], "accuracy": [0.5], "total": [2]})
    matrix = pd.DataFrame([[1.0]], index=["a"], columns=["a"])
    built = [figures.scatter_map(frame), figures.scatter_map(frame, dim=3), figures.similarity_heatmap(matrix),
             figures.section_accuracy_bars(sections), figures.loss_curve(history)]
    for fig in built:
        assert "sendDataToCloud" in fig.to_dict()["layout"]["modebar"]["remove"]


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

"""Panels driven headless: set widget values, click buttons, fire plotly's click/selection callbacks,
then check the shared state, the tables and the figure data."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from plotly.callbacks import Points

import workbench as wb
from workbench import figures
from workbench.ui import AnalogyPanel, NeighboursPanel, ProjectionPanel, SimilarityPanel, SourcePanel, State
from workbench.ui.source import MAX_UPLOAD_BYTES


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path_factory.getbasetemp() / "ui-cache"))


@pytest.fixture(scope="module")
def app():
    return wb.Workbench("glove-vocab", "glove-6b-50d", limit=2000, method="pca", background=False)


def traces(panel: ProjectionPanel, role: str) -> list:
    """The map's traces of one role (points, highlight, query, arrow)."""
    return [t for t in panel.figure.data if figures.role(t) == role]


def point_of(panel: ProjectionPanel, label: str):
    """The FigureWidget trace holding ``label`` and its index within that trace."""
    row = panel.state.embeddings.position(label)
    for trace in traces(panel, figures.ROLE_POINTS):
        ids = list(trace.customdata)
        if row in ids:
            return trace, ids.index(row)
    raise AssertionError(f"{label} is not on the map")


def click(panel: ProjectionPanel, label: str) -> None:
    trace, i = point_of(panel, label)
    panel._on_click(trace, Points(point_inds=[i], xs=[trace.x[i]], ys=[trace.y[i]]), None)


def upload(panel: SourcePanel, name: str, data: bytes, size: int | None = None) -> None:
    panel._on_upload({"new": ({"name": name, "type": "", "size": size or len(data), "content": memoryview(data)},)})


# ---------------------------------------------------------------------------------------- the app
def test_app_opens_with_a_map_and_quality(app):
    assert len(app.state.embeddings) == 2000
    proj = app.state.projection
    assert proj.method == "pca" and proj.coords.shape == (2000, 2)
    traces = app.projection.figure.data
    assert sum(len(t.x) for t in traces[:-1]) == 2000  # every point drawn once; last trace = highlight
    assert traces[0].type == "scattergl"
    assert "trustworthiness" in app.projection.quality.value
    assert app.state.status_level == "success"


def test_click_on_king_lists_its_neighbours_and_highlights_them(app):
    click(app.projection, "king")
    assert app.state.query == "king"
    assert app.neighbours.query.value == "king"
    labels = app.neighbours.result_frame["label"].tolist()
    assert "queen" in labels and "king" not in labels
    assert "queen" in app.neighbours.result.value
    overlay = traces(app.projection, figures.ROLE_HIGHLIGHT)[0]
    assert "king" in overlay.text and "queen" in overlay.text
    assert app.state.query_rows == [app.state.embeddings.position("king")]


def test_clicking_the_same_point_twice_asks_again(app):
    click(app.projection, "king")
    app.neighbours.result_frame = None
    click(app.projection, "king")
    assert app.neighbours.result_frame is not None


def test_typed_word_outside_the_map_is_embedded_with_the_same_model(app):
    assert "aardvark" not in app.state.embeddings
    app.neighbours.query.value = "aardvark"
    frame = app.neighbours.result_frame
    assert frame.attrs["query"] == "aardvark" and len(frame) == app.neighbours.k.value
    assert app.state.status_level == "success"


def test_a_typed_query_reaches_the_state_and_is_placed_on_the_existing_map(app):
    before = app.state.projection
    app.neighbours.query.value = "a royal wedding"
    assert app.state.query == "a royal wedding"
    [point] = app.state.query_points
    assert point["label"] == "“a royal wedding”" and len(point["coords"]) == 2
    assert app.state.projection is before  # placed on the map shown, nothing recomputed
    expected = before.transform(app.state.embeddings.vector("a royal wedding")[None])[0]
    np.testing.assert_allclose(point["coords"], expected, rtol=1e-6)
    [typed] = traces(app.projection, figures.ROLE_QUERY)
    assert list(typed.x) == pytest.approx([point["coords"][0]]) and typed.text == ("“a royal wedding”",)
    app.neighbours.query.value = "king"  # a label: highlighted as a row, no typed point left behind
    assert app.state.query_points == [] and len(traces(app.projection, figures.ROLE_QUERY)[0].x) == 0


def test_lasso_selection_reaches_python(app):
    trace = app.projection.figure.data[0]
    app.projection._on_selection(trace, Points(point_inds=[0, 1, 2]), None)
    selected = app.selection
    assert list(selected["row"]) == sorted(int(r) for r in trace.customdata[:3])
    assert {"label", "frequency_rank"} <= set(selected.columns)
    shown = app.projection.selected.value  # the items themselves, fetched by row id and rendered
    assert "3 selected" in shown and all(f">{label}<" in shown for label in selected["label"])
    app.projection._on_selection(trace, Points(point_inds=[]), None)
    assert len(app.selection) == 0
    assert "Nothing selected" in app.state.status


def test_analogy_king_man_woman_is_queen_both_ways(app):
    panel = app.analogy
    panel.a.value, panel.b.value, panel.c.value = "man", "king", "woman"
    panel.solve.click()
    assert panel.add_table.value.count("queen") >= 1 and panel.mul_table.value.count("queen") >= 1
    assert "wb-answer-add'>queen<" in panel.answer.value and "wb-answer-mul'>queen<" in panel.answer.value
    emb = app.state.embeddings
    assert app.state.arrows[0] == (emb.position("man"), emb.position("king"))
    # 2-D arrows are layout annotations (drawn above the WebGL points), from each term to the next.
    arrows = [a for a in app.projection.figure.layout.annotations if figures.role(a) == figures.ROLE_ARROW]
    frame = app.projection._frame
    start = frame.iloc[emb.position("man")]
    assert len(arrows) == 2 and arrows[0].showarrow and arrows[0].arrowhead >= 1
    assert (arrows[0].ax, arrows[0].ay) == (start["x"], start["y"])


def test_analogy_include_inputs_can_return_an_input(app):
    panel = app.analogy
    panel.a.value, panel.b.value, panel.c.value = "man", "king", "woman"
    panel.include_inputs.value = True
    panel.run()
    panel.include_inputs.value = False
    assert "king" in panel.add_table.value  # with inputs kept, king itself ranks among the answers


def test_analogy_benchmark_reports_accuracy_per_section(app):
    app.analogy.benchmark.click()
    result = app.analogy.benchmark_result
    assert 0.3 < result.accuracy < 1 and result.total > 100
    bars = app.analogy.benchmark_out.children[0].data[0]
    assert bars.type == "bar" and len(bars.y) == len(result.sections)


def test_similarity_pairs_and_matrix(app):
    panel = app.similarity
    panel.items.value = "cat dog\ncat, car"
    panel.compute.click()
    frame = panel.result_frame
    assert frame["glove-6b-50d"].iloc[0] == pytest.approx(app.state.embeddings.similarity("cat", "dog"))
    assert frame["glove-6b-50d"].iloc[0] > frame["glove-6b-50d"].iloc[1]
    panel.items.value = "cat\ndog\ncar"
    panel.compute.click()
    widget = panel.heatmap.children[0]
    heat = widget.data[0]
    assert heat.type == "heatmap" and np.allclose(np.diag(np.array(heat.z)), 1, atol=1e-5)
    panel.items.value = "cat\ndog\ncar\nbus"
    panel.compute.click()
    assert panel.heatmap.children[0] is widget and len(widget.data[0].z) == 4  # one widget, updated in place


def test_the_analogy_benchmark_reuses_its_figure(app):
    app.analogy.run_benchmark()
    first = app.analogy.benchmark_out.children[0]
    app.analogy.run_benchmark()
    assert app.analogy.benchmark_out.children[0] is first


def test_the_second_model_loads_as_a_job_and_untrained_models_are_not_offered(small):
    from workbench.models.words import GloVe

    state, *_, panel = small
    assert "word2vec" not in panel.other.options  # a model class still to be trained cannot compare
    wb.register(GloVe(), "glove-again")
    try:
        assert "glove-again" in panel.other.options  # registered in the kernel: offered at once
        state.background = True
        panel.items.value = "cat dog\nking queen"
        panel.other.value = "glove-again"
        panel.compute.click()
        job = panel.job.job
        state.wait(60)
        assert job.status == "done" and state.status_level == "success", state.status
        frame = panel.result_frame
        np.testing.assert_allclose(frame["glove-again"], frame["glove-6b-50d"], rtol=1e-6)
    finally:
        wb.models.MODELS.remove("glove-again")
    assert "glove-again" not in panel.other.options


def test_metadata_columns_named_like_coordinates_do_not_break_the_map():
    rng = np.random.default_rng(0)
    meta = pd.DataFrame({"x": rng.normal(size=30), "label": [f"other {i}" for i in range(30)],
                         "y": ["a", "b", "c"] * 10})
    app = wb.Workbench(embeddings=wb.Embeddings(rng.normal(size=(30, 5)), [f"w{i}" for i in range(30)], meta=meta),
                       method="pca", background=False)
    assert app.state.status_level != "error", app.state.status
    points = traces(app.projection, figures.ROLE_POINTS)
    assert sum(len(t.x) for t in points) == 30 and np.asarray(points[0].x).ndim == 1
    app.projection.colour.value = "y"
    assert app.state.status_level != "error", app.state.status
    assert sorted(t.name for t in traces(app.projection, figures.ROLE_POINTS)) == ["a", "b", "c"]
    click(app.projection, "w3")
    assert app.state.query == "w3" and app.neighbours.result_frame is not None


@pytest.mark.slow
def test_similarity_compares_two_models_side_by_side(app):
    panel = app.similarity
    assert "minilm" in panel.other.options
    panel.items.value = "cat dog\ncat car"
    panel.other.value = "minilm"
    panel.compute.click()
    panel.other.value = "(none)"
    frame = panel.result_frame
    assert {"glove-6b-50d", "minilm", "rank minilm"} <= set(frame.columns)
    assert -1 <= frame["minilm"].min() and frame["minilm"].max() <= 1
    assert frame["minilm"].iloc[0] != pytest.approx(frame["glove-6b-50d"].iloc[0])


def test_projection_3d_and_colour_by_quality(app):
    panel = app.projection
    panel.colour.value = "map quality: k-NN recall"
    assert panel.figure.data[0].marker.showscale is True
    panel.dim.value = 3
    assert panel.figure.data[0].type == "scatter3d" and app.state.projection.dim == 3
    panel.dim.value = 2
    panel.colour.value = "(one colour)"


# ---------------------------------------------------------------------------- bad input keeps state
@pytest.fixture
def small():
    """A fresh state with 300 GloVe words, each test its own."""
    emb = wb.embed("analogy-words", "glove-6b-50d", limit=300, progress=False)
    state = State(embeddings=emb, model="glove-6b-50d", background=False)
    return state, SourcePanel(state), NeighboursPanel(state), AnalogyPanel(state), SimilarityPanel(state)


def assert_error_kept(state, before, pattern):
    assert state.status_level == "error"
    assert pd.Series([state.status]).str.contains(pattern, regex=True).all(), state.status
    assert "Traceback" not in state.status
    assert state.embeddings is before


def test_unknown_word_in_neighbours(small):
    state, _, neighbours, _, _ = small
    before = state.embeddings
    neighbours.query.value = "paris"
    table = neighbours.result.value
    neighbours.query.value = "parisx"
    assert_error_kept(state, before, "Unknown word 'parisx'.*'paris'")
    assert neighbours.result.value == table  # the last good answer stays


def test_unknown_word_in_analogy_and_empty_fields(small):
    state, _, _, analogy, _ = small
    analogy.a.value = "qqqzzz"
    analogy.solve.click()
    assert_error_kept(state, state.embeddings, "Unknown word 'qqqzzz'")
    analogy.a.value = ""
    analogy.solve.click()
    assert_error_kept(state, state.embeddings, "Fill in all three words")


def test_empty_similarity_input(small):
    state, _, _, _, similarity = small
    similarity.items.value = "  \n "
    similarity.compute.click()
    assert_error_kept(state, state.embeddings, "Type pairs")
    similarity.items.value = "a b c\nd"
    similarity.compute.click()
    assert_error_kept(state, state.embeddings, "two items .* or one item")


def test_wrong_files_are_refused_with_a_message(small):
    state, source, *_ = small
    before = state.embeddings
    upload(source, "notes.pdf", b"%PDF-1.4")
    assert_error_kept(state, before, "unsupported file type .pdf")
    upload(source, "words.csv", b"label,comment\na,hello\nb,world\n")
    assert_error_kept(state, before, "no numeric columns")
    upload(source, "broken.bin", b"3 4\nabc \x00\x00")
    assert_error_kept(state, before, "not a valid word2vec binary")
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    upload(source, "objects.npy", buffer.getvalue())
    assert_error_kept(state, before, "could not be read as NPY")
    upload(source, "empty.tsv", b"")
    assert_error_kept(state, before, "empty")


def test_huge_upload_is_refused_before_reading(small):
    state, source, *_ = small
    upload(source, "big.npy", b"\x93NUMPY", size=MAX_UPLOAD_BYTES + 1)
    assert_error_kept(state, state.embeddings, "limited to 200 MB")


def test_nan_vectors_are_refused(small):
    state, source, *_ = small
    before = state.embeddings
    upload(source, "nan.csv", b"label,x,y\na,1,2\nb,nan,3\nc,1,1\n")
    assert_error_kept(state, before, "1 of 3 vectors contain NaN .*rows 1")
    source.use(np.array([[1.0, np.inf]]))
    assert_error_kept(state, before, "NaN or infinite")


def test_good_upload_replaces_the_embeddings(small):
    state, source, neighbours, *_ = small
    upload(source, "mine.tsv", b"label\tx\ty\tkind\na\t1\t0\tp\nb\t0.9\t0.1\tp\nc\t0\t1\tq\n")
    assert state.status_level == "success" and len(state.embeddings) == 3
    assert state.embeddings.meta["kind"].tolist() == ["p", "p", "q"]
    neighbours.query.value = "a"
    assert neighbours.result_frame["label"].iloc[0] == "b"


def test_dimension_mismatch_between_model_and_vectors(small):
    state, source, neighbours, *_ = small
    from workbench.models.words import GloVe

    rng = np.random.default_rng(0)
    vectors = wb.Embeddings(rng.normal(size=(20, 384)), [f"w{i}" for i in range(20)], embedder=GloVe())
    source.use(vectors)
    before = state.embeddings
    neighbours.query.value = "king"  # not a label: GloVe embeds it in 50-d, the vectors are 384-d
    assert_error_kept(state, before, "makes 50-d vectors, but these embeddings are 384-d")


def test_html_in_labels_is_escaped_everywhere():
    labels = ["<script>alert(1)</script>", "<img src=x onerror=alert(2)>", "plain", "<b>bold</b>"]
    vectors = np.array([[1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0, 0, 1]], dtype=float)
    state = State(embeddings=wb.Embeddings(vectors, labels), background=False)
    projection, neighbours = ProjectionPanel(state, method="pca"), NeighboursPanel(state)
    neighbours.query.value = "<script>alert(1)</script>"
    assert "<img" not in neighbours.result.value and "&lt;img src=x onerror=alert(2)&gt;" in neighbours.result.value
    # Every text plotly may parse as HTML (SVG text, hover text) is escaped; the WebGL label layer is
    # drawn as glyphs, never parsed, so it holds the labels as they are (escaped, "<b>" would show "&lt;b&gt;").
    glyphs = [t for t in projection.figure.data if figures.role(t) == figures.ROLE_HIGHLIGHT_LABELS]
    assert len(glyphs) == 1 and glyphs[0].type == "scattergl" and glyphs[0].mode == "text"
    assert "<script>alert(1)</script>" in glyphs[0].text
    texts = [t for trace in projection.figure.data if trace not in glyphs for t in (trace.text or ())]
    texts += [trace.hovertemplate or "" for trace in projection.figure.data]
    texts += [a.text or "" for a in projection.figure.layout.annotations]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in texts
    assert not any("<script" in t or "<img" in t for t in texts)


def test_tsne_map_in_the_background_arrives(small):
    state, *_ = small
    state.background = True
    panel = ProjectionPanel(state, method="tsne")
    state.wait(timeout=120)
    assert state.projection.method == "tsne" and state.projection.embeddings is state.embeddings
    assert panel.figure.data[0].type == "scattergl"


def test_panels_say_when_nothing_is_loaded():
    state = State(background=False)
    neighbours, analogy, similarity = NeighboursPanel(state), AnalogyPanel(state), SimilarityPanel(state)
    for act in (lambda: setattr(neighbours.query, "value", "king"), analogy.solve.click, analogy.benchmark.click,
                similarity.compute.click):
        state.report("", "info")
        act()
        assert state.status_level == "error" and "Nothing is loaded yet" in state.status


def test_changing_modality_always_leaves_a_model_and_a_dataset_chosen():
    state = State(background=False)
    panel = SourcePanel(state)
    assert "recommendation" not in panel.modality.options  # only a model still to train: see the Train tab
    for modality in panel.modality.options:
        panel.modality.value = modality
        assert panel.model.value in panel.model.options and panel.dataset.value in panel.dataset.options
    svd = wb.get_model("interaction-svd").fit("davis-southern-women", progress=False)
    wb.register(svd, "svd-davis")
    try:
        assert "recommendation" in panel.modality.options  # a fitted model makes the modality usable
        panel.modality.value = "recommendation"
        assert panel.model.value == "svd-davis" and panel.dataset.value == "davis-southern-women"
    finally:
        wb.models.MODELS.remove("svd-davis")

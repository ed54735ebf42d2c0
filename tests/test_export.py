"""Sharing a view: standalone HTML, PNG, a JSON state that reopens the app, bookmarks.

Apps are real: GloVe 6B 50d on the "analogy-words" dataset (categories, so the map has a legend),
PCA maps, no background threads. The zoom is set the way the browser sets it (a relayout message
to the FigureWidget), and the selection the way the map panel writes it (``state.frame_of``).
"""

from __future__ import annotations

import copy
import json
import re
import sys

import numpy as np
import pytest

import workbench as wb
from workbench import figures
from workbench.core.errors import (BadFileError, EmptyInputError, InvalidParameterError, MissingDependencyError,
                                   SizeLimitError, UnknownNameError, WorkbenchError)
from workbench.ui import bookmarks as bm
from workbench.ui import export
from workbench.ui import view_checks as checks
from workbench.ui._map_clusters import CLUSTERS


@pytest.fixture(scope="module", autouse=True)
def private_cache(tmp_path_factory):
    """One cache for the module, set before the module's apps are built (a reopened view hits it)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WORKBENCH_CACHE", str(tmp_path_factory.mktemp("export-cache")))
        yield


def make_app(**kwargs):
    return wb.Workbench("analogy-words", "glove-6b-50d", limit=500, method="pca", background=False, **kwargs)


def relayout(app, **ranges) -> None:
    """Zoom as the browser does: plotly.js sends a relayout message that the FigureWidget applies."""
    data = {f"{axis}axis.range[{i}]": v for axis, pair in ranges.items() for i, v in enumerate(pair)}
    app.projection.figure._js2py_relayout = {"relayout_data": data, "source_view_id": None}


@pytest.fixture(scope="module")
def app():
    """An app looked at: a query, a selection of three rows, a zoom, colour by section, k=5."""
    a = make_app()
    a.projection.colour.value = "section"
    a.neighbours.k.value = 5
    a.state.query = "paris"
    a.state.selection = a.state.frame_of([3, 5, 8])
    x = a.state.projection.coords[:, 0]
    y = a.state.projection.coords[:, 1]
    relayout(a, x=[float(np.percentile(x, 10)), float(np.percentile(x, 90))],
             y=[float(np.percentile(y, 10)), float(np.percentile(y, 90))])
    return a


def roles(fig) -> list:
    """Roles of the traces and of the layout annotations (2-D arrows and cluster names are annotations)."""
    return [figures.role(t) for t in fig.data] + [figures.role(a) for a in fig.layout.annotations]


# ---------------------------------------------------------------------------------------- HTML
def test_html_is_one_offline_file_with_the_points_and_layers(app, tmp_path):
    path = export.export_html(app, tmp_path / "map.html", title="Capitals <&> countries")
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\bsrc\s*=", text, re.I)  # plotly.js inlined, nothing fetched
    assert not re.search(r"<link[^>]*\bhref\s*=\s*[\"']?https?:", text, re.I)
    assert "cdn.plot.ly" not in re.sub(r"<script[^>]*>.*?</script>", "", text, flags=re.S)
    assert "Plotly.newPlot" in text and "mathjax" not in text.split("<body>")[0].lower()
    # every label is in the page (hover text), and the figure holds the query's highlight layer
    labels = app.state.embeddings.labels
    missing = [w for w in labels if f'"{w}' not in text and f'"{w}<br>' not in text]
    assert missing == []
    fig = export.current_figure(app)
    assert roles(fig).count("highlight") == 1 and "query" in roles(fig)
    highlight = next(t for t in fig.data if figures.role(t) == "highlight")
    assert len(highlight.x) == len(app.state.highlight) == 6  # paris and its 5 neighbours
    # the legend has the sections, and the zoom the browser set is in the page
    names = {t.name for t in fig.data if figures.role(t) == "points"}
    assert set(app.state.embeddings.meta["section"].unique()) <= names | {"other"}
    zoom = list(app.projection.figure.layout.xaxis.range)
    assert list(fig.layout.xaxis.range) == zoom
    assert repr(zoom[0])[:10] in text
    # title and caption escaped
    assert "<h1>Capitals &lt;&amp;&gt; countries</h1>" in text and "Capitals <&>" not in text
    q = app.state.projection.quality
    assert f"trustworthiness {q.trustworthiness:.3f}" in text and "analogy-words" in text and "glove-6b-50d" in text


def test_html_escapes_labels_that_look_like_markup(tmp_path):
    rng = np.random.default_rng(0)
    labels = [f"w{i}" for i in range(28)] + ["</script><script>alert(1)</script>", "<b>bold</b>"]
    app = wb.Workbench(embeddings=wb.Embeddings(rng.normal(size=(30, 6)), labels), method="pca", background=False)
    text = export.export_html(app, tmp_path / "m.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in text and "<b>bold</b>" not in text
    assert "&lt;b&gt;bold&lt;\\u002fb&gt;" in text  # escaped for plotly, and "/" escaped inside <script>


def test_html_size_is_what_the_docstring_says(app, tmp_path):
    size = export.export_html(app, tmp_path / "m.html").stat().st_size
    assert 4.8e6 < size < 5.0e6  # plotly.js 4.8 MB + 500 points with their section in the hover
    assert "4.84 MB" in export.export_html.__doc__


def test_a_large_map_drawn_by_jupyter_scatter_exports_as_plotly(tmp_path):
    a = wb.Workbench("glove-vocab", "glove-6b-50d", limit=60_000, method="pca", background=False)
    assert a.projection.backend_name == "scatter"  # above the plotly limit the panel draws with jupyter-scatter
    a.state.query = "paris"
    fig = export.current_figure(a)  # rebuilt from the map's data with the same layers
    assert sum(len(t.x) for t in fig.data if figures.role(t) == "points") == 60_000
    highlight = next(t for t in fig.data if figures.role(t) == "highlight")
    assert len(highlight.x) == len(a.state.highlight) == 11
    size = export.export_html(a, tmp_path / "big.html").stat().st_size
    assert size < 8e6  # 60,000 points add about 1.6 MB to plotly.js
    assert export.view_state(a)["view"]["zoom"] is None  # jupyter-scatter's zoom is not read back


# ---------------------------------------------------------------------------------------- PNG
def _chromium_or_skip():
    if export.find_chromium() is None:
        pytest.skip("no Chrome or Chromium here: apt-get install chromium")


def _png_checks(path, app, scale):
    from PIL import Image

    image = Image.open(path)
    assert image.format == "PNG"
    assert image.size == (app.projection.width * scale, app.projection.height * scale)
    rgb = np.asarray(image.convert("RGB"), dtype=np.int16)
    coloured = (rgb.max(axis=2) - rgb.min(axis=2) > 60)
    assert coloured.sum() > 500 * scale * scale * 10  # 500 markers of several palette colours
    palette = {tuple(int(h[i:i + 2], 16) for i in (1, 3, 5)) for h in figures.PALETTE[:4]}
    near = [np.abs(rgb - np.array(c)).sum(axis=2) < 40 for c in palette]
    assert sum(int(m.sum() > 50) for m in near) >= 3  # the section colours are there
    return rgb


def test_png_through_kaleido(app, tmp_path):
    pytest.importorskip("kaleido")
    _chromium_or_skip()
    out = export.export_png(app, tmp_path / "map.png", scale=2, engine="kaleido")
    _png_checks(out, app, 2)


def test_png_through_the_browser_matches_kaleido_size(app, tmp_path):
    pytest.importorskip("playwright.sync_api")
    _chromium_or_skip()
    out = export.export_png(app, tmp_path / "map.png", scale=1, engine="browser")
    _png_checks(out, app, 1)


def test_png_without_kaleido_or_playwright_says_what_to_install(app, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "kaleido", None)  # import kaleido -> ImportError
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)
    with pytest.raises(MissingDependencyError, match=r"kaleido is not installed; playwright is not installed.*"
                                                     r"pip install kaleido==1\.5\.1"):
        export.export_png(app, tmp_path / "map.png")
    assert not (tmp_path / "map.png").exists()


# ---------------------------------------------------------------------------------------- JSON state
def without_date(state: dict) -> dict:
    return {k: v for k, v in state.items() if k != "saved"}


def test_state_is_json_and_says_what_is_shown(app):
    state = export.view_state(app)
    assert json.loads(json.dumps(state)) == state
    src, view = state["source"], state["view"]
    assert src == {"kind": "registry", "dataset": "analogy-words", "model": "glove-6b-50d", "limit": 500,
                   "modality": "word", **checks.items_fingerprint(app.state.embeddings)}
    assert view["map"]["method"] == "pca" and view["map"]["dim"] == 2
    assert view["colour"] == "section" and view["k"] == 5 and view["query"] == "paris"
    labels = app.state.embeddings.labels
    assert view["selection"] == {"rows": [3, 5, 8], "labels": [labels[3], labels[5], labels[8]]}
    assert view["highlight"][0] == labels.index("paris") and len(view["highlight"]) == 6
    assert set(view["zoom"]) == {"x", "y"} and view["zoom"]["x"][0] < view["zoom"]["x"][1]


def test_state_round_trip_through_a_file(app, tmp_path):
    path = export.save_view(app, tmp_path / "view.json")
    again = export.open_state(path, background=False)
    assert without_date(export.view_state(again)) == without_date(export.view_state(app))
    # what the person sees came back too: the colour's legend, the highlighted query, the zoom, the selection
    assert again.projection.colour.value == "section"
    assert list(again.projection.figure.layout.xaxis.range) == list(app.projection.figure.layout.xaxis.range)
    assert again.state.selection["label"].tolist() == app.state.selection["label"].tolist()
    assert again.neighbours.result_frame.label.tolist() == app.neighbours.result_frame.label.tolist()
    selected = [i for t in again.projection.figure.data if figures.role(t) == "points"
                for i in (t.customdata[list(t.selectedpoints)] if t.selectedpoints else [])]
    assert sorted(int(r) for r in selected) == [3, 5, 8]
    # re-embedded through the normal cache: the map came from it, not recomputed
    assert again.state.projection.from_cache


def test_typed_query_star_and_arrows_survive(tmp_path):
    a = make_app()
    a.state.query = "capital of france"  # not a label: embedded and placed on the map as a star
    assert a.state.query_points
    a.state.arrows = [(1, 2), (3, 4)]
    again = export.open_state(export.view_state(a), background=False)
    assert again.state.query_points == a.state.query_points
    assert again.state.arrows == [(1, 2), (3, 4)]
    fig = export.current_figure(again)
    assert roles(fig).count("arrow") >= 2
    star = next(t for t in fig.data if figures.role(t) == "query")
    assert list(star.x) == [a.state.query_points[0]["coords"][0]]


def test_a_turned_3d_map_reopens_with_its_camera():
    a = make_app(dim=3)
    assert export.view_state(a)["view"]["zoom"] is None  # not turned yet
    camera = {"eye": {"x": 0.4, "y": -1.9, "z": 0.7}, "center": {"x": 0, "y": 0, "z": 0},
              "up": {"x": 0, "y": 0, "z": 1}, "projection": {"type": "orthographic"}}
    a.projection.figure._js2py_relayout = {"relayout_data": {"scene.camera": camera}, "source_view_id": None}
    state = export.view_state(a)
    assert state["view"]["zoom"] == {"camera": camera} and state["view"]["map"]["dim"] == 3
    again = export.open_state(json.loads(json.dumps(state)), background=False)
    assert again.state.projection.dim == 3
    assert again.projection.figure.layout.scene.camera.to_plotly_json() == camera
    assert export.current_figure(again).layout.scene.camera.eye.y == -1.9


def test_own_vectors_need_their_file(glove, tmp_path):
    emb = glove.head(200)
    a = wb.Workbench(embeddings=wb.Embeddings(emb.vectors, emb.labels), method="pca", background=False)
    a.state.query = "city"
    state = export.view_state(a)
    assert state["source"]["kind"] == "vectors" and state["source"]["vectors"] is None
    with pytest.raises(WorkbenchError, match=r"saved without them.*include_vectors=True"):
        export.open_state(state, background=False)
    # the same vectors handed back work, and so does a state saved with them beside it
    again = export.open_state(state, embeddings=wb.Embeddings(emb.vectors, emb.labels), background=False)
    assert without_date(export.view_state(again)) == without_date(state)
    path = export.save_view(a, tmp_path / "mine.json", include_vectors=True)
    assert (tmp_path / "mine.vectors" / "vectors.npy").is_file()
    reopened = export.open_state(path, background=False)
    assert np.array_equal(reopened.state.embeddings.vectors, a.state.embeddings.vectors)
    assert without_date(export.view_state(reopened))["view"] == state["view"]
    # other vectors of the same size are refused: the labels differ
    other = wb.Embeddings(glove.vectors[200:400], glove.labels[200:400])
    with pytest.raises(WorkbenchError, match="data differ"):
        export.open_state(state, embeddings=other, background=False)


# ---------------------------------------------------------------------------------------- bookmarks
def test_bookmarks_go_back_without_recomputing(tmp_path):
    a = make_app()
    a.state.query = "berlin"
    a.projection.dim.value = 3
    assert bm.bookmark(a, "berlin in 3D")["map"]["dim"] == 3
    a.projection.dim.value = 2
    a.state.query = "frog"
    a.projection.colour.value = "(one colour)"
    bm.bookmark(a, "frog")
    assert bm.bookmarks(a) == ["berlin in 3D", "frog"]
    bm.go_to(a, "berlin in 3D")
    assert a.projection.dim.value == 3 and a.state.projection.dim == 3
    assert a.state.projection.from_cache  # read back from the cache, not laid out again
    assert a.state.query == "berlin" and a.neighbours.result_frame.attrs["query"] == "berlin"
    assert a.projection.colour.value == CLUSTERS  # the default colour, as it was when bookmarked
    # bookmarks travel in the state file
    again = export.open_state(export.view_state(a), background=False)
    assert bm.bookmarks(again) == ["berlin in 3D", "frog"]
    bm.go_to(again, "frog")
    assert again.state.query == "frog" and again.projection.colour.value == "(one colour)"


def test_bookmark_of_a_tsne_view_comes_back_from_the_cache():
    a = wb.Workbench("analogy-words", "glove-6b-50d", limit=300, method="tsne", background=False)
    assert a.state.projection.method == "tsne"
    coords = a.state.projection.coords.copy()
    bm.bookmark(a, "tsne")
    a.projection.method.value = "pca"
    bm.go_to(a, "tsne")
    proj = a.state.projection
    assert proj.method == "tsne" and proj.from_cache and np.allclose(proj.coords, coords)


def test_zoom_waits_for_a_map_computed_in_the_background(tmp_path, monkeypatch):
    a = wb.Workbench("analogy-words", "glove-6b-50d", limit=300, method="tsne", background=False)
    x, y = a.state.projection.coords[:, 0], a.state.projection.coords[:, 1]
    relayout(a, x=[float(x.min()) / 2, float(x.max()) / 2], y=[float(y.min()) / 3, float(y.max()) / 3])
    a.state.query = "london"
    state = export.view_state(a)
    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "empty-cache"))  # the t-SNE map must be laid out again
    again = export.open_state(state)  # background=True: PCA first, t-SNE in a thread
    again.wait(600)
    assert again.state.projection.method == "tsne" and not again.state.projection.from_cache
    assert list(again.projection.figure.layout.xaxis.range) == state["view"]["zoom"]["x"]
    assert without_date(export.view_state(again)) == without_date(state)


def test_bookmarks_widget_saves_and_goes_back():
    a = make_app()
    panel = bm.BookmarksPanel(a)
    assert "wb-bookmarks" in panel._dom_classes
    a.state.query = "tokyo"
    panel.name.value = "  tokyo view "
    panel.save_button.click()
    assert panel.views.options == (panel.PROMPT, "tokyo view") and a.state.status_level == "success"
    a.state.query = "frog"
    panel.views.value = "tokyo view"
    assert a.state.query == "tokyo" and "tokyo view" in a.state.status
    assert panel.views.value == panel.PROMPT  # ready to pick the same view again
    a.state.query = "frog"
    panel.views.value = "tokyo view"
    assert a.state.query == "tokyo"
    bm.bookmark(a, "from python")  # bookmarks made in Python show up in the list too
    assert panel.views.options[-1] == "from python"


def test_bookmark_errors_are_sentences():
    a = make_app()
    with pytest.raises(EmptyInputError, match="No view is bookmarked yet"):
        bm.go_to(a, "x")
    bm.bookmark(a, "one")
    with pytest.raises(UnknownNameError, match=r"Unknown bookmark 'onee'.*Did you mean 'one'"):
        bm.go_to(a, "onee")
    for name in ("", "   ", "x" * 81, 5, None):
        with pytest.raises(InvalidParameterError, match="'name' parameter of bookmark"):
            bm.bookmark(a, name)
    # the panel shows the error in the status instead of raising
    panel = bm.BookmarksPanel(a)
    panel.name.value = "y" * 200
    panel.save_button.click()
    assert a.state.status_level == "error" and "1 to 80 characters" in a.state.status


# ---------------------------------------------------------------------------------------- bad input
def mutate(state: dict, where: str, value):
    state = copy.deepcopy(state)
    *path, last = where.split(".")
    target = state
    for key in path:
        target = target[key]
    if value is DELETE:
        del target[last]
    else:
        target[last] = value
    return state


DELETE = object()
TEN_MB = "x" * 10_000_000

# (field, value) -> error class and message; the bad-input matrix can take these rows as they are.
BAD_STATES = [
    ("version", 2, InvalidParameterError, r"'version' parameter of the view state must be 1"),
    ("format", "plotly", InvalidParameterError, r"'format' parameter .* 'workbench-view'"),
    ("source.dataset", "glove-vocabb", UnknownNameError, r"Unknown dataset 'glove-vocabb'"),
    ("source.model", "bert", UnknownNameError, r"Unknown model 'bert'.*Valid models"),
    ("source.limit", "500", InvalidParameterError, r"'source.limit' .* integer from 10"),
    ("source.limit", 5, InvalidParameterError, r"'source.limit' .* integer from 10"),
    ("source.kind", "url", InvalidParameterError, r"'source.kind' .* 'registry' or 'vectors'"),
    ("view.map.method", "mds", InvalidParameterError, r"'view.map.method' .* one of"),
    ("view.map.dim", 4, InvalidParameterError, r"'view.map.dim' .* integer from 2 to 3"),
    ("view.k", True, InvalidParameterError, r"'view.k' .* integer from 1 to 50"),
    ("view.highlight", [1, 500], InvalidParameterError, r"'view.highlight' .* integer from 0 to 499"),
    ("view.selection.rows", [-1], InvalidParameterError, r"'view.selection.rows' .* from 0 to 499"),
    ("view.selection.labels", ["a"], InvalidParameterError, r"'view.selection.labels' .* one per selected row"),
    ("view.query", TEN_MB, InvalidParameterError, r"'view.query' .* at most 10,000 characters.*10,000,000 characters"),
    ("view.colour", ["section"], InvalidParameterError, r"'view.colour' .* or null"),
    ("view.zoom", {"x": ["a", 1]}, InvalidParameterError, r"'view.zoom.x' .* finite number"),
    ("view.zoom", {"x": [float("nan"), 1]}, InvalidParameterError, r"'view.zoom.x' .* finite number"),
    ("view.zoom", {"z": [0, 1]}, InvalidParameterError, r"'view.zoom' .* keys among \('x', 'y'\)"),
    ("view.query_points", [{"label": "q", "coords": [1.0]}], InvalidParameterError, r"list of 2 numbers"),
    ("view.extra", 1, InvalidParameterError, r"'view' .* keys among"),
    ("view.items.count", 400, InvalidParameterError, r"'view.items' .* the items of source"),
    ("view.selection", DELETE, InvalidParameterError, r"'view' .* with the keys"),
    ("bookmarks", [1], InvalidParameterError, r"'bookmarks' .* named views"),
]


@pytest.fixture(scope="module")
def good_state(app):
    return export.view_state(app)


@pytest.mark.parametrize("field, value, error, message", BAD_STATES, ids=[f"{f}={str(v)[:12]}" for f, v, *_ in BAD_STATES])
def test_bad_state_fields_get_a_clear_error(good_state, field, value, error, message):
    bad = mutate(good_state, field, value)
    with pytest.raises(error, match=message) as caught:
        export.open_state(bad, background=False)
    assert len(str(caught.value)) < 1000  # a 10 MB string is named by its size, never echoed


def test_bad_state_files(good_state, tmp_path):
    cases = {
        "missing.json": (None, BadFileError, "No view state file"),
        "broken.json": (b'{"format": "workbench-view", ', BadFileError, "not UTF-8 JSON"),
        "latin1.json": ('{"q": "caf\xe9"}'.encode("latin-1"), BadFileError, "not UTF-8 JSON"),
        "deep.json": (b"[" * 100_000 + b"]" * 100_000, BadFileError, "nested too deeply|not UTF-8 JSON"),
        "list.json": (b"[1, 2]", InvalidParameterError, "'state' parameter of open_state must be a dict"),
    }
    for name, (content, error, message) in cases.items():
        path = tmp_path / name
        if content is not None:
            path.write_bytes(content)
        with pytest.raises(error, match=message):
            export.open_state(path)
    huge = tmp_path / "huge.json"
    with open(huge, "wb") as f:
        f.truncate(checks.MAX_STATE_BYTES + 1)  # sparse: nothing is really written
    with pytest.raises(SizeLimitError, match="a view state is at most 50 MB"):
        export.open_state(huge)
    # a vectors folder must sit beside the state file: no paths
    own = mutate(good_state, "source", {"kind": "vectors", "name": "mine", "dim": 50, "vectors": "../../etc.vectors",
                                        **{k: good_state["source"][k] for k in ("count", "labels_sha1", "modality")}})
    with pytest.raises(InvalidParameterError, match="'source.vectors' .* folder beside the state file"):
        export.open_state(own)


def test_bad_state_that_only_the_data_can_reveal(good_state):
    wrong_label = mutate(good_state, "view.selection.labels", ["zzz", *good_state["view"]["selection"]["labels"][1:]])
    with pytest.raises(WorkbenchError, match=r"Selected row 3 is .* but 'zzz' in the view"):
        export.open_state(wrong_label, background=False)
    with pytest.raises(UnknownNameError, match=r"Unknown colour 'sectio'.*Did you mean 'section'"):
        export.open_state(mutate(good_state, "view.colour", "sectio"), background=False)
    with pytest.raises(InvalidParameterError, match=r"'limit' parameter of open_state must be one of"):
        export.open_state(good_state, limit=10)
    with pytest.raises(InvalidParameterError, match=r"'embeddings' parameter of open_state must be None"):
        export.open_state(good_state, embeddings=np.eye(3))


def test_bad_export_arguments(app, tmp_path):
    with pytest.raises(InvalidParameterError, match="'scale' parameter of export_png"):
        export.export_png(app, tmp_path / "m.png", scale=0)
    with pytest.raises(InvalidParameterError, match="'engine' parameter of export_png"):
        export.export_png(app, tmp_path / "m.png", engine="svg")
    with pytest.raises(InvalidParameterError, match="not a folder"):
        export.export_html(app, tmp_path)
    with pytest.raises(BadFileError, match="does not exist"):
        export.export_html(app, tmp_path / "no" / "m.html")
    with pytest.raises(InvalidParameterError, match="'path' parameter of save_view"):
        export.save_view(app, 42)
    with pytest.raises(InvalidParameterError, match="'title' parameter of export_html"):
        export.export_html(app, tmp_path / "m.html", title="t" * 500)
    empty = wb.Workbench(embeddings=wb.Embeddings(np.eye(3)), method="pca", background=False)
    empty.state.projection = None
    with pytest.raises(EmptyInputError, match="no map to export"):
        export.export_html(empty, tmp_path / "m.html")


# ---------------------------------------------------------------------------------------- the checks module
def test_view_checks_examples_run():
    import doctest

    failures, tried = doctest.testmod(checks, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert failures == 0 and tried >= 8


def test_names_the_app_uses_stay_where_they_were():
    from workbench.ui.bookmarks import BookmarksPanel, bookmark, bookmarks, go_to  # noqa: F401
    from workbench.ui.export import export_html, export_png, open_state, save_view, view_state  # noqa: F401

    assert export.check_state is checks.check_state and bm.items_fingerprint is checks.items_fingerprint


# A bookmark's name is checked by one rule, typed in Python or read from a state file.
BAD_NAMES = [("", "''"), ("   ", "'   '"), ("x" * 81, r"'x{40}'… \(81 characters\)"), (5, "5")]


@pytest.mark.parametrize("name, got", BAD_NAMES, ids=["empty", "spaces", "81 chars", "int"])
def test_bookmark_names_follow_one_rule(good_state, name, got):
    a = wb.Workbench(embeddings=wb.Embeddings(np.eye(12)), method="pca", background=False)
    with pytest.raises(InvalidParameterError, match=r"The 'name' parameter of bookmark must be a text of 1 to 80 "
                                                    rf"characters\. Got {got} instead"):
        bm.bookmark(a, name)
    if not isinstance(name, str):
        return  # JSON object keys are always texts
    state = mutate(good_state, "bookmarks", {name: good_state["view"]})
    with pytest.raises(InvalidParameterError, match=r"The 'bookmarks' parameter of the view state must be a text "
                                                    rf"of 1 to 80 characters\. Got {got} instead"):
        checks.check_state(state)


def test_bookmarks_in_a_state_are_named_as_bookmark_names_them(good_state):
    state = mutate(good_state, "bookmarks", {"  paris  ": good_state["view"]})
    again = export.open_state(state, background=False)
    assert bm.bookmarks(again) == ["paris"]  # stripped, as bookmark(app, "  paris  ") would name it
    bm.go_to(again, "paris")
    assert again.state.query == "paris"


def test_a_state_without_bookmarks_opens(good_state):
    again = export.open_state(mutate(good_state, "bookmarks", DELETE), background=False)
    assert bm.bookmarks(again) == [] and again.state.query == "paris"


def test_a_view_of_other_data_changes_nothing(good_state):
    other = wb.Workbench(embeddings=wb.Embeddings(np.eye(12)), method="pca", background=False)
    other.state.query = "3"
    with pytest.raises(WorkbenchError, match=r"saved on other data \(500 items\) than the 12 items shown now"):
        bm.apply_view(other, good_state["view"])
    assert other.state.query == "3" and other.state.selection is None

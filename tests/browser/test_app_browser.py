"""The workbench in a real browser: JupyterLab and Voilà in headless Chromium (Debian's package,
driven by Playwright through ``executable_path``; nothing is downloaded).

* JupyterLab, the tour: Run All Cells; the app's map draws (colour pixels in a screenshot; the map
  is UMAP read from the warm cache); zoom around "king" as a person would, hover and click it: the
  kernel answers with its neighbours (browser -> kernel -> browser); type two analogies into the
  boxes and press Solve.
* Voilà, the tour as an app: the map draws, no code is shown, a typed query is answered.
* HTML safety: labels such as ``<script>...``, ``<img onerror=...>`` and ``<b>bold</b>`` show as
  literal text in the hover label, the neighbours table, the map labels and the status line, and
  no injected script runs.

Run: ``OMP_NUM_THREADS=1 pytest tests/browser`` (about 3 minutes); skip with ``-m "not browser"``.
Screenshots and timings go to ``$BROWSER_ARTIFACTS`` (default: a pytest temp dir).
"""

from __future__ import annotations

import html
import re
import time

import pytest

import _servers

_servers.skip_module_without_browser()

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("PIL.Image", reason="pip install pillow")
from playwright.sync_api import expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

APP_MAP = ".wb-app .wb-map .js-plotly-plot"
TRACEBACK = "Traceback (most recent call last)"
# The tour's 5,000 markers cover several thousand coloured pixels; a blank plot, or plotly's
# "WebGL is not supported" message, has none.
MIN_MAP_PIXELS = 2000


def shot(page, artifacts, name: str, locator=None) -> None:
    """Screenshot of the viewport, or of one element, into the artifacts folder."""
    (page if locator is None else locator).screenshot(path=str(artifacts / f"{name}.png"))


# anywidget gives a model 2 s to initialise, then rejects with this (uncaught) error. Voilà creates a
# model for every widget alive in the kernel, displayed or not, and the plotly FigureWidgets that
# ProjectionPanel.draw replaces are never closed: such never-displayed figures time out (1 or 2 per
# load of the tour; none once they are closed, checked by hand).
ORPHAN_FIGURE_ERROR = "[anywidget] Failed to initialize model."


def assert_page_clean(page, allow: tuple[str, ...] = ()) -> None:
    """No widget failed to render, no uncaught error in the page (but ``allow``), no Python traceback."""
    broken = page.evaluate("""() => [...document.querySelectorAll('*')]
        .filter(e => e.childElementCount === 0 && /Error displaying widget/.test(e.textContent))
        .map(e => { const cell = e.closest('.jp-Cell');
                    const cells = [...document.querySelectorAll('.jp-Cell')];
                    const parent = e.parentElement;
                    return `cell ${cells.indexOf(cell)} of ${cells.length}: ${parent.className} ` +
                           `in ${parent.parentElement && parent.parentElement.className}`; })""")
    assert not broken, f"widgets failed to display: {broken}"
    errors = [e for e in page.errors if e not in allow]
    assert not errors, f"uncaught errors in the page: {errors}"
    body = page.locator("body").inner_text()
    assert TRACEBACK not in body, "a Python traceback is shown in the page"


def assert_highlights_on_their_points(page) -> None:
    """In the browser, each highlighted point (last trace) sits where the same row is drawn in the
    data traces: the map and its overlay come from the same projection."""
    mismatches = page.evaluate("""(sel) => {
        const gd = document.querySelector(sel);
        const traces = gd._fullData.filter(t => t.visible !== false);
        const where = new Map();
        for (const t of traces.filter(t => t.meta && t.meta.role === 'points')) {
            (t.customdata || []).forEach((row, i) => { if (t.x && t.x.length > i) where.set(row, [t.x[i], t.y[i]]); });
        }
        const overlay = traces.filter(t => t.name === 'highlight')[0];
        if (!overlay || !overlay.customdata || !overlay.customdata.length) return ['no highlighted points'];
        const bad = [];
        overlay.customdata.forEach((row, i) => {
            const p = where.get(row);
            if (!p || Math.abs(p[0] - overlay.x[i]) > 1e-6 || Math.abs(p[1] - overlay.y[i]) > 1e-6)
                bad.push(`${overlay.text[i]}: overlay (${overlay.x[i]}, ${overlay.y[i]}) vs point ${p}`);
        });
        return bad;
    }""", APP_MAP)
    assert not mismatches, f"highlights are not on their points: {mismatches[:5]}"


def wait_for_map(page, timeout_s: float = 300) -> tuple[int, float]:
    """Wait until the app's plot exists and its markers are drawn; (pixels, seconds)."""
    plot = page.locator(APP_MAP).first
    plot.locator(".nsewdrag").wait_for(timeout=timeout_s * 1000)
    expect(page.get_by_text("WebGL is not supported")).to_have_count(0)
    plot.scroll_into_view_if_needed()
    pixels, waited = _servers.wait_until_drawn(plot, MIN_MAP_PIXELS, timeout_s)
    assert pixels >= MIN_MAP_PIXELS, f"the map drew no points ({pixels} coloured pixels)"
    return pixels, waited


def zoom_around(page, text: str, fraction: float) -> dict:
    """Zoom the app's map to a window around the point labelled ``text``, ``fraction`` of the current
    axis spans on either side (plotly.relayout, the call plotly's own zoom tools end in), then return
    the point's new page position (in the middle of the plot)."""
    where = _servers.plotly_point_position(page, text, APP_MAP)
    assert where is not None, f"no point labelled {text!r} on the map"
    page.evaluate(
        """async ([sel, x, y, f]) => {
            const gd = document.querySelector(sel);
            const [x0, x1] = gd._fullLayout.xaxis.range, [y0, y1] = gd._fullLayout.yaxis.range;
            const hx = f * (x1 - x0), hy = f * (y1 - y0);
            await window.Plotly.relayout(gd, {'xaxis.range': [x - hx, x + hx], 'yaxis.range': [y - hy, y + hy]});
        }""",
        [APP_MAP, where["dataX"], where["dataY"], fraction],
    )
    page.wait_for_timeout(300)  # let the WebGL frame land
    page.locator(APP_MAP).first.scroll_into_view_if_needed()
    return _servers.plotly_point_position(page, text, APP_MAP)


def type_into(locator, text: str, then: str = "Tab") -> None:
    """Clear a text box and type like a person (key events), then leave it with ``then`` so the
    widget syncs (the workbench's Text boxes use continuous_update=False)."""
    locator.click()
    locator.press("ControlOrMeta+a")
    locator.press("Backspace")
    locator.press_sequentially(text, delay=25)
    locator.press(then)


def open_tab(page, title: str) -> None:
    page.locator(".wb-app .wb-tabs .lm-TabBar-tab", has_text=re.compile(rf"^\s*{title}\s*$")).click()


# ----------------------------------------------------------------------------- JupyterLab: the tour
def test_tour_in_jupyterlab(lab, page, artifacts, timings):
    t0 = time.monotonic()
    _servers.open_in_lab(page, lab, "00_tour.ipynb")
    timings["lab tour: open notebook until kernel idle"] = time.monotonic() - t0
    page.wait_for_timeout(1000)
    # Opened, not yet run: JupyterLab must not mark it modified (the copy carries the kernel's language_info).
    expect(page.locator(".jp-mod-dirty")).to_have_count(0)

    t1 = time.monotonic()
    _servers.start_run_all(page)
    wait_for_map(page)
    timings["lab tour: Run All until map drawn"] = time.monotonic() - t1
    # The warm cache (python -m workbench.warmup) holds this UMAP map: it opens at once.
    expect(page.locator(".wb-app .wb-quality")).to_contain_text("UMAP")
    expect(page.locator(".wb-app .wb-quality")).to_contain_text("from cache")
    _servers.wait_cells_done(page, timeout_ms=600_000)
    timings["lab tour: Run All until every cell done"] = time.monotonic() - t1
    plot = page.locator(APP_MAP).first
    plot.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    shot(page, artifacts, "tour-1-rendered")
    shot(page, artifacts, "tour-1-map", plot)
    # The first view is readable at a glance: coloured clusters with their names on the map and a legend.
    clusters = page.evaluate("""(sel) => { const gd = document.querySelector(sel);
        return {names: (gd.layout.annotations || []).filter(a => a.name === 'cluster-labels').map(a => a.text),
                colours: new Set(gd._fullData.filter(d => d.meta && d.meta.role === 'points')
                                              .map(d => d.marker.color)).size,
                legend: document.querySelectorAll(sel + ' .legend .traces').length}; }""", APP_MAP)
    assert len(clusters["names"]) >= 5 and clusters["colours"] >= 5, clusters
    assert clusters["legend"] >= 5, clusters
    assert any(" · " in name for name in clusters["names"]), clusters  # named by their most central words
    expect(page.locator(".wb-app .wb-colour select")).to_have_value(re.compile("clusters"))

    # Click "king": it sits in a dense cloud, so zoom in around it first, as a person would.
    pos = zoom_around(page, "king", fraction=0.011)
    page.mouse.move(pos["x"], pos["y"])  # plotly picks the point on hover
    hover = page.locator(".wb-app .hoverlayer .hovertext")
    expect(hover).to_have_count(1)
    assert hover.text_content().strip() == "king"
    shot(page, artifacts, "tour-2-hover-king", plot)
    t2 = time.monotonic()
    page.mouse.click(pos["x"], pos["y"])
    table = page.locator(".wb-app .wb-neighbours")
    expect(table).to_contain_text(re.compile("queen|prince"))
    timings["lab tour: click king until neighbours shown"] = time.monotonic() - t2
    # As in gensim, the query itself is left out of its neighbours.
    assert table.locator("tbody tr").first.locator("td").nth(1).inner_text().strip() in ("prince", "queen")
    expect(page.locator(".wb-app .wb-query input")).to_have_value("king")
    expect(page.locator(".wb-app .wb-status")).to_contain_text("neighbours of 'king'")
    # The map highlights the query (a labelled star) and its neighbours.
    page.wait_for_timeout(500)
    labels = _servers.map_labels(page, APP_MAP)
    assert labels.count("king") == 1 and "queen" in labels, labels
    # Legible: no two label boxes overlap, as the browser draws them (the view is still zoomed in).
    boxes = _servers.map_label_boxes(page, APP_MAP)
    assert len(boxes) == 11 and _servers.overlapping_labels(boxes) == [], boxes
    assert_highlights_on_their_points(page)
    shot(page, artifacts, "tour-3-after-click-king")

    # Analogies typed like a person; each box syncs when it loses focus.
    open_tab(page, "Analogy")
    boxes = [page.locator(f".wb-app .wb-analogy-{k} input") for k in "abc"]
    for words, answer in ((("france", "paris", "italy"), "rome"), (("man", "king", "woman"), "queen")):
        for box, word in zip(boxes, words):
            type_into(box, word)
        t3 = time.monotonic()
        page.locator(".wb-app .wb-solve").click()
        expect(page.locator(".wb-app .wb-answer-add")).to_have_text(answer)
        expect(page.locator(".wb-app .wb-answer-mul")).to_have_text(answer)
        timings[f"lab tour: solve {words} until answer shown"] = time.monotonic() - t3
        expect(page.locator(".wb-app .wb-status")).to_contain_text(f"{words[0]} : {words[1]} :: {words[2]} : {answer}")
    # Zoom back out (what plotly's "autoscale" button does) to see the offsets drawn as arrows.
    page.evaluate("""async (sel) => await window.Plotly.relayout(document.querySelector(sel),
        {'xaxis.autorange': true, 'yaxis.autorange': true})""", APP_MAP)
    page.wait_for_timeout(500)
    assert _servers.map_labels(page, APP_MAP).count("queen") == 1
    arrows = page.evaluate("(sel) => (document.querySelector(sel).layout.annotations || [])"
                           ".filter(a => a.name === 'arrow').length", APP_MAP)
    assert arrows == 2
    shot(page, artifacts, "tour-4-analogy")
    shot(page, artifacts, "tour-4-analogy-map", plot)
    assert_page_clean(page)
    timings["lab tour: whole test"] = time.monotonic() - t0


# ----------------------------------------------------------------------------- Voilà: the tour as an app
def test_demo_in_voila(voila_demo, page, artifacts, timings):
    t0 = time.monotonic()
    # Voilà executes the whole notebook for each page request, then shows it.
    page.goto(f"{voila_demo.base}/?token={voila_demo.token}")
    wait_for_map(page)
    timings["voila demo: page request until map drawn"] = time.monotonic() - t0
    expect(page.locator(".wb-app .wb-quality")).to_contain_text("UMAP")
    # An app, not a notebook: no code cell shows its input.
    assert page.locator(".jp-CodeCell").count() > 0
    expect(page.locator(".jp-CodeCell .jp-InputArea")).to_have_count(0)
    body = page.locator("body").inner_text()
    assert "import workbench" not in body
    assert "wb.Workbench(" not in body
    shot(page, artifacts, "voila-1-rendered")

    # The kernel behind the page answers: a typed query (Enter syncs the box).
    query = page.locator(".wb-app .wb-query input")
    type_into(query, "paris", then="Enter")
    expect(page.locator(".wb-app .wb-neighbours")).to_contain_text("france")
    page.wait_for_timeout(300)
    assert_highlights_on_their_points(page)  # once failed: a stale PCA cloud under UMAP highlights
    shot(page, artifacts, "voila-2-query")
    assert_page_clean(page)  # also: no orphan FigureWidget ("Failed to initialize model")
    assert ORPHAN_FIGURE_ERROR not in page.errors
    timings["voila demo: whole test"] = time.monotonic() - t0


# ----------------------------------------------------------------------------- HTML in labels
BOLD = "<b>bold</b>"
SCRIPT = "<script>window.__xss=1</script>"
IMG = '<img src=x onerror="window.__xss=2">'

XSS_CELL = f"""\
import numpy as np
import workbench as wb

# 40 plain words in a cloud, and three hostile labels far from it: BOLD in the middle, SCRIPT and
# IMG on either side of it (their nearest neighbours are each other).
rng = np.random.default_rng(0)
cloud = rng.normal(size=(40, 8))
cloud[:, 0] -= 3
e = np.eye(8)
special = {{{BOLD!r}: 8 * e[0], {SCRIPT!r}: 8 * e[0] + 4 * e[1], {IMG!r}: 8 * e[0] - 4 * e[1],
           "a & b": -6 * e[0] + 5 * e[2]}}
vectors = np.vstack([cloud, *special.values()])
labels = [f"w{{i}}" for i in range(40)] + list(special)
app = wb.Workbench(embeddings=wb.Embeddings(vectors, labels), method="pca")
app"""


def test_html_labels_are_text(lab, page, artifacts, workdir, timings):
    t0 = time.monotonic()
    _servers.run_code_in_lab(page, lab, workdir, "html_labels.ipynb", XSS_CELL)
    plot = page.locator(APP_MAP).first
    plot.locator(".nsewdrag").wait_for()
    plot.scroll_into_view_if_needed()
    pixels, _ = _servers.wait_until_drawn(plot, 100, 60)
    assert pixels >= 100, "the map drew no points"
    timings["lab html labels: open and run until map drawn"] = time.monotonic() - t0

    # Hover the point of the <img> label (the figure holds it HTML-escaped): the hover label shows
    # the literal text, and no <img> element appears anywhere in the plot.
    # (Zoomed so the point is in the middle of the plot: see test_map_fits_beside_the_tabs.)
    pos = zoom_around(page, html.escape(IMG, quote=False), fraction=0.3)  # as figures.escape stores it
    page.mouse.move(pos["x"], pos["y"])
    hover = page.locator(".wb-app .hoverlayer .hovertext")
    expect(hover).to_have_count(1)
    shown = hover.text_content().strip()
    assert shown == IMG, f"hover label shows {shown!r}"
    assert plot.locator("img").count() == 0
    shot(page, artifacts, "html-1-hover-img", plot)

    # Ask for the neighbours of "<b>bold</b>": the table lists the hostile labels as text.
    type_into(page.locator(".wb-app .wb-query input"), BOLD, then="Enter")
    table = page.locator(".wb-app .wb-neighbours")
    expect(table).to_contain_text(SCRIPT)
    text = table.inner_text()
    assert SCRIPT in text and IMG in text, text
    assert f"nearest to {BOLD!r}" in text
    for tag in ("script", "img", "b"):
        assert table.locator(tag).count() == 0, f"a <{tag}> element was injected into the neighbours table"
    expect(page.locator(".wb-app .wb-status")).to_contain_text(f"neighbours of {BOLD!r}")
    # The map labels the query and its neighbours with the literal text too.
    page.wait_for_timeout(500)
    on_map = _servers.map_labels(page, APP_MAP)  # WebGL glyphs of the literal text (never parsed as HTML)
    assert on_map.count(BOLD) == 1 and SCRIPT in on_map and IMG in on_map, on_map
    page.wait_for_timeout(300)
    shot(page, artifacts, "html-2-neighbours")

    assert page.evaluate("() => typeof window.__xss") == "undefined", "an injected script ran"
    assert_page_clean(page)


# ----------------------------------------------------------------------------- layout
TINY_APP = """\
import numpy as np
import workbench as wb

x = np.random.default_rng(0).normal(size=(100, 8))
wb.Workbench(embeddings=wb.Embeddings(x, [f"w{i}" for i in range(100)]), method="pca")"""


def test_map_does_not_overlap_the_tabs(lab, page, artifacts, workdir):
    """The plotly figure stays inside its column, and the tabs sit beside it or wrap below it."""
    _servers.run_code_in_lab(page, lab, workdir, "tiny_app.ipynb", TINY_APP)
    page.locator(APP_MAP).first.locator(".nsewdrag").wait_for()
    page.wait_for_timeout(500)
    box = page.evaluate("""() => {
        const r = s => document.querySelector(s).getBoundingClientRect().toJSON();
        return {map: r('.wb-app .wb-map'), plot: r('.wb-app .wb-map .main-svg'), tabs: r('.wb-app .wb-tabs')};
    }""")
    shot(page, artifacts, "layout-tiny-app")
    plot, column, tabs = box["plot"], box["map"], box["tabs"]
    assert plot["right"] <= column["right"] + 1, f"the figure ({plot['right']:.0f}px) overflows its column " \
                                                 f"({column['right']:.0f}px)"
    beside = tabs["left"] >= plot["right"] - 1
    below = tabs["top"] >= plot["bottom"] - 1
    assert beside or below, f"the tabs {tabs} overlap the map {plot}"
    assert tabs["width"] >= 300 and tabs["height"] > 100, f"the tabs are squeezed: {tabs}"
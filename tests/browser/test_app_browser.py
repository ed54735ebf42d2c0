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
import os
import re
import time

import pytest

import _servers

_REASON = _servers.browser_unavailable()
if _REASON:
    if os.environ.get("REQUIRE_BROWSER_TESTS") == "1":
        raise RuntimeError(f"browser tests required (REQUIRE_BROWSER_TESTS=1) but {_REASON}")
    pytest.skip(_REASON, allow_module_level=True)

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
    expect(page.get_by_text("Error displaying widget")).to_have_count(0)
    errors = [e for e in page.errors if e not in allow]
    assert not errors, f"uncaught errors in the page: {errors}"
    body = page.locator("body").inner_text()
    assert TRACEBACK not in body, "a Python traceback is shown in the page"


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
    expect(plot.locator(".textpoint", has_text=re.compile(r"^\s*king\s*$"))).to_have_count(1)
    page.wait_for_timeout(300)
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
    expect(plot.locator(".textpoint", has_text=re.compile(r"^\s*queen\s*$"))).to_have_count(1)
    page.wait_for_timeout(300)
    shot(page, artifacts, "tour-4-analogy")
    shot(page, artifacts, "tour-4-analogy-map", plot)
    assert_page_clean(page)
    timings["lab tour: whole test"] = time.monotonic() - t0


# ----------------------------------------------------------------------------- Voilà: the tour as an app
def test_tour_in_voila(voila_tour, page, artifacts, timings):
    t0 = time.monotonic()
    # Voilà executes the whole notebook for each page request, then shows it.
    page.goto(f"{voila_tour.base}/?token={voila_tour.token}")
    wait_for_map(page)
    timings["voila tour: page request until map drawn"] = time.monotonic() - t0
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
    shot(page, artifacts, "voila-2-query")
    assert_page_clean(page, allow=(ORPHAN_FIGURE_ERROR,))
    timings["voila tour: whole test"] = time.monotonic() - t0
    orphans = page.errors.count(ORPHAN_FIGURE_ERROR)
    if orphans:
        # Everything above passed; this known bug is reported, not hidden. Fix: close the previous
        # figure in ProjectionPanel.draw (old = self.figure ... old.close()).
        pytest.xfail(f"known bug: {orphans}x {ORPHAN_FIGURE_ERROR!r} in Voilà: the plotly FigureWidgets "
                     "that ProjectionPanel.draw replaces are never closed, and never-displayed ones time out")


# ----------------------------------------------------------------------------- HTML in labels
BOLD = "<b>bold</b>"
SCRIPT = "<script>window.__xss=1</script>"
IMG = '<img src=x onerror="window.__xss=2">'

# How plotly shows a label whose " was escaped as &quot; (plotly.js decodes &lt; &gt; &amp; and
# numeric entities such as &#34;, but has no &quot;).
def QUOT_BUG(label: str) -> str:  # noqa: N802 - reads as a constant
    return label.replace('"', "&quot;")


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
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(XSS_CELL)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nbformat.write(nb, workdir / "html_labels.ipynb")
    t0 = time.monotonic()
    _servers.open_in_lab(page, lab, "html_labels.ipynb")
    _servers.run_all_cells(page)
    plot = page.locator(APP_MAP).first
    plot.locator(".nsewdrag").wait_for()
    plot.scroll_into_view_if_needed()
    pixels, _ = _servers.wait_until_drawn(plot, 100, 60)
    assert pixels >= 100, "the map drew no points"
    timings["lab html labels: open and run until map drawn"] = time.monotonic() - t0

    # Hover the point of the <img> label (the figure holds it HTML-escaped): the hover label shows
    # the literal text, and no <img> element appears anywhere in the plot.
    # (Zoomed so the point is in the middle of the plot: see test_map_fits_beside_the_tabs.)
    pos = zoom_around(page, html.escape(IMG), fraction=0.3)
    page.mouse.move(pos["x"], pos["y"])
    hover = page.locator(".wb-app .hoverlayer .hovertext")
    expect(hover).to_have_count(1)
    shown = hover.text_content().strip()
    assert shown in (IMG, QUOT_BUG(IMG)), f"hover label shows {shown!r}"
    quot_bug = shown != IMG
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
    labels = plot.locator(".textpoint")
    expect(labels.filter(has_text=BOLD)).to_have_count(1)
    on_map = {t.strip() for t in labels.all_text_contents()}
    assert SCRIPT in on_map and (IMG in on_map or QUOT_BUG(IMG) in on_map), on_map
    quot_bug = quot_bug or IMG not in on_map
    page.wait_for_timeout(300)
    shot(page, artifacts, "html-2-neighbours")

    assert page.evaluate("() => typeof window.__xss") == "undefined", "an injected script ran"
    assert_page_clean(page)
    if quot_bug:
        # Safe, but not literal: everything above passed, this display bug is reported, not hidden.
        pytest.xfail('known bug: plotly shows a " in a label as &quot; (figures.escape uses html.escape, '
                     "and plotly.js decodes numeric entities but not &quot;); fix: "
                     'html.escape(str(v)).replace("&quot;", "&#34;")')


# ----------------------------------------------------------------------------- layout
TINY_APP = """\
import numpy as np
import workbench as wb

x = np.random.default_rng(0).normal(size=(100, 8))
wb.Workbench(embeddings=wb.Embeddings(x, [f"w{i}" for i in range(100)]), method="pca")"""


@pytest.mark.xfail(strict=True, reason=(
    "known bug: the plotly FigureWidget draws at plotly's default 700 px width (the anywidget view never "
    "autosizes, not even on window resize), wider than the map column, so the right part of the map lies "
    "under the tabs panel. Remove this marker once fixed."))
def test_map_fits_beside_the_tabs(lab, page, artifacts, workdir):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(TINY_APP)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nbformat.write(nb, workdir / "tiny_app.ipynb")
    _servers.open_in_lab(page, lab, "tiny_app.ipynb")
    _servers.run_all_cells(page)
    page.locator(APP_MAP).first.locator(".nsewdrag").wait_for()
    page.wait_for_timeout(500)
    box = page.evaluate("""() => {
        const r = s => document.querySelector(s).getBoundingClientRect();
        return {map: r('.wb-app .wb-map').right, plot: r('.wb-app .wb-map .main-svg').right,
                tabs: r('.wb-app .wb-tabs').left};
    }""")
    shot(page, artifacts, "layout-tiny-app")
    assert box["plot"] <= box["map"] + 1 and box["plot"] <= box["tabs"] + 1, (
        f"the map's figure ends at x={box['plot']:.0f}px, beyond its column ({box['map']:.0f}px) and under "
        f"the tabs (from {box['tabs']:.0f}px)")

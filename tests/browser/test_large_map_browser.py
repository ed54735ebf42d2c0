"""A large map in a real browser: 200,000 points drawn by the jupyter-scatter backend in JupyterLab
(headless Chromium, WebGL in software through SwiftShader).

The cell builds ``ProjectionPanel(State(...), backend="scatter")`` and a small HTML widget that the
kernel rewrites whenever ``state.query`` or ``state.selection`` change, so what the page shows
there went browser -> kernel -> browser. Checked: the points are drawn (coloured pixels), a lasso
made with the mouse (the lasso tool of jupyter-scatter's toolbar) reaches ``state.selection`` and the
selected-items grid, and a click on a drawn point sets ``state.query``; no widget fails to
initialise. The server here needs no warm cache (its own JupyterLab, a fresh cache), so the
module takes about a minute. Screenshots go to ``$BROWSER_ARTIFACTS`` as ``large-map-*.png``.
"""

from __future__ import annotations

import io
import re
import time

import pytest

import _servers

_servers.skip_module_without_browser()

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("PIL.Image", reason="pip install pillow")
from playwright.sync_api import expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

N = 200_000
CANVAS = ".wb-scatter-map canvas"
MIN_PIXELS = 5_000

CODE = f"""\
import ipywidgets, numpy as np, pandas as pd
import workbench as wb
from workbench.ui import ProjectionPanel, State

rng = np.random.default_rng(0)
centres = rng.normal(size=(12, 16)) * 5
cluster = rng.integers(0, 12, size={N})
x = (centres[cluster] + rng.normal(size=({N}, 16))).astype(np.float32)
emb = wb.Embeddings(x, [f"p{{i}}" for i in range({N})], meta=pd.DataFrame({{"cluster": cluster}}))
state = State(embeddings=emb)
panel = ProjectionPanel(state, method="pca", backend="scatter", colour="cluster", width=700, height=520)
seen = ipywidgets.HTML("query=; selected=0").add_class("wb-kernel-says")

def tell(_=None):
    rows = 0 if state.selection is None else len(state.selection)
    seen.value = f"query={{state.query}}; selected={{rows}}"

state.observe(tell, names=["query", "selection"])
ipywidgets.VBox([seen, panel])"""


def map_canvas(page):
    """The jupyter-scatter canvas (the largest canvas inside the map)."""
    canvases = page.locator(CANVAS)
    expect(canvases.first).to_be_visible(timeout=120_000)
    boxes = [(i, canvases.nth(i).bounding_box()) for i in range(canvases.count())]
    i, _ = max(((i, b) for i, b in boxes if b), key=lambda ib: ib[1]["width"] * ib[1]["height"])
    return canvases.nth(i)


def densest_pixel(png: bytes, box: dict) -> tuple[float, float]:
    """Page coordinates of the centre of the most densely coloured 9x9 patch of the screenshot."""
    import numpy as np
    from PIL import Image

    im = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)
    coloured = (im.max(axis=2) - im.min(axis=2) > 60).astype(np.int32)
    margin = 40  # away from the legend and the toolbar
    inner = np.zeros_like(coloured)
    inner[margin:-margin, margin:-margin] = coloured[margin:-margin, margin:-margin]
    sums = np.cumsum(np.cumsum(np.pad(inner, ((1, 0), (1, 0))), axis=0), axis=1)
    k = 9
    patch = sums[k:, k:] - sums[:-k, k:] - sums[k:, :-k] + sums[:-k, :-k]
    y, x = np.unravel_index(int(patch.argmax()), patch.shape)
    scale_x, scale_y = box["width"] / im.shape[1], box["height"] / im.shape[0]
    return box["x"] + (x + k / 2) * scale_x, box["y"] + (y + k / 2) * scale_y


@pytest.fixture(scope="module")
def lab_plain(tmp_path_factory, artifacts):
    """A JupyterLab of this module's own, with an empty cache (nothing here needs the warm-up)."""
    home = tmp_path_factory.mktemp("large-map-home")
    served = tmp_path_factory.mktemp("large-map-served")
    env = _servers.isolated_jupyter_env(home, cache=home / "workbench-cache")
    server = _servers.start_lab(served, env, artifacts)
    server.served = served
    try:
        yield server
    finally:
        server.stop()


def test_200k_points_drawn_lasso_and_click_reach_python(lab_plain, page, artifacts, timings):
    messages = []
    page.on("console", lambda msg: messages.append(msg.text))
    t0 = time.monotonic()
    _servers.run_code_in_lab(page, lab_plain, lab_plain.served, "large_map.ipynb", CODE)
    canvas = map_canvas(page)
    canvas.scroll_into_view_if_needed()
    pixels, waited = _servers.wait_until_drawn(canvas, MIN_PIXELS, 120)
    timings["large map: 200k points, run until drawn"] = time.monotonic() - t0
    assert pixels >= MIN_PIXELS, f"the map drew no points ({pixels} coloured pixels)"
    expect(page.locator(".wb-quality")).to_contain_text("jupyter-scatter")
    page.locator(".wb-map").screenshot(path=str(artifacts / "large-map-1-drawn.png"))
    says = page.locator(".wb-kernel-says")

    # A lasso around the middle of the map: the lasso tool of the map's toolbar, then a mouse drag.
    page.locator(".wb-scatter-map [title='Activate lasso selection']").first.click()
    box = canvas.bounding_box()
    cx, cy, w, h = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, box["width"], box["height"]
    corners = [(cx - 0.3 * w, cy - 0.3 * h), (cx + 0.3 * w, cy - 0.3 * h), (cx + 0.3 * w, cy + 0.3 * h),
               (cx - 0.3 * w, cy + 0.3 * h), (cx - 0.3 * w, cy - 0.29 * h)]
    t1 = time.monotonic()
    page.mouse.move(*corners[0])
    page.mouse.down()
    for (xa, ya), (xb, yb) in zip(corners, corners[1:]):
        for step in range(1, 9):
            page.mouse.move(xa + (xb - xa) * step / 8, ya + (yb - ya) * step / 8)
            page.wait_for_timeout(15)  # jupyter-scatter samples the lasso path at least every 10 ms
    page.mouse.up()
    expect(says).to_contain_text(re.compile(r"selected=[1-9]\d{2,}"), timeout=60_000)
    timings["large map: lasso until state.selection set"] = time.monotonic() - t1
    selected = int(re.search(r"selected=(\d+)", says.inner_text()).group(1))
    assert selected < N  # a part of the map, not all of it
    expect(page.locator(".wb-selected")).to_contain_text(f"{selected:,} selected")
    page.wait_for_timeout(500)
    page.locator(".wb-map").screenshot(path=str(artifacts / "large-map-2-lasso.png"))

    # A click on a drawn point (the densest patch of coloured pixels) asks about that point.
    page.locator(".wb-scatter-map [title='Activate pan & zoom']").first.click()
    page.mouse.click(box["x"] + 5, box["y"] + box["height"] - 5)  # deselect first: click on the background
    page.wait_for_timeout(300)
    x, y = densest_pixel(canvas.screenshot(), canvas.bounding_box())
    t2 = time.monotonic()
    page.mouse.click(x, y)
    expect(says).to_contain_text(re.compile(r"query=p\d+; selected=1$"), timeout=30_000)
    timings["large map: click until state.query set"] = time.monotonic() - t2
    page.wait_for_timeout(300)
    page.locator(".wb-map").screenshot(path=str(artifacts / "large-map-3-click.png"))

    failed = [m for m in messages + page.errors if "Failed to initialize model" in m]
    assert not failed, failed
    assert page.get_by_text("Error displaying widget").count() == 0
    assert "Traceback (most recent call last)" not in page.locator("body").inner_text()

"""Training in a real browser (JupyterLab, headless Chromium): open the app, go to the Train tab,
train Word2Vec on the King James Bible and watch the loss curve and the map; then start a long run
and press Cancel: the previous model and map stay.

Screenshots go to ``$BROWSER_ARTIFACTS`` as ``train-*.png``.
"""

from __future__ import annotations


import pytest

import _servers

_servers.skip_module_without_browser()

nbformat = pytest.importorskip("nbformat")
from playwright.sync_api import expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

APP = """\
import workbench as wb

app = wb.Workbench("glove-vocab", "glove-6b-50d", limit=2000, method="pca")
app"""


def set_number(page, css: str, value) -> None:
    box = page.locator(f".wb-app {css} input")
    box.fill(str(value))
    box.press("Tab")  # ipywidgets IntText syncs on change


def test_train_word2vec_then_cancel_a_second_run(lab, page, artifacts, workdir):
    _servers.run_code_in_lab(page, lab, workdir, "train_app.ipynb", APP)
    page.locator(".wb-app .wb-map .js-plotly-plot .nsewdrag").first.wait_for()

    page.locator(".wb-app .wb-tabs .lm-TabBar-tab", has_text="Train").click()
    page.locator(".wb-app .wb-train-model select").select_option("word2vec")
    page.locator(".wb-app .wb-train-data select").select_option("bible-kjv")
    set_number(page, ".wb-param-epochs", 5)
    page.locator(".wb-app .wb-train").click()
    summary = page.locator(".wb-app .wb-train-summary")
    expect(summary).to_contain_text("Registered word2vec-1", timeout=180_000)
    curve = page.locator(".wb-app .wb-loss-curve .js-plotly-plot")
    expect(curve).to_have_count(1)
    assert curve.locator(".scatterlayer .point").count() == 5  # one marker per epoch
    status = page.locator(".wb-app .wb-status")
    expect(status).to_contain_text("Trained word2vec-1 on bible-kjv")
    page.wait_for_timeout(500)
    page.screenshot(path=str(artifacts / "train-1-word2vec-trained.png"), full_page=True)
    page.locator(".wb-app .wb-map").screenshot(path=str(artifacts / "train-1b-map-of-the-trained-words.png"))
    page.locator(".wb-app").screenshot(path=str(artifacts / "train-1c-app.png"))

    # The trained vectors answer in the other panels.
    page.locator(".wb-app .wb-tabs .lm-TabBar-tab", has_text="Neighbours").click()
    query = page.locator(".wb-app .wb-query input")
    query.fill("")
    query.press_sequentially("jesus")
    query.press("Enter")
    expect(page.locator(".wb-app .wb-neighbours")).to_contain_text("nearest to 'jesus'")
    page.screenshot(path=str(artifacts / "train-2-neighbours-of-jesus.png"), full_page=True)

    # A long second run, cancelled: the first model and its map stay.
    page.locator(".wb-app .wb-tabs .lm-TabBar-tab", has_text="Train").click()
    set_number(page, ".wb-param-epochs", 200)
    page.locator(".wb-app .wb-train").click()
    expect(page.locator(".wb-app .wb-train-job .wb-job-message")).to_contain_text("epoch", timeout=120_000)
    page.screenshot(path=str(artifacts / "train-3-second-run-in-progress.png"), full_page=True)
    page.locator(".wb-app .wb-train-job .wb-cancel").click()
    expect(status).to_contain_text("Cancelled training word2vec", timeout=10_000)
    page.wait_for_timeout(500)
    page.screenshot(path=str(artifacts / "train-4-cancelled.png"), full_page=True)
    assert "word2vec-2" not in summary.inner_text()
    assert page.locator(".wb-app").get_by_text("Traceback (most recent call last)").count() == 0

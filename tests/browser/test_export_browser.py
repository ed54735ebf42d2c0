"""The exported map opens offline: headless Chromium, network off, no kernel.

The app is built in this process (real GloVe vectors, PCA), its map is written with
``export_html`` and opened from a ``file://`` URL in a context that is offline and aborts every
request that is not the file itself. The page must draw the same points as the app (read back
from plotly's ``gd.data``), with the highlighted query, and ask the network for nothing.

Screenshots go to ``$BROWSER_ARTIFACTS`` as ``export-*.png``.
"""

from __future__ import annotations

import pytest

import _servers

_servers.skip_module_without_browser()

pytestmark = [pytest.mark.browser]

PLOT = ".js-plotly-plot"


@pytest.fixture(scope="module")
def app():
    import workbench as wb

    a = wb.Workbench("analogy-words", "glove-6b-50d", limit=500, method="pca", background=False)
    a.projection.colour.value = "section"
    a.state.query = "paris"
    return a


def test_exported_html_draws_every_point_offline(app, browser, artifacts, tmp_path):
    from workbench import figures
    from workbench.ui.export import export_html

    path = export_html(app, tmp_path / "map.html", title="Capitals")
    context = browser.new_context(offline=True, viewport={"width": 900, "height": 800})
    asked = []

    def only_the_file(route):
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            asked.append(url)
            route.abort()

    context.route("**/*", only_the_file)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(path.as_uri())
        page.wait_for_function(f"() => {{ const p = document.querySelector('{PLOT}'); return p && p._fullLayout; }}",
                               timeout=60_000)
        # plotly.js keeps binary arrays as {dtype, bdata, _inputArray}: the decoded array is _inputArray
        traces = page.evaluate(f"""() => document.querySelector('{PLOT}').data.map(t => ({{
            role: t.meta && t.meta.role, name: t.name,
            n: t.x ? (t.x._inputArray || t.x).length : 0, ids: Array.from(t.customdata ?
               (t.customdata._inputArray || t.customdata) : [])}}))""")
        points = sum(t["n"] for t in traces if t["role"] == figures.ROLE_POINTS)
        assert points == len(app.state.embeddings) == 500
        rows = sorted(r for t in traces if t["role"] == figures.ROLE_POINTS for r in t["ids"])
        assert rows == list(range(500))  # each row once: the page holds the same points as the app
        highlight = [t for t in traces if t["role"] == figures.ROLE_HIGHLIGHT]
        assert len(highlight) == 1 and highlight[0]["n"] == len(app.state.highlight) == 11
        legend = page.locator(f"{PLOT} .legend .traces").count()
        assert legend == sum(1 for t in traces if t["role"] == figures.ROLE_POINTS) >= 5
        assert page.locator("h1").inner_text() == "Capitals"
        assert "analogy-words" in page.locator(".wb-caption").inner_text()
        pixels, _ = _servers.wait_until_drawn(page.locator(PLOT), min_pixels=3000, timeout_s=60)
        page.screenshot(path=str(artifacts / "export-1-offline-html.png"), full_page=True)
        assert pixels >= 3000, f"only {pixels} coloured pixels: the WebGL points were not drawn"
        assert asked == [] and errors == []
    finally:
        context.close()

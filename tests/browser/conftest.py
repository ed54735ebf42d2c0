"""Fixtures for the real-browser tests: a warm workbench cache, JupyterLab and Voilà on loopback,
headless Debian Chromium through Playwright.

The server and page helpers live in ``_servers.py`` (shared with ``benchmarks/bench_browser_map.py``).
Nothing here imports Playwright at import time: when it or Chromium is missing,
``test_app_browser.py`` skips itself with the install hint (or errors under REQUIRE_BROWSER_TESTS=1).

Screenshots, server logs, the warm-up log and ``timings.json`` go to ``$BROWSER_ARTIFACTS``, or to
a pytest temp dir (printed with ``-s``).
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

import _servers


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory) -> Path:
    path = Path(os.environ.get("BROWSER_ARTIFACTS") or tmp_path_factory.mktemp("browser-artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    print(f"\nbrowser artifacts (screenshots, server logs, timings): {path}")
    return path


@pytest.fixture(scope="session")
def timings(artifacts):
    """Named durations (seconds), written to timings.json at the end of the session."""
    data: dict[str, float] = {}
    yield data
    (artifacts / "timings.json").write_text(json.dumps(data, indent=2))
    print("\n" + "\n".join(f"  {k}: {v:.1f} s" for k, v in data.items()))


@pytest.fixture(scope="session")
def workbench_cache(tmp_path_factory, artifacts, timings) -> Path:
    """A WORKBENCH_CACHE of the servers' own, warmed by ``python -m workbench.warmup`` (the tour's
    5,000 GloVe words and their PCA and UMAP maps), as users have it after ``make setup``."""
    cache = tmp_path_factory.mktemp("workbench-cache")
    timings["warm-up (python -m workbench.warmup)"] = _servers.warm_cache(cache, log_dir=artifacts)
    return cache


@pytest.fixture(scope="session")
def workdir(tmp_path_factory) -> Path:
    """The folder the servers serve: a copy of notebooks/*.ipynb, so runs never write into the repo."""
    path = tmp_path_factory.mktemp("served")
    _servers.copy_notebooks(path)
    return path


@pytest.fixture(scope="session")
def jupyter_env(tmp_path_factory, workbench_cache) -> dict:
    return _servers.isolated_jupyter_env(tmp_path_factory.mktemp("jupyter-home"), cache=workbench_cache)


@pytest.fixture(scope="session")
def lab_server(workdir, jupyter_env, artifacts, timings):
    """One JupyterLab per session on 127.0.0.1 (free port, random token)."""
    t0 = time.monotonic()
    server = _servers.start_lab(workdir, jupyter_env, artifacts)
    timings["jupyterlab server start"] = time.monotonic() - t0
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def lab(lab_server):
    """The session's JupyterLab; this test's kernels are shut down afterwards."""
    yield lab_server
    lab_server.delete_sessions()


@pytest.fixture(scope="session")
def voila_demo(workdir, jupyter_env, artifacts, timings):
    """Voilà serving notebooks/demo.ipynb (`make demo`) as an app."""
    t0 = time.monotonic()
    server = _servers.start_voila("demo.ipynb", workdir, jupyter_env, artifacts)
    timings["voila server start"] = time.monotonic() - t0
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = _servers.launch_browser(p)
        yield b
        b.close()


@pytest.fixture
def page(browser, artifacts, request):
    """A fresh context and page, loopback only; uncaught page errors in ``page.errors``; the last
    state is saved as ``<test>-last.png``."""
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)
    pg = _servers.new_page(browser)
    yield pg
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    try:
        pg.screenshot(path=str(artifacts / f"{name}-last.png"), full_page=True)
    finally:
        pg.context.close()

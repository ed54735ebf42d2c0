"""Voilà shuts down the kernel of a visitor who left: ``make demo`` passes Jupyter Server's culling
options, and with them (the idle time shortened to seconds) a kernel whose page was closed is culled.

Every visit to a Voilà app starts a kernel holding its embeddings (hundreds of MB with a sentence
model); without culling, a demo left running for a day runs out of memory.
"""

from __future__ import annotations

import time

import pytest

import _servers

_servers.skip_module_without_browser()
nbformat = pytest.importorskip("nbformat")

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_make_demo_culls_idle_kernels_after_minutes():
    options = _servers.demo_voila_options()
    assert 60 <= int(options["MappingKernelManager.cull_idle_timeout"]) <= 3600
    assert int(options["MappingKernelManager.cull_interval"]) <= 120


def test_a_closed_page_loses_its_kernel(tmp_path, jupyter_env, artifacts, browser):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import ipywidgets as widgets\nwidgets.HTML('<b class=\"hello\">hello from a kernel</b>')")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nbformat.write(nb, tmp_path / "hello.ipynb")
    # Long enough for a kernel to start on a loaded machine (a "starting" kernel is culled too).
    fast = {"MappingKernelManager.cull_idle_timeout": "20", "MappingKernelManager.cull_interval": "2"}
    server = _servers.start_voila("hello.ipynb", tmp_path, jupyter_env, artifacts, options=fast)
    try:
        page = _servers.new_page(browser)
        page.goto(f"{server.base}/?token={server.token}")
        page.locator(".hello").wait_for()
        assert "Kernel started" in server.log_tail(200)
        page.context.close()  # the visitor leaves
        deadline = time.monotonic() + 90
        while "Kernel shutdown" not in server.log_tail(200) and time.monotonic() < deadline:
            time.sleep(0.5)
        log = server.log_tail(200)
        assert "Culling 'idle' kernel" in log, log
        assert "Kernel shutdown" in log, log
    finally:
        server.stop()

"""Servers and page helpers for the real-browser tests and the browser benchmarks.

Shared by ``tests/browser/conftest.py`` (pytest fixtures) and ``benchmarks/bench_browser_map.py``;
it imports neither pytest nor playwright at module level, so it can be imported to ask whether a
browser is available at all. Adapted from the verified recipe in ``shared/browser`` (beside the project):

* JupyterLab and Voilà on 127.0.0.1, a free port and a random token, each started as
  ``<this python> -m ...`` in an isolated Jupyter environment (config, data, runtime, lab settings,
  workspaces and IPython dirs in a temp folder) with its own ``WORKBENCH_CACHE`` and single-threaded
  BLAS/OpenMP (2-core machines are 5-10x slower when oversubscribed).
* Debian's Chromium through Playwright's ``executable_path``; never ``playwright install``.
* Notebooks are opened from the file browser after the launcher lists the kernel (opening by URL
  raced the kernel-spec fetch and showed a modal "Select Kernel" dialog), and Run All is started
  after clicking a cell prompt (otherwise the menu command was sometimes a no-op).
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"

# Generous: a kernel needs 5-25 s to import numpy + plotly + ipywidgets on a loaded 2-core machine,
# and WebGL runs in software (SwiftShader).
TIMEOUT_MS = 120_000
THREAD_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

PROMPTS = ".jp-CodeCell .jp-InputPrompt"
KERNEL_IDLE = ".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']"
_LOOPBACK = re.compile(r"^(https?|wss?)://(127\.0\.0\.1|localhost)(:\d+)?/")


# --------------------------------------------------------------------------- availability
def find_chromium() -> str | None:
    """Debian's Chromium: ``$CHROMIUM_PATH`` if set, else the real binary, else ``chromium`` on PATH.

    ``/usr/lib/chromium/chromium`` is preferred over ``/usr/bin/chromium``, a shell wrapper that
    adds flags from /etc/chromium.d and on some machines prints a shell error.
    """
    if os.environ.get("CHROMIUM_PATH"):
        candidates = [os.environ["CHROMIUM_PATH"]]
    else:
        candidates = ["/usr/lib/chromium/chromium", shutil.which("chromium"), shutil.which("chromium-browser")]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def browser_unavailable() -> str | None:
    """Why the browser tests cannot run here (with the install hint), or None if they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Python playwright is not installed: pip install playwright (or pip install -e '.[test]')"
    if find_chromium() is None:
        return ("Chromium not found: apt-get install -y chromium fonts-liberation (or set CHROMIUM_PATH); "
                "`playwright install` needs a download and is never used here")
    return None


def skip_module_without_browser() -> None:
    """Skip the calling test module when the browser cannot run (an error under REQUIRE_BROWSER_TESTS=1)."""
    import pytest

    reason = browser_unavailable()
    if reason:
        if os.environ.get("REQUIRE_BROWSER_TESTS") == "1":
            raise RuntimeError(f"browser tests required (REQUIRE_BROWSER_TESTS=1) but {reason}")
        pytest.skip(reason, allow_module_level=True)


# --------------------------------------------------------------------------- servers
def free_port() -> int:
    """A currently free TCP port on 127.0.0.1 (the server binds it right after)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A server subprocess (JupyterLab or Voilà) with its log in a file; ``base`` and ``token`` once ready."""

    def __init__(self, name: str, cmd: list[str], cwd: Path, env: dict, log_dir: Path):
        self.name = name
        self.base = self.token = ""
        self.log_path = Path(log_dir) / f"{name}.log"
        self._log = open(self.log_path, "wb")
        # New session: Ctrl-C in the terminal running pytest does not hit the server first; it is
        # stopped below by its own PID.
        self.proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)

    def log_tail(self, n: int = 40) -> str:
        lines = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(lines[-n:])

    def wait_http_ok(self, url: str, timeout: float = 90) -> None:
        """Poll ``url`` until it answers 200; fail early if the server died."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)
        raise TimeoutError(f"{self.name} not ready after {timeout}s:\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM, so Jupyter Server / Voilà shut their kernels down (kernels run in their own process
        groups: killing the server's group would leave them behind). SIGKILL only if it hangs."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()

    def delete_sessions(self) -> None:
        """Shut down every kernel session of this (JupyterLab) server."""
        api = f"{self.base}/api/sessions"
        with urllib.request.urlopen(f"{api}?token={self.token}", timeout=30) as r:
            sessions = json.load(r)
        for s in sessions:
            req = urllib.request.Request(f"{api}/{s['id']}?token={self.token}", method="DELETE")
            urllib.request.urlopen(req, timeout=60).close()


def isolated_jupyter_env(home: Path, cache: Path | None = None) -> dict:
    """Environment keeping the servers (and their kernels) away from the developer's Jupyter config,
    kernels, lab settings, workspaces and workbench cache, with lab settings fit for tests."""
    home = Path(home)
    env = dict(os.environ)
    venv_bin = str(Path(sys.executable).parent)
    env.update(
        PATH=venv_bin + os.pathsep + env.get("PATH", ""),  # kernels use this Python
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),  # no user-level kernelspecs
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(home / "lab-settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "lab-workspaces"),
        IPYTHONDIR=str(home / "ipython"),
        PYTHONUNBUFFERED="1",
        **THREAD_ENV,
    )
    env.pop("JUPYTER_PATH", None)
    if cache is not None:
        env["WORKBENCH_CACHE"] = str(cache)
    settings = home / "lab-settings" / "@jupyterlab"
    # No "Would you like to get notified about official Jupyter news?" toast: it covers part of the
    # page, and news_url=None alone does not stop it.
    (settings / "apputils-extension").mkdir(parents=True, exist_ok=True)
    (settings / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    # Every cell attached to the DOM (no virtual scrolling): outputs below the fold exist and lay out.
    (settings / "notebook-extension").mkdir(parents=True, exist_ok=True)
    (settings / "notebook-extension" / "tracker.jupyterlab-settings").write_text(
        json.dumps({"windowingMode": "none"}))
    return env


def warm_cache(cache: Path, log_dir: Path | None = None, timeout: float = 900) -> float:
    """``python -m workbench.warmup`` into ``cache`` (the tour's GloVe words, their PCA and UMAP maps),
    as ``make setup`` does for users. Returns the seconds it took."""
    env = {**os.environ, **THREAD_ENV, "WORKBENCH_CACHE": str(cache)}
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "workbench.warmup"], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=timeout)
    if log_dir is not None:
        (Path(log_dir) / "warmup.log").write_text(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        raise RuntimeError(f"workbench.warmup failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return time.monotonic() - t0


def copy_notebooks(workdir: Path) -> None:
    """The repo's notebooks as ``make lab`` copies them (``scripts/notebook_copies.py``) into the served
    folder, so JupyterLab never writes into the repo and opens them as a person gets them."""
    subprocess.run([sys.executable, str(REPO / "scripts" / "notebook_copies.py"), str(workdir)], check=True,
                   timeout=120)


def start_lab(workdir: Path, env: dict, log_dir: Path) -> Server:
    """JupyterLab serving ``workdir``; returns once ``/api/status`` answers."""
    port, token = free_port(), uuid.uuid4().hex
    server = Server("jupyterlab", [
        sys.executable, "-m", "jupyterlab", "--no-browser",
        "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={workdir}",
        "--allow-root",  # refuses to start as root otherwise; harmless as non-root
        "--LabApp.news_url=None",  # offline: no news feed, no update check, no extension index
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
    ], cwd=workdir, env=env, log_dir=log_dir)
    server.base, server.token = f"http://127.0.0.1:{port}", token
    try:
        server.wait_http_ok(f"{server.base}/api/status?token={token}")
    except BaseException:
        server.stop()
        raise
    return server


def demo_voila_options() -> dict[str, str]:
    """The ``--Class.trait=value`` options ``make demo`` passes to Voilà (read from the Makefile)."""
    text = (REPO / "Makefile").read_text().replace("\\\n", " ")
    recipe = re.search(r"^demo:.*\n((?:\t.*\n)+)", text, re.M).group(1)
    return dict(re.findall(r"--([A-Za-z]+\.[a-z_]+)=(\S+)", recipe))


def start_voila(notebook: str, workdir: Path, env: dict, log_dir: Path, options: dict | None = None) -> Server:
    """Voilà serving one notebook as an app, with ``make demo``'s options (``options`` override them);
    returns once a static file answers (never poll ``/``: every ``GET /`` executes the whole notebook
    in a new kernel)."""
    port, token = free_port(), uuid.uuid4().hex
    flags = [f"--{k}={v}" for k, v in {**demo_voila_options(), **(options or {})}.items()]
    server = Server("voila", [
        sys.executable, "-m", "voila", notebook, "--no-browser",
        "--Voila.ip=127.0.0.1", f"--port={port}", "--Voila.port_retries=0", f"--token={token}", *flags,
    ], cwd=workdir, env=env, log_dir=log_dir)
    server.base, server.token = f"http://127.0.0.1:{port}", token
    try:
        server.wait_http_ok(f"{server.base}/voila/static/voila.js")
    except BaseException:
        server.stop()
        raise
    return server


# --------------------------------------------------------------------------- browser
def launch_browser(playwright):
    """Headless Debian Chromium. Playwright passes --no-sandbox, --disable-dev-shm-usage and
    --enable-unsafe-swiftshader itself; headless Chromium then uses SwiftShader for WebGL. Add no GL
    flags (``--disable-software-rasterizer`` removes WebGL)."""
    return playwright.chromium.launch(executable_path=find_chromium(), headless=True)


def new_page(browser, viewport=(1400, 1000)):
    """A fresh context and page that may only talk to the local servers (no test depends on the
    network; Voilà links a CDN stylesheet for icons). Uncaught page errors land in ``page.errors``."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    context.set_default_timeout(TIMEOUT_MS)
    context.route("**/*", lambda route: route.continue_()
                  if _LOOPBACK.match(route.request.url) or route.request.url.startswith("data:")
                  else route.abort())
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return page


# --------------------------------------------------------------------------- JupyterLab pages
def run_code_in_lab(page, lab: Server, workdir: Path, name: str, code: str) -> None:
    """Write ``code`` as a one-cell notebook ``name`` into the served folder, open it and run it."""
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nbformat.write(nb, workdir / name)
    open_in_lab(page, lab, name)
    run_all_cells(page)


def open_in_lab(page, lab: Server, notebook: str) -> None:
    """Open ``notebook`` (a file in the served folder) in a fresh JupyterLab workspace, as a person
    would (double-click in the file browser), and wait until its kernel is idle.

    Not a /lab/tree/<notebook> URL: that opens the notebook while JupyterLab may still be fetching
    the kernel specs, and when the specs lose the race a modal "Select Kernel" dialog blocks every
    later click. The launcher lists the Python kernel only once the specs are loaded.
    """
    from playwright.sync_api import expect

    workspace = uuid.uuid4().hex[:8]  # a new workspace: no tabs left over from other tests
    page.goto(f"{lab.base}/lab/workspaces/{workspace}?reset&token={lab.token}")
    page.locator(".jp-LauncherCard[title^='Python 3']").first.wait_for()
    page.locator(".jp-DirListing-itemText", has_text=re.compile(rf"^{re.escape(notebook)}$")).dblclick()
    wait_kernel_ready(page)
    expect(page.locator(".jp-Dialog")).to_have_count(0)


def wait_kernel_ready(page, timeout_s: float = TIMEOUT_MS / 1000, settle_s: float = 1.5) -> int:
    """Wait until the notebook's kernel is connected and idle, with no dialog for ``settle_s``.

    JupyterLab 4.6 sometimes shows the modal "Select Kernel" dialog even when the notebook was
    opened from the file browser after the kernel specs were loaded (seen here on the first notebook
    opened by a fresh server, with the kernel already started). It offers the notebook's own kernel
    (Python 3) pre-selected; a person presses Select, and so does this. Returns how many such
    dialogs were accepted.
    """
    state = """() => {
        const dlg = document.querySelector('.jp-Dialog');
        const name = document.querySelector('.jp-NotebookPanel-toolbar .jp-Toolbar-kernelName');
        const idle = document.querySelector("%s");
        return {dialog: dlg ? dlg.innerText : null, kernel: name ? name.textContent.trim() : '', idle: !!idle};
    }""" % KERNEL_IDLE
    accepted, ready_since = 0, None
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        s = page.evaluate(state)
        if s["dialog"] is not None:
            ready_since = None
            if "Select Kernel" not in s["dialog"]:
                raise AssertionError(f"unexpected JupyterLab dialog: {s['dialog']!r}")
            page.locator(".jp-Dialog .jp-mod-accept").click()
            accepted += 1
        elif s["idle"] and s["kernel"] and s["kernel"] != "No Kernel":
            ready_since = ready_since or time.monotonic()
            if time.monotonic() - ready_since >= settle_s:
                page.accepted_kernel_dialogs = getattr(page, "accepted_kernel_dialogs", 0) + accepted
                return accepted
        else:
            ready_since = None
        page.wait_for_timeout(250)
    raise TimeoutError(f"the notebook's kernel was not ready after {timeout_s:.0f}s (last state: {s})")


def start_run_all(page) -> None:
    """Run > Run All Cells from the menu bar; returns once execution has started."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    started = f"""() => {{
        const ps = [...document.querySelectorAll('{PROMPTS}')].map(e => e.textContent.trim());
        return ps.length > 0 && ps.every(t => t !== '[ ]:' && t !== '');
    }}"""
    for attempt in range(2):
        # Clicking a prompt makes the notebook the active widget; without it the menu command was
        # sometimes a silent no-op right after the page loaded.
        page.locator(PROMPTS).first.click()
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        try:
            page.wait_for_function(started, timeout=10_000)
            return
        except PlaywrightTimeout:
            if attempt:
                raise


def wait_cells_done(page, timeout_ms: float = TIMEOUT_MS, upto: int | None = None) -> None:
    """Wait until every code cell (or the first ``upto``) shows ``[n]:``, then for kernel idle
    (unless ``upto``)."""
    page.wait_for_function(
        """(upto) => {
            let ps = [...document.querySelectorAll('%s')];
            if (upto !== null) ps = ps.slice(0, upto);
            return ps.length > 0 && ps.every(e => /^\\[\\d+\\]:$/.test(e.textContent.trim()));
        }""" % PROMPTS, arg=upto, timeout=timeout_ms, polling=100)
    if upto is None:
        page.locator(KERNEL_IDLE).wait_for(timeout=timeout_ms)


def run_all_cells(page, timeout_ms: float = TIMEOUT_MS) -> None:
    from playwright.sync_api import expect

    start_run_all(page)
    wait_cells_done(page, timeout_ms)
    # A widget whose JavaScript failed shows this text instead of itself.
    expect(page.get_by_text("Error displaying widget")).to_have_count(0)


# --------------------------------------------------------------------------- plotly helpers
def plotly_point_position(page, text: str, plot: str = ".js-plotly-plot") -> dict | None:
    """Page coordinates of the plotly point whose ``text`` is ``text`` (as stored in the figure,
    i.e. HTML-escaped), in the first graph div matching ``plot``; None if there is none.

    Reads the graph div's ``_fullLayout``/``_fullData`` (internal, but stable across plotly.js
    versions): ``rect + axis._offset + axis.l2p(v)``; linear axes only. Only traces of markers are
    searched in order, so the base trace wins over the highlight overlay.
    """
    return page.evaluate(
        """([text, sel]) => {
            for (const gd of document.querySelectorAll(sel)) {
                const fl = gd._fullLayout;
                if (!fl || !gd._fullData) continue;
                for (const tr of gd._fullData) {
                    const i = Array.from(tr.text || []).indexOf(text);
                    if (i < 0 || !tr.xaxis) continue;
                    const xa = fl[tr.xaxis.replace('x', 'xaxis')];
                    const ya = fl[tr.yaxis.replace('y', 'yaxis')];
                    const r = gd.getBoundingClientRect();
                    return {x: r.left + xa._offset + xa.l2p(tr.x[i]), y: r.top + ya._offset + ya.l2p(tr.y[i]),
                            dataX: tr.x[i], dataY: tr.y[i]};
                }
            }
            return null;
        }""",
        [text, plot],
    )


def coloured_pixels(png: bytes, min_chroma: int = 60) -> int:
    """Pixels that are clearly coloured (max - min channel > ``min_chroma``): plot markers in any
    palette colour, not the white background, grey grid, black text, or plotly's "WebGL is not
    supported" message."""
    import numpy as np
    from PIL import Image

    im = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)
    return int((im.max(axis=2) - im.min(axis=2) > min_chroma).sum())


def wait_until_drawn(locator, min_pixels: int, timeout_s: float, interval_ms: int = 150) -> tuple[int, float]:
    """Poll element screenshots until they show ``min_pixels`` coloured pixels.

    Returns (pixels, seconds waited); pixels below ``min_pixels`` if it timed out.
    """
    t0 = time.monotonic()
    pixels = 0
    while time.monotonic() - t0 < timeout_s:
        try:
            pixels = coloured_pixels(locator.screenshot(timeout=30_000, animations="disabled"))
        except Exception:  # noqa: BLE001 - the element may be replaced while it is redrawn
            pixels = 0
        if pixels >= min_pixels:
            break
        locator.page.wait_for_timeout(interval_ms)
    return pixels, time.monotonic() - t0


# --------------------------------------------------------------------------- map labels
def map_labels(page, plot: str = ".js-plotly-plot") -> list[str]:
    """Texts the map's highlight labels show (a WebGL text trace, drawn as glyphs, not in the DOM: read
    from plotly; WebGL text is never parsed as HTML, so what the trace holds is what shows)."""
    texts = page.evaluate("""(sel) => {
        const gd = document.querySelector(sel);
        if (!gd || !gd.data) return [];
        const t = gd.data.find(d => d.meta && d.meta.role === 'highlight-labels');
        return t && t.text ? Array.from(t.text) : [];
    }""", plot)
    return list(texts)


def map_label_boxes(page, plot: str = ".js-plotly-plot") -> list[dict]:
    """Pixel boxes of the highlight labels as the browser draws them: positions through plotly's axes,
    widths measured with the canvas at the labels' font (bold 13 px)."""
    return page.evaluate("""(sel) => {
        const gd = document.querySelector(sel);
        const t = gd.data.find(d => d.meta && d.meta.role === 'highlight-labels');
        if (!t || !t.text) return [];
        const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
        const size = (t.textfont && t.textfont.size) || 13;
        const ctx = document.createElement('canvas').getContext('2d');
        ctx.font = `bold ${size}px "Open Sans", verdana, arial, sans-serif`;
        return Array.from(t.text).map((raw, i) => {
            const text = String(raw);
            const w = ctx.measureText(text).width, h = size * 1.2;
            const cx = xa._offset + xa.l2p(t.x[i]), cy = ya._offset + ya.l2p(t.y[i]);
            return {text, left: cx - w / 2, right: cx + w / 2, top: cy - h / 2, bottom: cy + h / 2};
        });
    }""", plot)


def overlapping_labels(boxes: list[dict]) -> list[tuple[str, str]]:
    """Pairs of label boxes that overlap (touching edges do not count)."""
    pairs = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]:
                pairs.append((a["text"], b["text"]))
    return pairs

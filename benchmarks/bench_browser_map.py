"""How many points the projection panel handles in a real browser while staying interactive.

For each size (1,000 points as a baseline: the cost of redrawing axes and canvas with next to no
points; then 10,000, 100,000 and 1,000,000), a notebook builds
``ProjectionPanel(State(embeddings=Embeddings(X)), method="pca")`` on random clustered 16-d vectors
(20 gaussian clusters) and is run in JupyterLab in headless Chromium (Debian's package; WebGL
through SwiftShader, i.e. on the CPU: a machine with a GPU draws faster). Measured:

- **kernel: data**: the vectors and ``wb.Embeddings`` (not the panel's cost; for reference).
- **kernel: build panel**: ``ProjectionPanel(...)`` in the kernel: PCA, map quality, the plotly
  ``FigureWidget`` and sending its data to the browser. A throwaway 50-point panel is built (and
  closed) first, in the data cell: the first panel of a kernel also pays about 4 s of imports
  (plotly's FigureWidget machinery), reported apart, and it loads plotly's widget code into the page.
- **browser: points drawn**: from the start of that cell until the points show in a screenshot of
  the plot (coloured pixels).
- **zoom**: ``await Plotly.relayout(gd, {x/y ranges})`` (what plotly's zoom tools end in) plus two
  animation frames, so the redrawn frame is on screen; mean of 5 zooms to different windows.
- **pan**: plotly's pan tool picked in the mode bar, then a mouse drag of 10 moves (Playwright
  mouse events): from mouse-down until the view settled after mouse-up (plotly_relayout + 2 frames),
  and the longest frame during the drag (rAF gaps: how janky it feels); mean of 5 drags.

Above 200,000 points the map has no hover text (``figures.HOVER_LIMIT``). Timings are printed, never
asserted. Uses the server helpers of the browser tests (``tests/browser/_servers.py``).

Run alone: ``python benchmarks/bench_browser_map.py [--json out.json] [--sizes 10000,100000,1000000]``;
results go to ``benchmarks/results/browser_map.json`` unless ``--json`` says otherwise.
"""

from __future__ import annotations

import os

# Before numpy is imported, for this process and every kernel the server starts.
for _k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_k] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from _common import RESULTS, finish, machine_info, row, say  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
import _servers  # noqa: E402

SIZES = (1_000, 10_000, 100_000, 1_000_000)  # 1,000: the baseline (drawing cost without points)
TRIES = 5
DRAG_MOVES = 10
MIN_PIXELS = 2000  # coloured pixels that mean "the points are drawn"
PLOT = ".wb-map .js-plotly-plot"

DATA_CELL = """\
import json, time
import ipywidgets
import numpy as np
import workbench as wb
from workbench.ui import ProjectionPanel, State

# A throwaway 50-point panel first, closed again: it pays the imports the first panel in a kernel
# pays (plotly's FigureWidget machinery, about 4 s) and loads plotly's widget code into the page, so
# the next cell times what depends on the number of points.
t0 = time.perf_counter()
ProjectionPanel(State(embeddings=wb.Embeddings(np.random.default_rng(1).normal(size=(50, 16)))), method="pca")
first_panel_s = time.perf_counter() - t0
ipywidgets.Widget.close_all()

t0 = time.perf_counter()
rng = np.random.default_rng(0)
centres = rng.normal(size=(20, 16)) * 4
x = (centres[rng.integers(0, 20, size={n})] + rng.normal(size=({n}, 16))).astype(np.float32)
emb = wb.Embeddings(x, [f"p{{i}}" for i in range({n})])
print(json.dumps({{"data_s": time.perf_counter() - t0, "first_panel_s": first_panel_s}}))"""

PANEL_CELL = """\
t_start = time.time()
t0 = time.perf_counter()
panel = ProjectionPanel(State(embeddings=emb), method="pca")
print(json.dumps({"t_start": t_start, "build_s": time.perf_counter() - t0, "status": panel.state.status}))
panel"""

# Records animation-frame timestamps in the page, to find the longest frame during an interaction.
FRAMES_START = """() => { window.__frames = []; window.__rec = true;
    const loop = t => { if (!window.__rec) return; window.__frames.push(t); requestAnimationFrame(loop); };
    requestAnimationFrame(loop); }"""
FRAMES_STOP = """() => { window.__rec = false; const f = window.__frames;
    let worst = 0; for (let i = 1; i < f.length; i++) worst = Math.max(worst, f[i] - f[i - 1]);
    return {frames: f.length, worst_ms: worst}; }"""
TWO_FRAMES = "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def notebook(n: int):
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(DATA_CELL.format(n=n)),
                                         nbformat.v4.new_code_cell(PANEL_CELL)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    return nb


def cell_json(page, index: int) -> dict:
    text = page.locator(".jp-CodeCell").nth(index).locator(".jp-OutputArea").inner_text()
    lines = [line for line in text.splitlines() if line.strip().startswith("{")]
    if not lines:
        raise RuntimeError(f"cell {index} printed no JSON line:\n{text[-2000:]}")
    return json.loads(lines[-1])


def zoom_times(page) -> list[float]:
    """ms for each of TRIES relayouts to a different window (plus two frames to show it)."""
    return page.evaluate(
        """async ([sel, tries]) => {
            const gd = document.querySelector(sel);
            const [x0, x1] = gd._fullLayout.xaxis.range, [y0, y1] = gd._fullLayout.yaxis.range;
            const out = [];
            for (let i = 0; i < tries; i++) {
                // Alternate between zooming in (to a window that moves a little each time) and out.
                const f = i % 2 === 0 ? 0.2 : 0.45, c = 0.4 + 0.05 * i;
                const cx = x0 + c * (x1 - x0), cy = y0 + c * (y1 - y0);
                const t = performance.now();
                await window.Plotly.relayout(gd, {'xaxis.range': [cx - f * (x1 - x0), cx + f * (x1 - x0)],
                                                  'yaxis.range': [cy - f * (y1 - y0), cy + f * (y1 - y0)]});
                await TWO_FRAMES;
                out.push(performance.now() - t);
            }
            await window.Plotly.relayout(gd, {'xaxis.autorange': true, 'yaxis.autorange': true});
            return out;
        }""".replace("TWO_FRAMES", TWO_FRAMES),
        [PLOT, TRIES],
    )


def pan_times(page) -> list[dict]:
    """Pick the pan tool in the mode bar, then drag the map TRIES times like a person."""
    plot = page.locator(PLOT).first
    box = plot.locator(".nsewdrag").first.bounding_box()
    plot.hover()
    page.locator(f"{PLOT} .modebar-btn[data-val='pan']").first.click()
    page.evaluate("""(sel) => { const gd = document.querySelector(sel); window.__relayouts = 0;
        gd.on('plotly_relayout', () => { window.__relayouts += 1; window.__relayoutAt = performance.now(); }); }""", PLOT)
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    out = []
    for i in range(TRIES):
        direction = 1 if i % 2 == 0 else -1
        page.mouse.move(cx - direction * 100, cy)
        page.evaluate(FRAMES_START)
        before = page.evaluate("() => window.__relayouts")
        t_down = page.evaluate("() => performance.now()")
        page.mouse.down()
        for k in range(1, DRAG_MOVES + 1):
            page.mouse.move(cx - direction * 100 + direction * 20 * k, cy + 3 * k)
        page.mouse.up()
        page.wait_for_function("(n) => window.__relayouts > n", arg=before, timeout=120_000)
        settled = page.evaluate(f"async () => {{ await {TWO_FRAMES}; return performance.now(); }}")
        frames = page.evaluate(FRAMES_STOP)
        out.append({"drag_ms": settled - t_down, "worst_frame_ms": frames["worst_ms"], "frames": frames["frames"]})
    return out


def measure(browser, lab, workdir: Path, n: int) -> dict:
    import nbformat

    name = f"browser_map_{n}.ipynb"
    nbformat.write(notebook(n), workdir / name)
    page = _servers.new_page(browser)
    page.set_default_timeout(900_000)
    try:
        _servers.open_in_lab(page, lab, name)
        _servers.start_run_all(page)
        _servers.wait_cells_done(page, timeout_ms=900_000, upto=1)
        data = cell_json(page, 0)
        plot = page.locator(PLOT).first
        plot.locator(".nsewdrag").wait_for(timeout=900_000)
        t_plot = time.time()
        plot.scroll_into_view_if_needed()
        pixels, _ = _servers.wait_until_drawn(plot, MIN_PIXELS, 900, interval_ms=100)
        t_drawn = time.time()
        plot.screenshot(path=str(workdir / f"browser_map_{n}_drawn.png"))
        _servers.wait_cells_done(page, timeout_ms=900_000)
        panel = cell_json(page, 1)
        if pixels < MIN_PIXELS:
            raise RuntimeError(f"{n:,} points: the map was not drawn ({pixels} coloured pixels)")
        say(f"browser map {n:,}: built in {panel['build_s']:.1f} s, drawn {t_drawn - panel['t_start']:.1f} s "
            "after the cell started")
        zooms = zoom_times(page)
        say(f"browser map {n:,}: zoom " + ", ".join(f"{z:.0f}" for z in zooms) + " ms")
        pans = pan_times(page)
        say(f"browser map {n:,}: pan " + ", ".join(f"{p['drag_ms']:.0f}" for p in pans) + " ms; worst frames "
            + ", ".join(f"{p['worst_frame_ms']:.0f}" for p in pans) + " ms")
        plot.screenshot(path=str(workdir / f"browser_map_{n}_after_pans.png"))
        errors = list(page.errors)
        return {"n": n, "data_s": data["data_s"], "first_panel_s": data["first_panel_s"], "build_s": panel["build_s"],
                "plot_created_s": t_plot - panel["t_start"], "drawn_s": t_drawn - panel["t_start"],
                "pixels": pixels, "zoom_ms": zooms, "pan": pans, "page_errors": errors}
    finally:
        page.context.close()
        lab.delete_sessions()


def verdict(ms: float) -> str:
    return "fluid (<100 ms)" if ms < 100 else "usable (<500 ms)" if ms < 500 else "sluggish (>500 ms)"


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=RESULTS / "browser_map.json")
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    parser.add_argument("--artifacts", type=Path, help="keep the notebooks, screenshots and server log here")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    reason = _servers.browser_unavailable()
    if reason:
        raise SystemExit(f"bench_browser_map needs a browser: {reason}")
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="bench-browser-map-"))
    workdir = args.artifacts or tmp / "served"
    workdir.mkdir(parents=True, exist_ok=True)
    env = _servers.isolated_jupyter_env(tmp / "home", cache=tmp / "workbench-cache")
    results = []
    try:
        lab = _servers.start_lab(workdir, env, workdir)
        try:
            with sync_playwright() as p:
                browser = _servers.launch_browser(p)
                for n in sizes:
                    say(f"browser map: {n:,} points ...")
                    results.append(measure(browser, lab, workdir, n))
                browser.close()
        finally:
            lab.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    bench = "browser map"
    rows = []
    for r in results:
        n = f"{r['n']:,}"
        zoom = statistics.mean(r["zoom_ms"])
        drag = statistics.mean(p["drag_ms"] for p in r["pan"])
        worst = statistics.mean(p["worst_frame_ms"] for p in r["pan"])
        rows += [
            row(bench, f"{n} points: kernel: data", r["data_s"], "s", "random vectors + wb.Embeddings (reference); "
                f"a first 50-point panel in the kernel took {r['first_panel_s']:.1f} s (imports)"),
            row(bench, f"{n} points: kernel: build ProjectionPanel", r["build_s"], "s",
                "PCA, map quality, FigureWidget, data sent"),
            row(bench, f"{n} points: cell start → points drawn", r["drawn_s"], "s",
                f"plot area shown at {r['plot_created_s']:.1f} s; headless Chromium, SwiftShader WebGL"),
            row(bench, f"{n} points: zoom (relayout + 2 frames)", zoom, "ms",
                f"mean of {len(r['zoom_ms'])}: " + ", ".join(f"{z:.0f}" for z in r["zoom_ms"]) + f"; {verdict(zoom)}"),
            row(bench, f"{n} points: pan drag ({DRAG_MOVES} moves) until settled", drag, "ms",
                f"mean of {len(r['pan'])}; {verdict(drag / DRAG_MOVES)} per move"),
            row(bench, f"{n} points: longest frame during a pan drag", worst, "ms", f"mean of {len(r['pan'])}; "
                f"{verdict(worst)}"),
        ]
    return finish("browser_map", rows, {"results": results, "machine": machine_info(),
                                        "config": {"sizes": sizes, "tries": TRIES, "drag_moves": DRAG_MOVES,
                                                   "dim": 16, "clusters": 20, "method": "pca",
                                                   "browser": _servers.find_chromium()}},
                  argv=["--json", str(args.json)])


if __name__ == "__main__":
    main()

"""How many points the map panel handles in a real browser, with each backend, beside a bare
jupyter-scatter widget drawing the same points in the same run.

For each size (10,000, 100,000 and 1,000,000 points by default; ``--sizes`` adds 2M or 5M) and
each of three maps, a notebook is run in JupyterLab in headless Chromium (Debian's package; WebGL
through SwiftShader, i.e. on the CPU: a machine with a GPU draws faster):

- **plotly**: ``ProjectionPanel(State(embeddings=emb), method="pca", backend="plotly")``;
- **scatter**: the same panel with ``backend="scatter"`` (jupyter-scatter, what ``"auto"`` picks
  above 50,000 points in 2-D);
- **bare**: ``jscatter.Scatter(x, y).show()`` on the same PCA coordinates (computed beforehand,
  so it does less than the panel: no PCA, no map quality).

The points are random clustered 16-d vectors (20 gaussian clusters). Measured:

- **cell start -> points drawn**: until a screenshot of the map shows coloured pixels.
- **longest frame while panning**: a mouse drag of 10 moves (Playwright mouse events; plotly's
  pan tool is picked in its mode bar first, jupyter-scatter pans by default): the longest gap
  between animation frames during the drag (how janky it feels), and the drag until settled;
  mean of 5 drags.
- **selection -> Python**: a lasso drawn with the mouse (plotly's lasso tool, jupyter-scatter's
  lasso tool) around the middle of the map, resized once to hold about 100,000 points (or a
  tenth of a smaller map): from mouse-up until the kernel has them (``state.selection`` for the
  panel, the widget's ``selection`` trait for the bare widget; the kernel stamps the time when its
  observer runs and sends it back to the page), and until the page shows the kernel's answer.
- **several maps**: one notebook with two scatter panels, a plotly panel and a bare widget; every
  widget must initialise (anywidget gives a model 2 s, then logs "Failed to initialize model").

Timings are printed and recorded, never asserted. Uses the server helpers of the browser tests
(``tests/browser/_servers.py``). Run alone: ``python benchmarks/bench_browser_map.py [--json out.json]
[--sizes 10000,100000,1000000] [--maps plotly,scatter,bare]``; results go to
``benchmarks/results/browser_map.json`` unless ``--json`` says otherwise.
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

SIZES = (10_000, 100_000, 1_000_000)
MAPS = ("plotly", "scatter", "bare")
TRIES = 5
DRAG_MOVES = 10
MIN_PIXELS = 2000  # coloured pixels that mean "the points are drawn"
SELECT_TARGET = 100_000
INIT_ERROR = "Failed to initialize model"
AREA = {"plotly": ".wb-map .js-plotly-plot", "scatter": ".wb-map", "bare": ".wb-bare"}

DATA_CELL = """\
import json, time
import ipywidgets
import numpy as np
import workbench as wb
from workbench.ui import ProjectionPanel, State

# A throwaway 50-point map first, closed again: it pays the imports the first map in a kernel
# pays (plotly's FigureWidget machinery or jupyter-scatter's, several seconds), so the next cell
# times what depends on the number of points.
t0 = time.perf_counter()
small = wb.Embeddings(np.random.default_rng(1).normal(size=(50, 16)))
if "{kind}" == "bare":
    import jscatter
    jscatter.Scatter(x=np.arange(50.0), y=np.arange(50.0)).widget
else:
    ProjectionPanel(State(embeddings=small), method="pca", backend="{backend}")
first_map_s = time.perf_counter() - t0
ipywidgets.Widget.close_all()

t0 = time.perf_counter()
rng = np.random.default_rng(0)
centres = rng.normal(size=(20, 16)) * 4
x = (centres[rng.integers(0, 20, size={n})] + rng.normal(size=({n}, 16))).astype(np.float32)
emb = wb.Embeddings(x, [f"p{{i}}" for i in range({n})])
data_s = time.perf_counter() - t0
coords = wb.project(emb, "pca", cache=False, quality=False).coords if "{kind}" == "bare" else None
seen = ipywidgets.HTML("nothing selected yet").add_class("wb-bench-seen")

def tell(count):
    seen.value = json.dumps({{"t_kernel": time.time(), "selected": int(count)}})

print(json.dumps({{"data_s": data_s, "first_map_s": first_map_s}}))"""

PANEL_CELL = """\
t_start = time.time()
t0 = time.perf_counter()
state = State(embeddings=emb)
panel = ProjectionPanel(state, method="pca", backend="{backend}")
state.observe(lambda change: tell(0 if change["new"] is None else len(change["new"])), names="selection")
print(json.dumps({{"t_start": t_start, "build_s": time.perf_counter() - t0, "status": state.status,
                  "backend": panel.backend_name}}))
ipywidgets.VBox([panel, seen])"""

BARE_CELL = """\
t_start = time.time()
t0 = time.perf_counter()
# The panel's colour and point size (jupyter-scatter's default black has no colour for the pixel check).
size = 2 if len(coords) >= 500_000 else 3 if len(coords) >= 100_000 else 4
scatter = jscatter.Scatter(x=coords[:, 0], y=coords[:, 1], width=640, height=560, axes=False, color="#636efa",
                           size=size)
scatter.widget.observe(lambda change: tell(len(change["new"])), names="selection")
print(json.dumps({"t_start": t_start, "build_s": time.perf_counter() - t0, "backend": "bare"}))
ipywidgets.VBox([ipywidgets.Box([scatter.show()]).add_class("wb-bare"), seen])"""

SEVERAL_CELLS = ["""\
import numpy as np, pandas as pd, ipywidgets, jscatter
import workbench as wb
from workbench.ui import ProjectionPanel, State
rng = np.random.default_rng(0)
x = (rng.normal(size=(20, 16))[rng.integers(0, 20, size=200_000)] * 4 + rng.normal(size=(200_000, 16)))
big = wb.Embeddings(x.astype(np.float32))
small = wb.Embeddings(x[:3000].astype(np.float32))""",
    'ProjectionPanel(State(embeddings=big), method="pca")',
    'ProjectionPanel(State(embeddings=big), method="pca", colour=None, width=500)',
    'ProjectionPanel(State(embeddings=small), method="pca")',
    'coords = wb.project(big, "pca", quality=False).coords\njscatter.Scatter(x=coords[:, 0], y=coords[:, 1]).show()']

# Records animation-frame timestamps in the page, to find the longest frame during an interaction.
FRAMES_START = """() => { window.__frames = []; window.__rec = true;
    const loop = t => { if (!window.__rec) return; window.__frames.push(t); requestAnimationFrame(loop); };
    requestAnimationFrame(loop); }"""
FRAMES_STOP = """() => { window.__rec = false; const f = window.__frames;
    let worst = 0; for (let i = 1; i < f.length; i++) worst = Math.max(worst, f[i] - f[i - 1]);
    return {frames: f.length, worst_ms: worst}; }"""
TWO_FRAMES = "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def notebook(cells):
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    return nb


def cell_json(page, index: int) -> dict:
    text = page.locator(".jp-CodeCell").nth(index).locator(".jp-OutputArea").inner_text()
    lines = [line for line in text.splitlines() if line.strip().startswith('{"')]
    if not lines:
        raise RuntimeError(f"cell {index} printed no JSON line:\n{text[-2000:]}")
    return json.loads(lines[-1])


def drawing_area(page, kind: str):
    """The element whose screenshot shows the points: plotly's graph div or jupyter-scatter's canvas."""
    area = page.locator(AREA[kind]).first
    if kind == "plotly":
        area.locator(".nsewdrag").wait_for(timeout=900_000)
        return area, area.locator(".nsewdrag").first
    canvas = area.locator("canvas").first
    canvas.wait_for(timeout=900_000)
    return canvas, canvas


def kernel_says(page) -> dict:
    text = page.locator(".wb-bench-seen").first.inner_text()
    return json.loads(text) if text.startswith("{") else {}


def lasso(page, kind: str, target, fraction: float) -> dict:
    """Draw a lasso around the middle ``fraction`` of ``target`` (width and height), like a person;
    returns the kernel's answer with the times from mouse-up."""
    box = target.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    hw, hh = fraction * box["width"] / 2, fraction * box["height"] / 2
    corners = [(cx - hw, cy - hh), (cx + hw, cy - hh), (cx + hw, cy + hh), (cx - hw, cy + hh), (cx - hw, cy - hh * 0.95)]
    before = kernel_says(page).get("t_kernel", 0)
    if kind != "plotly":  # jupyter-scatter's lasso tool, in its toolbar
        page.locator(f"{AREA[kind]} [title='Activate lasso selection']").first.click()
    page.mouse.move(*corners[0])
    page.mouse.down()
    for (xa, ya), (xb, yb) in zip(corners, corners[1:]):
        for step in range(1, 7):
            page.mouse.move(xa + (xb - xa) * step / 6, ya + (yb - ya) * step / 6)
            page.wait_for_timeout(15)
    t_up = page.evaluate("() => Date.now() / 1000")
    page.mouse.up()
    page.wait_for_function("""([sel, before]) => { const t = document.querySelector(sel).innerText;
        try { return JSON.parse(t).t_kernel > before; } catch (e) { return false; } }""",
                           arg=[".wb-bench-seen", before], timeout=300_000, polling=20)
    t_shown = page.evaluate("() => Date.now() / 1000")
    said = kernel_says(page)
    return {"selected": said["selected"], "to_python_ms": 1000 * (said["t_kernel"] - t_up),
            "shown_ms": 1000 * (t_shown - t_up), "fraction": fraction}


def select_about(page, kind: str, target, n: int) -> dict:
    """A lasso resized once (area in proportion) to hold about SELECT_TARGET points (a tenth of smaller maps)."""
    wanted = min(SELECT_TARGET, n // 10)
    first = lasso(page, kind, target, 0.3)
    fraction = 0.3 * (wanted / max(first["selected"], 1)) ** 0.5
    second = lasso(page, kind, target, min(0.95, max(0.02, fraction)))
    return {**second, "first_try": first}


def pan_times(page, kind: str, target) -> list[dict]:
    """Drag the map TRIES times like a person (plotly: its pan tool first)."""
    box = target.bounding_box()
    if kind == "plotly":
        target.hover()
        page.locator(f"{AREA['plotly']} .modebar-btn[data-val='pan']").first.click()
        page.evaluate("""(sel) => { const gd = document.querySelector(sel); window.__relayouts = 0;
            gd.on('plotly_relayout', () => { window.__relayouts += 1; }); }""", AREA["plotly"])
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    out = []
    for i in range(TRIES):
        direction = 1 if i % 2 == 0 else -1
        page.mouse.move(cx - direction * 100, cy)
        page.evaluate(FRAMES_START)
        before = page.evaluate("() => window.__relayouts || 0")
        t_down = page.evaluate("() => performance.now()")
        page.mouse.down()
        for k in range(1, DRAG_MOVES + 1):
            page.mouse.move(cx - direction * 100 + direction * 20 * k, cy + 3 * k)
        page.mouse.up()
        if kind == "plotly":
            page.wait_for_function("(n) => window.__relayouts > n", arg=before, timeout=300_000)
        settled = page.evaluate(f"async () => {{ await {TWO_FRAMES}; return performance.now(); }}")
        frames = page.evaluate(FRAMES_STOP)
        out.append({"drag_ms": settled - t_down, "worst_frame_ms": frames["worst_ms"], "frames": frames["frames"]})
    return out


def measure(browser, lab, workdir: Path, n: int, kind: str) -> dict:
    backend = "scatter" if kind == "bare" else kind
    name = f"browser_map_{kind}_{n}.ipynb"
    second = BARE_CELL if kind == "bare" else PANEL_CELL.format(backend=backend)
    import nbformat

    nbformat.write(notebook([DATA_CELL.format(n=n, kind=kind, backend=backend), second]), workdir / name)
    page = _servers.new_page(browser)
    page.set_default_timeout(900_000)
    messages = []
    page.on("console", lambda msg: messages.append(msg.text))
    try:
        _servers.open_in_lab(page, lab, name)
        _servers.start_run_all(page)
        _servers.wait_cells_done(page, timeout_ms=900_000, upto=1)
        data = cell_json(page, 0)
        shot, target = drawing_area(page, kind)
        shot.scroll_into_view_if_needed()
        pixels, _ = _servers.wait_until_drawn(shot, MIN_PIXELS, 900, interval_ms=100)
        t_drawn = time.time()
        page.locator(".jp-CodeCell").nth(1).locator(".jp-OutputArea").screenshot(
            path=str(workdir / f"browser_map_{kind}_{n}_drawn.png"))
        _servers.wait_cells_done(page, timeout_ms=900_000)
        cell = cell_json(page, 1)
        if pixels < MIN_PIXELS:
            raise RuntimeError(f"{kind} {n:,} points: the map was not drawn ({pixels} coloured pixels)")
        drawn = t_drawn - cell["t_start"]
        say(f"{kind} {n:,}: built in {cell['build_s']:.1f} s, drawn {drawn:.1f} s after the cell started")
        selection = select_about(page, kind, target, n)
        say(f"{kind} {n:,}: {selection['selected']:,} selected: in Python {selection['to_python_ms']:.0f} ms "
            f"after mouse-up, shown {selection['shown_ms']:.0f} ms")
        if kind != "plotly":  # back to panning
            page.locator(f"{AREA[kind]} [title='Activate pan & zoom']").first.click()
        page.mouse.move(5, 5)  # leave the map
        pans = pan_times(page, kind, target)
        say(f"{kind} {n:,}: pan " + ", ".join(f"{p['drag_ms']:.0f}" for p in pans) + " ms; worst frames "
            + ", ".join(f"{p['worst_frame_ms']:.0f}" for p in pans) + " ms")
        page.locator(".jp-CodeCell").nth(1).locator(".jp-OutputArea").screenshot(
            path=str(workdir / f"browser_map_{kind}_{n}_after.png"))
        return {"n": n, "map": kind, "backend": cell["backend"], "data_s": data["data_s"],
                "first_map_s": data["first_map_s"], "build_s": cell["build_s"], "drawn_s": drawn, "pixels": pixels,
                "selection": selection, "pan": pans, "page_errors": list(page.errors),
                "init_failures": [m for m in messages + page.errors if INIT_ERROR in m]}
    finally:
        page.context.close()
        lab.delete_sessions()


def several_maps(browser, lab, workdir: Path) -> dict:
    """Every widget of a notebook with four maps (5 cells) initialises."""
    import nbformat

    nbformat.write(notebook(SEVERAL_CELLS), workdir / "several_maps.ipynb")
    page = _servers.new_page(browser)
    page.set_default_timeout(900_000)
    messages = []
    page.on("console", lambda msg: messages.append(msg.text))
    try:
        _servers.open_in_lab(page, lab, "several_maps.ipynb")
        t0 = time.monotonic()
        _servers.run_all_cells(page, timeout_ms=900_000)
        drawn = []
        for i in range(1, 5):
            out = page.locator(".jp-CodeCell").nth(i).locator(".jp-OutputArea")
            drawn.append(_servers.wait_until_drawn(out, MIN_PIXELS, 120)[0])
        seconds = time.monotonic() - t0
        page.wait_for_timeout(3000)  # anywidget's 2 s initialisation limit, and then some
        page.screenshot(path=str(workdir / "several_maps.png"), full_page=True)
        failures = [m for m in messages + page.errors if INIT_ERROR in m]
        say(f"several maps: drawn {drawn} coloured pixels in {seconds:.1f} s; {len(failures)} init failures")
        return {"pixels": drawn, "seconds": seconds, "init_failures": failures,
                "broken": page.get_by_text("Error displaying widget").count()}
    finally:
        page.context.close()
        lab.delete_sessions()


def verdict(ms: float) -> str:
    return "fluid (<100 ms)" if ms < 100 else "usable (<500 ms)" if ms < 500 else "sluggish (>500 ms)"


def summary_rows(results: list[dict], several: dict | None) -> list[dict]:
    bench, rows = "browser map", []
    by = {(r["map"], r["n"]): r for r in results}
    for r in results:
        n, kind = f"{r['n']:,}", r["map"]
        worst = statistics.mean(p["worst_frame_ms"] for p in r["pan"])
        bare = by.get(("bare", r["n"]))
        ratio = ""
        if bare is not None and kind != "bare":
            ratio = f"; {worst / statistics.mean(p['worst_frame_ms'] for p in bare['pan']):.2f}x the bare widget's"
        s = r["selection"]
        rows += [
            row(bench, f"{n} points, {kind}: cell start → points drawn", r["drawn_s"], "s",
                f"kernel build {r['build_s']:.1f} s (first map in the kernel {r['first_map_s']:.1f} s, imports); "
                f"{'init failures: ' + str(len(r['init_failures'])) if r['init_failures'] else 'every widget initialised'}"),
            row(bench, f"{n} points, {kind}: longest frame during a pan drag", worst, "ms",
                f"mean of {len(r['pan'])}; drag until settled "
                f"{statistics.mean(p['drag_ms'] for p in r['pan']):.0f} ms; {verdict(worst)}{ratio}"),
            row(bench, f"{n} points, {kind}: lasso of {s['selected']:,} points → in Python", s["to_python_ms"], "ms",
                f"after mouse-up; the kernel's answer shown in the page after {s['shown_ms']:.0f} ms"),
        ]
    if several is not None:
        rows.append(row(bench, "several maps in one notebook: widgets that failed to initialise",
                        len(several["init_failures"]), "count",
                        f"2 scatter panels of 200,000 points, a plotly panel, a bare widget; all drawn in "
                        f"{several['seconds']:.1f} s; 'Error displaying widget': {several['broken']}"))
    return rows


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=RESULTS / "browser_map.json")
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    parser.add_argument("--maps", default=",".join(MAPS))
    parser.add_argument("--no-several", action="store_true", help="skip the notebook with several maps")
    parser.add_argument("--artifacts", type=Path, help="keep the notebooks, screenshots and server log here")
    args = parser.parse_args(argv)
    sizes, kinds = [int(s) for s in args.sizes.split(",")], args.maps.split(",")
    reason = _servers.browser_unavailable()
    if reason:
        raise SystemExit(f"bench_browser_map needs a browser: {reason}")
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="bench-browser-map-"))
    workdir = args.artifacts or tmp / "served"
    workdir.mkdir(parents=True, exist_ok=True)
    env = _servers.isolated_jupyter_env(tmp / "home", cache=tmp / "workbench-cache")
    results, several = [], None
    try:
        lab = _servers.start_lab(workdir, env, workdir)
        try:
            with sync_playwright() as p:
                browser = _servers.launch_browser(p)
                for n in sizes:
                    for kind in kinds:
                        say(f"browser map: {kind}, {n:,} points ...")
                        try:
                            results.append(measure(browser, lab, workdir, n, kind))
                            # What is measured so far, in case the run is stopped (the table replaces it).
                            args.json.parent.mkdir(parents=True, exist_ok=True)
                            args.json.write_text(json.dumps({"benchmark": "browser_map", "partial": True,
                                                             "rows": summary_rows(results, None),
                                                             "results": results}, indent=1))
                        except Exception as err:  # noqa: BLE001 - one map failing must not lose the others
                            say(f"browser map: {kind}, {n:,} points FAILED: {type(err).__name__}: {err}")
                if not args.no_several:
                    several = several_maps(browser, lab, workdir)
                browser.close()
        finally:
            lab.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return finish("browser_map", summary_rows(results, several),
                  {"results": results, "several_maps": several, "machine": machine_info(),
                   "config": {"sizes": sizes, "maps": kinds, "tries": TRIES, "drag_moves": DRAG_MOVES, "dim": 16,
                              "clusters": 20, "method": "pca", "select_target": SELECT_TARGET,
                              "browser": _servers.find_chromium()}},
                  argv=["--json", str(args.json)])


if __name__ == "__main__":
    main()

"""First map of the tour: time from starting a kernel until the app's map is there.

The tour's first code cell builds ``app = wb.Workbench("glove-vocab", "glove-6b-50d", limit=5000)``;
when that cell finishes, the map is drawn: the UMAP map at once if it is in the workbench cache,
else the PCA map, with UMAP computed in a background thread and swapped in when ready.

Each case executes a copy of ``notebooks/00_tour.ipynb`` with nbclient in a fresh kernel: its first
code cell, then an added cell ``app.state.wait()`` that returns when the background UMAP is in place.
Times are measured from just before the kernel is started:

- **cold**: an empty ``WORKBENCH_CACHE`` (GloVe words embedded, PCA map, then UMAP computed). numba's
  own on-disk cache (UMAP's compiled code) is left as ``make setup`` leaves it: warm.
- **warm**: a second kernel on the same cache dir, as the next session after ``make setup``
  (``python -m workbench.warmup``) or after a first visit.
- **cold, numba cold too**: also an empty ``NUMBA_CACHE_DIR``, so UMAP and pynndescent compile their
  numba code in the kernel: a first run without ``make setup``'s warm-up.

Without a browser, "map drawn" means the cell that displays it has finished (the browser draws it
a fraction of a second later; see bench_browser_map.py). Timings are printed, never asserted.

Run alone: ``python benchmarks/bench_first_map.py [--json out.json] [--repeat N] [--no-numba-cold]``;
results go to ``benchmarks/results/first_map.json`` unless ``--json`` says otherwise.
"""

from __future__ import annotations

import os

# Before numpy is imported, for this process and every kernel it starts.
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
TOUR = ROOT / "notebooks" / "00_tour.ipynb"

WAIT_CELL = """\
import json, time
_t = time.perf_counter()
app.state.wait()
_p = app.state.projection
print(json.dumps({"waited_s": time.perf_counter() - _t, "method": _p.method, "from_cache": bool(_p.from_cache),
                  "points": len(_p.coords), "status": app.state.status}))"""

APP_CELL_PROBE = """\
import json
_p = app.state.projection
print(json.dumps({"method": _p.method, "from_cache": bool(_p.from_cache), "status": app.state.status}))"""


def tour_first_cells():
    """The tour's first code cell (the one that builds ``app``), a probe of what it drew, and the wait."""
    import nbformat

    nb = nbformat.read(TOUR, as_version=4)
    app_cell = next(c for c in nb.cells if c.cell_type == "code" and "wb.Workbench(" in c.source)
    nb.cells = [nbformat.v4.new_code_cell(app_cell.source), nbformat.v4.new_code_cell(APP_CELL_PROBE),
                nbformat.v4.new_code_cell(WAIT_CELL)]
    return nb


def _json_output(cell) -> dict:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stdout":
            lines = [line for line in out["text"].splitlines() if line.startswith("{")]
            if lines:
                return json.loads(lines[-1])
    raise RuntimeError(f"no JSON line in the cell's output: {cell.get('outputs')}")


def run_case(cache: Path, numba_cache: Path | None = None) -> dict:
    """Execute the app cell and the wait cell in a fresh kernel; times from just before kernel start."""
    from nbclient import NotebookClient

    nb = tour_first_cells()
    saved = {k: os.environ.get(k) for k in ("WORKBENCH_CACHE", "NUMBA_CACHE_DIR", "PATH")}
    os.environ["WORKBENCH_CACHE"] = str(cache)
    if numba_cache is not None:
        os.environ["NUMBA_CACHE_DIR"] = str(numba_cache)
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    try:
        with tempfile.TemporaryDirectory() as cwd:
            client = NotebookClient(nb, timeout=1800, kernel_name="python3", resources={"metadata": {"path": cwd}})
            t0 = time.perf_counter()
            with client.setup_kernel():
                t_kernel = time.perf_counter() - t0
                client.execute_cell(nb.cells[0], 0)
                t_app = time.perf_counter() - t0
                client.execute_cell(nb.cells[1], 1)
                drawn = _json_output(nb.cells[1])
                client.execute_cell(nb.cells[2], 2)
                t_umap = time.perf_counter() - t0
                final = _json_output(nb.cells[2])
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    if errors:
        raise RuntimeError(f"the tour cell failed: {errors[0].get('ename')}: {errors[0].get('evalue')}")
    return {"kernel_start_s": t_kernel, "first_map_s": t_app, "app_cell_s": t_app - t_kernel,
            "first_map_method": drawn["method"], "first_map_from_cache": drawn["from_cache"],
            "umap_in_place_s": t_umap, "final_method": final["method"], "final_from_cache": final["from_cache"],
            "status": final["status"]}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=RESULTS / "first_map.json")
    parser.add_argument("--repeat", type=int, default=1, help="cold/warm pairs to run (each cold on a new cache)")
    parser.add_argument("--no-numba-cold", action="store_true", help="skip the case with an empty numba cache")
    args = parser.parse_args(argv)

    bench = "first map"
    runs: dict[str, list[dict]] = {"cold": [], "warm": [], "cold, numba cold too": []}
    root = Path(tempfile.mkdtemp(prefix="bench-first-map-"))
    try:
        for i in range(args.repeat):
            cache = root / f"cache-{i}"
            for case in ("cold", "warm"):
                say(f"first map: {case} cache, run {i + 1}/{args.repeat} ...")
                r = run_case(cache)
                runs[case].append(r)
                say(f"first map: {case}: kernel {r['kernel_start_s']:.1f} s, first map ({r['first_map_method']}) at "
                    f"{r['first_map_s']:.1f} s, {r['final_method']} in place at {r['umap_in_place_s']:.1f} s")
        if not args.no_numba_cold:
            say("first map: cold cache and empty numba cache ...")
            r = run_case(root / "cache-numba-cold", numba_cache=root / "numba-cache")
            runs["cold, numba cold too"].append(r)
            say(f"first map: numba cold: first map ({r['first_map_method']}) at {r['first_map_s']:.1f} s, "
                f"{r['final_method']} at {r['umap_in_place_s']:.1f} s")
    finally:
        shutil.rmtree(root, ignore_errors=True)

    def med(case, key):
        return statistics.median(r[key] for r in runs[case])

    rows = []
    for case, note in (("cold", "empty WORKBENCH_CACHE; numba cache warm (as after make setup)"),
                       ("warm", "same cache, new kernel (as after make setup's warm-up)"),
                       ("cold, numba cold too", "empty WORKBENCH_CACHE and NUMBA_CACHE_DIR: UMAP compiles in the kernel")):
        if not runs[case]:
            continue
        first = runs[case][0]
        n = f" (median of {len(runs[case])})" if len(runs[case]) > 1 else ""
        rows += [
            row(bench, f"{case}: kernel start", med(case, "kernel_start_s"), "s", "until the kernel answers" + n),
            row(bench, f"{case}: kernel start → first map", med(case, "first_map_s"), "s",
                f"end of the cell that builds app: a {first['first_map_method'].upper()} map"
                f"{' from the cache' if first['first_map_from_cache'] else ''}; {note}{n}"),
            row(bench, f"{case}: kernel start → UMAP map in place", med(case, "umap_in_place_s"), "s",
                f"{first['final_method'].upper()}{' from the cache' if first['final_from_cache'] else ' computed'}"
                f" (app.state.wait()){n}"),
        ]
    summary = {case: {k: med(case, k) for k in ("kernel_start_s", "first_map_s", "umap_in_place_s")}
               for case in runs if runs[case]}
    return finish("first_map", rows, {"runs": runs, "summary": summary, "machine": machine_info(),
                                      "config": {"notebook": "notebooks/00_tour.ipynb", "words": 5000,
                                                 "repeat": args.repeat}},
                  argv=["--json", str(args.json)])


if __name__ == "__main__":
    main()

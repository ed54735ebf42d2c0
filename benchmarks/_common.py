"""Helpers shared by the benchmark scripts: timing, result rows, tables, machine info.

Each ``bench_*.py`` sets the thread variables itself *before* importing this module or numpy
(see ``THREAD_ENV``); this module only reads them.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

# One BLAS/OpenMP thread everywhere: on the 2-core machines oversubscription is 5-10x slower
# (ASSETS.md). Mirrors the Makefile's THREADS.
THREAD_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def say(message: str) -> None:
    """A progress line, flushed at once (run_all streams it)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def timed(fn, *args, **kwargs):
    """``(seconds, result)`` of one call."""
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t0, out


def median_time(fn, repeat: int = 3) -> float:
    return statistics.median(timed(fn)[0] for _ in range(repeat))


def row(bench: str, case: str, value: float, unit: str, note: str = "") -> dict:
    """One result: what was measured, its value and unit, and how to read it."""
    return {"benchmark": bench, "case": case, "value": float(value), "unit": unit, "note": note}


def fmt(value: float, unit: str) -> str:
    if unit in ("x", "ratio"):
        return f"{value:.2f}{'×' if unit == 'x' else ''}"
    if unit in ("recall",):
        return f"{value:.4f}"
    if unit in ("count", "items"):
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def markdown_table(rows: list[dict]) -> str:
    lines = ["| benchmark | case | value | unit | note |", "|---|---|---:|---|---|"]
    for r in rows:
        lines.append(f"| {r['benchmark']} | {r['case']} | {fmt(r['value'], r['unit'])} | {r['unit']} | {r['note']} |")
    return "\n".join(lines)


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine_info() -> dict:
    """What the numbers depend on: cores, load, Python and the numeric libraries' versions."""
    try:
        load = os.getloadavg()
    except OSError:
        load = (float("nan"),) * 3
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "load_average_1_5_15": [round(x, 2) for x in load],
        "python": platform.python_version(),
        "platform": platform.platform(),
        **{name: _version(name) for name in ("numpy", "scipy", "scikit-learn", "umap-learn", "pynndescent",
                                             "numba", "hnswlib", "pandas", "workbench")},
        "threads": {k: os.environ.get(k, "") for k in THREAD_ENV},
        "git_commit": _git_commit(),
    }


def _git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True,
                              text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def run_child(code: str, *, env: dict | None = None, timeout: float = 600) -> dict:
    """Run ``python -c code`` in a fresh process; it must print one JSON object on its last line.

    Returns that object plus ``wall_s``, the child's whole lifetime seen from here.
    """
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **THREAD_ENV, **(env or {})})
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark child failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    return {**json.loads(lines[-1]), "wall_s": wall}


def finish(name: str, rows: list[dict], extra: dict | None = None, argv: list[str] | None = None) -> dict:
    """Print the table; with ``--json PATH`` on the command line also write the results there."""
    result = {"benchmark": name, "rows": rows, **(extra or {})}
    print()
    print(markdown_table(rows), flush=True)
    argv = sys.argv[1:] if argv is None else argv
    if "--json" in argv:
        path = Path(argv[argv.index("--json") + 1])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=1))
    return result

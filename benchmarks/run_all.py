"""Run every benchmark, print one table, write ``benchmarks/results/latest.md`` and ``latest.json``.

Each benchmark runs in its own fresh Python process (so one cannot warm the JIT or caches of the
next), with one BLAS/OpenMP thread. While each runs, the CPU time taken by *other* processes on
the machine is measured and written next to the results: on a 2-core machine a concurrent test run
can double every timing, and the table should say so.

Usage: ``make bench`` or ``python benchmarks/run_all.py [--only embed,sentences,index,projection,train] [--wait-quiet 300]``.
"""

from __future__ import annotations

import os

# Before numpy is imported, for this process and every child.
for _k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_k] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from _common import HERE, RESULTS, machine_info, markdown_table, say  # noqa: E402

BENCHMARKS = ("embed", "sentences", "index", "projection", "train")


def _busy_seconds() -> float | None:
    """CPU seconds all processes have spent busy since boot (from /proc/stat), or None."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wait_for_quiet(max_wait: float, threshold: float = 0.3, sample: float = 5.0) -> float | None:
    """Wait (at most ``max_wait`` s) until other processes use under ``threshold`` cores; return their load."""
    deadline = time.perf_counter() + max_wait
    while True:
        busy0 = _busy_seconds()
        if busy0 is None:
            return None
        time.sleep(sample)
        other = (_busy_seconds() - busy0) / sample
        if other < threshold or time.perf_counter() >= deadline:
            return other
        say(f"waiting for a quieter machine: other processes use {other:.2f} cores")


def run_one(name: str) -> dict:
    """Run ``bench_<name>.py`` in a fresh process, streaming its progress; return its results."""
    script = HERE / f"bench_{name}.py"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"{name}.json"
        busy0, ours0, t0 = _busy_seconds(), _children_cpu(), time.perf_counter()
        load0 = os.getloadavg()[0]
        proc = subprocess.run([sys.executable, str(script), "--json", str(out)], cwd=HERE.parent)
        wall = time.perf_counter() - t0
        busy1, ours1 = _busy_seconds(), _children_cpu()
        if proc.returncode != 0 or not out.exists():
            raise SystemExit(f"benchmark {name} failed (exit code {proc.returncode})")
        result = json.loads(out.read_text())
    other = None if busy0 is None else max(0.0, (busy1 - busy0) - (ours1 - ours0)) / wall
    result["run"] = {"wall_s": wall, "cpu_s": ours1 - ours0, "other_processes_cores": other,
                     "load_average_1min_at_start": load0}
    say(f"{name}: done in {wall:.0f} s; other processes used {other:.2f} of {os.cpu_count()} cores meanwhile"
        if other is not None else f"{name}: done in {wall:.0f} s")
    return result


def headline(results: dict) -> list[tuple[str, str]]:
    """The numbers the README quotes, as (what, value) pairs."""
    lines = []
    if "index" in results:
        s = results["index"]["summary"]
        lines += [
            ("neighbours, 100k × 384: exact query (NeighbourIndex)", f"{s['exact_query_ms']:.2f} ms"),
            ("neighbours: numpy X @ q + argpartition query", f"{s['numpy_query_ms']:.2f} ms"),
            ("neighbours: HNSW query (defaults ef=128, M=16, ef_construction=100)", f"{s['hnsw_query_ms']:.3f} ms"),
            ("neighbours: HNSW speed-up over exact", f"{s['speedup']:.1f}×"),
            ("neighbours: HNSW recall@10 (target ≥ 0.95)", f"{s['recall_at_10']:.4f}"),
            (f"neighbours: HNSW build ({s.get('build_threads', 1)} threads)", f"{s['hnsw_build_s']:.1f} s"),
        ]
        if "build_ratio" in s:
            b = s["batch"]
            lines += [
                ("neighbours: HNSW build, ours / plain hnswlib (same threads)",
                 f"{s['hnsw_build_s']:.1f} s / {s['cheap_build_s']:.1f} s (ratio {s['build_ratio']:.2f})"),
                ("neighbours: HNSW single query, ours / plain knn_query",
                 f"{s['hnsw_query_ms']:.3f} ms / {s['hnswlib_query_ms']:.3f} ms (ratio {s['query_ratio']:.2f}); "
                 f"recall@10 {s['recall_at_10']:.4f} / {s['hnswlib_recall_at_10']:.4f}"),
                ("neighbours: HNSW batch of 200 queries, ours / plain knn_query",
                 f"{b['ours']['ms']:.1f} ms / {b['plain']['ms']:.1f} ms (ratio {s['batch_ratio']:.2f}); "
                 f"recall@10 {b['ours']['recall']:.4f}"),
            ]
    if "projection" in results:
        s = results["projection"]["summary"]
        lines += [
            ("UMAP 10k GloVe, cold (fresh process): direct / ours",
             f"{s['cold']['direct']['call_s']:.1f} s / {s['cold']['ours']['call_s']:.1f} s "
             f"(ratio {s['cold_ratio']:.2f})"),
            ("UMAP 10k GloVe, warm (2nd call in process): direct / ours",
             f"{s['warm']['direct'][1]:.1f} s / {s['warm']['ours'][1]:.1f} s (ratio {s['warm_ratio']:.2f})"),
            ("UMAP 10k GloVe, 1st call in process: direct / ours (after direct)",
             f"{s['warm']['direct'][0]:.1f} s / {s['warm']['ours'][0]:.1f} s"),
            ("PCA 10k GloVe: ours / sklearn", f"{s['pca_ours_s'] * 1e3:.1f} ms / {s['pca_direct_s'] * 1e3:.1f} ms"),
            ("UMAP project(): computed (+quality) / cached / cached in fresh process",
             f"{s['cache_miss_s']:.1f} s / {s['cache_hit_s'] * 1e3:.1f} ms / "
             f"{s['cache_hit_fresh_process']['call_s'] * 1e3:.1f} ms"),
        ]
    if "embed" in results:
        for name, s in results["embed"]["summary"].items():
            if not isinstance(s, dict) or "uncached_s" not in s:
                continue
            lines.append((f"embed {name} ({s['n']:,} words): uncached / cached (ratio); fresh process",
                          f"{s['uncached_s']:.3f} s / {s['cache_hit_s']:.3f} s ({s['ratio']:.1f}×); "
                          f"{s['fresh_uncached_s']:.2f} s / {s['fresh_cached_s']:.2f} s"))
    if "embed" in results and "minilm" in results["embed"]["summary"]:
        s = results["embed"]["summary"]["minilm"]
        lines.append((f"MiniLM {s['n']:,} sentences, 1 thread, fresh processes: ours / plain encode",
                      f"{s['ours_s']:.2f} s / {s['plain_s']:.2f} s (ratio {s['ratio']:.2f}); max abs diff "
                      f"{s['max_abs_diff']:.1e}"))
    if "sentences" in results:
        s = results["sentences"]["summary"]
        lines += [
            (f"MiniLM {s['n']:,} Bible verses, 1 thread, fresh processes: plain encode / wb.embed minilm / "
             "minilm-onnx / minilm-int8",
             f"{s['plain_s']:.2f} s / {s['minilm']['s']:.2f} s / {s['onnx']['s']:.2f} s / {s['int8']['s']:.2f} s "
             f"(ratios {s['minilm']['ratio']:.2f} / {s['onnx']['ratio']:.2f} / {s['int8']['ratio']:.2f})"),
            ("MiniLM ONNX fp32: max abs diff to plain; int8: cosine to fp32 (mean, min), recall@10",
             f"{s['onnx']['max_abs_diff']:.1e}; {s['int8']['cosine_mean']:.4f}, {s['int8']['cosine_min']:.4f}, "
             f"{s['int8']['recall_at_10']:.3f}"),
        ]
    if "train" in results:
        s = results["train"]["summary"]
        lines += [
            ("Word2Vec on the Bible (CBOW, 5 epochs, 1 worker): ours / plain gensim, same work (ratio)",
             f"{s['ours']['train_s']:.2f} s / {s['plain, same work']['train_s']:.2f} s ({s['ratio_same_work']:.2f}); "
             f"{s['ours']['words_per_s']:,.0f} words/s; same vectors {s['same_vectors']}"),
        ]
    return lines


def render(results: dict, machine: dict, total_s: float) -> str:
    rows = [r for name in BENCHMARKS if name in results for r in results[name]["rows"]]
    load = ", ".join(f"{name} {results[name]['run']['other_processes_cores']:.2f}" for name in BENCHMARKS
                     if name in results and results[name]["run"]["other_processes_cores"] is not None)
    parts = [
        "# Benchmark results",
        "",
        f"- date: {machine['date']}; total run time {total_s:.0f} s; git commit {machine['git_commit']}",
        f"- machine: {machine['nproc']} cores ({machine['cpu']}), {machine['platform']}",
        f"- python {machine['python']}; numpy {machine['numpy']}, scipy {machine['scipy']}, "
        f"scikit-learn {machine['scikit-learn']}, umap-learn {machine['umap-learn']}, pynndescent "
        f"{machine['pynndescent']}, numba {machine['numba']}, hnswlib {machine['hnswlib']}, pandas {machine['pandas']}",
        f"- threads: {', '.join(f'{k}={v}' for k, v in machine['threads'].items())}",
        f"- CPU used by other processes during each benchmark (cores of {machine['nproc']}): {load or 'n/a'}",
        "",
        "## Headline",
        "",
        "| what | value |",
        "|---|---|",
        *[f"| {what} | {value} |" for what, value in headline(results)],
        "",
        "## All measurements",
        "",
        markdown_table(rows),
        "",
    ]
    return "\n".join(parts)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(BENCHMARKS),
                        help=f"comma-separated subset of {', '.join(BENCHMARKS)}")
    parser.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS",
                        help="before each benchmark, wait up to SECONDS for other processes to use < 0.3 cores")
    args = parser.parse_args(argv)
    chosen = [b.strip() for b in args.only.split(",") if b.strip()]
    unknown = set(chosen) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s) {sorted(unknown)}; choose from {BENCHMARKS}")

    # A subset run keeps the other benchmarks' last results (each carries its own date and commit).
    previous = RESULTS / "latest.json"
    results = {}
    if set(chosen) != set(BENCHMARKS) and previous.exists():
        kept = json.loads(previous.read_text()).get("results", {})
        results = {name: kept[name] for name in BENCHMARKS if name in kept and name not in chosen}
    for name in BENCHMARKS:
        if name in chosen:
            if args.wait_quiet > 0:
                other = wait_for_quiet(args.wait_quiet)
                if other is not None:
                    say(f"other processes use {other:.2f} cores")
            say(f"=== {name} ===")
            results[name] = run_one(name)
            info = machine_info()
            results[name]["run"].update(date=info["date"], git_commit=info["git_commit"])
    total = sum(results[name]["run"]["wall_s"] for name in chosen if name in results)  # benchmarks only, not --wait-quiet
    machine = machine_info()
    text = render(results, machine, total)
    print()
    print(text, flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.md").write_text(text)
    (RESULTS / "latest.json").write_text(json.dumps({"machine": machine, "total_s": total, "results": results},
                                                    indent=1))
    say(f"wrote {RESULTS / 'latest.md'} and latest.json ({total:.0f} s in all)")
    import readme_table  # the README's speed table follows the results

    readme_table.write()
    say("README.md speed table regenerated (benchmarks/readme_table.py)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The README's speed table, generated from the committed results (never typed by hand).

``python benchmarks/readme_table.py`` prints the table; ``--write`` puts it into README.md between
the ``speed-table`` markers. ``tests/test_speed_table.py`` checks that the README holds exactly what
this script generates from ``benchmarks/results/``.

Every row is one ratio measured in one run: ours against the plain library call on the same
machine, with the CPU that other processes used meanwhile (cores of 2), so a figure taken while
the machine was busy says so.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
README = HERE.parent / "README.md"
START, END = "<!-- speed-table:start (benchmarks/readme_table.py --write) -->", "<!-- speed-table:end -->"


def _load(name: str) -> dict:
    path = RESULTS / name
    return json.loads(path.read_text()) if path.exists() else {}


def _s(seconds: float) -> str:
    return f"{seconds * 1e3:.1f} ms" if seconds < 1 else f"{seconds:.1f} s"


def _ms(ms: float) -> str:
    return f"{ms:.2f} ms" if ms < 10 else f"{ms:.1f} ms"


def _load_of(result: dict) -> str:
    other = (result.get("run") or {}).get("other_processes_cores")
    return "n/a" if other is None else f"{other:.2f}"


def rows() -> list[tuple[str, str, str, str, str, str]]:
    """``(what, plain, ours, ratio, goal, other load)`` for every figure the results hold."""
    latest = _load("latest.json").get("results", {})
    out = []
    embed = latest.get("embed", {})
    summary = embed.get("summary", {})
    sentences = latest.get("sentences", {})
    if "summary" in sentences:
        s = sentences["summary"]
        out += [
            (f"MiniLM, {s['n']:,} Bible verses, 1 thread, one process, the same chunks of {s.get('chunk', 256)} in "
             "turn (ratio: median of the chunks' ratios): `wb.embed(S, \"minilm\")` vs "
             "`SentenceTransformer.encode(batch_size=64)`", _s(s["plain_s"]), _s(s["minilm"]["s"]),
             f"{s['minilm']['ratio']:.2f}", "≤ 1.05", _load_of(sentences)),
            ("… same vectors (max abs diff)", "", f"{s['minilm']['max_abs_diff']:.1e}", "", "≤ 1e-5", ""),
            ("MiniLM through ONNX Runtime: `wb.embed(S, \"minilm-onnx\")` vs the same plain encode",
             _s(s["plain_s"]), _s(s["onnx"]["s"]), f"{s['onnx']['ratio']:.2f}", "< 1", _load_of(sentences)),
            ("… same vectors (max abs diff)", "", f"{s['onnx']['max_abs_diff']:.1e}", "", "≤ 1e-5", ""),
            ("MiniLM int8 (approximate): `wb.embed(S, \"minilm-int8\")` vs the same plain encode",
             _s(s["plain_s"]), _s(s["int8"]["s"]), f"{s['int8']['ratio']:.2f}", "", _load_of(sentences)),
            ("… cosine to float32 mean (min); recall@10 of float32's neighbours", "",
             f"{s['int8']['cosine_mean']:.4f} ({s['int8']['cosine_min']:.4f}); {s['int8']['recall_at_10']:.3f}", "",
             "≥ 0.98; ≥ 0.85", ""),
        ]
    if "lookup" in summary:
        s = summary["lookup"]["ms"]
        out.append(("GloVe, 10k words: `wb.embed(words, cache=False)` vs numpy `vectors[[position[w] ...]]`",
                    _ms(s["plain numpy lookup"]), _ms(s["wb.embed(words, cache=False)"]),
                    f"{summary['lookup']['ratio_uncached']:.2f}", "≤ 2", _load_of(embed)))
        out.append(("… of which the lookup itself (`GloVe.encode`)", "", _ms(s["step: GloVe.encode (the lookup)"]),
                    f"{s['step: GloVe.encode (the lookup)'] / s['plain numpy lookup']:.2f}", "", ""))
    index = latest.get("index", {})
    if "build_ratio" in index.get("summary", {}):
        s = index["summary"]
        b = s["batch"]
        threads = s["build_threads"]
        out += [
            (f"HNSW build, 100k × 384, {threads} threads: `NeighbourIndex` vs hnswlib `add_items` (recall@10 "
             f"{s['recall_at_10']:.4f})", _s(s["cheap_build_s"]), _s(s["hnsw_build_s"]),
             f"{s['build_ratio']:.2f}", "≤ 1.1", _load_of(index)),
            (f"HNSW single query vs `knn_query` on the same graph (recall@10 {s['recall_at_10']:.4f})",
             _ms(s["hnswlib_query_ms"]), _ms(s["hnsw_query_ms"]), f"{s['query_ratio']:.2f}", "≤ 1.1", _load_of(index)),
            (f"HNSW batch of 200 queries, {threads} threads, vs `knn_query(num_threads={threads})` (recall@10 "
             f"{b['ours']['recall']:.4f})", _ms(b["plain"]["ms"]), _ms(b["ours"]["ms"]), f"{s['batch_ratio']:.2f}",
             "≤ 1.1", _load_of(index)),
            ("exact search, 100k × 384, one query: `NeighbourIndex` vs numpy `X @ q` + argpartition",
             _ms(s["numpy_query_ms"]), _ms(s["exact_query_ms"]), f"{s['exact_query_ms'] / s['numpy_query_ms']:.2f}",
             "", _load_of(index)),
        ]
    projection = latest.get("projection", {})
    if "summary" in projection:
        s = projection["summary"]
        out += [
            ("UMAP, 10k GloVe words, first call in a fresh process: `wb.project` vs `umap.UMAP`",
             _s(s["cold"]["direct"]["call_s"]), _s(s["cold"]["ours"]["call_s"]), f"{s['cold_ratio']:.2f}", "≤ 0.25",
             _load_of(projection)),
            ("UMAP, same, second call in the process", _s(s["warm"]["direct"][1]), _s(s["warm"]["ours"][1]),
             f"{s['warm_ratio']:.2f}", "≤ 1.0", _load_of(projection)),
        ]
        if "tsne" in s:
            t = s["tsne"]
            out.append((f"t-SNE, 10k GloVe words: `wb.project` ({t['ours_backend']}) vs scikit-learn `TSNE` "
                        f"(trustworthiness {t['ours_trust']:.3f} vs {t['direct_trust']:.3f})",
                        _s(t["direct_s"]), _s(t["ours_s"]), f"{t['ratio']:.2f}", "< 1", _load_of(projection)))
    train = latest.get("train") or _load("train.json")
    if "summary" in train:
        s = train["summary"]
        other = (train.get("run") or {}).get("other_processes_cores")
        out.append(("Word2Vec, Bible, CBOW 5 epochs, fresh processes: ours vs plain gensim",
                    _s(s["plain, gensim default"]["train_s"]), _s(s["ours"]["train_s"]),
                    f"{s['ratio_gensim_default']:.2f}", "≤ 1.05", "n/a" if other is None else f"{other:.2f}"))
    return out


def render() -> str:
    latest = _load("latest.json")
    machine = latest.get("machine", {})
    lines = [
        f"Ratios are ours ÷ plain, both measured in the same run of `make bench` "
        f"({machine.get('date', 'date unknown')}, commit {machine.get('git_commit', '?')}, "
        f"{machine.get('nproc', '?')} cores); \"other load\" is the CPU other processes used meanwhile "
        "(cores of 2).",
        "",
        "| what | plain | ours | ratio | goal | other load |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    lines += [f"| {' | '.join(r)} |" for r in rows()]
    return "\n".join(lines)


def readme_section(text: str) -> str | None:
    """What README.md holds between the markers, or None without them."""
    if START not in text or END not in text:
        return None
    return text.split(START, 1)[1].split(END, 1)[0].strip("\n")


def write() -> None:
    text = README.read_text()
    if START not in text or END not in text:
        raise SystemExit(f"README.md has no {START} ... {END} markers")
    head, rest = text.split(START, 1)
    tail = rest.split(END, 1)[1]
    README.write_text(f"{head}{START}\n{render()}\n{END}{tail}")


if __name__ == "__main__":
    if "--write" in sys.argv[1:]:
        write()
    print(render())

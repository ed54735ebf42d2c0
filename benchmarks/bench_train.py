"""Training: Word2Vec through the workbench trainer against a direct gensim call, on the Bible.

Data: the ``bible-kjv`` dataset (31,103 verses), tokenized once per process with
``workbench.loaders.corpora.tokenize`` (791,451 tokens); both sides get exactly these tokens.
Parameters: gensim's defaults as the workbench uses them (CBOW, 100-d, window 5, negative 5,
min_count 5, 5 epochs, alpha 0.025), ``workers=1``, ``seed=0``.

Three cases, each in a fresh process (``python -c``), interleaved, several repeats:

- **ours**: ``Word2Vec(seed=0).fit(bible)`` (progress reports, the stoppable corpus, the epoch
  callback, loss per epoch, copying the vectors into numpy);
- **plain, same work**: ``gensim.models.Word2Vec(tokens, ..., compute_loss=True)``: what ours
  runs, so ours ÷ this is the trainer's overhead;
- **plain, gensim default**: the same call with ``compute_loss=False`` (gensim's default).

Only the training call is timed (tokenizing and loading are reported apart). Words/s counts the
corpus's raw words times the epochs. Ratio = ours ÷ plain (above 1: ours slower). Each child
also reports a digest of its vectors: ours and the plain call with the loss must agree bit for bit.
Timings are printed, never asserted.

Run alone: ``python benchmarks/bench_train.py [--json out.json] [--repeat N]``; results go to
``benchmarks/results/train.json`` unless ``--json`` says otherwise.
"""

from __future__ import annotations

import os

# Before numpy is imported, for this process and every child.
for _k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_k] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from _common import RESULTS, finish, machine_info, row, run_child, say  # noqa: E402

PARAMS = {"seed": 0, "workers": 1}  # everything else: the workbench defaults (gensim's)

CHILD = """
import hashlib, json, time
t0 = time.perf_counter()
from workbench.loaders import load_dataset
from workbench.loaders.corpora import tokenize
from workbench.models.word2vec import Word2Vec
bible = load_dataset("bible-kjv")
load_s = time.perf_counter() - t0
t0 = time.perf_counter()
tokens = tokenize(bible.items)
tokenize_s = time.perf_counter() - t0
ours = Word2Vec(**{params!r})
case = {case!r}
if case == "ours":
    t0 = time.perf_counter()
    ours.fit(bible)
    train_s = time.perf_counter() - t0
    vectors, vocab, loss = ours.vectors_, len(ours.vocabulary_), sum(r["loss"] for r in ours.history_)
else:
    import gensim
    t0 = time.perf_counter()
    model = gensim.models.Word2Vec(tokens, **ours.gensim_params(), compute_loss=(case == "plain, same work"))
    train_s = time.perf_counter() - t0
    vectors, vocab, loss = model.wv.vectors, len(model.wv), model.get_latest_training_loss()
print(json.dumps({{"train_s": train_s, "load_s": load_s, "tokenize_s": tokenize_s, "vocab": vocab, "loss": loss,
                  "raw_words": sum(len(t) for t in tokens), "epochs": ours.epochs,
                  "digest": hashlib.blake2b(vectors.tobytes(), digest_size=8).hexdigest()}}))
"""

CASES = ("ours", "plain, same work", "plain, gensim default")


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=RESULTS / "train.json")
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per case (interleaved)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)

    bench = "train"
    runs: dict[str, list[dict]] = {case: [] for case in CASES}
    for i in range(args.repeat):
        for case in CASES:  # interleaved, so a burst of load elsewhere hits every case alike
            r = run_child(CHILD.format(params=PARAMS, case=case))
            runs[case].append(r)
            say(f"train: {case}, run {i + 1}/{args.repeat}: {r['train_s']:.2f} s training "
                f"({r['raw_words'] * r['epochs'] / r['train_s']:,.0f} words/s), vocab {r['vocab']:,}, "
                f"loss {r['loss']:,.0f}")

    def med(case: str, key: str = "train_s") -> float:
        return statistics.median(r[key] for r in runs[case])

    first = runs["ours"][0]
    words = first["raw_words"] * first["epochs"]
    same_vectors = len({r["digest"] for case in ("ours", "plain, same work") for r in runs[case]}) == 1
    summary = {case: {"train_s": med(case), "words_per_s": words / med(case),
                      "runs_s": [r["train_s"] for r in runs[case]]} for case in CASES}
    summary.update({
        "ratio_same_work": med("ours") / med("plain, same work"),
        "ratio_gensim_default": med("ours") / med("plain, gensim default"),
        "same_vectors": same_vectors, "raw_words": first["raw_words"], "epochs": first["epochs"],
        "vocab": first["vocab"], "load_s": med("ours", "load_s"), "tokenize_s": med("ours", "tokenize_s"),
    })
    n = f"median of {args.repeat} fresh processes"
    rows = [
        row(bench, "Word2Vec on the Bible: ours (Word2Vec.fit)", med("ours"), "s",
            f"CBOW 100-d, 5 epochs, 1 worker, {first['vocab']:,} words; {n}"),
        row(bench, "Word2Vec on the Bible: plain gensim, compute_loss=True", med("plain, same work"), "s",
            f"the same training ours runs; {n}"),
        row(bench, "Word2Vec on the Bible: plain gensim, default (no loss)", med("plain, gensim default"), "s", n),
        row(bench, "ours: words/s", summary["ours"]["words_per_s"], "count",
            f"{first['raw_words']:,} raw words x {first['epochs']} epochs / training seconds"),
        row(bench, "plain gensim (with loss): words/s", summary["plain, same work"]["words_per_s"], "count", ""),
        row(bench, "plain gensim (default): words/s", summary["plain, gensim default"]["words_per_s"], "count", ""),
        row(bench, "ratio ours / plain gensim (same work)", summary["ratio_same_work"], "x",
            f"the trainer's overhead (above 1 = ours slower); same vectors to the bit: {same_vectors}"),
        row(bench, "ratio ours / plain gensim (default)", summary["ratio_gensim_default"], "x",
            "includes the cost of computing the loss"),
        row(bench, "load the Bible (import + read kjv.jsonl)", summary["load_s"], "s", "not timed in the ratios"),
        row(bench, "tokenize the Bible (simple_preprocess)", summary["tokenize_s"], "s", "not timed in the ratios"),
    ]
    return finish("train", rows, {"runs": runs, "summary": summary, "machine": machine_info(),
                                  "config": {"params": PARAMS, "repeat": args.repeat}},
                  argv=["--json", str(args.json)])


if __name__ == "__main__":
    main()

"""Write ``data/planted_corpus.txt``: a tiny corpus whose co-occurrence structure is known by construction.

Each of the 200 lines is about one of two topics and uses only that topic's eight words (drawn with
replacement), plus one of six word *pairs* ("salt pepper", "needle thread", ...) inserted side by
side. So, by construction:

- the two words of a pair always occur together, next to each other and in that order, and
  never apart: each pair word's strongest co-occurrence is its partner;
- topic words co-occur with words of their own topic and never with the other topic's words;
- pair words are shared by both topics (they say nothing about the topic).

A word model trained on it should put each pair word nearest its partner, and separate the topics.
Only ``random.Random(seed).random()`` is used, whose sequence Python guarantees across versions, so
the file is the same wherever it is regenerated.

Usage (from the repository root)::

    python scripts/make_planted_corpus.py            # (re)write data/planted_corpus.txt
    python scripts/make_planted_corpus.py --check    # exit 1 if the file differs from what this makes
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

TOPICS = {
    "animals": ["cat", "dog", "horse", "cow", "sheep", "goat", "mouse", "rabbit"],
    "vehicles": ["car", "bus", "truck", "train", "bicycle", "boat", "plane", "tram"],
}
PAIRS = [("salt", "pepper"), ("needle", "thread"), ("bread", "butter"), ("lock", "key"),
         ("thunder", "lightning"), ("knife", "fork")]
LINES, SEED = 200, 0
MIN_WORDS, MAX_WORDS = 6, 10  # topic words per line, before the pair is inserted
OUT = Path(__file__).resolve().parents[1] / "data" / "planted_corpus.txt"


def generate(lines: int = LINES, seed: int = SEED) -> list[str]:
    """The corpus, one line of space-separated lowercase words per document."""
    rng = random.Random(seed)

    def pick(n: int) -> int:  # an integer in [0, n) from random() alone
        return int(rng.random() * n)

    topics = list(TOPICS)
    out = []
    for _ in range(lines):
        words = TOPICS[topics[pick(len(topics))]]
        line = [words[pick(len(words))] for _ in range(MIN_WORDS + pick(MAX_WORDS - MIN_WORDS + 1))]
        at = pick(len(line) + 1)
        line[at:at] = list(PAIRS[pick(len(PAIRS))])
        out.append(" ".join(line))
    return out


def text(lines: int = LINES, seed: int = SEED) -> str:
    return "\n".join(generate(lines, seed)) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the file instead of writing it")
    args = parser.parse_args(argv)
    if args.check:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == text()
        print(f"{OUT} is {'up to date' if same else 'out of date: run without --check'}")
        return 0 if same else 1
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(text(), encoding="utf-8")
    print(f"wrote {LINES} lines to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

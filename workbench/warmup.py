"""Warm the caches a fresh kernel would otherwise fill while a person waits.

``python -m workbench.warmup`` (run by ``make setup``) loads GloVe, embeds the tour's words and
computes their PCA and UMAP maps into the on-disk cache, and compiles UMAP's numba code once so
numba's on-disk cache holds it (umap-learn's own cached functions and the ones we let numba keep). Safe to run again: everything it makes is cached.
"""

from __future__ import annotations

import sys
import time


def main() -> int:
    import workbench as wb

    t0 = time.perf_counter()
    emb = wb.embed("glove-vocab", "glove-6b-50d", limit=TOUR_WORDS, progress=False)
    for method in ("pca", "umap"):
        t = time.perf_counter()
        wb.project(emb, method, 2)
        print(f"warm-up: {method} map of {len(emb):,} words in {time.perf_counter() - t:.1f} s", flush=True)
    # The map above may come from the cache of an earlier warm-up; a small one computed now makes
    # numba compile and keep umap's layout code (see workbench.core._map_runs.keep_umap_compilation).
    t = time.perf_counter()
    wb.project(emb.head(300), "umap", 2, cache=False, quality=False, progress=False)
    print(f"warm-up: UMAP's compiled code kept on disk ({time.perf_counter() - t:.1f} s)", flush=True)
    print(f"warm-up done in {time.perf_counter() - t0:.1f} s")
    return 0


TOUR_WORDS = 5000  # the tour notebook's default map size

if __name__ == "__main__":
    sys.exit(main())

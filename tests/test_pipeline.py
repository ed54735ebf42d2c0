"""embed(): dataset + model -> cached Embeddings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import workbench as wb
from workbench.core.errors import InvalidParameterError, SizeLimitError
from workbench.loaders import Dataset
from workbench.models import Embedder


class Letters(Embedder):
    """A tiny text embedder: letter counts a..e. Counts its calls so tests can see cache hits."""

    name, modality, dim = "letters", "text", 5
    batch_size = 2

    def __init__(self):
        self.calls = 0

    def _encode(self, items):
        self.calls += 1
        return [[str(item).count(ch) + 0.5 for ch in "abcde"] for item in items]


def test_embed_a_list_in_batches_with_progress(fresh_cache):
    model, seen = Letters(), []
    emb = wb.embed(["abc", "bcd", "cde", "aaa", "eee"], model, progress=lambda f, message: seen.append(f))
    assert isinstance(emb, wb.Embeddings) and emb.labels == ["abc", "bcd", "cde", "aaa", "eee"]
    np.testing.assert_array_equal(emb["aaa"], [3.5, 0.5, 0.5, 0.5, 0.5])
    assert model.calls == 3  # batches of 2
    assert seen == pytest.approx([0.4, 0.8, 1.0])
    assert emb.provenance == {"model": "letters", "dataset": "items", "modality": "text", "params": {},
                              "fingerprint": model.fingerprint()}
    assert emb.embedder is model


def test_embed_is_cached_on_disk(fresh_cache):
    model = Letters()
    first = wb.embed(["abc", "bcd"], model, progress=False)
    second = wb.embed(["abc", "bcd"], model, progress=False)
    assert model.calls == 1
    np.testing.assert_array_equal(first.vectors, second.vectors)
    assert len(list((fresh_cache / "embeddings").iterdir())) == 1
    wb.embed(["abc", "bcd", "x"], model, progress=False)  # other items: computed (2 batches)
    wb.embed(["abc", "bcd"], model, progress=False, cache=False)
    assert model.calls == 1 + 2 + 1


def test_embed_a_dataframe_keeps_metadata(fresh_cache):
    frame = pd.DataFrame({"text": ["ab", "cd", "ee"], "topic": ["x", "y", "x"]})
    emb = wb.embed(frame, Letters(), progress=False, limit=2)
    assert emb.labels == ["ab", "cd"]
    assert emb.meta["topic"].tolist() == ["x", "y"]
    assert emb.provenance["dataset"] == "dataframe"


def test_embedder_answers_raw_queries(fresh_cache):
    emb = wb.embed(["aa", "bb", "cc"], Letters(), progress=False)
    assert emb.neighbours("aaaa", k=1)["label"].tolist() == ["aa"]  # not a label: encoded on the fly


def test_embed_refuses_a_model_of_another_modality():
    ds = Dataset("photos", "image", pd.DataFrame({"label": ["p1"], "item": ["p1.png"]}))
    with pytest.raises(InvalidParameterError, match=r"The 'model' parameter of embed must be a image model for "
                                                    r"'photos' \(one of \[\]\)\. Got 'letters' instead\."):
        wb.embed(ds, Letters())


def test_embed_size_limit_says_how_to_override():
    with pytest.raises(SizeLimitError, match=r"3 items is above max_items=2\. Pass limit=\.\.\. to embed fewer, "
                                             r"or a larger max_items"):
        wb.embed(["a", "b", "c"], Letters(), max_items=2)


@pytest.mark.slow
def test_embed_analogy_words_with_glove(glove):
    emb = wb.embed("analogy-words", "glove-6b-50d", progress=False)
    assert len(emb) == 905 and emb.dim == 50
    np.testing.assert_array_equal(emb["paris"], glove["paris"])
    assert emb.meta.columns.tolist() == ["item", "category", "section", "kind"]
    assert emb.neighbours("paris", k=1)["label"].tolist() == ["france"]
    # raw input through GloVe: a phrase is the mean of its words
    phrase = emb.neighbours("king queen", k=2)
    assert set(phrase["label"]) <= set(emb.labels)


def test_a_stored_entry_with_the_wrong_number_of_rows_is_recomputed(fresh_cache):
    model = Letters()
    wb.embed(["abc", "bcd"], model, progress=False)
    [entry] = (fresh_cache / "embeddings").iterdir()
    (entry / ".complete").write_text("")  # as an entry written before checksums: only the shape can catch it
    np.save(entry / "vectors.npy", np.zeros((5, 5), np.float32))
    with pytest.warns(UserWarning, match="cache"):
        again = wb.embed(["abc", "bcd"], model, progress=False)
    assert again.vectors.shape == (2, 5) and model.calls == 2


def test_a_stored_map_with_the_wrong_shape_is_recomputed(fresh_cache):
    emb = wb.Embeddings(np.random.default_rng(0).normal(size=(20, 4)))
    first = wb.project(emb, "pca")
    [entry] = (fresh_cache / "projection").iterdir()
    (entry / ".complete").write_text("")
    np.save(entry / "coords.npy", np.zeros((19, 2), np.float32))
    with pytest.warns(UserWarning, match="cache"):
        again = wb.project(emb, "pca")
    np.testing.assert_allclose(again.coords, first.coords)

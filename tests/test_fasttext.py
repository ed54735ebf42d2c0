"""FastText: sub-word vectors for unseen words, checked against a direct gensim call.

The reference is ``gensim.models.FastText(sentences, ...)`` on the same tokens with the same
parameters and ``workers=1`` (bit-reproducible): our known-word vectors, n-gram table and the
vector of a word outside the vocabulary must equal gensim's.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

import workbench as wb
from workbench.core.errors import CancelledError, EmptyInputError, InvalidParameterError, UnknownLabelError
from workbench.loaders import Dataset, load_dataset
from workbench.loaders.corpora import tokenize
from workbench.models.fasttext import FastText
from workbench.models.word2vec import Word2Vec

SMALL = dict(vector_size=24, epochs=3, min_count=3, bucket=20_000, seed=3)


@pytest.fixture(scope="module")
def lee():
    return load_dataset("lee-background")


@pytest.fixture(scope="module")
def lee_fasttext(lee):
    return FastText(**SMALL).fit(lee)


def nearest(model, word, k=8):
    v = model.encode([word])[0]
    unit = model.vectors_ / np.linalg.norm(model.vectors_, axis=1, keepdims=True)
    return [model.vocabulary_[i] for i in np.argsort(-(unit @ (v / np.linalg.norm(v))))[:k]]


def test_vectors_and_unseen_words_equal_a_direct_gensim_call(lee, lee_fasttext):
    from gensim.models import FastText as GensimFastText

    theirs = GensimFastText(tokenize(lee.items), **lee_fasttext.gensim_params())
    assert lee_fasttext.vocabulary_ == theirs.wv.index_to_key
    assert np.abs(lee_fasttext.vectors_ - theirs.wv.vectors).max() < 1e-6
    assert np.abs(lee_fasttext.ngram_vectors_ - theirs.wv.vectors_ngrams).max() < 1e-6
    for word in ["australiaa", "firefightersss", "unfriendliness", "xq"]:
        assert word not in theirs.wv.key_to_index
        np.testing.assert_allclose(lee_fasttext.encode([word])[0], theirs.wv[word], atol=1e-6)
    assert [row["epoch"] for row in lee_fasttext.history_] == [1, 2, 3]
    assert "loss" not in lee_fasttext.history_[0]  # gensim computes none for FastText


def test_an_unseen_word_gets_a_vector_where_word2vec_says_it_is_unknown(lee, lee_fasttext):
    word2vec = Word2Vec(vector_size=24, epochs=1, min_count=3, seed=3).fit(lee)
    with pytest.raises(UnknownLabelError, match="australiaa"):
        word2vec.encode(["australiaa"])
    assert "australia" in nearest(lee_fasttext, "australiaa", k=5)
    # a phrase mixing a known and an unseen word is the mean of the two
    np.testing.assert_allclose(lee_fasttext.encode(["fire australiaa"])[0],
                               (lee_fasttext.encode(["fire"])[0] + lee_fasttext.encode(["australiaa"])[0]) / 2,
                               atol=1e-6)


def test_saved_model_encodes_unseen_words_the_same(lee_fasttext, tmp_path):
    loaded = FastText.load(lee_fasttext.save(tmp_path / "ft"))
    words = ["australia", "australiaa", "bush fire", "unfriendliness"]
    np.testing.assert_array_equal(loaded.encode(words), lee_fasttext.encode(words))


def test_without_subwords_an_unseen_word_is_unknown(lee):
    model = FastText(**{**SMALL, "max_n": 0, "epochs": 1}).fit(lee)
    with pytest.raises(UnknownLabelError, match="australiaa"):
        model.encode(["australiaa"])


def test_cancel_stops_training_and_keeps_the_model_unfitted(lee):
    model = FastText(**{**SMALL, "epochs": 50})
    calls = []

    def should_stop():
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(CancelledError):
        model.fit(lee, should_stop=should_stop)
    assert not model.is_fitted and threading.active_count() < 20


@pytest.mark.parametrize("params, message", [
    (dict(vector_size=0), "vector_size"), (dict(vector_size=10_000), "vector_size"), (dict(window=0), "window"),
    (dict(min_n=4, max_n=3), "max_n"), (dict(bucket=0), "bucket"), (dict(architecture="glove"), "architecture"),
])
def test_bad_parameters_are_refused_with_a_sentence(lee, params, message):
    with pytest.raises(InvalidParameterError, match=message):
        FastText(**{**SMALL, **params}).fit(lee)


def test_a_min_count_that_leaves_no_vocabulary_is_refused(lee):
    with pytest.raises(EmptyInputError, match="min_count=1000000"):
        FastText(**{**SMALL, "min_count": 1_000_000}).fit(lee)


def test_an_empty_corpus_is_refused():
    empty = Dataset.from_items(["", "123 456"], modality="text", name="empty", labels=["a", "b"])
    with pytest.raises(EmptyInputError, match="min_count"):
        FastText(**SMALL).fit(empty)


@pytest.mark.slow
def test_kingg_neighbours_on_the_bible_include_king():
    model = FastText(seed=0, epochs=3).fit(load_dataset("bible-kjv"))
    assert "king" in nearest(model, "kingg", k=5)
    assert "jerusalem" in nearest(model, "jerusalm", k=5)
    emb = wb.embed(model.trained_items(), model, progress=False)
    assert emb.labels[:3] == ["the", "and", "of"]

"""The word-model comparison table agrees with gensim's evaluate_word_analogies and evaluate_word_pairs."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.core.errors import EmptyInputError, InvalidParameterError
from workbench.core.packaged import gensim_test_file, glove_vocabulary
from workbench.core.word_benchmarks import as_word_embeddings, word_model_table
from workbench.loaders import load_dataset
from workbench.models.word2vec import Word2Vec


def keyed_vectors(emb):
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vector_size=emb.dim)
    kv.add_vectors(emb.labels, emb.vectors)
    return kv


@pytest.fixture(scope="module")
def lee_word2vec():
    return Word2Vec(vector_size=32, epochs=5, min_count=2, seed=0).fit(load_dataset("lee-background"))


@pytest.fixture(scope="module")
def glove():
    return glove_vocabulary()


@pytest.fixture(scope="module")
def table(glove, lee_word2vec):
    return word_model_table({"glove-6b-50d": glove, "word2vec (lee)": lee_word2vec}, restrict=10_000)


def test_scores_equal_gensims(table, glove, lee_word2vec):
    for name, emb in [("glove-6b-50d", glove), ("word2vec (lee)", as_word_embeddings(lee_word2vec))]:
        kv = keyed_vectors(emb)
        accuracy, sections = kv.evaluate_word_analogies(gensim_test_file("questions-words.txt"), restrict_vocab=10_000)
        row = table.loc[name]
        assert row["questions_words"] == pytest.approx(accuracy, abs=1e-12)
        total = next(s for s in sections if s["section"] == "Total accuracy")
        assert row["qw_correct"] == len(total["correct"]) and row["qw_answered"] == len(total["correct"]) + len(
            total["incorrect"])
        for s in sections[:-1]:
            answered = len(s["correct"]) + len(s["incorrect"])
            if answered:
                assert row[f"qw: {s['section']}"] == pytest.approx(len(s["correct"]) / answered)
        for key, file in [("wordsim353", "wordsim353.tsv"), ("simlex999", "simlex999.txt")]:
            _, spearman, oov = kv.evaluate_word_pairs(gensim_test_file(file), restrict_vocab=10_000)
            assert row[key] == pytest.approx(spearman.statistic, abs=1e-9)
            assert row[f"{key}_oov"] == pytest.approx(oov)


def test_table_states_coverage_vocabulary_and_training_time(table, lee_word2vec):
    glove_row, w2v = table.loc["glove-6b-50d"], table.loc["word2vec (lee)"]
    assert glove_row["vocabulary"] == 400_000 and np.isnan(glove_row["train_seconds"])
    assert w2v["vocabulary"] == len(lee_word2vec.vocabulary_)
    assert w2v["train_seconds"] == lee_word2vec.history_[-1]["seconds"] > 0
    assert w2v["qw_coverage"] < glove_row["qw_coverage"] <= 1  # the small corpus knows fewer words
    assert glove_row["qw_coverage"] == glove_row["qw_answered"] / 19_544
    assert sum(c.startswith("qw: ") for c in table.columns) == 14


def test_a_model_that_answers_nothing_gets_nan_not_an_error():
    table = word_model_table({"tiny": (["zebra", "quark"], np.eye(2))}, sections=False)
    assert table.loc["tiny", "qw_answered"] == 0 and np.isnan(table.loc["tiny", "questions_words"])
    assert np.isnan(table.loc["tiny", "wordsim353"]) and table.loc["tiny", "simlex999_oov"] == 100.0


def test_bad_inputs_are_refused():
    with pytest.raises(EmptyInputError, match="one or more models"):
        word_model_table({})
    with pytest.raises(InvalidParameterError, match="a fitted word model"):
        word_model_table({"x": "glove"})

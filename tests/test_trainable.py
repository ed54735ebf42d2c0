"""The training contract over both trainable word models: Word2Vec (gensim) and cooc-mf (numpy).

Unit tests train on a tiny planted corpus: five topics of four words; every text draws its words
from one topic, so words of a topic always co-occur and never meet the others. Both models must
put each word's nearest neighbour in its own topic. Tests on the real Bible are marked slow.
"""

from __future__ import annotations

import json
import threading
import time

import numpy as np
import pandas as pd
import pytest

import workbench as wb
from workbench.core.errors import (BadFileError, CancelledError, DivergedError, EmptyInputError,
                                   InvalidParameterError, UnknownLabelError)
from workbench.loaders import Dataset
from workbench.models import MODELS, Trainable
from workbench.models.cooccurrence import CoocMF, build_vocabulary, cooccurrence_matrix, glove_weight
from workbench.models.word2vec import Word2Vec

TOPICS = {
    "kitchen": ["salt", "pepper", "oven", "spoon"],
    "sea": ["boat", "wave", "sail", "harbour"],
    "music": ["violin", "drum", "melody", "choir"],
    "sky": ["cloud", "rain", "thunder", "storm"],
    "school": ["pupil", "teacher", "lesson", "chalk"],
}
TOPIC_OF = {w: t for t, words in TOPICS.items() for w in words}

# Small settings that train in well under a second on the planted corpus.
FAST = {
    "word2vec": dict(vector_size=16, epochs=20, min_count=1, window=3, seed=1),
    "cooc-mf": dict(vector_size=8, epochs=100, min_count=1, window=3, seed=1),
}
OTHER = {"word2vec": dict(window=2), "cooc-mf": dict(window=2)}  # "other parameters" for the fingerprint test


@pytest.fixture(scope="module")
def planted() -> Dataset:
    rng = np.random.default_rng(0)
    topics = list(TOPICS)
    texts = []
    for _ in range(600):
        words = TOPICS[topics[rng.integers(len(topics))]]
        texts.append(" ".join(rng.choice(words, size=8)))
    return Dataset.from_items(texts, modality="text", name="planted", labels=[f"t{i}" for i in range(len(texts))])


def make(name: str, **changes) -> Trainable:
    cls = {"word2vec": Word2Vec, "cooc-mf": CoocMF}[name]
    return cls(**{**FAST[name], **changes})


@pytest.fixture(scope="module", params=["word2vec", "cooc-mf"])
def fitted(request, planted):
    return make(request.param).fit(planted)


def model_key(model) -> str:
    return "word2vec" if isinstance(model, Word2Vec) else "cooc-mf"


# ----------------------------------------------------------------------------- fit, history, state
def test_fit_records_one_history_row_per_epoch_with_a_finite_loss(fitted):
    rows = fitted.history_
    assert fitted.is_fitted and len(rows) == fitted.epochs
    assert [r["epoch"] for r in rows] == list(range(1, fitted.epochs + 1))
    assert all(np.isfinite(r["loss"]) and r["loss"] >= 0 and r["seconds"] >= 0 for r in rows)
    assert rows[-1]["loss"] < rows[0]["loss"]
    frame = fitted.history()
    assert isinstance(frame, pd.DataFrame) and {"epoch", "loss", "seconds"} <= set(frame.columns)


def test_learned_state_is_plain_numpy(fitted):
    assert sorted(fitted.vocabulary_) == sorted(TOPIC_OF)
    assert fitted.vectors_.dtype == np.float32 and fitted.vectors_.shape == (20, fitted.dim)
    assert fitted.counts_.dtype == np.int64 and fitted.counts_.sum() == 600 * 8
    assert list(fitted.counts_) == sorted(fitted.counts_, reverse=True)  # most frequent first


def test_words_that_always_co_occur_end_up_nearest(fitted):
    emb = wb.embed(fitted.trained_items(), fitted, progress=False, cache=False)
    for word, topic in TOPIC_OF.items():
        nearest = emb.neighbours(word, k=3)["label"].tolist()
        assert all(TOPIC_OF[n] == topic for n in nearest), (model_key(fitted), word, nearest)


def test_trained_items_is_the_vocabulary_as_a_word_dataset(fitted):
    ds = fitted.trained_items()
    assert ds.modality == "word" and len(ds) == 20
    assert ds.labels == fitted.vocabulary_ == ds.items
    assert ds.frame["count"].tolist() == fitted.counts_.tolist()
    assert ds.frame["frequency_rank"].tolist() == list(range(1, 21))


def test_encode_words_phrases_and_unknown_words(fitted):
    salt, pepper = fitted.encode(["salt", "pepper"])
    np.testing.assert_array_equal(fitted.encode(["SALT"])[0], salt)  # looked up lowercased
    np.testing.assert_allclose(fitted.encode(["salt, pepper!"])[0], (salt + pepper) / 2, rtol=1e-6)
    np.testing.assert_array_equal(fitted.encode_query("salt"), salt)
    with pytest.raises(UnknownLabelError, match=r"Unknown word 'pepperr'.*Closest known: 'pepper'"):
        fitted.encode(["salt pepperr"])
    with pytest.raises(UnknownLabelError, match="Unknown word '42'"):
        fitted.encode(["42"])  # no letters: no tokens


def test_snapshot_gives_copies_of_the_live_vectors_during_training(planted):
    for name in FAST:
        model = make(name, epochs=3)
        seen = []

        def progress(fraction, message, model=model):
            if "loss" in message:  # end of an epoch
                seen.append(model.snapshot())

        model.fit(planted, progress=progress)
        assert len(seen) == 3, name
        labels, vectors = seen[0]
        assert sorted(labels) == sorted(TOPIC_OF) and vectors.shape == (20, model.dim)
        assert not np.array_equal(seen[0][1], seen[-1][1])  # copies taken at different epochs
        final_labels, final = model.snapshot()
        assert final_labels == model.vocabulary_ and np.array_equal(final, model.vectors_)
        final[:] = 0
        assert model.vectors_.any()  # a copy


def test_unfitted_models_explain_themselves():
    for name in FAST:
        model = make(name)
        assert not model.is_fitted and model.dim == FAST[name]["vector_size"]
        with pytest.raises(AttributeError, match=r"not trained yet: call fit\(dataset\) first"):
            model.encode(["salt"])
        with pytest.raises(AttributeError, match="not trained yet"):
            model.trained_items()


# ----------------------------------------------------------------------------- files
def test_save_load_round_trip_gives_identical_vectors(fitted, tmp_path):
    folder = fitted.save(tmp_path / "model")
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "weights.safetensors"]
    loaded = type(fitted).load(folder)
    assert loaded is not fitted and loaded.is_fitted and loaded.params() == fitted.params()
    assert loaded.vocabulary_ == fitted.vocabulary_
    np.testing.assert_array_equal(loaded.vectors_, fitted.vectors_)
    np.testing.assert_array_equal(loaded.counts_, fitted.counts_)
    np.testing.assert_array_equal(loaded.encode(["salt", "boat sail"]), fitted.encode(["salt", "boat sail"]))
    assert loaded.history_ == json.loads(json.dumps(fitted.history_))
    assert loaded.fingerprint() == fitted.fingerprint()
    assert isinstance(wb.load_model(folder), type(fitted))


def test_load_refuses_a_config_naming_an_unregistered_class(fitted, tmp_path):
    folder = fitted.save(tmp_path / "model")
    config = json.loads((folder / "config.json").read_text())
    for bad in ("os.system", "workbench.models.words.GloVe"):  # not a class / registered but not trainable
        config["class"] = bad
        (folder / "config.json").write_text(json.dumps(config))
        with pytest.raises(BadFileError, match="not a registered trainable workbench model"):
            wb.load_model(folder)


def test_load_refuses_state_that_does_not_fit_the_parameters(fitted, tmp_path):
    folder = fitted.save(tmp_path / "model")
    config = json.loads((folder / "config.json").read_text())
    config["params"]["vector_size"] = fitted.dim + 1
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(BadFileError, match="does not fit together"):
        wb.load_model(folder)


# ----------------------------------------------------------------------------- fingerprints, cache, registry
@pytest.mark.parametrize("name", list(FAST))
def test_fingerprint_and_cache_entries_differ_for_trainings_with_other_parameters(name, planted, fresh_cache):
    first = make(name)
    unfitted = first.fingerprint()
    first.fit(planted)
    second = make(name, **OTHER[name]).fit(planted)
    assert len({unfitted, first.fingerprint(), second.fingerprint()}) == 3
    a = wb.embed(first.trained_items(), first, progress=False)
    b = wb.embed(second.trained_items(), second, progress=False)
    assert a.labels and b.labels
    entries = [p for p in (fresh_cache / "embeddings").iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert len(entries) == 2
    wb.embed(first.trained_items(), first, progress=False)  # a hit: no third entry
    assert len([p for p in (fresh_cache / "embeddings").iterdir() if not p.name.startswith(".")]) == 2


def test_refitting_is_reproducible_and_other_parameters_change_the_fingerprint(planted):
    for name in FAST:
        model = make(name, epochs=5)
        before, vectors = model.fit(planted).fingerprint(), model.vectors_.copy()
        assert model.fit(planted).fingerprint() == before  # seeded, one worker: the same weights again
        np.testing.assert_array_equal(model.vectors_, vectors)
        model.epochs = 6
        assert model.fit(planted).fingerprint() != before


def test_a_fitted_model_registered_by_name_appears_in_the_catalog(planted):
    model = make("word2vec", epochs=2).fit(planted)
    try:
        assert wb.register(model, "my-w2v") is model
        row = wb.catalog().set_index("name").loc["my-w2v"]
        assert bool(row["trainable"]) and row["modality"] == "word" and row["dim"] == 16
        assert wb.get_model("my-w2v") is model
        emb = wb.embed(model.trained_items(), "my-w2v", progress=False, cache=False)
        assert emb.provenance["model"] == "my-w2v"
    finally:
        MODELS.remove("my-w2v")


def test_registering_an_unfitted_model_is_refused():
    with pytest.raises(InvalidParameterError, match="a fitted model: call model.fit"):
        wb.register(Word2Vec(), "not-yet")
    assert "not-yet" not in MODELS


def test_catalog_marks_both_models_trainable():
    frame = wb.catalog().set_index("name")
    assert "trainable" in frame.columns
    assert bool(frame.loc["word2vec", "trainable"]) and bool(frame.loc["cooc-mf", "trainable"])
    assert not bool(frame.loc["glove-6b-50d", "trainable"])
    assert (frame.loc["word2vec", "dim"], frame.loc["cooc-mf", "dim"]) == (100, 50)
    assert Word2Vec.trains_on == CoocMF.trains_on == "text"
    assert Word2Vec.param_choices == {"architecture": ["cbow", "skip-gram"]}
    assert wb.get_model("word2vec", vector_size=30).dim == 30


# ----------------------------------------------------------------------------- bad runs keep the last good model
def test_an_exploding_loss_raises_diverged_error_and_keeps_the_previous_weights(planted):
    model = make("cooc-mf").fit(planted)
    vectors, history, weights = model.vectors_.copy(), list(model.history_), model.weights_id()
    model.learning_rate = 1e6
    # On 20 words Adam's bounded steps oscillate at a huge scale without overflowing: the growth guard stops it.
    with pytest.raises(DivergedError, match=r"Training diverged at epoch 2: the loss grew from .* to .*, over 1e\+06 "
                                            r"times its first value\. Lower the learning rate"):
        model.fit(planted)
    assert model.is_fitted and model.history_ == history and model.weights_id() == weights
    np.testing.assert_array_equal(model.vectors_, vectors)
    assert model.learning_rate == 1e6  # the parameters stay as set; only the learned state is restored


@pytest.mark.slow
def test_a_nan_loss_raises_diverged_error_and_keeps_the_previous_weights():
    from workbench.loaders import load_dataset

    lee = load_dataset("lee-background")
    model = CoocMF(epochs=5).fit(lee)
    vectors, history = model.vectors_.copy(), list(model.history_)
    model.learning_rate = 1e6
    with pytest.raises(DivergedError, match=r"Training diverged at epoch 2: the loss became nan\. Lower the "
                                            r"learning rate and train again; the previous model is kept\."):
        model.fit(lee)
    assert model.is_fitted and model.history_ == history
    np.testing.assert_array_equal(model.vectors_, vectors)


def test_a_diverged_first_run_leaves_the_model_unfitted(planted):
    model = make("cooc-mf", learning_rate=1e6)
    with pytest.raises(DivergedError):
        model.fit(planted)
    assert not model.is_fitted


def test_cancel_before_the_first_epoch_ends_keeps_the_previous_weights(planted):
    for name in FAST:
        model = make(name).fit(planted)
        vectors = model.vectors_.copy()
        model.epochs = 1000
        with pytest.raises(CancelledError, match="Cancelled training"):
            model.fit(planted, should_stop=lambda: True)
        np.testing.assert_array_equal(model.vectors_, vectors)
        assert model.epochs == 1000 and model.is_fitted and len(model.history_) == FAST[name]["epochs"]


def test_cancel_after_some_epochs_of_word2vec(planted):
    """should_stop checked by the corpus iterable (gensim's producer thread) and the epoch callback."""
    model = make("word2vec", epochs=200)
    threads = set(threading.enumerate())
    epochs_done = []
    with pytest.raises(CancelledError):
        model.fit(planted, progress=lambda f, m: epochs_done.append(m) if "loss" in m else None,
                  should_stop=lambda: len(epochs_done) >= 3)
    assert not model.is_fitted and len(epochs_done) == 3
    assert set(threading.enumerate()) <= threads  # gensim's worker and producer threads have finished


def test_an_error_in_the_progress_callback_reaches_the_caller_without_hanging(planted):
    def broken(fraction, message):
        if "epoch" in message:
            raise RuntimeError("the progress bar broke")

    threads = set(threading.enumerate())
    with pytest.raises(RuntimeError, match="the progress bar broke"):
        make("word2vec", epochs=50).fit(planted, progress=broken)
    assert set(threading.enumerate()) <= threads


# ----------------------------------------------------------------------------- parameters
@pytest.mark.parametrize("name, param, value, message", [
    ("word2vec", "vector_size", 0, r"'vector_size' parameter of Word2Vec must be an integer >= 1 and <= 1000\. Got 0"),
    ("word2vec", "vector_size", 1001, "must be an integer >= 1 and <= 1000"),
    ("word2vec", "window", 0, r"'window' parameter of Word2Vec must be an integer >= 1\. Got 0"),
    ("word2vec", "epochs", 2.5, r"'epochs' parameter of Word2Vec must be an integer >= 1\. Got 2\.5"),
    ("word2vec", "min_count", 0, "'min_count' parameter of Word2Vec must be an integer >= 1"),
    ("word2vec", "learning_rate", 0.0, r"'learning_rate' parameter of Word2Vec must be a number > 0\. Got 0\.0"),
    ("word2vec", "learning_rate", float("nan"), "'learning_rate' parameter of Word2Vec must be a number > 0"),
    ("word2vec", "architecture", "glove", r"must be one of \['cbow', 'skip-gram'\]\. Got 'glove'"),
    ("word2vec", "negative", 0, "'negative' parameter"),
    ("cooc-mf", "vector_size", -3, "'vector_size' parameter of CoocMF must be an integer >= 1"),
    ("cooc-mf", "learning_rate", -1, "'learning_rate' parameter of CoocMF must be a number > 0"),
    ("cooc-mf", "max_vocab", 0, "'max_vocab' parameter of CoocMF"),
    ("cooc-mf", "epochs", True, "'epochs' parameter of CoocMF must be an integer"),
])
def test_invalid_parameters_are_explained_before_training(name, param, value, message, planted):
    model = make(name, **{param: value})
    with pytest.raises(InvalidParameterError, match=message):
        model.fit(planted)
    assert not model.is_fitted


@pytest.mark.parametrize("name", list(FAST))
def test_a_min_count_leaving_no_vocabulary_says_so(name, planted):
    with pytest.raises(EmptyInputError, match=r"No word occurs min_count=100000 times or more in this corpus "
                                              r"\(600 texts, 4,800 tokens\): lower min_count"):
        make(name, min_count=100_000).fit(planted)


def test_a_dataset_of_words_is_not_a_corpus():
    words = Dataset.from_items(["salt", "pepper"], modality="word", name="two words")
    for name in FAST:
        with pytest.raises(InvalidParameterError, match=r"'dataset' parameter of .*\.fit must be a text dataset "
                                                        r"\(one text per row.*Got \"'two words', a word dataset\""):
            make(name).fit(words)


def test_a_corpus_without_words_is_refused():
    with pytest.raises(EmptyInputError, match=r"\(2 texts, 0 tokens\)"):
        make("word2vec").fit(["123", "!!"])


# ----------------------------------------------------------------------------- cooc-mf pieces against hand counts
def test_cooccurrence_counts_are_symmetric_and_weighted_by_distance():
    index = {"a": 0, "b": 1, "c": 2}
    X = cooccurrence_matrix([["a", "b", "c"], ["c", "a"]], index, window=2).toarray()
    expected = np.array([[0, 1, 0.5 + 1], [1, 0, 1], [1.5, 1, 0]])
    np.testing.assert_allclose(X, expected)
    assert cooccurrence_matrix([["a"], ["b"]], index, window=3).nnz == 0  # no pairs across texts


def test_glove_weighting_and_vocabulary_order():
    np.testing.assert_allclose(glove_weight(np.array([1.0, 100.0, 1000.0])), [100 ** -0.75, 1.0, 1.0])
    words, counts = build_vocabulary([["c", "b", "c", "c"], ["a", "b", "d", "a"]], min_count=2, max_vocab=2)
    assert words == ["c", "a"] and counts.tolist() == [3, 2]  # a before b (a tie), then cut at max_vocab


# ----------------------------------------------------------------------------- real corpus
@pytest.mark.slow
def test_cancelling_word2vec_on_the_bible_stops_within_a_second():
    from workbench.loaders import load_dataset
    from workbench.loaders.corpora import tokenize

    bible = load_dataset("bible-kjv")
    tokenize(bible.items)  # tokenized beforehand (cached), so the timer runs during gensim's training
    model = Word2Vec(epochs=50, seed=0)
    threads = set(threading.enumerate())
    flagged = {}
    timer = threading.Timer(1.0, lambda: flagged.setdefault("at", time.perf_counter()))
    timer.start()
    try:
        with pytest.raises(CancelledError, match="Cancelled training"):
            model.fit(bible, should_stop=lambda: "at" in flagged)
        latency = time.perf_counter() - flagged["at"]
    finally:
        timer.cancel()
        timer.join()
    # A behaviour check of cancellation latency, not a speed goal: measured 0.05-0.1 s (at most ~4 queued
    # batches of 10,000 words finish after the flag). If this flakes on a loaded machine, widen to 1.5 s.
    assert latency < 1.0, f"fit kept running {latency:.2f} s after should_stop() turned True"
    assert not model.is_fitted and not hasattr(model, "vectors_")
    assert set(threading.enumerate()) <= threads

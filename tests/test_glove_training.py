"""GloVe trained here: the loss and gradients against a direct formula and mittens, AdaGrad, a planted corpus.

The planted corpus: five topics of four words; every text draws its words from one topic, so words
of a topic always co-occur and never meet the others. Each word's nearest neighbours must be in
its own topic.
"""

from __future__ import annotations

import numpy as np
import pytest

import workbench as wb
from workbench.core.errors import (CancelledError, DivergedError, EmptyInputError, InvalidParameterError,
                                   UnknownLabelError)
from workbench.loaders import Dataset, load_dataset
from workbench.models.glove import GloVe, _cell_kernel, glove_loss

TOPICS = {
    "kitchen": ["salt", "pepper", "oven", "spoon"],
    "sea": ["boat", "wave", "sail", "harbour"],
    "music": ["violin", "drum", "melody", "choir"],
    "sky": ["cloud", "rain", "thunder", "storm"],
    "school": ["pupil", "teacher", "lesson", "chalk"],
}
TOPIC_OF = {w: t for t, words in TOPICS.items() for w in words}
FAST = dict(vector_size=8, epochs=30, min_count=1, window=3, seed=1)


def planted_corpus(seed=0, texts=600) -> Dataset:
    rng = np.random.default_rng(seed)
    topics = list(TOPICS)
    items = [" ".join(rng.choice(TOPICS[topics[rng.integers(len(topics))]], size=8)) for _ in range(texts)]
    return Dataset.from_items(items, modality="text", name="planted", labels=[f"t{i}" for i in range(texts)])


@pytest.fixture(scope="module")
def tiny():
    """A 5-word dense co-occurrence matrix with zeros, and random parameters."""
    rng = np.random.default_rng(4)
    X = rng.integers(0, 300, size=(5, 5)).astype(np.float64)
    X[X < 60] = 0
    X = X + X.T
    params = [rng.normal(scale=0.3, size=s) for s in ((5, 3), (5, 3), 5, 5)]
    rows, cols = np.nonzero(X)
    return X, params, rows, cols


def direct_loss(X, w, wc, b, bc):
    """Eq. 8 of Pennington et al. written as a double loop."""
    total = 0.0
    for i in range(len(X)):
        for j in range(len(X)):
            if X[i, j] > 0:
                f = min(1.0, (X[i, j] / 100) ** 0.75)
                total += f * (w[i] @ wc[j] + b[i] + bc[j] - np.log(X[i, j])) ** 2
    return total


def test_loss_equals_the_direct_formula_and_its_gradient_equals_finite_differences(tiny):
    X, params, rows, cols = tiny
    J, grads = glove_loss(*params, rows, cols, X[rows, cols])
    assert J == pytest.approx(direct_loss(X, *params), rel=1e-12)
    eps = 1e-6
    for p, g in zip(params, grads):
        numeric = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + eps
            up = direct_loss(X, *params)
            p[idx] = old - eps
            down = direct_loss(X, *params)
            p[idx] = old
            numeric[idx] = (up - down) / (2 * eps)
        np.testing.assert_allclose(g, numeric, rtol=1e-5, atol=1e-6)


def test_loss_gradient_and_adagrad_step_agree_with_mittens(tiny):
    from mittens.np_mittens import GloVe as MittensGloVe

    X, params, rows, cols = tiny
    w, wc, b, bc = params
    J, grads = glove_loss(*params, rows, cols, X[rows, cols])
    ref = MittensGloVe(n=3, max_iter=1, learning_rate=0.05, test_mode=True, display_progress=0)

    def start():
        return {"W": w.copy(), "C": wc.copy(), "bw": b[:, None].copy(), "bc": bc[:, None].copy()}

    ref.fit(X, fixed_initialization=start())
    weights, log_x = ref._initialize(X)
    ref.W, ref.C, ref.bw, ref.bc = w, wc, b[:, None], bc[:, None]
    theirs, error = ref._get_gradients_and_error(ref._make_prediction(), log_x, weights)
    assert J == pytest.approx(2 * error, rel=1e-12)  # mittens minimises J / 2
    for ours, key in zip(grads, ["W", "C", "bw", "bc"]):
        np.testing.assert_allclose(ours / 2, theirs[key].reshape(ours.shape), rtol=1e-12, atol=1e-12)
    # mittens' one full-batch AdaGrad step (accumulator 0.1) from the same start
    ref2 = MittensGloVe(n=3, max_iter=1, learning_rate=0.05, test_mode=True, display_progress=0)
    ref2.fit(X, fixed_initialization=start())
    for p, g, after in zip(params, grads, [ref2.W, ref2.C, ref2.bw, ref2.bc]):
        half = g / 2
        np.testing.assert_allclose(p - 0.05 * half / np.sqrt(0.1 + half**2), after.reshape(p.shape), rtol=1e-10)


def test_the_compiled_cell_step_is_glove_c_adagrad_on_one_cell(tiny):
    X, params, rows, cols = tiny
    i, j = rows[0], cols[0]
    ours = [p.astype(np.float32) for p in params]
    acc = [np.full_like(p, 1.0) for p in ours]
    _, grads = glove_loss(*[p.astype(np.float64) for p in ours], np.array([i]), np.array([j]), X[[i], [j]])
    # glove.c: step = lr * grad(J / 2) / sqrt(G), then G += step_numerator^2 (G starts at 1)
    expected = [p - 0.05 * (g / 2) / np.sqrt(1.0) for p, g in zip(ours, grads)]
    expected_acc = [1.0 + (0.05 * g / 2) ** 2 for g in grads]
    cost = _cell_kernel()(*ours, *acc, rows, cols, np.log(X[rows, cols]).astype(np.float32),
                          np.minimum(1, (X[rows, cols] / 100) ** 0.75).astype(np.float32), np.array([0]),
                          np.float32(0.05))
    assert cost == pytest.approx(glove_loss(*params, rows[:1], cols[:1], X[[i], [j]])[0], rel=1e-4)
    for p, e in zip(ours, expected):
        np.testing.assert_allclose(p, e, rtol=1e-5, atol=1e-6)
    for a, e in zip(acc, expected_acc):
        np.testing.assert_allclose(a, e, rtol=1e-5)
    # a second visit of the same cell divides by the grown accumulator
    before = [p.copy() for p in ours]
    _, grads2 = glove_loss(*[p.astype(np.float64) for p in ours], np.array([i]), np.array([j]), X[[i], [j]])
    _cell_kernel()(*ours, *acc, rows, cols, np.log(X[rows, cols]).astype(np.float32),
                   np.minimum(1, (X[rows, cols] / 100) ** 0.75).astype(np.float32), np.array([0]), np.float32(0.05))
    for p, b, g, e in zip(ours, before, grads2, expected_acc):
        np.testing.assert_allclose(p, b - 0.05 * (g / 2) / np.sqrt(e), rtol=1e-4, atol=1e-6)


@pytest.fixture(scope="module")
def planted_glove():
    return GloVe(**FAST).fit(planted_corpus())


def test_words_that_always_co_occur_end_up_nearest(planted_glove):
    assert sorted(planted_glove.vocabulary_) == sorted(TOPIC_OF)
    emb = wb.embed(planted_glove.trained_items(), planted_glove, progress=False, cache=False)
    for word, topic in TOPIC_OF.items():
        nearest = emb.neighbours(word, k=3)["label"].tolist()
        assert all(TOPIC_OF[n] == topic for n in nearest), (word, nearest)
    losses = [row["loss"] for row in planted_glove.history_]
    assert len(losses) == 30 and losses[-1] < losses[0] / 2


def test_same_seed_same_vectors_and_save_load(planted_glove, tmp_path):
    again = GloVe(**FAST).fit(planted_corpus())
    np.testing.assert_array_equal(again.vectors_, planted_glove.vectors_)
    loaded = GloVe.load(planted_glove.save(tmp_path / "glove"))
    np.testing.assert_array_equal(loaded.encode(["salt", "boat sail"]), planted_glove.encode(["salt", "boat sail"]))
    with pytest.raises(UnknownLabelError, match="pepperr"):
        loaded.encode(["pepperr"])


def test_a_huge_learning_rate_diverges_and_keeps_the_previous_model(planted_glove):
    before = planted_glove.vectors_.copy()
    planted_glove.learning_rate = 1e38
    try:
        with pytest.raises(DivergedError, match="diverged"):
            planted_glove.fit(planted_corpus())
    finally:
        planted_glove.learning_rate = FAST.get("learning_rate", 0.05)
    np.testing.assert_array_equal(planted_glove.vectors_, before)


def test_cancel_stops_and_leaves_the_model_unfitted():
    model = GloVe(**{**FAST, "epochs": 1000})
    with pytest.raises(CancelledError):
        model.fit(planted_corpus(), should_stop=lambda: bool(model.history_))
    assert not model.is_fitted


@pytest.mark.parametrize("params, message", [
    (dict(vector_size=0), "'vector_size' parameter of GloVe"), (dict(vector_size=10_000), "vector_size"),
    (dict(window=0), "'window' parameter of GloVe"), (dict(epochs=0), "epochs"), (dict(alpha=2.0), "alpha"),
    (dict(x_max=0), "x_max"), (dict(learning_rate=-1.0), "learning_rate"),
])
def test_bad_parameters_are_refused(params, message):
    with pytest.raises(InvalidParameterError, match=message):
        GloVe(**{**FAST, **params}).fit(planted_corpus(texts=20))


def test_a_min_count_that_leaves_no_vocabulary_and_an_empty_corpus_are_refused():
    with pytest.raises(EmptyInputError, match="No word occurs min_count=100000 times"):
        GloVe(**{**FAST, "min_count": 100_000}).fit(planted_corpus(texts=20))
    with pytest.raises(EmptyInputError, match="No word occurs"):
        GloVe(**FAST).fit(Dataset.from_items(["", "42 !"], modality="text", name="empty", labels=["a", "b"]))
    with pytest.raises(EmptyInputError, match="occur within window=3"):
        GloVe(**FAST).fit(Dataset.from_items(["salt", "pepper"], modality="text", name="single", labels=["a", "b"]))


def test_a_word_dataset_is_not_a_corpus():
    with pytest.raises(InvalidParameterError, match="a text dataset"):
        GloVe(**FAST).fit(GloVe(**FAST).fit(planted_corpus(texts=50)).trained_items())


@pytest.mark.slow
def test_bible_glove_neighbours_are_biblical():
    model = GloVe(seed=0, epochs=5).fit(load_dataset("bible-kjv"))
    assert len(model.vocabulary_) == 5_289 and model.nnz_ > 1_000_000
    emb = wb.embed(model.trained_items(), model, progress=False)
    assert "lord" in emb.neighbours("god", k=5)["label"].tolist()

"""SWIVEL: PMI targets, the two losses against a direct per-cell formula, shards, a planted corpus."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp

import workbench as wb
from workbench.core.errors import CancelledError, EmptyInputError, InvalidParameterError
from workbench.loaders import Dataset, load_dataset
from workbench.models.swivel import Swivel, swivel_block_loss, swivel_targets

from test_glove_training import TOPIC_OF, planted_corpus  # tests/ is on sys.path (rootdir conftest)

FAST = dict(vector_size=8, epochs=30, min_count=1, window=3, shard_size=6, seed=1)


@pytest.fixture(scope="module")
def tiny():
    rng = np.random.default_rng(2)
    X = rng.integers(0, 40, size=(6, 6)).astype(np.float64)
    X[X < 15] = 0
    X = X + X.T + np.eye(6)  # no empty row
    return X, rng.normal(size=(6, 3)), rng.normal(size=(6, 3))


def direct(X, w, c):
    """The paper's per-cell losses written as a loop."""
    total, n = X.sum(), len(X)
    loss = 0.0
    for i in range(n):
        for j in range(n):
            xi, xj = X[i].sum(), X[:, j].sum()
            if X[i, j] > 0:
                pmi = math.log(X[i, j] * total / (xi * xj))
                loss += 0.5 * (0.1 + 0.25 * math.sqrt(X[i, j])) * (w[i] @ c[j] - pmi) ** 2
            else:
                loss += math.log1p(math.exp(w[i] @ c[j] - math.log(total / (xi * xj))))
    return loss


def test_targets_are_pmi_and_the_block_loss_is_the_papers(tiny):
    X, w, c = tiny
    r, s = swivel_targets(sp.csr_matrix(X))
    i, j = np.argwhere(X > 0)[0]
    assert math.log(X[i, j]) + r[i] + s[j] == pytest.approx(math.log(X[i, j] * X.sum() / (X[i].sum() * X[:, j].sum())))
    loss, grad = swivel_block_loss(w, c, X, r, s)
    assert loss == pytest.approx(direct(X, w, c), rel=1e-12)
    # the gradient with respect to each prediction, against finite differences of the loss in w
    eps, numeric = 1e-6, np.zeros_like(w)
    for idx in np.ndindex(w.shape):
        up, down = w.copy(), w.copy()
        up[idx] += eps
        down[idx] -= eps
        numeric[idx] = (direct(X, up, c) - direct(X, down, c)) / (2 * eps)
    np.testing.assert_allclose(grad @ c, numeric, rtol=1e-5, atol=1e-7)
    assert (grad[X == 0] > 0).all()  # the soft hinge only ever pushes unobserved pairs down


def test_shards_deal_words_round_robin_and_the_plan_names_the_workers():
    shards = Swivel.shards(10, 4)
    assert [s.tolist() for s in shards] == [[0, 3, 6, 9], [1, 4, 7], [2, 5, 8]]
    assert sorted(np.concatenate(shards).tolist()) == list(range(10))
    plan = Swivel(shard_size=4).shard_plan(10)
    assert "3 shards" in plan and "9 blocks" in plan and "3 workers" in plan


@pytest.fixture(scope="module")
def planted_swivel():
    return Swivel(**FAST).fit(planted_corpus())


def test_words_that_always_co_occur_end_up_nearest(planted_swivel):
    assert planted_swivel.n_shards_ == 4  # 20 words, shards of 6
    emb = wb.embed(planted_swivel.trained_items(), planted_swivel, progress=False, cache=False)
    for word, topic in TOPIC_OF.items():
        nearest = emb.neighbours(word, k=3)["label"].tolist()
        assert all(TOPIC_OF[n] == topic for n in nearest), (word, nearest)
    losses = [row["loss"] for row in planted_swivel.history_]
    assert len(losses) == 30 and losses[-1] < losses[0] / 2


def test_one_shard_or_many_learn_the_same_topics():
    one = Swivel(**{**FAST, "shard_size": 100}).fit(planted_corpus())
    assert one.n_shards_ == 1
    emb = wb.embed(one.trained_items(), one, progress=False, cache=False)
    assert all(TOPIC_OF[n] == "sea" for n in emb.neighbours("boat", k=3)["label"])


def test_same_seed_same_vectors_and_save_load(planted_swivel, tmp_path):
    again = Swivel(**FAST).fit(planted_corpus())
    np.testing.assert_array_equal(again.vectors_, planted_swivel.vectors_)
    loaded = Swivel.load(planted_swivel.save(tmp_path / "swivel"))
    np.testing.assert_array_equal(loaded.encode(["drum", "rain cloud"]), planted_swivel.encode(["drum", "rain cloud"]))


def test_cancel_between_blocks_leaves_the_model_unfitted():
    model = Swivel(**{**FAST, "epochs": 1000})
    calls = []
    with pytest.raises(CancelledError):
        model.fit(planted_corpus(), should_stop=lambda: calls.append(1) or len(calls) > 5)
    assert not model.is_fitted and len(model.history_) <= 1


@pytest.mark.parametrize("params, message", [
    (dict(vector_size=0), "'vector_size' parameter of Swivel"), (dict(vector_size=10_000), "vector_size"),
    (dict(window=0), "'window' parameter of Swivel"), (dict(shard_size=0), "shard_size"),
    (dict(learning_rate=0.0), "learning_rate"),
])
def test_bad_parameters_are_refused(params, message):
    with pytest.raises(InvalidParameterError, match=message):
        Swivel(**{**FAST, **params}).fit(planted_corpus(texts=20))


def test_no_vocabulary_and_empty_corpora_are_refused():
    with pytest.raises(EmptyInputError, match="No word occurs min_count=100000 times"):
        Swivel(**{**FAST, "min_count": 100_000}).fit(planted_corpus(texts=20))
    with pytest.raises(EmptyInputError, match="No word occurs"):
        Swivel(**FAST).fit(Dataset.from_items(["", "..."], modality="text", name="empty", labels=["a", "b"]))


@pytest.mark.slow
def test_bible_swivel_neighbours():
    model = Swivel(seed=0, epochs=4).fit(load_dataset("bible-kjv"))
    assert model.n_shards_ == 11
    emb = wb.embed(model.trained_items(), model, progress=False)
    assert "lord" in emb.neighbours("god", k=5)["label"].tolist()
    assert {"flock", "oxen"} & set(emb.neighbours("sheep", k=5)["label"])


def test_a_word_that_co_occurs_with_nothing_adds_no_loss_and_no_gradient():
    X = sp.csr_matrix(np.array([[0, 2.0, 0], [2.0, 0, 0], [0, 0, 0]]))
    r, s = swivel_targets(X)
    assert np.isinf(r[2]) and np.isinf(s[2])
    loss, grad = swivel_block_loss(np.ones((3, 2)), np.ones((3, 2)), X.toarray(), r, s)
    assert np.isfinite(loss) and np.isfinite(grad).all()
    assert not grad[2].any() and not grad[:, 2].any()

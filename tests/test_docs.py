"""Every example in the docstrings of the core, models, loaders and pipeline runs and prints what it says.

One test per docstring that has examples, collected with ``doctest.DocTestFinder``. workbench/ui and
workbench/figures are covered by their own tests.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import workbench

PACKAGES = ("workbench.core", "workbench.models", "workbench.loaders")
MODULES = ("workbench", "workbench.pipeline")
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def module_names() -> list[str]:
    names = list(MODULES)
    for package in PACKAGES:
        names.append(package)
        pkg = importlib.import_module(package)
        names += [f"{package}.{m.name}" for m in pkgutil.iter_modules(pkg.__path__)]
    return sorted(names)


def collect() -> list[doctest.DocTest]:
    finder = doctest.DocTestFinder(exclude_empty=True)
    tests = []
    for name in module_names():
        module = importlib.import_module(name)
        tests += [t for t in finder.find(module, name) if t.examples]
    return sorted(tests, key=lambda t: t.name)


DOCTESTS = collect()


@pytest.mark.parametrize("test", DOCTESTS, ids=[t.name for t in DOCTESTS])
def test_docstring_examples(test):
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    output = []
    runner.run(test, out=output.append, clear_globs=True)
    assert runner.failures == 0, "".join(output)


def test_the_main_objects_have_runnable_examples():
    documented = {t.name for t in DOCTESTS}
    for name in ("workbench.core.embeddings.Embeddings", "workbench.core.embeddings.Embeddings.analogy",
                 "workbench.core.index.NeighbourIndex", "workbench.core.projection.project",
                 "workbench.core.registry.Registry", "workbench.core.evaluation.recall_at_k",
                 "workbench.models.words.GloVe", "workbench.loaders.base.load_dataset", "workbench.pipeline.embed"):
        assert name in documented, f"{name} has no runnable example"


def test_collection_covers_every_module():
    names = module_names()
    assert "workbench.core.embeddings" in names and "workbench.models.words" in names
    assert "workbench.loaders.words" in names and "workbench.pipeline" in names
    assert not any(n.startswith(("workbench.ui", "workbench.figures")) for n in names)
    assert workbench.__doc__ and len(DOCTESTS) >= 10

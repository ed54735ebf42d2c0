"""Import hygiene: ``import workbench`` is light, and the core never pulls in the UI or deep learning.

Dynamic checks run in a fresh interpreter (this process has long since imported gensim and umap);
the static check reads every module under workbench/core with ``ast``.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import workbench

HEAVY = ("torch", "gensim", "sentence_transformers", "umap", "plotly", "ipywidgets")
CORE = Path(workbench.__file__).parent / "core"

# Never imported by the core, at any level (DESIGN.md: core is pure numpy/pandas/sklearn).
FORBIDDEN_IN_CORE = {"ipywidgets", "plotly", "torch", "gensim", "sentence_transformers", "transformers", "traitlets",
                     "IPython", "anywidget", "matplotlib"}
# Third-party packages the core may import at module level.
CORE_TOP_LEVEL = {"numpy", "pandas"}
# Heavy or optional packages the core may import only inside the function that needs them.
CORE_LAZY = {"numpy", "pandas", "scipy", "sklearn", "hnswlib", "umap", "openTSNE", "pyarrow", "tqdm"}


def run_python(code: str) -> dict:
    """Run ``code`` in a fresh interpreter (same venv, same environment) and return the JSON it prints."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_import_workbench_is_light():
    """No heavy module on import (how long it takes belongs in benchmarks/, never in a timing assert)."""
    out = run_python(f"""
import json, sys
import workbench
print(json.dumps({{"heavy": [m for m in {HEAVY!r} if m in sys.modules], "all": workbench.__all__}}))
""")
    assert out["heavy"] == []
    assert {"Embeddings", "project", "embed", "catalog", "load_dataset"} <= set(out["all"])


def test_lazy_attributes_resolve_without_heavy_imports():
    out = run_python(f"""
import json, sys
import workbench as wb
names = [wb.Embeddings.__name__, wb.project.__name__, wb.NeighbourIndex.__name__, wb.embed.__name__,
         wb.catalog.__name__, wb.load_dataset.__name__, wb.WorkbenchError.__name__]
frame = wb.catalog()
print(json.dumps({{"names": names, "heavy": [m for m in {HEAVY!r} if m in sys.modules],
                  "models": frame["name"].tolist()}}))
""")
    assert out["names"] == ["Embeddings", "project", "NeighbourIndex", "embed", "catalog", "load_dataset",
                            "WorkbenchError"]
    assert "glove-6b-50d" in out["models"]
    assert out["heavy"] == []


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="module 'workbench' has no attribute 'nothing_here'"):
        workbench.nothing_here  # noqa: B018


def test_using_the_core_on_tiny_data_imports_nothing_heavy():
    out = run_python(f"""
import json, sys
import numpy as np
import workbench.core as core
after_import = [m for m in {HEAVY!r} if m in sys.modules]
rng = np.random.default_rng(0)
emb = core.Embeddings(rng.normal(size=(80, 6)), [f"w{{i}}" for i in range(80)])
emb.neighbours("w1", k=3)
emb.neighbours("w1", k=3, method="hnsw")
emb.analogy(positive=["w1", "w2"], negative=["w3"], method="3cosmul")
emb.similarity(["w1", "w2"], ["w3"])
emb.subset(["w1", "w2", "w3"]).to_frame()
for method in ("pca", "tsne"):
    core.project(emb, method, 2, cache=False)
core.map_quality(emb.unit_vectors, emb.vectors[:, :2])
core.analogy_accuracy(emb, ["w1 w2 w3 w4"])
core.word_pair_correlation(emb, ["w1\\tw2\\t1.0", "w2\\tw3\\t2.0", "w3\\tw5\\t0.5"])
core.recall_at_k([["a"]], [{{"a"}}])
print(json.dumps({{"after_import": after_import, "after_use": [m for m in {HEAVY!r} if m in sys.modules]}}))
""")
    assert out["after_import"] == []
    assert out["after_use"] == []


def _imports(tree: ast.AST):
    """(top-level package, line, at module level?) for every import in the tree."""
    module_level = {id(node) for node in getattr(tree, "body", [])}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], node.lineno, id(node) in module_level
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0], node.lineno, id(node) in module_level


def _core_modules():
    files = sorted(CORE.glob("*.py"))
    assert len(files) >= 8, files
    return files


@pytest.mark.parametrize("path", _core_modules(), ids=lambda p: p.name)
def test_core_never_imports_ui_or_deep_learning(path):
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    problems = []
    for package, line, top_level in _imports(ast.parse(path.read_text(), filename=str(path))):
        where = f"{path.name}:{line} imports {package}"
        if package in FORBIDDEN_IN_CORE:
            problems.append(f"{where} (never allowed in workbench.core)")
        elif package == "workbench":
            problems.append(f"{where} by absolute name (core imports only its siblings, relatively)")
        elif package in stdlib:
            continue
        elif top_level and package not in CORE_TOP_LEVEL:
            problems.append(f"{where} at module level (import it inside the function that needs it)")
        elif package not in CORE_LAZY:
            problems.append(f"{where} (not an allowed core dependency)")
    assert problems == []


def test_core_relative_imports_stay_inside_core():
    for path in _core_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:
                assert node.level == 1, f"{path.name}:{node.lineno} reaches outside workbench.core"


def test_static_check_catches_a_lazy_forbidden_import():
    """The checker itself: an import hidden inside a function is still found."""
    tree = ast.parse("import numpy\n\ndef f():\n    from plotly import graph_objects\n    import torch.nn\n")
    found = list(_imports(tree))
    assert ("plotly", 4, False) in found and ("torch", 5, False) in found and ("numpy", 1, True) in found


# ----------------------------------------------------------------------------- layers above the core
PACKAGE = Path(workbench.__file__).parent
# What each layer may import from the workbench (DESIGN.md §2: imports only point downwards).
ALLOWED_INTERNAL = {
    "loaders": {"core", "loaders"},                      # a loader never imports a model
    "models": {"core", "loaders", "models"},             # a model never imports a panel or a figure
}


def _internal_imports(source: str, package_parts: tuple[str, ...]):
    """(sub-package of workbench, line) for every workbench import of a module in ``package_parts``."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package_parts[:len(package_parts) - (node.level - 1)]
            full = base + tuple(node.module.split(".")) if node.module else base
            targets = [full[0]] if full else [alias.name for alias in node.names]  # from .. import figures
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("workbench."):
            targets = [node.module.split(".")[1]]
        elif isinstance(node, ast.Import):
            targets = [a.name.split(".")[1] for a in node.names if a.name.startswith("workbench.")]
        else:
            continue
        for target in targets:
            yield target, node.lineno


@pytest.mark.parametrize("layer", sorted(ALLOWED_INTERNAL))
def test_layers_import_only_downwards(layer):
    problems = []
    for path in sorted((PACKAGE / layer).glob("*.py")):
        for target, line in _internal_imports(path.read_text(), (layer,)):
            if target not in ALLOWED_INTERNAL[layer]:
                problems.append(f"{layer}/{path.name}:{line} imports workbench.{target}")
    assert problems == []


def test_layer_check_catches_a_loader_importing_a_model():
    source = "from ..core.errors import X\nfrom .base import Y\n\ndef f():\n    from ..models.words import GloVe\n"
    assert list(_internal_imports(source, ("loaders",))) == [("core", 1), ("loaders", 2), ("models", 5)]
    assert list(_internal_imports("from .. import figures\nimport workbench.ui.app", ("models",))) == [
        ("figures", 1), ("ui", 2)]


@pytest.mark.slow
def test_minilm_restores_torch_threads():
    import torch

    from workbench.models.sentences import MiniLM

    torch.set_num_threads(2)
    try:
        MiniLM(threads=1).encode(["a sentence to embed"])
        assert torch.get_num_threads() == 2  # set for the encode call only, then put back
    finally:
        torch.set_num_threads(1)

"""In a real kernel, bad inputs fed to the app leave no traceback, no error output and nothing on
stderr: every problem is a sentence in the status area, and the app keeps showing what it showed."""

from __future__ import annotations

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

CELLS = [
    """\
import numpy as np, pandas as pd
import workbench as wb
from workbench.core.errors import WorkbenchError
rng = np.random.default_rng(0)
good = wb.Embeddings(rng.normal(size=(30, 6)), [f"w{i}" for i in range(30)])
app = wb.Workbench(embeddings=good, method="pca", background=True)
app
""",
    """\
def check(expected):
    state = app.state
    assert state.embeddings is good and state.projection.embeddings is good, "the app lost its vectors"
    assert expected in state.status and "Traceback" not in state.status, state.status
    print("ok:", expected)

app.use(np.ones((2, 6))); check("at least 3 points")
app.use("vectors.npy"); check("got a str")
app.use(np.full((4, 3), np.nan)); check("NaN")
app.use(pd.DataFrame({"a": ["p", "q", "r"], "b": ["s", "t", "u"], "x": [1, 2, 3]})); check("ambiguous")
app.use(pd.DataFrame({"w": ["p", "q", "r"], "x": [1, 2, 3], "y": ["1", "?", "2"]})); check("row 1 holds")
""",
    """\
upload = {"name": "mine.bin", "type": "", "size": 9, "content": memoryview(b"\\x00garbage")}
app.source._on_upload({"new": (upload,)}); check("mine.bin is not a valid word2vec")
app.neighbours.query.value = "x" * 1_000_000; check("1,000,000 characters")
assert len(app.state.status) <= 400
app.analogy.a.value = ""; app.analogy.run(); check("Fill in all three")
app.similarity.items.value = "w1 w2 w3\\nw4"; app.similarity.run(); check("two items")
app.training.model.value = "cooc-mf"; app.training.dataset.value = "lee-background"
app.training.params["epochs"].value = 0; app.training.train(); app.wait(60)
check("'epochs' parameter")
""",
    """\
for bad in (dict(method="mds"), dict(dim=4), dict(limit=-1), dict(height="tall")):
    try:
        wb.Workbench(embeddings=good, background=False, **bad)
    except WorkbenchError as err:
        print("refused:", err)
app.state.run("dividing", lambda: 1 / 0)
app.wait(30)
print(app.state.status)
assert app.state.status.startswith("Unexpected problem while dividing: ZeroDivisionError")
app.state.jobs.failures.clear()  # read: this failure was the point
""",
]


@pytest.mark.slow
def test_bad_inputs_in_a_real_kernel_print_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in CELLS])
    client = nbclient.NotebookClient(nb, timeout=180, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    outputs = [(i, o) for i, cell in enumerate(nb.cells) for o in cell.get("outputs", [])]
    errors = [(i, o.get("ename"), o.get("evalue")) for i, o in outputs if o.get("output_type") == "error"]
    assert not errors, errors
    stderr = [(i, o.get("text", "")) for i, o in outputs if o.get("output_type") == "stream" and o.get("name") == "stderr"]
    assert not stderr, f"printed to stderr: {stderr}"
    text = "".join(o.get("text", "") for _, o in outputs)
    assert "Traceback" not in text
    assert text.count("ok:") == 10 and text.count("refused:") == 4, text

"""A bad-input matrix: every row does one bad thing and says what must come of it.

Each row has an id, a callable doing the bad thing to a fresh headless bench (every panel on one
``State(background=False)``, showing 20 good vectors and an answered neighbours query), and what
is expected: an exception class with ``match=``, or a status text (and level). Every row also
checks that no traceback reached stdout/stderr, that a panel never showed "Unexpected problem",
and that embeddings, map, figure and tables are the previous ones or the new ones together.
"""

from __future__ import annotations

import io
import json
import struct
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import workbench as wb
from workbench import figures
from workbench.core import errors as E
from workbench.core.cache import cached
from workbench.core.io import read_vectors_file
from workbench.core.projection import project
from workbench.core.quality import map_quality
from workbench.loaders.base import Dataset, as_dataset, load_dataset
from workbench.ui import AnalogyPanel, NeighboursPanel, ProjectionPanel, SimilarityPanel, SourcePanel, State
from workbench.ui.source import MAX_UPLOAD_BYTES
from workbench.ui.state import MAX_STATUS_CHARS
from workbench.ui.status import StatusPanel
from workbench.ui.training import TrainingPanel

RNG = np.random.default_rng(7)
GOOD = RNG.normal(size=(20, 6))
LABELS = [f"w{i}" for i in range(19)] + ["zzqqxy"]  # the last is in no pretrained vocabulary
META = pd.DataFrame({"kind": ["p", "q"] * 10})


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "cache"))


class Bench:
    """Every panel on one headless State, showing 20 good vectors and the neighbours of w1."""

    def __init__(self):
        self.state = State(background=False)
        self.source = SourcePanel(self.state)
        self.projection = ProjectionPanel(self.state, method="pca")
        self.neighbours = NeighboursPanel(self.state)
        self.analogy = AnalogyPanel(self.state, a="w1", b="w2", c="w3")
        self.similarity = SimilarityPanel(self.state, text="w1 w2")
        self.training = TrainingPanel(self.state)
        self.status = StatusPanel(self.state)
        self.emb = wb.Embeddings(GOOD, LABELS, meta=META)
        assert self.source.use(self.emb, name="good vectors"), self.state.status
        self.neighbours.query.value = "w1"
        self.analogy.run()
        self.similarity.run()
        assert self.state.status_level == "success", self.state.status

    def upload(self, name: str, data: bytes, size: int | None = None) -> None:
        upload = {"name": name, "type": "", "size": size or len(data), "content": memoryview(data)}
        self.source._on_upload({"new": (upload,)})

    def train(self, model: str, dataset: str, limit: int = 0, **params) -> None:
        panel = self.training
        panel.model.value = model
        if dataset not in panel.dataset.options:  # a dataset of another modality, forced in
            panel.dataset.options = [*panel.dataset.options, dataset]
        panel.dataset.value = dataset
        panel.limit.value = limit
        panel.live.value = False
        for name, value in params.items():
            panel.params[name].value = value
        panel.train()


@dataclass
class Case:
    id: str
    act: Callable[[Bench], object]
    raises: type | None = None  # the exception class, for calls into the core
    match: str = ""  # regex the exception message or the status must contain
    level: str | None = None  # the status level expected (default: "error" when match is given for a panel)
    warns: type | None = None
    check: Callable[[object, Bench], bool] | None = None  # a property of a sensible result


def npy(array, **kwargs) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, **kwargs)
    return buffer.getvalue()


def parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def emb(n=20, d=6, **kwargs):
    return wb.Embeddings(RNG.normal(size=(n, d)), **kwargs)


def w2v_binary(words, vectors) -> bytes:
    body = b"".join(w.encode() + b" " + np.asarray(v, "<f4").tobytes() for w, v in zip(words, vectors))
    return f"{len(words)} {len(vectors[0])}\n".encode() + body


def save_json(value, folder: Path):
    (folder / "v.json").write_text(json.dumps(value))


def load_json(folder: Path):
    return json.loads((folder / "v.json").read_text())


def save_npy(value, folder: Path):
    np.save(folder / "v.npy", value, allow_pickle=False)


def load_npy(folder: Path):
    return np.load(folder / "v.npy", allow_pickle=False)


def corrupted_cache(change: Callable[[Path], None], validate=None):
    """Store an entry, damage it with ``change(entry)``, read it again: (value, hit)."""
    from workbench.core.cache import cache_dir

    key = f"k{RNG.integers(1 << 30)}"
    cached("matrix", key, lambda: np.arange(4, dtype=np.float32), save_npy, load_npy)
    change(cache_dir() / "matrix" / key)
    return cached("matrix", key, lambda: np.arange(4, dtype=np.float32), save_npy, load_npy, validate=validate)


def job(b: Bench, work, done=None, action="dividing"):
    return b.state.jobs.submit(action, work, done)


def raise_(err):
    raise err


def set_ui(widget, value):
    widget.value = value


def ask(b: Bench, query):
    b.neighbours.query.value = query


def analogy(b: Bench, a, bb, c, include=False):
    b.analogy.a.value, b.analogy.b.value, b.analogy.c.value = a, bb, c
    b.analogy.include_inputs.value = include
    b.analogy.run()


def compare(b: Bench, text, other=None):
    b.similarity.items.value = text
    if other is not None:
        b.similarity.other.value = other
    b.similarity.run()


def click_first_point(b: Bench):
    from plotly.callbacks import Points

    trace = next(t for t in b.projection.figure.data if figures.role(t) == figures.ROLE_POINTS)
    b.projection._on_click(trace, Points(point_inds=[0], xs=[trace.x[0]], ys=[trace.y[0]]), None)


def failed_load_then_click(b: Bench):
    b.source.use(GOOD[:2])
    click_first_point(b)
    assert b.state.query in LABELS  # the click still answers about the map shown


def frame_with(**columns) -> pd.DataFrame:
    return pd.DataFrame(columns)


ABC = ["a", "b", "c"]
XYZ = {"x": [1.0, 0.0, 0.5], "y": [0.0, 1.0, 0.5]}

# ------------------------------------------------------------------------------------------ core
CORE = [
    Case("emb-empty-list", lambda b: wb.Embeddings([]), E.EmptyInputError, "empty"),
    Case("emb-zero-columns", lambda b: wb.Embeddings(np.ones((3, 0))), E.EmptyInputError, "empty"),
    Case("emb-zero-rows", lambda b: wb.Embeddings(np.ones((0, 3))), E.EmptyInputError, "empty"),
    Case("emb-1d", lambda b: wb.Embeddings([1.0, 2.0]), E.DimensionMismatchError, "2-D"),
    Case("emb-3d", lambda b: wb.Embeddings(np.ones((2, 2, 2))), E.DimensionMismatchError, "2-D"),
    Case("emb-str", lambda b: wb.Embeddings("1 2 3"), E.DimensionMismatchError, "got a str"),
    Case("emb-dict", lambda b: wb.Embeddings({"a": [1, 2]}), E.DimensionMismatchError, "got a dict"),
    Case("emb-ragged", lambda b: wb.Embeddings([[1, 2], [3]]), E.DimensionMismatchError, "one shape"),
    Case("emb-text-cells", lambda b: wb.Embeddings([[1, "a"]]), E.DimensionMismatchError, "could not"),
    Case("emb-complex", lambda b: wb.Embeddings(np.ones((2, 2), complex)), E.DimensionMismatchError, "complex"),
    Case("emb-dates", lambda b: wb.Embeddings(np.array([["2020-01-01"]], "datetime64[D]")), E.DimensionMismatchError,
         "dates"),
    Case("emb-nan", lambda b: wb.Embeddings([[1, np.nan], [1, 2]]), E.NonFiniteError, r"1 of 2 vectors.*rows 0"),
    Case("emb-inf", lambda b: wb.Embeddings([[1, 2], [np.inf, 2]]), E.NonFiniteError, "rows 1"),
    Case("emb-overflow", lambda b: wb.Embeddings([[1e40, 1.0]]), E.NonFiniteError, "float32 cannot hold"),
    Case("emb-none", lambda b: wb.Embeddings(None), E.DimensionMismatchError, "2-D"),
    Case("emb-labels-count", lambda b: wb.Embeddings(np.eye(3), ["a"]), E.DimensionMismatchError, "1 labels for 3"),
    Case("emb-labels-repeated", lambda b: wb.Embeddings(np.eye(3), ["a", "a", "b"]), E.InvalidParameterError,
         r"'a' \(2x\)"),
    Case("emb-labels-int", lambda b: wb.Embeddings(np.eye(3), 5), E.InvalidParameterError, "labels"),
    Case("emb-labels-str", lambda b: wb.Embeddings(np.eye(3), "abc"), E.InvalidParameterError, "labels"),
    Case("emb-meta-rows", lambda b: wb.Embeddings(np.eye(3), meta=pd.DataFrame({"a": [1]})), E.DimensionMismatchError,
         "1 rows for 3"),
    Case("emb-meta-int", lambda b: wb.Embeddings(np.eye(3), meta=5), E.InvalidParameterError, "meta"),
    Case("emb-unicode-labels", lambda b: wb.Embeddings(np.eye(3), ["日本", "café", "🙂"]).position("🙂"), check=lambda r, b: r == 2),
    # neighbours
    Case("nb-unknown", lambda b: b.emb.neighbours("w99"), E.UnknownLabelError, "Unknown label 'w99'.*'w9'"),
    Case("nb-empty", lambda b: b.emb.neighbours(""), E.EmptyInputError, "empty"),
    Case("nb-blank", lambda b: b.emb.neighbours("   "), E.EmptyInputError, "empty"),
    Case("nb-k0", lambda b: b.emb.neighbours("w1", k=0), E.InvalidParameterError, "'k' parameter"),
    Case("nb-k-negative", lambda b: b.emb.neighbours("w1", k=-3), E.InvalidParameterError, "positive integer"),
    Case("nb-k-float", lambda b: b.emb.neighbours("w1", k=2.5), E.InvalidParameterError, "Got 2.5"),
    Case("nb-k-str", lambda b: b.emb.neighbours("w1", k="3"), E.InvalidParameterError, "Got '3'"),
    Case("nb-k-bool", lambda b: b.emb.neighbours("w1", k=True), E.InvalidParameterError, "Got True"),
    Case("nb-k-none", lambda b: b.emb.neighbours("w1", k=None), E.InvalidParameterError, "Got None"),
    Case("nb-k-capped", lambda b: b.emb.neighbours("w1", k=500), check=lambda r, b: len(r) == 19 and r.attrs["capped"]),
    Case("nb-among-unknown-kind", lambda b: b.emb.neighbours("w1", among="user"), E.UnknownNameError,
         "Unknown kind 'user'.*Valid kinds: 'p', 'q'"),
    Case("nb-among-no-kind-column", lambda b: emb().neighbours("1", among="item"), E.InvalidParameterError,
         "needs a 'kind' column"),
    Case("nb-among-empty", lambda b: b.emb.neighbours("w1", among=[]), E.EmptyInputError, "'among' is empty"),
    Case("nb-among-mask-length", lambda b: b.emb.neighbours("w1", among=np.ones(3, bool)), E.DimensionMismatchError,
         "needs 20 entries"),
    Case("nb-among-row-range", lambda b: b.emb.neighbours("w1", among=[0, 99]), E.InvalidParameterError,
         "between 0 and 19"),
    Case("nb-among-floats", lambda b: b.emb.neighbours("w1", among=[0.5]), E.InvalidParameterError, "among"),
    Case("nb-among-nothing-left", lambda b: b.emb.neighbours("w1", among=np.zeros(20, bool)), E.EmptyInputError,
         "no candidate"),
    Case("nb-metric-unknown", lambda b: b.emb.neighbours("w1", metric="l2"), E.InvalidParameterError,
         r"'metric'.*\('cosine', 'dot'\)"),
    Case("nb-metric-none", lambda b: b.emb.neighbours("w1", metric=None), E.InvalidParameterError, "metric"),
    Case("nb-method-unknown", lambda b: b.emb.neighbours("w1", method="annoy"), E.InvalidParameterError,
         "'method'.*'exact'"),
    Case("nb-int-label", lambda b: emb().neighbours(3, k=2), check=lambda r, b: "3" not in r["label"].tolist()),
    Case("nb-int-not-a-label", lambda b: b.emb.neighbours(3), E.UnknownLabelError, "labels are text"),
    Case("nb-numpy-int", lambda b: emb().neighbours(np.int64(4), k=1), check=lambda r, b: len(r) == 1),
    Case("nb-float", lambda b: b.emb.neighbours(1.5), E.InvalidParameterError, "'query'"),
    Case("nb-none", lambda b: b.emb.neighbours(None), E.InvalidParameterError, "'query'"),
    Case("nb-dict", lambda b: b.emb.neighbours({"a": 1}), E.InvalidParameterError, "'query'"),
    Case("nb-vector-dim", lambda b: b.emb.neighbours(np.ones(4)), E.DimensionMismatchError, r"shape \(6,\)"),
    Case("nb-vector-nan", lambda b: b.emb.neighbours(np.full(6, np.nan)), E.NonFiniteError, "NaN"),
    Case("nb-vector-2d", lambda b: b.emb.neighbours(np.ones((1, 6))), E.DimensionMismatchError, r"\(1, 6\)"),
    Case("nb-megabyte-query", lambda b: b.emb.neighbours("x" * 1_000_000), E.UnknownLabelError,
         r"1,000,000 characters"),
    Case("nb-unicode-unknown", lambda b: b.emb.neighbours("日本語"), E.UnknownLabelError, "日本語"),
    Case("nb-zero-query", lambda b: b.emb.neighbours(np.zeros(6), k=3), check=lambda r, b: (r["score"] == 0).all()),
    Case("nb-one-row", lambda b: emb(1).neighbours("0"), check=lambda r, b: r.empty and r.attrs["capped"]),
    Case("svec-dim", lambda b: b.emb.similar_to_vectors(np.ones((2, 3))), E.DimensionMismatchError, r"\(m, 6\)"),
    Case("svec-metric", lambda b: b.emb.similar_to_vectors(np.ones((2, 6)), metric="x"), E.InvalidParameterError,
         "metric"),
    Case("srows-among", lambda b: b.emb.similar_to_rows([0, 1], among="nope"), E.UnknownNameError, "kind"),
    # analogy and similarity
    Case("an-method", lambda b: b.emb.analogy(["w1"], method="3cosdiv"), E.InvalidParameterError, "3cosadd"),
    Case("an-no-positive", lambda b: b.emb.analogy([]), E.EmptyInputError, "at least one positive"),
    Case("an-unknown", lambda b: b.emb.analogy(["w1", "nope"], ["w2"]), E.UnknownLabelError, "'nope'"),
    Case("an-k0", lambda b: b.emb.analogy(["w1"], k=0), E.InvalidParameterError, "'k'"),
    Case("an-vector-dim", lambda b: b.emb.analogy(["w1"], [np.ones(2)]), E.DimensionMismatchError, r"\(6,\)"),
    Case("an-inputs-only", lambda b: emb(2).analogy(["0"], ["1"]), check=lambda r, b: r.empty and r.attrs["capped"]),
    Case("an-k-capped", lambda b: b.emb.analogy(["w1"], ["w2"], k=100),
         check=lambda r, b: len(r) == 18 and r.attrs["capped"]),
    Case("an-int-labels", lambda b: emb().analogy([1, 2], [3], k=1), check=lambda r, b: len(r) == 1),
    Case("sim-one-item", lambda b: b.emb.similarity("w1"), E.EmptyInputError, "two items"),
    Case("sim-empty-list", lambda b: b.emb.similarity([]), E.EmptyInputError, "empty list"),
    Case("sim-unknown", lambda b: b.emb.similarity("w1", "nope"), E.UnknownLabelError, "'nope'"),
    Case("sim-zero-vector", lambda b: wb.Embeddings([[0.0, 0], [1, 0]]).similarity("0", "1"), check=lambda r, b: r == 0),
    # derived sets
    Case("subset-empty", lambda b: b.emb.subset([]), E.EmptyInputError, "empty"),
    Case("subset-row-range", lambda b: b.emb.subset([100]), E.InvalidParameterError, "between 0 and 19"),
    Case("subset-negative-row", lambda b: b.emb.subset([-1]), E.InvalidParameterError, "Got -1"),
    Case("subset-mask", lambda b: b.emb.subset(np.ones(3, bool)), E.DimensionMismatchError, "20 entries"),
    Case("subset-unknown", lambda b: b.emb.subset(["nope"]), E.UnknownLabelError, "nope"),
    Case("subset-floats", lambda b: b.emb.subset([0.5]), E.InvalidParameterError, "rows"),
    Case("head-0", lambda b: b.emb.head(0), E.InvalidParameterError, "'n' parameter of head"),
    Case("head-str", lambda b: b.emb.head("3"), E.InvalidParameterError, "head"),
    Case("sample-negative", lambda b: b.emb.sample(-1), E.InvalidParameterError, "sample"),
    Case("getitem-unknown", lambda b: b.emb["nope"], E.UnknownLabelError, "nope"),
    # tables
    Case("frame-empty", lambda b: wb.Embeddings.from_frame(pd.DataFrame()), E.EmptyInputError, "no rows"),
    Case("frame-not-a-frame", lambda b: wb.Embeddings.from_frame([[1, 2]]), E.InvalidParameterError, "DataFrame"),
    Case("frame-ambiguous", lambda b: wb.Embeddings.from_frame(frame_with(a=ABC, b=["d", "e", "f"], **XYZ)),
         E.InvalidParameterError, r"\('a', 'b'\), so which holds the labels is ambiguous"),
    Case("frame-text-cell", lambda b: wb.Embeddings.from_frame(frame_with(word=ABC, x=[1, 2, 3], y=["1", "oops", "2"])),
         E.DimensionMismatchError, r"Column 'y' holds numbers but row 1 holds 'oops'"),
    Case("frame-unknown-label", lambda b: wb.Embeddings.from_frame(frame_with(w=ABC, **XYZ), label="word"),
         E.UnknownNameError, "Unknown column 'word'"),
    Case("frame-unknown-vectors", lambda b: wb.Embeddings.from_frame(frame_with(w=ABC, **XYZ), vectors=["x", "q"]),
         E.UnknownNameError, "'q'"),
    Case("frame-vectors-int", lambda b: wb.Embeddings.from_frame(frame_with(w=ABC, **XYZ), vectors=3),
         E.InvalidParameterError, "vectors"),
    Case("frame-no-numbers", lambda b: wb.Embeddings.from_frame(frame_with(w=ABC, k=["p", "p", "q"])),
         E.EmptyInputError, r"no numeric columns .*'w', 'k'"),
    Case("frame-duplicate-columns", lambda b: wb.Embeddings.from_frame(pd.DataFrame([[1, 2]], columns=["x", "x"])),
         E.InvalidParameterError, "unique"),
    Case("frame-ragged-list-column", lambda b: wb.Embeddings.from_frame(frame_with(w=["a", "b"], v=[[1, 2], [3]]),
                                                                         vectors="v"),
         E.DimensionMismatchError, "same length"),
    Case("frame-word-column", lambda b: wb.Embeddings.from_frame(frame_with(Word=ABC, k=["p", "p", "q"], **XYZ)),
         check=lambda r, b: r.labels == ABC and r.dim == 2 and r.meta.columns.tolist() == ["k"]),
    Case("frame-id-column", lambda b: wb.Embeddings.from_frame(frame_with(id=[7, 8, 9], **XYZ)),
         check=lambda r, b: r.labels == ["7", "8", "9"] and r.dim == 2),
    Case("frame-bool-column", lambda b: wb.Embeddings.from_frame(frame_with(w=ABC, flag=[True, False, True], **XYZ)),
         check=lambda r, b: r.dim == 2 and "flag" in r.meta),
    Case("load-missing", lambda b: wb.Embeddings.load("/nonexistent/folder"), E.BadFileError, "not a saved"),
    Case("word2vec-missing", lambda b: wb.Embeddings.from_word2vec("/nonexistent.txt"), E.BadFileError, "No such file"),
    # maps
    Case("map-1-row", lambda b: project(emb(1), "pca", cache=False), E.EmptyInputError, "at least 3 points; got 1"),
    Case("map-2-rows", lambda b: project(emb(2), "pca", cache=False), E.EmptyInputError, "at least 3 points; got 2"),
    Case("map-3d-2-rows", lambda b: project(emb(2), "pca", dim=3, cache=False), E.EmptyInputError, "got 2"),
    Case("map-3-rows", lambda b: project(emb(3), "pca", cache=False), check=lambda r, b: r.coords.shape == (3, 2)),
    Case("map-method", lambda b: project(b.emb, "mds"), E.InvalidParameterError, "'method'.*'umap'"),
    Case("map-dim", lambda b: project(b.emb, "pca", dim=4), E.InvalidParameterError, "2 or 3"),
    Case("map-umap-3-rows", lambda b: project(emb(3), "umap"), E.EmptyInputError, "at least 5"),
    Case("map-tsne-4-rows", lambda b: project(emb(4), "tsne"), E.EmptyInputError, "at least 5"),
    Case("map-unknown-param", lambda b: project(b.emb, "umap", perplexity=5), E.InvalidParameterError, "perplexity"),
    Case("map-size-limit", lambda b: project(b.emb, "tsne", max_points=5), E.SizeLimitError, "above the limit"),
    Case("map-all-zeros", lambda b: project(wb.Embeddings(np.zeros((6, 3))), "pca", cache=False), warns=UserWarning,
         match="all zeros", check=lambda r, b: np.isnan(r.quality.trustworthiness)),
    Case("map-one-dimension", lambda b: project(emb(10, 1), "pca", cache=False),
         check=lambda r, b: r.coords.shape == (10, 2)),
    Case("quality-2-points", lambda b: map_quality(np.eye(2), np.eye(2)), E.EmptyInputError, "at least 3"),
    Case("quality-shapes", lambda b: map_quality(np.eye(4), np.ones((3, 2))), E.DimensionMismatchError, "same n"),
    Case("transform-dim", lambda b: b.state.projection.transform(np.ones((2, 5))), E.DimensionMismatchError,
         r"\(m, 6\).*got \(2, 5\)"),
    Case("transform-nan", lambda b: b.state.projection.transform(np.full((1, 6), np.nan)), E.NonFiniteError, "NaN"),
    Case("transform-empty", lambda b: b.state.projection.transform(np.empty((0, 6))),
         check=lambda r, b: r.shape == (0, 2)),
    Case("place-how", lambda b: b.state.projection.place(b.emb, how="fast"), E.InvalidParameterError, "'how'"),
    Case("place-no-shared", lambda b: b.state.projection.place(emb(5, 3), how="neighbours"), E.EmptyInputError,
         "at least 2 labels shared"),
    Case("place-linear-dim", lambda b: b.state.projection.place(emb(5, 3), how="linear"), E.DimensionMismatchError,
         "how='neighbours'"),
]

# ------------------------------------------------------------------------------------------ files
FILES = [
    Case("file-empty", lambda b: read_vectors_file("mine.csv", b""), E.EmptyInputError, r"^mine\.csv is empty"),
    Case("file-pdf", lambda b: read_vectors_file("notes.pdf", b"%PDF-1.4"), E.BadFileError, r"unsupported file type \.pdf"),
    Case("file-no-extension", lambda b: read_vectors_file("vectors", b"1 2"), E.BadFileError, r"\(none\)"),
    Case("file-csv-ragged", lambda b: read_vectors_file("r.csv", b"label,x\na,1\nb,1,2\n"), E.BadFileError,
         r"^r\.csv could not be read as CSV"),
    Case("file-csv-text-cell", lambda b: read_vectors_file("mine.csv", b"word,x,y\na,1,2\nb,1,oops\nc,3,4\n"),
         E.BadFileError, r"mine\.csv .*'y' holds numbers but row 1 holds 'oops'"),
    Case("file-csv-ambiguous", lambda b: read_vectors_file("two.csv", b"a,b,x\np,q,1\nr,s,2\n"), E.BadFileError,
         r"two\.csv .*ambiguous"),
    Case("file-csv-no-numbers", lambda b: read_vectors_file("w.csv", b"label,kind\na,x\nb,y\n"), E.BadFileError,
         "no numeric columns"),
    Case("file-csv-header-only", lambda b: read_vectors_file("h.csv", b"label,x,y\n"), E.BadFileError, "no rows"),
    Case("file-csv-latin1", lambda b: read_vectors_file("l.csv", "label,x\né,1\n".encode("utf-16")), E.BadFileError,
         r"l\.csv"),
    Case("file-csv-is-tsv", lambda b: read_vectors_file("t.csv", b"word\tx\ty\na\t1\t2\nb\t3\t4\n"),
         check=lambda r, b: r[1] == ["a", "b"] and r[0].shape == (2, 2)),
    Case("file-tsv-is-csv", lambda b: read_vectors_file("t.tsv", b"word,x\na,1\nb,2\n"),
         check=lambda r, b: r[1] == ["a", "b"]),
    Case("file-npy-garbage", lambda b: read_vectors_file("v.npy", b"\x93NUMPY garbage"), E.BadFileError, "NPY"),
    Case("file-npy-objects", lambda b: read_vectors_file("o.npy", npy(np.array([{"a": 1}], dtype=object),
                                                                     allow_pickle=True)),
         E.BadFileError, "allow_pickle=False"),
    Case("file-npy-named-txt", lambda b: read_vectors_file("v.txt", npy(np.eye(3))), check=lambda r, b: r[0].shape == (3, 3)),
    Case("file-bin-is-text", lambda b: read_vectors_file("v.bin", b"2 2\ncat 1 2\ndog 3 4\n"),
         check=lambda r, b: r[1] == ["cat", "dog"]),
    Case("file-bin-garbage", lambda b: read_vectors_file("mine.bin", b"\x00\x01\x02garbage"), E.BadFileError,
         r"^mine\.bin is not a valid word2vec binary file"),
    Case("file-bin-cut", lambda b: read_vectors_file("cut.bin", b"2 3\nking " + struct.pack("<3f", 1, 2, 3) + b"queen \x00"),
         E.BadFileError, "ends inside the vector of 'queen'"),
    Case("file-bin-huge-header", lambda b: read_vectors_file("big.bin", b"999999999 300\n\x00\x01"), E.BadFileError,
         "ends inside entry 1"),
    Case("file-bin-good", lambda b: read_vectors_file("g.bin", w2v_binary(["a", "b"], np.eye(2))),
         check=lambda r, b: r[1] == ["a", "b"]),
    Case("file-txt-latin1", lambda b: read_vectors_file("l.txt", "é 1 2\nb 2 3\n".encode("latin-1")), E.BadFileError,
         r"^l\.txt is not a valid word2vec text file"),
    Case("file-txt-bad-number", lambda b: read_vectors_file("n.txt", b"a 1 x\nb 2 3\n"), E.BadFileError,
         r"line 1 \('a'\)"),
    Case("file-txt-ragged", lambda b: read_vectors_file("r.txt", b"2 2\na 1 2\nb 1 2 3\n"), E.BadFileError,
         "line 3 has 3 numbers, expected 2"),
    Case("file-txt-short", lambda b: read_vectors_file("s.txt", b"3 2\na 1 2\n"), E.BadFileError, "promises 3"),
    Case("file-txt-header-only", lambda b: read_vectors_file("h.txt", b"3 2\n"), E.BadFileError, "holds no vectors"),
    Case("file-txt-unicode-words", lambda b: read_vectors_file("u.vec", "日本 1 2\ncafé 3 4\n".encode()),
         check=lambda r, b: r[1] == ["日本", "café"]),
    Case("file-never-names-a-temp-file", lambda b: read_vectors_file("mine.vec", b"a 1\nb 1 2\n"), E.BadFileError,
         r"^mine\.vec is not"),
]

# ------------------------------------------------------------------------------------------ cache
CACHE = [
    Case("cache-garbage-file", lambda b: corrupted_cache(lambda e: (e / "v.npy").write_bytes(b"garbage")),
         warns=UserWarning, match="unreadable.*workbench cache at", check=lambda r, b: r[1] is False),
    Case("cache-checksum", lambda b: corrupted_cache(lambda e: np.save(e / "v.npy", np.ones(4, np.float32))),
         warns=UserWarning, match="do not match the checksum",
         check=lambda r, b: r[1] is False and r[0].tolist() == [0, 1, 2, 3]),
    Case("cache-wrong-shape", lambda b: corrupted_cache(lambda e: None, validate=lambda v: v.shape == (5,)),
         warns=UserWarning, match="does not fit", check=lambda r, b: r[1] is False),
    Case("cache-nan", lambda b: corrupted_cache(lambda e: (np.save(e / "v.npy", np.full(4, np.nan, np.float32)),
                                                           (e / ".complete").write_text(""))),
         warns=UserWarning, match="NaN or infinite", check=lambda r, b: r[1] is False),
    Case("cache-strings", lambda b: corrupted_cache(lambda e: (np.save(e / "v.npy", np.array(["a"])),
                                                               (e / ".complete").write_text(""))),
         warns=UserWarning, match="dtype <U1", check=lambda r, b: r[1] is False),
    Case("cache-missing-file", lambda b: corrupted_cache(lambda e: (e / "v.npy").unlink()), warns=UserWarning,
         match="unreadable", check=lambda r, b: r[1] is False),
    Case("cache-corrupt-projection", lambda b: corrupted_projection(b), warns=UserWarning, match="recomputing",
         check=lambda r, b: r.from_cache is False),
]


def corrupted_projection(b: Bench):
    from workbench.core.cache import cache_dir

    project(b.emb, "pca")
    for entry in (cache_dir() / "projection").iterdir():
        (entry / "coords.npy").write_bytes(b"not npy")
    return project(b.emb, "pca")


# ------------------------------------------------------------------------------------------ pipeline, datasets
PIPELINE = [
    Case("embed-unknown-model", lambda b: wb.embed(["cat"], "glove-7b"), E.UnknownNameError, "Unknown model 'glove-7b'"),
    Case("embed-unknown-dataset", lambda b: wb.embed("rotten", "glove-6b-50d"), E.UnknownNameError, "Unknown dataset"),
    Case("embed-model-int", lambda b: wb.embed(["cat"], 5), E.InvalidParameterError, "'model' parameter of embed"),
    Case("embed-wrong-modality", lambda b: wb.embed("lee-background", "glove-6b-50d", limit=3, progress=False),
         E.InvalidParameterError, "a text model for 'lee-background'"),
    Case("embed-too-many", lambda b: wb.embed(["a", "b", "c"], "glove-6b-50d", max_items=2), E.SizeLimitError,
         "max_items=2"),
    Case("embed-empty-list", lambda b: wb.embed([], "glove-6b-50d", progress=False), E.EmptyInputError, "no rows"),
    Case("embed-empty-frame", lambda b: wb.embed(pd.DataFrame(), "glove-6b-50d"), E.EmptyInputError, "no rows"),
    Case("embed-unknown-word", lambda b: wb.embed(["cat", "qqqzzzq"], "glove-6b-50d", progress=False),
         E.UnknownLabelError, "qqqzzzq"),
    Case("load-limit-0", lambda b: load_dataset("analogy-words", limit=0), E.InvalidParameterError, "limit"),
    Case("load-limit-str", lambda b: load_dataset("analogy-words", limit="10"), E.InvalidParameterError, "limit"),
    Case("load-limit-bool", lambda b: load_dataset("analogy-words", limit=True), E.InvalidParameterError, "limit"),
    Case("load-unknown", lambda b: load_dataset("imagenet"), E.UnknownNameError, "Valid datasets"),
    Case("dataset-empty", lambda b: Dataset("d", "word", pd.DataFrame({"label": [], "item": []})), E.EmptyInputError,
         "no rows"),
    Case("dataset-columns", lambda b: Dataset("d", "word", pd.DataFrame({"x": [1]})), E.InvalidParameterError,
         "'label' and 'item'"),
    Case("relations-columns", lambda b: Dataset("g", "graph", pd.DataFrame({"label": ["a"], "item": ["a"]}),
                                               relations={"edges": pd.DataFrame({"source": ["a"]})}),
         E.InvalidParameterError, r"relations\['edges'\].*'source', 'target'"),
    Case("relations-interactions", lambda b: Dataset("r", "recommendation", pd.DataFrame({"label": ["u"], "item": ["u"]}),
                                                    relations={"interactions": pd.DataFrame({"user": ["u"]})}),
         E.InvalidParameterError, "'user', 'item'"),
    Case("relations-not-a-frame", lambda b: Dataset("g", "graph", pd.DataFrame({"label": ["a"], "item": ["a"]}),
                                                   relations={"edges": "a-b"}), E.InvalidParameterError,
         r"relations\['edges'\].*DataFrame"),
    Case("relations-a-list", lambda b: Dataset("g", "graph", pd.DataFrame({"label": ["a"], "item": ["a"]}),
                                              relations=[pd.DataFrame()]), E.InvalidParameterError, "mapping"),
    Case("dataset-frame-a-list", lambda b: Dataset("d", "word", [["a", "a"]]), E.InvalidParameterError, "DataFrame"),
    Case("relation-unknown", lambda b: load_dataset("karate-club").relation("interactions"), E.InvalidParameterError,
         "relations"),
    Case("relation-on-plain", lambda b: load_dataset("analogy-words", limit=3).relation("edges"),
         E.InvalidParameterError, r"\(none\)"),
    Case("from-items-labels", lambda b: Dataset.from_items(["a", "b"], labels=["x"]), E.DimensionMismatchError,
         "1 labels for 2 items"),
    Case("as-dataset-empty-frame", lambda b: as_dataset(pd.DataFrame()), E.EmptyInputError, "no rows"),
]

# ------------------------------------------------------------------------------------------ jobs
JOBS = [
    Case("job-workbench-error", lambda b: job(b, lambda p: raise_(E.EmptyInputError("nothing here"))),
         match="^nothing here$"),
    Case("job-raw-error", lambda b: job(b, lambda p: 1 / 0), match="Unexpected problem while dividing: ZeroDivisionError",
         check=lambda r, b: r.status == "failed" and "ZeroDivisionError" in b.state.last_error),
    Case("job-done-fails", lambda b: job(b, lambda p: 1, lambda r: raise_(E.DimensionMismatchError("bad shape"))),
         match="bad shape", check=lambda r, b: r.status == "failed"),
    Case("job-cancelled", lambda b: job(b, lambda p: raise_(E.CancelledError("Stopped on request."))),
         match="Stopped on request", level="info", check=lambda r, b: r.status == "cancelled"),
    Case("job-diverged", lambda b: job(b, lambda p: raise_(E.DivergedError("loss became nan"))), match="loss became nan"),
    Case("job-in-a-thread", lambda b: threaded_failure(b), match="Unexpected problem while dividing"),
    Case("job-state-run", lambda b: b.state.run("dividing", lambda: 1 / 0), match="ZeroDivisionError"),
]


def threaded_failure(b: Bench):
    b.state.background = True
    try:
        job(b, lambda p: 1 / 0)
        b.state.wait(10)
    finally:
        b.state.background = False


# ------------------------------------------------------------------------------------------ constructors
def workbench(**kwargs):
    return wb.Workbench(embeddings=wb.Embeddings(GOOD, LABELS), background=False, **kwargs)


CONSTRUCTORS = [
    Case("app-method", lambda b: workbench(method="mds"), E.InvalidParameterError, "'method' parameter of Workbench"),
    Case("app-method-none", lambda b: workbench(method=None), E.InvalidParameterError, "method"),
    Case("app-dim", lambda b: workbench(dim=4), E.InvalidParameterError, "'dim'.*2 or 3"),
    Case("app-dim-str", lambda b: workbench(dim="2"), E.InvalidParameterError, "dim"),
    Case("app-limit-negative", lambda b: workbench(limit=-5), E.InvalidParameterError, "'limit'"),
    Case("app-limit-str", lambda b: workbench(limit="lots"), E.InvalidParameterError, "'limit'"),
    Case("app-limit-huge", lambda b: workbench(limit=10**9), E.InvalidParameterError, "<= 1000000"),
    Case("app-height-str", lambda b: workbench(height="tall"), E.InvalidParameterError, "'height'"),
    Case("app-width-0", lambda b: workbench(width=0), E.InvalidParameterError, "'width'"),
    Case("app-dataset-int", lambda b: workbench(dataset=5), E.InvalidParameterError, "'dataset'"),
    Case("app-colour-int", lambda b: workbench(colour=3), E.InvalidParameterError, "'colour'"),
    Case("app-background-str", lambda b: workbench(background="yes") if False else
         wb.Workbench(embeddings=wb.Embeddings(GOOD), background="yes"), E.InvalidParameterError, "'background'"),
    Case("app-unknown-dataset", lambda b: wb.Workbench("imagenet", "glove-6b-50d", background=False),
         check=lambda r, b: r.state.status_level == "error" and "Unknown dataset 'imagenet'" in r.state.status
         and r.state.embeddings is None),
    Case("app-2-rows", lambda b: wb.Workbench(embeddings=GOOD[:2], background=False, method="pca"),
         check=lambda r, b: r.state.status_level == "error" and r.state.embeddings is None),
    Case("projection-panel-method", lambda b: ProjectionPanel(b.state, method="mds"), E.InvalidParameterError,
         "ProjectionPanel"),
    Case("projection-panel-height", lambda b: ProjectionPanel(b.state, height=-1), E.InvalidParameterError, "height"),
    Case("neighbours-panel-k", lambda b: NeighboursPanel(b.state, k=100), E.InvalidParameterError, "<= 50"),
    Case("analogy-panel-k", lambda b: AnalogyPanel(b.state, k=0), E.InvalidParameterError, "'k' parameter"),
    Case("analogy-panel-word", lambda b: AnalogyPanel(b.state, a=5), E.InvalidParameterError, "'a' parameter"),
    Case("similarity-panel-text", lambda b: SimilarityPanel(b.state, text=5), E.InvalidParameterError, "'text'"),
    Case("source-panel-limit", lambda b: SourcePanel(b.state, limit=1), E.InvalidParameterError, "'limit'"),
]

# ------------------------------------------------------------------------------------------ bring your own vectors
USE = [
    Case("use-2-rows", lambda b: b.source.use(GOOD[:2]), match="at least 3 points; got 2"),
    Case("use-1-row", lambda b: b.source.use(GOOD[:1]), match="at least 3 points; got 1"),
    Case("use-empty", lambda b: b.source.use(np.empty((0, 6))), match="empty"),
    Case("use-nan", lambda b: b.source.use(np.where(GOOD > 1, np.nan, GOOD)), match="NaN or infinite"),
    Case("use-complex", lambda b: b.source.use(GOOD + 1j), match="complex"),
    Case("use-string", lambda b: b.source.use("vectors.npy"), match="got a str"),
    Case("use-none", lambda b: b.source.use(None), match="2-D"),
    Case("use-repeated-labels", lambda b: b.source.use(GOOD[:3], ["a", "a", "b"]), match="repeated labels"),
    Case("use-labels-count", lambda b: b.source.use(GOOD[:3], ["a"]), match="1 labels for 3"),
    Case("use-frame-ambiguous", lambda b: b.source.use(frame_with(a=ABC, b=["d", "e", "f"], **XYZ)), match="ambiguous"),
    Case("use-frame-text-cell", lambda b: b.source.use(frame_with(w=ABC, x=[1, 2, 3], y=["1", "?", "2"])),
         match="row 1 holds '\\?'"),
    Case("use-frame-no-numbers", lambda b: b.source.use(frame_with(w=ABC)), match="no numeric columns"),
    Case("use-frame-2-rows", lambda b: b.source.use(frame_with(w=["a", "b"], x=[1, 2], y=[2, 1])), match="got 2"),
    Case("use-frame-coordinate-names", lambda b: b.source.use(frame_with(word=ABC, x=[1.0, 0, 1], y=[0.0, 1, 1],
                                                                         z=[1.0, 1, 0], label2=["p", "q", "p"])),
         match="Loaded your vectors: 3 vectors of 3 dimensions .*labels from column 'word'.*'label2'", level="success"),
    Case("use-meta-named-x", lambda b: b.source.use(wb.Embeddings(GOOD, meta=pd.DataFrame({"x": ["a"] * 20,
                                                                                            "label": range(20)}))),
         match="Loaded", level="success"),
    Case("use-all-zeros", lambda b: b.source.use(np.zeros((5, 3))), match="5 of 5 vectors are all zeros",
         level="success"),
    Case("use-some-zeros", lambda b: b.source.use(np.vstack([GOOD, np.zeros((1, 6))])), match="1 of 21 vectors",
         level="success"),
    Case("use-3-rows", lambda b: b.source.use(GOOD[:3]), match="3 vectors of 6", level="success"),
    Case("use-not-embeddings", lambda b: b.state.show(GOOD), match="Expected Embeddings"),
    Case("use-keyed-vectors-broken", lambda b: b.source.use(type("KV", (), {"index_to_key": ["a"], "vectors": "x"})()),
         match="Vectors must be numbers"),
    Case("use-then-click", failed_load_then_click, match="nearest is", level="success"),
    Case("set-embeddings-directly-2-rows", lambda b: setattr(b.state, "embeddings", wb.Embeddings(GOOD[:2])),
         match="at least 3 points"),
]

# ------------------------------------------------------------------------------------------ uploads
CSV_GOOD = b"label\tx\ty\tkind\na\t1\t0\tp\nb\t0.9\t0.1\tp\nc\t0\t1\tq\n"
UPLOADS = [
    Case("up-pdf", lambda b: b.upload("notes.pdf", b"%PDF-1.4"), match="notes.pdf: unsupported file type"),
    Case("up-empty", lambda b: b.upload("empty.tsv", b""), match="empty.tsv is empty"),
    Case("up-huge", lambda b: b.upload("big.npy", b"\x93NUMPY", size=MAX_UPLOAD_BYTES + 1), match="limited to 200 MB"),
    Case("up-text-cell", lambda b: b.upload("mine.csv", b"word,x,y\na,1,2\nb,1,oops\nc,3,4\n"),
         match="mine.csv .*row 1 holds 'oops'"),
    Case("up-nan", lambda b: b.upload("nan.csv", b"label,x,y\na,1,2\nb,nan,3\nc,1,1\n"),
         match="nan.csv: 1 of 3 vectors contain NaN"),
    Case("up-2-rows", lambda b: b.upload("two.npy", npy(np.eye(2))), match="at least 3 points; got 2"),
    Case("up-3d", lambda b: b.upload("cube.npy", npy(np.ones((2, 2, 2)))), match="cube.npy: Vectors must be a 2-D"),
    Case("up-objects", lambda b: b.upload("o.npy", npy(np.array([{"a": 1}], dtype=object), allow_pickle=True)),
         match="could not be read as NPY"),
    Case("up-ambiguous", lambda b: b.upload("two.csv", b"a,b,x\np,q,1\nr,s,2\nt,u,3\n"), match="two.csv .*ambiguous"),
    Case("up-bin-is-text", lambda b: b.upload("v.bin", b"3 2\ncat 1 2\ndog 3 4\nemu 1 1\n"),
         match="Loaded v.bin: 3 vectors of 2", level="success"),
    Case("up-bin-garbage", lambda b: b.upload("mine.bin", b"\x00\x01garbage"), match="^mine.bin is not a valid"),
    Case("up-txt-ragged", lambda b: b.upload("r.txt", b"a 1 2\nb 1\nc 1 2\n"), match="^r.txt is not a valid"),
    Case("up-tsv-good", lambda b: b.upload("mine.tsv", CSV_GOOD),
         match="Loaded mine.tsv: 3 vectors of 2 dimensions .*labels from column 'label'.*'kind'", level="success"),
    Case("up-csv-zeros", lambda b: b.upload("z.csv", b"x,y\n0,0\n0,0\n0,0\n"), match="all zeros", level="success"),
    Case("up-npy-named-txt", lambda b: b.upload("v.txt", npy(np.eye(4))), match="Loaded v.txt", level="success"),
    Case("up-parquet-garbage", lambda b: b.upload("v.parquet", b"PAR1garbage"),
         match="^v.parquet could not be read as PARQUET"),
    Case("up-parquet-good", lambda b: b.upload("v.parquet", parquet(pd.read_csv(io.BytesIO(CSV_GOOD), sep="\t"))),
         match="Loaded v.parquet: 3 vectors of 2 dimensions .*labels from column 'label'", level="success"),
    Case("up-ambiguous-then-picked", lambda b: (b.upload("two.csv", b"a,b,x\np,q,1\nr,s,2\nt,u,3\n"),
                                                b.source.choose_columns(label="a")),
         match="Loaded two.csv: 3 vectors of 1 dimensions .*labels from column 'a'", level="success"),
    Case("up-ambiguous-says-pick", lambda b: b.upload("two.csv", b"a,b,x\np,q,1\nr,s,2\nt,u,3\n"),
         match="ambiguous.*Pick the label column above",
         check=lambda r, b: b.source.message.level == "error" and b.source.columns.layout.display == "flex"),
    Case("up-class-column", lambda b: (b.upload("mine.tsv", CSV_GOOD), b.source.choose_columns(class_column="kind")),
         match="colours by the class column 'kind'", level="success",
         check=lambda r, b: b.projection.colour.value == "kind" and b.state.embeddings.meta.columns[0] == "kind"),
    Case("up-class-is-label", lambda b: (b.upload("mine.tsv", CSV_GOOD),
                                         b.source.choose_columns(label="kind", class_column="kind")),
         match="mine.tsv: the column 'kind' cannot be both the labels and the class"),
    Case("up-class-unknown", lambda b: (b.upload("mine.tsv", CSV_GOOD), b.source.choose_columns(class_column="nope")),
         match="Unknown class column 'nope'", check=lambda r, b: r[-1] is False),
    Case("up-columns-before-upload", lambda b: b.source.choose_columns(label="label"),
         match="Upload a table .* first", check=lambda r, b: r is False),
]

# ------------------------------------------------------------------------------------------ panels
LONG = "x" * 1_000_000
PANELS = [
    Case("nb-panel-unknown", lambda b: ask(b, "w99"), match="Unknown label 'w99'"),
    Case("nb-panel-unknown-beside-the-box", lambda b: ask(b, "w99"), match="Unknown label 'w99'",
         check=lambda r, b: (b.neighbours.message.level == "error" and "w99" in b.neighbours.message.text
                             and b.neighbours.stale and b.neighbours.answered == "w1" and b.state.highlight == []
                             and "wb-stale" in b.neighbours.result._dom_classes)),
    Case("nb-panel-other-capitals-without-model", lambda b: ask(b, "W1"), match="Unknown label 'W1'.*'w1'"),
    Case("nb-panel-whole-vocabulary-without-model", lambda b: (set_ui(b.neighbours.whole_vocabulary, True),
                                                              ask(b, "w2")),
         match="nearest is", level="success", check=lambda r, b: "on map" not in b.neighbours.result_frame),
    Case("nb-panel-megabyte", lambda b: ask(b, LONG), match="1,000,000 characters",
         check=lambda r, b: len(b.state.status) <= MAX_STATUS_CHARS),
    Case("nb-panel-k-capped", lambda b: (set_ui(b.neighbours.k, 50), ask(b, "w2")),
         match="k=50 was asked; there are only 19 other rows", level="success"),
    Case("nb-panel-unicode", lambda b: ask(b, "日本語"), match="Unknown label '日本語'"),
    Case("nb-panel-nothing-loaded", lambda b: (setattr(b.state, "embeddings", None), ask(b, "w2")),
         match="Nothing is loaded yet"),
    Case("an-panel-empty", lambda b: analogy(b, "", "w2", "w3"), match="Fill in all three"),
    Case("an-panel-unknown", lambda b: analogy(b, "w1", "nope", "w3"), match="Unknown label 'nope'"),
    Case("an-panel-unknown-greys-and-drops-arrows", lambda b: analogy(b, "w1", "nope", "w3"),
         match="Unknown label 'nope'",
         check=lambda r, b: b.analogy.stale and b.state.arrows == [] and b.analogy.message.level == "error"),
    Case("an-panel-only-inputs", lambda b: (b.source.use(GOOD[:3], ["a", "b", "c"]), analogy(b, "a", "b", "c")),
         match="No row is left"),
    Case("an-panel-benchmark-no-words", lambda b: b.analogy.run_benchmark(), match="None of the benchmark's questions"),
    Case("sim-panel-empty", lambda b: compare(b, "  \n "), match="Type pairs"),
    Case("sim-panel-three", lambda b: compare(b, "w1 w2 w3\nw4"), match="two items .* or one item"),
    Case("sim-panel-unknown", lambda b: compare(b, "w1 nope"), match="word for the current model .*'nope'"),
    Case("sim-panel-unknown-greys", lambda b: compare(b, "w1 nope"), match="'nope'",
         check=lambda r, b: b.similarity.stale and b.similarity.message.level == "error"),
    Case("sim-panel-big-matrix", lambda b: compare(b, "\n".join(f"w{i % 19}" for i in range(201))),
         match="more than this panel shows"),
    Case("sim-panel-many-pairs", lambda b: compare(b, "w1 w2\n" * 2001), match="more than this panel shows"),
    Case("sim-panel-second-model-lacks", lambda b: compare(b, "w1 zzqqxy", other="glove-6b-50d"),
         match="Unknown word for the second model 'glove-6b-50d' 'zzqqxy'"),
    Case("map-panel-umap-4-rows", lambda b: (b.source.use(GOOD[:4]), set_ui(b.projection.method, "umap")),
         match="needs at least 5 points", level="info"),
    Case("map-panel-3d-after-2-rows", lambda b: (b.source.use(GOOD[:2]), set_ui(b.projection.dim, 3)),
         match="got 2", check=lambda r, b: b.state.projection.dim == 3 and len(b.state.embeddings) == 20),
    Case("map-panel-quality-colour-zeros", lambda b: (b.source.use(np.zeros((5, 3))),
                                                      set_ui(b.projection.colour, "map quality: k-NN recall")),
         match="all zeros", level="success", check=lambda r, b: "undefined" in b.projection.quality.value),
    Case("map-panel-empty-selection", lambda b: empty_selection(b), match="Nothing selected", level="info"),
    Case("train-min-count", lambda b: b.train("cooc-mf", "lee-background", min_count=100_000),
         match="No word occurs min_count=100000"),
    Case("train-learning-rate", lambda b: b.train("cooc-mf", "lee-background", limit=50, learning_rate=1e9, epochs=3,
                                                  vector_size=8), match="diverged"),
    Case("train-learning-rate-0", lambda b: b.train("cooc-mf", "lee-background", learning_rate=0.0),
         match="'learning_rate' parameter of CoocMF"),
    Case("train-epochs-0", lambda b: b.train("word2vec", "bible-kjv", epochs=0), match="'epochs' parameter of Word2Vec"),
    Case("train-wrong-modality", lambda b: b.train("word2vec", "glove-vocab", limit=100, epochs=1),
         match="must be a text dataset"),
    Case("train-graph-dataset", lambda b: b.train("cooc-mf", "karate-club", epochs=1), match="must be a text dataset"),
    Case("train-dataset-chosen-with-the-model", lambda b: (set_ui(b.training.model, "cooc-mf"),
                                                           set_ui(b.training.params["epochs"], 0), b.training.train()),
         match="'epochs' parameter of CoocMF"),  # never "no dataset" while the dropdown offers some
    Case("train-limit-negative", lambda b: b.train("cooc-mf", "lee-background", limit=-3), match="'limit'"),
    Case("train-window-0", lambda b: b.train("word2vec", "bible-kjv", window=0), match="'window' parameter"),
    Case("train-tiny-vocabulary", lambda b: b.train("cooc-mf", "lee-background", limit=1, min_count=1, epochs=1,
                                                    vector_size=4, max_vocab=2), match="at least 3 points|vocabulary|"
                                                                                        "No word"),
]


def empty_selection(b: Bench):
    from plotly.callbacks import Points

    trace = next(t for t in b.projection.figure.data if figures.role(t) == figures.ROLE_POINTS)
    b.projection._on_selection(trace, Points(point_inds=[]), None)


def _vectors_state(change):
    """A view state of the 20-vector app with one field changed (``change(state)`` edits it in place)."""
    from workbench.ui.export import view_state

    state = view_state(workbench(method="pca"))
    change(state)
    return state


def _open(change, **kwargs):
    from workbench.ui.export import open_state

    return open_state(_vectors_state(change), embeddings=wb.Embeddings(GOOD, LABELS), background=False, **kwargs)


def _file(tmp: Path, name: str, data: bytes) -> Path:
    path = tmp / name
    path.write_bytes(data)
    return path


def _clusters(*args, **kwargs):
    from workbench.core.clusters import find_clusters

    return find_clusters(*args, **kwargs)


def _labels(anchors, sizes, **kwargs):
    from workbench.core.label_layout import place_labels

    return place_labels(np.asarray(anchors, float), np.asarray(sizes, float), **{"width": 400, "height": 300, **kwargs})


MAPS = [
    Case("clusters-empty", lambda b: _clusters(np.zeros((0, 3))), E.EmptyInputError, "empty"),
    Case("clusters-all-zero", lambda b: _clusters(np.zeros((6, 3))), E.EmptyInputError, "All 6 vectors are zero"),
    Case("clusters-nan", lambda b: _clusters(np.array([[1, np.nan], [1, 2]])), E.NonFiniteError, "NaN or infinite"),
    Case("clusters-k-over-half", lambda b: _clusters(np.eye(4), n_clusters=3), E.InvalidParameterError,
         "at most half"),
    Case("clusters-k-over-distinct", lambda b: _clusters(np.repeat(np.eye(2), 5, 0), n_clusters=3),
         E.InvalidParameterError, "distinct rows"),
    Case("clusters-k-zero", lambda b: _clusters(GOOD, n_clusters=0), E.InvalidParameterError, "at least 1"),
    Case("clusters-k-float", lambda b: _clusters(GOOD, n_clusters=2.5), E.InvalidParameterError, "integer"),
    Case("clusters-labels-length", lambda b: _clusters(np.eye(4), labels=["a", "b"]), E.DimensionMismatchError,
         "2 labels for 4 vectors"),
    Case("clusters-texts-length", lambda b: _clusters(np.eye(4), texts=["a"]), E.DimensionMismatchError,
         "1 texts for 4 vectors"),
    Case("clusters-text-vectors", lambda b: _clusters("abc"), E.DimensionMismatchError, "numbers"),
    Case("labels-size-mismatch", lambda b: _labels([[1, 1], [2, 2]], [[10, 5]]), E.DimensionMismatchError, ""),
    Case("labels-width-zero", lambda b: _labels([[1, 1]], [[10, 5]], width=0), E.InvalidParameterError,
         "positive number of pixels"),
    Case("labels-nan-anchor", lambda b: _labels([[np.nan, 1]], [[10, 5]]), E.InvalidParameterError,
         "finite pixel positions"),
    Case("zoom-negative-pad", lambda b: figures.zoom_to(b.projection._frame, [0, 1], pad=-1),
         E.InvalidParameterError, "pad"),
    Case("zoom-row-out-of-range", lambda b: figures.zoom_to(b.projection._frame, [0, 99]),
         E.InvalidParameterError, ""),
    Case("app-title-number", lambda b: workbench(title=5), E.InvalidParameterError, "'title' parameter of Workbench"),
    *[Case(f"map-backend-{i}", lambda b, x=x: ProjectionPanel(b.state, method="pca", backend=x), E.InvalidParameterError,
           "'backend' parameter of ProjectionPanel must be one of") for i, x in enumerate(["webgl", "", None, 3, "Scatter"])],
    # Views shared and reopened (ui/export.py, ui/bookmarks.py, ui/view_checks.py)
    Case("view-version", lambda b: _open(lambda s: s.update(version=2)), E.InvalidParameterError, "must be 1"),
    Case("view-format", lambda b: _open(lambda s: s.update(format="plotly")), E.InvalidParameterError,
         "workbench-view"),
    Case("view-method", lambda b: _open(lambda s: s["view"]["map"].update(method="mds")), E.InvalidParameterError,
         "method"),
    Case("view-dim", lambda b: _open(lambda s: s["view"]["map"].update(dim=4)), E.InvalidParameterError, "dim"),
    Case("view-k-bool", lambda b: _open(lambda s: s["view"].update(k=True)), E.InvalidParameterError, "'view.k'"),
    Case("view-highlight-out-of-range", lambda b: _open(lambda s: s["view"].update(highlight=[1, 500])),
         E.InvalidParameterError, "from 0 to 19"),
    Case("view-selection-negative", lambda b: _open(lambda s: s["view"]["selection"].update(rows=[-1], labels=["x"])),
         E.InvalidParameterError, "from 0 to 19"),
    Case("view-huge-query", lambda b: _open(lambda s: s["view"].update(query="q" * 10_000_000)),
         E.InvalidParameterError, "at most 10,000 characters"),
    Case("view-zoom-text", lambda b: _open(lambda s: s["view"].update(zoom={"x": ["a", 1]})),
         E.InvalidParameterError, "finite number"),
    Case("view-unknown-key", lambda b: _open(lambda s: s["view"].update(colour_by_magic=1)),
         E.InvalidParameterError, "keys among"),
    Case("view-bookmarks-list", lambda b: _open(lambda s: s.update(bookmarks=[1])), E.InvalidParameterError,
         "bookmarks"),
    Case("view-open-option", lambda b: _open(lambda s: None, limit=10), E.InvalidParameterError,
         "one of \\('background', 'height', 'width'\\)"),
    Case("view-vectors-missing", lambda b: __import__("workbench.ui.export", fromlist=["open_state"]).open_state(
         _vectors_state(lambda s: None), background=False), E.WorkbenchError, "include_vectors=True"),
    Case("view-file-missing", lambda b: __import__("workbench.ui.export", fromlist=["open_state"]).open_state(
         Path("/nonexistent/view.json")), E.BadFileError, "No view state file"),
    Case("bookmark-empty-name", lambda b: workbench(method="pca").bookmark("   "), E.InvalidParameterError,
         "1 to 80 characters"),
    Case("bookmark-go-to-none", lambda b: workbench(method="pca").go_to("one"), E.EmptyInputError, ""),
    Case("export-png-scale", lambda b: workbench(method="pca").export_png("x.png", scale=0), E.InvalidParameterError,
         "'scale'"),
    Case("export-png-engine", lambda b: workbench(method="pca").export_png("x.png", engine="svg"),
         E.InvalidParameterError, "'engine'"),
    Case("export-html-missing-folder", lambda b: workbench(method="pca").export_html("/nonexistent/dir/map.html"),
         E.BadFileError, "does not exist"),
    Case("export-html-long-title", lambda b: workbench(method="pca").export_html("m.html", title="t" * 500),
         E.InvalidParameterError, "'title'"),
]


SPEED = [
    Case("onnx-threads-0", lambda b: wb.get_model("minilm-onnx", threads=0), E.InvalidParameterError,
         "'threads' parameter of MiniLMOnnx"),
    Case("onnx-threads-float", lambda b: wb.get_model("minilm-onnx", threads=1.5), E.InvalidParameterError,
         "a positive integer"),
    Case("int8-batch-0", lambda b: wb.get_model("minilm-int8", batch_size=0), E.InvalidParameterError,
         "'batch_size' parameter of MiniLMInt8"),
    Case("onnx-variant", lambda b: __import__("workbench.models.onnx_sentences", fromlist=["x"]).export_minilm_onnx(
         "fp16"), E.InvalidParameterError, "'variant' parameter of export_minilm_onnx"),
    Case("lookup-empty-list", lambda b: wb.embed([], "glove-6b-50d"), E.EmptyInputError, "no rows"),
    Case("lookup-repeated-words", lambda b: wb.embed(["king", "king"], "glove-6b-50d"), E.InvalidParameterError,
         "must be unique"),
    Case("lookup-unknown-word", lambda b: wb.embed(["king", "zzqqxxw"], "glove-6b-50d"), E.UnknownLabelError,
         "zzqqxxw"),
]


def _word_fit(name, texts=("the cat sat on the mat", "the dog sat on the log") * 10, **params):
    """Fit a word model of ``name`` with ``params`` on a tiny text corpus (parameters are checked at fit)."""
    from workbench.models.fasttext import FastText
    from workbench.models.glove import GloVe
    from workbench.models.swivel import Swivel

    corpus = Dataset.from_items(list(texts), modality="text", name="tiny", labels=[f"t{i}" for i in range(len(texts))])
    model = {"fasttext": FastText, "glove": GloVe, "swivel": Swivel}[name](**params)
    return model.fit(corpus, progress=False)


WORDS = [
    *[Case(f"{m}-vector-size-{v}", lambda b, m=m, v=v: _word_fit(m, vector_size=v), E.InvalidParameterError,
           "'vector_size' parameter") for m in ("fasttext", "glove", "swivel") for v in (0, 10_000)],
    *[Case(f"{m}-window-0", lambda b, m=m: _word_fit(m, window=0), E.InvalidParameterError, "'window' parameter")
      for m in ("fasttext", "glove", "swivel")],
    Case("fasttext-ngrams-reversed", lambda b: _word_fit("fasttext", min_n=4, max_n=3), E.InvalidParameterError,
         "max_n"),
    Case("swivel-shard-0", lambda b: _word_fit("swivel", shard_size=0), E.InvalidParameterError, "shard_size"),
    Case("glove-alpha-2", lambda b: _word_fit("glove", alpha=2.0), E.InvalidParameterError, "alpha"),
    *[Case(f"{m}-min-count-leaves-nothing", lambda b, m=m: _word_fit(m, min_count=100_000), E.EmptyInputError, "min_count=100000")
      for m in ("fasttext", "glove", "swivel")],
    Case("glove-no-letters", lambda b: _word_fit("glove", texts=("", "42 !")), E.EmptyInputError, ""),
    Case("corpus-latin1", lambda b, tmp=None: __import__("workbench.loaders.corpora", fromlist=["x"]).read_text_corpus(
         _file(Path(__import__("tempfile").mkdtemp()), "latin1.txt", "caf\xe9 au lait".encode("latin-1"))),
         E.BadFileError, "not UTF-8"),
    Case("corpus-unknown-part", lambda b: __import__("workbench.loaders.corpora", fromlist=["x"]).english_text(
         ["austen"]), E.UnknownNameError, "austen"),
    Case("corpus-no-parts", lambda b: __import__("workbench.loaders.corpora", fromlist=["x"]).english_text([]),
         E.EmptyInputError, ""),
    Case("word-table-empty", lambda b: __import__("workbench.core.word_benchmarks", fromlist=["x"]).word_model_table(
         {}), E.EmptyInputError, ""),
    Case("word-table-not-vectors", lambda b: __import__("workbench.core.word_benchmarks", fromlist=["x"])
         .word_model_table({"x": "glove"}), E.InvalidParameterError, ""),
]


MATRIX = CORE + FILES + CACHE + PIPELINE + JOBS + CONSTRUCTORS + USE + UPLOADS + PANELS + MAPS + SPEED + WORDS
UI_CASES = {c.id for c in JOBS + USE + UPLOADS + PANELS}
SHARED = {c.id for c in CORE + FILES + CACHE + PIPELINE}  # they only read the bench: one serves them all


@pytest.fixture(scope="module")
def shared_bench():
    return Bench()


def test_the_matrix_is_large_and_its_ids_unique():
    ids = [c.id for c in MATRIX]
    assert len(ids) >= 150 and len(set(ids)) == len(ids), len(ids)


def snapshot(b: Bench) -> dict:
    return {"embeddings": b.state.embeddings, "projection": b.state.projection,
            "neighbours": b.neighbours.result.value, "neighbours_frame": b.neighbours.result_frame,
            "analogy": b.analogy.add_table.value, "similarity": b.similarity.result.value}


def assert_consistent(b: Bench, before: dict) -> None:
    """Embeddings, map, figure and tables all previous, or all new together."""
    state = b.state
    emb, proj = state.embeddings, state.projection
    if emb is None:
        return
    assert proj is not None and proj.embeddings is emb, "the map shows other embeddings than the state holds"
    points = [t for t in b.projection.figure.data if figures.role(t) == figures.ROLE_POINTS]
    assert sum(len(t.x) for t in points) == len(emb), "the figure shows another number of points"
    assert b.projection._frame["label"].tolist() == emb.labels
    if emb is before["embeddings"]:
        if state.status_level == "error":  # a failed step leaves every table as it was (or cleared: no mix)
            for key in ("neighbours", "analogy", "similarity"):
                assert snapshot(b)[key] in (before[key], ""), f"the {key} table changed on an error"
    else:  # new embeddings: no table answers about the previous ones
        frame = b.neighbours.result_frame
        assert frame is None or set(frame["label"]) <= set(emb.labels)
        assert before["analogy"] == "" or b.analogy.add_table.value != before["analogy"]


@pytest.mark.parametrize("case", MATRIX, ids=[c.id for c in MATRIX])
def test_bad_input(case: Case, capsys, request):
    b = request.getfixturevalue("shared_bench") if case.id in SHARED else Bench()
    capsys.readouterr()
    before = snapshot(b)
    b.state.report("", "info")
    result = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if case.raises is not None:
            with pytest.raises(case.raises, match=case.match) as info:
                case.act(b)
            assert isinstance(info.value, E.WorkbenchError), f"{type(info.value).__name__} is not a WorkbenchError"
            assert "Traceback" not in str(info.value)
        else:
            result = case.act(b)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "Error" not in err, (out, err)
    if case.warns is not None:
        texts = [str(w.message) for w in caught if issubclass(w.category, case.warns)]
        assert any(pd.Series([t]).str.contains(case.match).all() for t in texts), texts
    if case.id in UI_CASES:
        level = case.level or "error"
        assert b.state.status_level == level, (b.state.status_level, b.state.status)
        assert pd.Series([b.state.status]).str.contains(case.match).all(), b.state.status
        assert "Traceback" not in b.state.status
        if not case.id.startswith("job-"):
            assert "Unexpected problem" not in b.state.status, b.state.status
    if case.check is not None:
        assert case.check(result, b), result
    assert_consistent(b, before)

"""Property-based tests: arbitrary shapes, dtypes, NaN/inf, unicode and empty inputs give either a
valid result or a ``WorkbenchError``, never another exception.

Small sizes and ~50-80 examples per property keep the whole file to a few seconds.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
import pandas as pd
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

from workbench.core import Embeddings, project  # noqa: E402
from workbench.core.errors import WorkbenchError  # noqa: E402
from workbench.core.io import frame_to_parts, read_vectors_file  # noqa: E402

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

DTYPES = st.sampled_from([np.float16, np.float32, np.float64, np.int8, np.int64, np.uint8, np.bool_, np.complex64])
ANY_ARRAY = DTYPES.flatmap(lambda dtype: hnp.arrays(dtype, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0,
                                                                             max_side=5)))
FLOATS = st.floats(allow_nan=True, allow_infinity=True, width=64)
FINITE = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, width=32)
TEXT = st.text(max_size=12)


def only_workbench_errors(fn, *args, **kwargs):
    """``fn(...)``, or None if it raised a WorkbenchError (any other exception fails the test)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*args, **kwargs)
    except WorkbenchError as err:
        assert str(err), "an error must say what was wrong"
        return None


@st.composite
def embeddings(draw, max_rows: int = 12, max_dim: int = 5, min_rows: int = 1):
    n = draw(st.integers(min_rows, max_rows))
    d = draw(st.integers(1, max_dim))
    x = draw(hnp.arrays(np.float32, (n, d), elements=FINITE))
    labels = draw(st.lists(TEXT, min_size=n, max_size=n, unique=True))
    return Embeddings(x, labels)


def queries(emb: Embeddings):
    return st.one_of(st.sampled_from(emb.labels), TEXT, st.integers(-3, 30), st.none(), FLOATS,
                     hnp.arrays(np.float64, st.integers(0, 6), elements=FLOATS))


def assert_valid(emb: Embeddings) -> None:
    assert emb.vectors.dtype == np.float32 and emb.vectors.ndim == 2 and emb.vectors.size > 0
    assert np.isfinite(emb.vectors).all()
    assert len(emb.labels) == len(set(emb.labels)) == len(emb)


@FAST
@given(ANY_ARRAY)
def test_embeddings_from_any_array(x):
    emb = only_workbench_errors(Embeddings, x)
    if emb is not None:
        assert_valid(emb)
        assert x.dtype.kind != "c"  # complex numbers are refused, never cut to their real part


@FAST
@given(st.lists(st.lists(st.one_of(FLOATS, st.integers(), TEXT, st.none()), max_size=4), max_size=4),
       st.one_of(st.none(), st.lists(st.one_of(TEXT, st.integers()), max_size=5)))
def test_embeddings_from_nested_lists_and_labels(rows, labels):
    emb = only_workbench_errors(Embeddings, rows, labels)
    if emb is not None:
        assert_valid(emb)


@FAST
@given(st.data())
def test_neighbours(data):
    emb = data.draw(embeddings())
    query = data.draw(queries(emb))
    k = data.draw(st.one_of(st.integers(-2, 20), st.floats(0, 5), st.none()))
    metric = data.draw(st.sampled_from(["cosine", "dot", "l2"]))
    frame = only_workbench_errors(emb.neighbours, query, k=k, metric=metric)
    if frame is None:
        return
    assert len(frame) <= k and frame["rank"].tolist() == list(range(1, len(frame) + 1))
    assert set(frame["label"]) <= set(emb.labels) and frame["row"].is_unique
    if isinstance(query, str) and query in emb:
        assert query not in frame["label"].tolist()
    if metric == "cosine":
        assert ((frame["score"] >= -1.001) & (frame["score"] <= 1.001)).all()
    assert frame.attrs["capped"] == (len(frame) < k)


@FAST
@given(st.data())
def test_analogy(data):
    emb = data.draw(embeddings())
    terms = st.lists(st.one_of(st.sampled_from(emb.labels), TEXT, st.integers(0, 12)), max_size=3)
    positive, negative = data.draw(terms), data.draw(terms)
    method = data.draw(st.sampled_from(["3cosadd", "3cosmul", "nope"]))
    k = data.draw(st.integers(-1, 15))
    frame = only_workbench_errors(emb.analogy, positive, negative, k=k, method=method)
    if frame is None:
        return
    assert len(frame) <= k and set(frame["label"]) <= set(emb.labels)
    assert np.isfinite(frame["score"]).all() or method == "3cosadd"


@FAST
@given(st.data())
def test_similarity(data):
    emb = data.draw(embeddings())
    item = st.one_of(st.sampled_from(emb.labels), TEXT, st.integers(0, 12))
    a = data.draw(st.one_of(item, st.lists(item, max_size=4)))
    b = data.draw(st.one_of(st.none(), item, st.lists(item, max_size=4)))
    result = only_workbench_errors(emb.similarity, a, b)
    if result is None:
        return
    values = np.asarray(result, dtype=float)
    assert np.isfinite(values).all() and (np.abs(values) <= 1.001).all()


@FAST
@given(embeddings(max_rows=15), st.sampled_from([2, 3, 4]), st.booleans())
def test_project_pca(emb, dim, quality):
    proj = only_workbench_errors(project, emb, "pca", dim, cache=False, quality=quality)
    if proj is None:
        assert len(emb) < 3 or dim == 4
        return
    assert proj.coords.shape == (len(emb), dim) and np.isfinite(proj.coords).all()
    back = proj.transform(emb.vectors[:2])
    assert back.shape == (min(2, len(emb)), dim)


EXTENSIONS = st.sampled_from(["v.npy", "v.csv", "v.tsv", "v.txt", "v.vec", "v.bin", "v.w2v", "v", "v.pdf"])


def check_upload(name: str, data: bytes) -> None:
    parts = only_workbench_errors(read_vectors_file, name, data)
    if parts is None:
        return
    x, labels, meta = parts
    emb = only_workbench_errors(Embeddings, x, labels, meta=meta)
    if emb is not None:
        assert_valid(emb)


@settings(max_examples=80, deadline=None)
@given(EXTENSIONS, st.binary(max_size=200))
def test_read_any_bytes(name, data):
    check_upload(name, data)


@settings(max_examples=80, deadline=None)
@given(EXTENSIONS, st.text(alphabet=st.sampled_from(list("ab é日,\t\n.-0123456789eE+naif")), max_size=120))
def test_read_text_that_looks_like_vectors(name, text):
    check_upload(name, text.encode())


@FAST
@given(st.sampled_from(["v.npy", "v.txt", "v.csv"]), ANY_ARRAY)
def test_read_npy_of_any_array(name, x):
    buffer = io.BytesIO()
    np.save(buffer, x, allow_pickle=False)
    check_upload(name, buffer.getvalue())


@FAST
@given(st.dictionaries(st.sampled_from(["label", "word", "x", "y", "dim_0", "kind", "id", "a"]),
                       st.lists(st.one_of(FINITE, TEXT, st.none(), st.booleans()), min_size=3, max_size=3),
                       max_size=5))
def test_frame_to_parts(columns):
    frame = pd.DataFrame(columns)
    assume(len(frame.columns) == len(columns))
    parts = only_workbench_errors(frame_to_parts, frame, label="label")
    if parts is None:
        return
    x, labels, meta = parts
    assert x.shape[0] == len(frame) and meta.shape[0] == len(frame)
    assert x.shape[1] == len(meta.attrs["vector_columns"])  # every column is a dimension or metadata, none lost
    label_column = meta.attrs["label_column"]
    assert x.shape[1] + meta.shape[1] + (label_column is not None) == len(frame.columns)

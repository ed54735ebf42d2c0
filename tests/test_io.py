"""Reading and writing: word2vec text/binary and GloVe files, save/load, uploads (npy, CSV, TSV).

Nothing a user hands in is ever unpickled: object arrays are refused, and a pickle payload that would
create a file when unpickled leaves no file behind.
"""

from __future__ import annotations

import io
import json
import struct

import numpy as np
import pandas as pd
import pytest

from workbench.core import BadFileError, Embeddings, EmptyInputError
from workbench.core.io import read_vectors_file, read_word2vec

WORDS = ["king", "queen", "übermensch", "new_york", "a.b"]


@pytest.fixture
def small():
    rng = np.random.default_rng(11)
    meta = pd.DataFrame({"kind": ["royal", "royal", "other", "place", "other"], "count": [5, 4, 1, 3, 2]})
    return Embeddings(rng.normal(size=(5, 4)).astype(np.float32), WORDS, meta=meta,
                      provenance={"model": "test", "params": {"seed": 11}})


def keyed_vectors(emb):
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vector_size=emb.dim)
    kv.add_vectors(emb.labels, np.array(emb.vectors))
    return kv


# ----------------------------------------------------------------------------- written by gensim
@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
def test_word2vec_written_by_gensim(small, tmp_path, binary):
    path = tmp_path / ("vectors.bin" if binary else "vectors.txt")
    keyed_vectors(small).save_word2vec_format(str(path), binary=binary)
    emb = Embeddings.from_word2vec(path)  # the format is guessed
    assert emb.labels == WORDS
    np.testing.assert_array_equal(emb.vectors, small.vectors)  # float32 repr / raw bytes: exact
    assert emb.provenance["source"] == f"word2vec file {path}"
    labels, x = read_word2vec(path, binary=binary, limit=2)
    assert labels == WORDS[:2] and x.shape == (2, 4)


def test_gensim_reads_what_we_read(small, tmp_path):
    """The other direction: a file gensim loads gives the same vectors as our reader."""
    from gensim.models import KeyedVectors

    path = tmp_path / "v.txt"
    keyed_vectors(small).save_word2vec_format(str(path))
    kv = KeyedVectors.load_word2vec_format(str(path))
    ours = Embeddings.from_word2vec(path)
    assert kv.index_to_key == ours.labels
    np.testing.assert_array_equal(kv.vectors, ours.vectors)


# ----------------------------------------------------------------------------- written by hand
def test_word2vec_text_by_hand(tmp_path):
    path = tmp_path / "hand.txt"
    path.write_text("3 2\ncat 0.5 -1\ndog 2e-3 4\n\nfish -0.25 0.125\n", encoding="utf-8")
    labels, x = read_word2vec(path)
    assert labels == ["cat", "dog", "fish"]
    np.testing.assert_array_equal(x, np.array([[0.5, -1], [0.002, 4], [-0.25, 0.125]], np.float32))


def test_word2vec_text_with_trailing_spaces_as_the_c_tool_and_fasttext_write(tmp_path):
    # word2vec's C tool and fastText's .vec files end every vector line with a space.
    path = tmp_path / "fasttext.vec"
    path.write_text("2 3\nking 0.1 0.2 0.3 \nqueen 0.4 0.5 0.6 \n", encoding="utf-8")
    labels, x = read_word2vec(path)
    assert labels == ["king", "queen"]
    np.testing.assert_allclose(x, [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]])


def test_glove_text_without_header(tmp_path):
    path = tmp_path / "glove.txt"
    path.write_text("the 0.1 0.2 0.3\n, 1 2 3\nzürich -1 -2 -3\n", encoding="utf-8")
    labels, x = read_word2vec(path)
    assert labels == ["the", ",", "zürich"]
    np.testing.assert_allclose(x, [[0.1, 0.2, 0.3], [1, 2, 3], [-1, -2, -3]])
    assert Embeddings.from_word2vec(path, limit=1).labels == ["the"]


def test_glove_files_gensim_reads_with_no_header(small, tmp_path):
    """gensim writes GloVe-style files too (write_header=False); we read them like GloVe."""
    path = tmp_path / "noheader.txt"
    keyed_vectors(small).save_word2vec_format(str(path), write_header=False)
    assert not path.read_text(encoding="utf-8").startswith("5 4")
    emb = Embeddings.from_word2vec(path)
    assert emb.labels == WORDS
    np.testing.assert_array_equal(emb.vectors, small.vectors)


@pytest.mark.parametrize("newline", [False, True], ids=["gensim-style", "c-style-newline"])
def test_word2vec_binary_by_hand(tmp_path, newline):
    vectors = np.array([[1.5, -2.0, 0.25], [3.0, 0.0, -1.0]], dtype="<f4")
    body = b"".join(word.encode() + b" " + vec.tobytes() + (b"\n" if newline else b"")
                    for word, vec in zip(["één", "two"], vectors))
    path = tmp_path / "hand.bin"
    path.write_bytes(b"2 3\n" + body)
    labels, x = read_word2vec(path)
    assert labels == ["één", "two"]
    np.testing.assert_array_equal(x, vectors)


def test_truncated_text_file_is_refused(tmp_path):
    path = tmp_path / "cut.txt"
    path.write_text("3 2\ncat 1 2\ndog 3 4\n")  # the header promises three vectors
    with pytest.raises(BadFileError, match=r"cut\.txt is not a valid word2vec text file: .*3 vectors.*2"):
        read_word2vec(path)
    labels, _ = read_word2vec(path, limit=2)  # asking for no more than the file holds is fine
    assert labels == ["cat", "dog"]


@pytest.mark.parametrize("content, message", [
    ("2 2\ncat 1 2\ndog 3 x\n", "could not convert string to float"),
    ("2 2\ncat 1 2 3\ndog 3 4\n", "line 2 has 3 numbers, expected 2"),
    ("the 1 2\nof 1 2 3\n", "line 2 has 3 numbers, expected 2"),
])
def test_malformed_text_files(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_text(content)
    with pytest.raises(BadFileError, match=message):
        read_word2vec(path)


def test_malformed_binary_files(tmp_path):
    path = tmp_path / "bad.bin"
    path.write_bytes(b"two three\n\x00\x01")
    with pytest.raises(BadFileError, match=r"bad\.bin is not a valid word2vec binary file"):
        read_word2vec(path, binary=True)
    path.write_bytes(b"2 3\nki")
    with pytest.raises(BadFileError, match="the file ends inside entry 1 of 2"):
        read_word2vec(path, binary=True)


def test_empty_word2vec_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("")
    with pytest.raises(BadFileError, match="holds no vectors"):
        read_word2vec(path)


# ----------------------------------------------------------------------------- save / load
def test_save_load_round_trip(small, tmp_path):
    small.save(tmp_path / "saved")
    assert sorted(p.name for p in (tmp_path / "saved").iterdir()) == ["provenance.json", "rows.parquet",
                                                                      "vectors.npy"]
    back = Embeddings.load(tmp_path / "saved")
    assert back.labels == small.labels
    np.testing.assert_array_equal(back.vectors, small.vectors)
    pd.testing.assert_frame_equal(back.meta, small.meta)
    assert back.provenance == small.provenance
    assert back.fingerprint() == small.fingerprint()


def test_save_load_round_trip_of_a_derived_set_without_metadata(tmp_path):
    emb = Embeddings(np.eye(3), ["1", "2", "3"]).subset(["3", "1"])
    emb.save(tmp_path / "e")
    back = Embeddings.load(tmp_path / "e")
    assert back.labels == ["3", "1"]  # numeric-looking labels stay strings
    assert back.provenance["history"] == ["subset(2)"]
    assert back.meta.shape == (2, 0)


def test_load_refuses_object_arrays(small, tmp_path):
    folder = tmp_path / "saved"
    small.save(folder)
    np.save(folder / "vectors.npy", np.array([[1.0, "x"]], dtype=object), allow_pickle=True)
    with pytest.raises(BadFileError, match="could not be read as saved Embeddings.*allow_pickle"):
        Embeddings.load(folder)


def test_load_of_a_corrupt_provenance(small, tmp_path):
    folder = tmp_path / "saved"
    small.save(folder)
    (folder / "provenance.json").write_text("{oops")
    with pytest.raises(BadFileError, match="could not be read as saved Embeddings"):
        Embeddings.load(folder)


# ----------------------------------------------------------------------------- uploads
def npy_bytes(array, allow_pickle=False) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=allow_pickle)
    return buffer.getvalue()


def test_upload_npy():
    x = np.arange(12, dtype=np.float64).reshape(4, 3)
    vectors, labels, meta = read_vectors_file("v.npy", npy_bytes(x))
    np.testing.assert_array_equal(vectors, x)
    assert labels is None and meta is None


class LeavesAFile:
    """Unpickling this creates a file: proof that a loader ran pickle."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (str(self.path), "w"))


def test_upload_npy_with_an_object_array_is_refused_and_never_unpickled(tmp_path):
    marker = tmp_path / "pickle-ran"
    payload = npy_bytes(np.array([LeavesAFile(marker)], dtype=object), allow_pickle=True)
    assert not marker.exists()
    with pytest.raises(BadFileError, match=r"evil\.npy could not be read as NPY: .*allow_pickle=False"):
        read_vectors_file("evil.npy", payload)
    assert not marker.exists()


def test_saved_folder_with_a_pickle_payload_is_never_unpickled(small, tmp_path):
    folder, marker = tmp_path / "saved", tmp_path / "pickle-ran"
    small.save(folder)
    (folder / "vectors.npy").write_bytes(npy_bytes(np.array([LeavesAFile(marker)], dtype=object), allow_pickle=True))
    with pytest.raises(BadFileError):
        Embeddings.load(folder)
    assert not marker.exists()


def test_upload_csv_with_a_label_column_and_metadata():
    data = b"label,colour,x,y\ncat,black,1.5,2\ndog,brown,3,4\n"
    vectors, labels, meta = read_vectors_file("pets.csv", data)
    np.testing.assert_array_equal(vectors, np.array([[1.5, 2], [3, 4]], np.float32))
    assert labels == ["cat", "dog"]
    assert meta.columns.tolist() == ["colour"] and meta["colour"].tolist() == ["black", "brown"]


def test_upload_tsv_with_text_first_column_and_dim_columns():
    data = b"word\tdim_0\tdim_1\tcount\nalpha\t1\t0\t7\nbeta\t0\t1\t9\n"
    vectors, labels, meta = read_vectors_file("words.TSV", data)
    assert labels == ["alpha", "beta"]
    np.testing.assert_array_equal(vectors, np.eye(2))
    assert meta["count"].tolist() == [7, 9]  # dim_* columns are the vectors; other numbers are metadata


def test_upload_csv_of_numbers_only():
    vectors, labels, meta = read_vectors_file("m.csv", b"a,b,c\n1,2,3\n4,5,6\n")
    np.testing.assert_array_equal(vectors, [[1, 2, 3], [4, 5, 6]])
    assert labels is None and meta.shape == (2, 0)


def test_upload_to_embeddings_round_trip(small):
    data = small.to_frame().to_csv(index=False).encode()
    vectors, labels, meta = read_vectors_file("export.csv", data)
    emb = Embeddings(vectors, labels, meta=meta)
    assert emb.labels == small.labels
    np.testing.assert_allclose(emb.vectors, small.vectors, rtol=1e-6)
    assert emb.meta["kind"].tolist() == small.meta["kind"].tolist()


def test_upload_word2vec_text_and_binary(small, tmp_path):
    kv = keyed_vectors(small)
    for name, binary in (("v.txt", False), ("v.vec", False), ("v.bin", True)):
        path = tmp_path / name
        kv.save_word2vec_format(str(path), binary=binary)
        vectors, labels, meta = read_vectors_file(name, path.read_bytes())
        assert labels == WORDS and meta is None
        np.testing.assert_array_equal(vectors, small.vectors)


@pytest.mark.parametrize("name, data, error, message", [
    ("rows.csv", b"label,x,y\na,1,2\nb,1,2,3\n", BadFileError, r"rows\.csv could not be read as CSV"),
    ("words.csv", b"label,kind\na,x\nb,y\n", BadFileError, r"words\.csv could not be read as CSV: .*no numeric columns"),
    ("v.npy", b"\x93NUMPY garbage", BadFileError, r"v\.npy could not be read as NPY"),
    ("v.parquet", b"PAR1", BadFileError, r"unsupported file type \.parquet; use \.npy, \.csv, \.tsv"),
    ("noext", b"1 2 3", BadFileError, r"unsupported file type \(none\)"),
    ("empty.csv", b"", EmptyInputError, r"empty\.csv is empty"),
    ("cut.bin", b"2 3\nking " + struct.pack("<3f", 1, 2, 3) + b"queen \x00", BadFileError,
     "the file ends inside the vector of 'queen'"),
])
def test_bad_uploads(name, data, error, message):
    with pytest.raises(error, match=message):
        read_vectors_file(name, data)


def test_provenance_is_plain_json(small, tmp_path):
    small.save(tmp_path / "s")
    assert json.loads((tmp_path / "s" / "provenance.json").read_text()) == {"model": "test", "params": {"seed": 11}}

"""Bad input raises a WorkbenchError whose message says what was wrong and what to do.

Each case asserts the wording with ``pytest.raises(..., match=...)`` and the builtin the error also
derives from (``KeyError`` for unknown names, ``ValueError`` for bad values).
"""

from __future__ import annotations

import numpy as np
import pytest

from workbench.core import (BadFileError, DimensionMismatchError, Embeddings, EmptyInputError, InvalidParameterError,
                            NonFiniteError, NeighbourIndex, SizeLimitError, UnknownLabelError, UnknownNameError,
                            WorkbenchError, project)
from workbench.core.errors import closest
from workbench.loaders import load_dataset
from workbench.models import get_model


# ----------------------------------------------------------------------------- the hierarchy
@pytest.mark.parametrize("error, builtin", [
    (UnknownLabelError, KeyError), (UnknownNameError, KeyError), (DimensionMismatchError, ValueError),
    (NonFiniteError, ValueError), (EmptyInputError, ValueError), (SizeLimitError, ValueError),
    (InvalidParameterError, ValueError), (BadFileError, ValueError),
])
def test_every_error_is_a_workbench_error_and_a_builtin(error, builtin):
    assert issubclass(error, WorkbenchError) and issubclass(error, builtin)


def test_key_errors_print_their_message_not_its_repr():
    err = UnknownLabelError("kingg", ["king"])
    assert str(err) == "Unknown label 'kingg': it is not in these embeddings. Closest known: 'king'."
    assert err.label == "kingg" and err.suggestions == ["king"]
    assert str(WorkbenchError()) == ""


def test_plain_except_clauses_still_catch_them(animals):
    with pytest.raises(KeyError):
        animals["tiger"]
    with pytest.raises(ValueError):
        animals.neighbours("cat", k=0)


def test_closest_is_case_tolerant():
    assert closest("kingg", ["queen", "king", "kind", "ring"], n=1) == ["king"]
    assert "queen" not in closest("kingg", ["queen", "king", "kind", "ring"])
    assert closest("Paris", ["paris", "parish"]) == ["paris", "parish"]
    assert closest("zzz", ["king"]) == []


# ----------------------------------------------------------------------------- unknown labels and names
def test_unknown_label_suggests_close_labels(animals):
    with pytest.raises(UnknownLabelError, match=r"Unknown label 'kiten': it is not in these embeddings\. "
                                                r"Closest known: 'kitten'"):
        animals.neighbours("kiten")
    with pytest.raises(UnknownLabelError, match=r"Unknown label 'dgo'.*Closest known: 'dog'"):
        animals.similarity("cat", "dgo")
    with pytest.raises(UnknownLabelError, match=r"Unknown label 'tigr'"):
        animals.analogy(positive=["cat", "tigr"], negative=["dog"])
    with pytest.raises(UnknownLabelError, match=r"Unknown label 'puppi'.*'puppy'"):
        animals.subset(["cat", "puppi"])
    with pytest.raises(UnknownLabelError, match=r"Unknown label 'Cat'.*Closest known: 'cat'"):
        animals["Cat"]


def test_unknown_label_without_anything_close_says_so_plainly(animals):
    with pytest.raises(UnknownLabelError, match=r"^Unknown label 'xylophone': it is not in these embeddings\.$"):
        animals.position("xylophone")


@pytest.mark.slow
def test_unknown_word_in_glove_suggests_king(glove):
    with pytest.raises(UnknownLabelError, match=r"Unknown label 'kingg'.*Closest known: 'king'") as info:
        glove.neighbours("kingg")
    assert info.value.suggestions[0] == "king"


def test_unknown_model_and_dataset_list_valid_names_and_suggest_near_ones():
    with pytest.raises(UnknownNameError, match=r"Unknown model 'glove-6b-100d'\. Did you mean 'glove-6b-50d'\? "
                                               r"Valid models: .*'glove-6b-50d'"):
        get_model("glove-6b-100d")
    with pytest.raises(UnknownNameError, match=r"Unknown dataset 'glove-vocb'\. Did you mean 'glove-vocab'\? "
                                               r"Valid datasets: .*'analogy-words'"):
        load_dataset("glove-vocb")
    with pytest.raises(UnknownNameError, match=r"^Unknown model 'resnet'\. Valid models: "):
        get_model("resnet")


# ----------------------------------------------------------------------------- shapes and dimensions
def test_label_count_must_match_rows():
    with pytest.raises(DimensionMismatchError, match="Got 2 labels for 3 vectors: give one label per row."):
        Embeddings(np.eye(3), ["a", "b"])


def test_metadata_rows_must_match():
    import pandas as pd

    with pytest.raises(DimensionMismatchError, match="Metadata has 2 rows for 3 vectors"):
        Embeddings(np.eye(3), meta=pd.DataFrame({"x": [1, 2]}))


def test_vectors_must_be_a_2d_numeric_matrix():
    with pytest.raises(DimensionMismatchError, match=r"Vectors must be a 2-D array \(n, dim\); got shape \(3,\)"):
        Embeddings([1.0, 2.0, 3.0])
    with pytest.raises(DimensionMismatchError, match="Vectors must be numbers of one shape"):
        Embeddings([[1.0, 2.0], [3.0]])
    with pytest.raises(DimensionMismatchError, match="could not be read"):
        Embeddings([["a", "b"]])


def test_query_vector_dimension_must_match(animals):
    with pytest.raises(DimensionMismatchError, match=r"A query vector must have shape \(8,\) to match these "
                                                     r"embeddings; got \(3,\)"):
        animals.neighbours(np.ones(3))
    with pytest.raises(DimensionMismatchError, match=r"got \(2, 8\)"):
        animals.vector(np.ones((2, 8)))


def test_embedder_of_another_dimension_is_refused(animals):
    class Wide:
        name = "wide-model"

        def encode(self, items):
            return np.ones((len(items), 3))

    emb = Embeddings(animals.vectors, animals.labels, embedder=Wide())
    with pytest.raises(DimensionMismatchError, match=r"The model 'wide-model' makes 3-d vectors, but these embeddings "
                                                     r"are 8-d: queries must come from the model that made the "
                                                     r"vectors\."):
        emb.neighbours("some text")


def test_boolean_mask_length_must_match(animals):
    with pytest.raises(DimensionMismatchError, match=r"A boolean mask needs 7 entries, got \(3,\)"):
        animals.subset(np.array([True, False, True]))


def test_duplicate_labels_are_refused():
    with pytest.raises(InvalidParameterError, match=r"The 'labels' parameter of Embeddings must be unique\. "
                                                    r"Got \"1 repeated labels: 'a' \(2x\)\" instead\."):
        Embeddings(np.eye(3), ["a", "b", "a"])


# ----------------------------------------------------------------------------- NaN and infinity
def test_non_finite_vectors_say_how_many_and_which_rows():
    x = np.ones((6, 3))
    x[1, 0] = np.nan
    x[4, 2] = np.inf
    x[5, 1] = -np.inf
    with pytest.raises(NonFiniteError, match=r"^3 of 6 vectors contain NaN or infinite values \(rows 1, 4, 5\)\. "
                                             r"Drop or fix those rows first\.$"):
        Embeddings(x)


def test_many_non_finite_rows_are_abbreviated():
    x = np.full((10, 2), np.nan)
    with pytest.raises(NonFiniteError, match=r"10 of 10 vectors .* \(rows 0, 1, 2, 3, 4, \.\.\.\)"):
        Embeddings(x)


def test_non_finite_query_vector(animals):
    q = np.ones(8)
    q[3] = np.nan
    with pytest.raises(NonFiniteError, match="The query vector contains NaN or infinite values."):
        animals.neighbours(q)


# ----------------------------------------------------------------------------- empty input
@pytest.mark.parametrize("vectors", [np.empty((0, 4)), np.empty((3, 0)), [], [[]]], ids=["0xd", "nx0", "[]", "[[]]"])
def test_empty_vectors(vectors):
    with pytest.raises(EmptyInputError, match=r"Vectors are empty \(shape .*\): give at least one row and one "
                                              r"dimension\."):
        Embeddings(vectors)


@pytest.mark.parametrize("query", ["", "   "])
def test_empty_query_string(animals, query):
    with pytest.raises(EmptyInputError, match="The query is empty: type a label or some text."):
        animals.neighbours(query)


def test_empty_subset(animals):
    with pytest.raises(EmptyInputError, match="The subset is empty: select at least one row."):
        animals.subset([])
    with pytest.raises(EmptyInputError, match="The subset is empty"):
        animals.subset(np.zeros(len(animals), dtype=bool))


def test_empty_analogy_and_similarity(animals):
    with pytest.raises(EmptyInputError, match="An analogy needs at least one positive term."):
        animals.analogy(positive=[], negative=["cat"])
    with pytest.raises(EmptyInputError, match="similarity needs two items, or one list of items."):
        animals.similarity("cat")
    with pytest.raises(EmptyInputError, match="similarity got an empty list."):
        animals.similarity([], ["cat"])


# ----------------------------------------------------------------------------- size limits
def test_tsne_over_the_limit_says_how_to_override():
    big = Embeddings(np.random.default_rng(0).normal(size=(20_001, 2)))
    with pytest.raises(SizeLimitError, match=r"above the limit of 20,000.*pass max_points=None to run on all of "
                                             r"them\.") as info:
        project(big, "tsne", 2)
    assert "emb.sample(20000)" in str(info.value)


# ----------------------------------------------------------------------------- bad files
def test_truncated_word2vec_binary(tmp_path):
    path = tmp_path / "vectors.bin"
    path.write_bytes(b"2 3\nking " + np.ones(3, "<f4").tobytes() + b"queen " + np.ones(2, "<f4").tobytes())
    with pytest.raises(BadFileError, match=r"vectors\.bin is not a valid word2vec binary file: the file ends inside "
                                           r"the vector of 'queen'"):
        Embeddings.from_word2vec(path)


def test_word2vec_text_with_wrong_column_count(tmp_path):
    path = tmp_path / "vectors.txt"
    path.write_text("3 3\nking 1 2 3\nqueen 4 5\nman 7 8 9\n")
    with pytest.raises(BadFileError, match=r"vectors\.txt is not a valid word2vec text file: line 3 has 2 numbers, "
                                           r"expected 3"):
        Embeddings.from_word2vec(path)


def test_missing_file(tmp_path):
    with pytest.raises(BadFileError, match="No such file"):
        Embeddings.from_word2vec(tmp_path / "nothing.txt")
    with pytest.raises(BadFileError, match="is not a saved Embeddings folder: vectors.npy is missing"):
        Embeddings.load(tmp_path)


# ----------------------------------------------------------------------------- invalid parameters
@pytest.mark.parametrize("k", [0, -1, 2.5, "3", None])
def test_k_must_be_a_positive_integer(animals, k):
    with pytest.raises(InvalidParameterError, match=r"The 'k' parameter must be a positive integer\. Got .* instead\."):
        animals.neighbours("cat", k=k)
    with pytest.raises(InvalidParameterError, match="The 'k' parameter must be a positive integer"):
        animals.analogy(positive=["cat"], k=k)


def test_unknown_methods(animals):
    with pytest.raises(InvalidParameterError, match=r"The 'method' parameter of analogy must be one of "
                                                    r"\('3cosadd', '3cosmul'\)\. Got 'foo' instead\."):
        animals.analogy(positive=["cat"], method="foo")
    with pytest.raises(InvalidParameterError, match=r"The 'method' parameter of NeighbourIndex must be one of "
                                                    r"\('auto', 'exact', 'hnsw'\)\. Got 'foo' instead\."):
        animals.neighbours("cat", method="foo")
    with pytest.raises(InvalidParameterError, match="The 'method' parameter of NeighbourIndex"):
        NeighbourIndex("foo").fit(animals.unit_vectors)
    with pytest.raises(InvalidParameterError, match=r"The 'method' parameter of project must be one of "
                                                    r"\('pca', 'umap', 'tsne'\)\. Got 'foo' instead\."):
        project(animals, "foo")
    # a failed call leaves the embeddings usable
    assert animals.neighbours("cat", k=1)["label"].tolist() == ["kitten"]

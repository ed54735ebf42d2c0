"""The combined English corpus (parts, sizes, one tokenization) and reading your own text files."""

from __future__ import annotations

import pytest

from workbench.core.errors import BadFileError, EmptyInputError, UnknownNameError
from workbench.loaders import DATASETS, load_dataset
from workbench.loaders.corpora import ENGLISH_PARTS, english_text, read_text_corpus, tokenize

# tokens (gensim's simple_preprocess, min_len=1, max_len=30) and words seen 5 times or more, per part;
# the Wikipedia, Rotten Tomatoes, speeches and tweets numbers are those of ../shared/ASSETS.md
SIZES = {"bible": (31_103, 791_451, 5_289), "bbc": (12_860, 860_843, 10_604),
         "wikipedia": (19_712, 469_572, 9_044), "rotten-tomatoes": (13_891, 368_772, 7_306),
         "speeches": (4_268, 190_720, 2_764), "tweets": (38_158, 663_750, 7_199)}


def vocabulary_size(tokens, min_count=5):
    from workbench.models.cooccurrence import build_vocabulary

    return len(build_vocabulary(tokens, min_count)[0])


@pytest.mark.parametrize("part", ["speeches", "rotten-tomatoes", "tweets"])
def test_small_parts_have_the_sizes_of_the_catalogue(part):
    ds = english_text([part])
    tokens = tokenize(ds.items)
    assert (len(ds), sum(len(t) for t in tokens), vocabulary_size(tokens)) == SIZES[part]
    assert ds.frame["part"].eq(part).all() and ds.frame["label"].is_unique
    assert tokenize(ds.items) is tokens  # tokenized once, then cached


def test_parts_are_selectable_and_kept_in_catalogue_order():
    ds = english_text(["tweets", "speeches"])
    assert ds.name == "english-text (speeches, tweets)" and ds.modality == "text"
    assert ds.frame["part"].unique().tolist() == ["speeches", "tweets"]
    assert len(ds) == SIZES["speeches"][0] + SIZES["tweets"][0]
    assert english_text("speeches", limit=3).labels == ["speeches: convention 1 Barack Obama ¶1",
                                                        "speeches: convention 1 Barack Obama ¶2",
                                                        "speeches: convention 1 Barack Obama ¶3"]


def test_unknown_or_no_parts_are_refused():
    with pytest.raises(UnknownNameError, match="austen"):
        english_text(["bible", "austen"])
    with pytest.raises(EmptyInputError, match="No corpus part chosen"):
        english_text([])


def test_english_text_is_registered_with_its_packages():
    entry = DATASETS.get("english-text")
    assert entry.modality == "text" and "3,345,108 tokens" in entry.size
    assert load_dataset("english-text", limit=2).labels == ["bible: Genesis 1:1", "bible: Genesis 1:2"]


@pytest.mark.slow
def test_the_whole_corpus_has_3_3_million_tokens():
    ds = load_dataset("english-text")
    tokens = tokenize(ds.items)
    assert len(ds) == sum(s[0] for s in SIZES.values()) == 119_992
    assert sum(len(t) for t in tokens) == sum(s[1] for s in SIZES.values()) == 3_345_108
    assert vocabulary_size(tokens) == 25_850
    assert set(ds.frame["part"]) == set(ENGLISH_PARTS)
    for part in ("bbc", "wikipedia", "bible"):
        rows = ds.frame["part"] == part
        assert (rows.sum(), vocabulary_size([t for t, r in zip(tokens, rows) if r])) == (SIZES[part][0],
                                                                                       SIZES[part][2])


def test_a_text_file_is_a_corpus(tmp_path):
    path = tmp_path / "psalm.txt"
    path.write_text("The LORD is my shepherd;\n\nI shall not want.\n", encoding="utf-8")
    ds = read_text_corpus(path)
    assert ds.labels == ["psalm.txt line 1", "psalm.txt line 3"] and tokenize(ds.items)[1] == ["i", "shall", "not",
                                                                                            "want"]


def test_a_non_utf8_file_says_where_and_how_to_fix_it(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("café\nnaïve\n".encode("latin-1"))
    with pytest.raises(BadFileError, match=r"latin1.txt is not UTF-8 text: byte 3 \(line 1\) is 0xe9.*Save it as UTF-8"):
        read_text_corpus(path)


def test_an_empty_or_missing_file_is_refused(tmp_path):
    (tmp_path / "blank.txt").write_text("\n  \n", encoding="utf-8")
    with pytest.raises(EmptyInputError, match="blank.txt has no text"):
        read_text_corpus(tmp_path / "blank.txt")
    with pytest.raises(BadFileError, match="Cannot read the text file"):
        read_text_corpus(tmp_path / "missing.txt")

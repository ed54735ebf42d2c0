"""One comparison table across word models: analogies, word-pair similarity, training time, vocabulary.

For each model, the table reports, on the words that model knows:

- **questions-words** (Mikolov et al. 2013, gensim's ``questions-words.txt``, 19,544 questions in 14
  sections): accuracy overall and per section with :func:`~workbench.core.evaluation.analogy_accuracy`
  (3CosAdd, equal to gensim's ``evaluate_word_analogies``), and the *coverage*: the share of
  questions whose four words are all in the model's first ``restrict`` words. A small-corpus
  model answers fewer questions; its accuracy is over those it answers;
- **wordsim353** and **SimLex-999** Spearman correlations (and the share of pairs out of the
  vocabulary) with :func:`~workbench.core.evaluation.word_pair_correlation` (equal to gensim's
  ``evaluate_word_pairs``);
- **training time** (the last ``seconds`` of a trained model's history; empty for pretrained
  vectors) and **vocabulary** size.

Nothing is tuned to these files: they are read only to score.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .embeddings import Embeddings
from .errors import EmptyInputError, InvalidParameterError
from .evaluation import analogy_accuracy, read_analogy_questions, word_pair_correlation
from .packaged import gensim_test_file

__all__ = ["word_model_table", "as_word_embeddings", "BENCHMARK_FILES"]

#: the benchmark files bundled with gensim
BENCHMARK_FILES = {"questions-words": "questions-words.txt", "wordsim353": "wordsim353.tsv",
                   "simlex999": "simlex999.txt"}


def as_word_embeddings(model) -> Embeddings:
    """Word vectors of ``model`` as :class:`Embeddings`, most frequent word first.

    ``model`` is :class:`Embeddings` (returned as is), a fitted trained word model (anything with
    ``snapshot() -> (words, vectors)``, such as Word2Vec, FastText, GloVe or SWIVEL trained here)
    or a ``(words, vectors)`` pair.

    Examples
    --------
    >>> as_word_embeddings((["king", "queen"], np.eye(2))).labels
    ['king', 'queen']
    """
    if isinstance(model, Embeddings):
        return model
    if hasattr(model, "snapshot"):
        words, vectors = model.snapshot()
        return Embeddings(vectors, list(words), provenance={"model": getattr(model, "name", None) or
                                                           type(model).__name__})
    if isinstance(model, tuple) and len(model) == 2:
        return Embeddings(model[1], list(model[0]))
    raise InvalidParameterError("models", "Embeddings, a fitted word model or a (words, vectors) pair",
                                type(model).__name__, owner="word_model_table")


def _training_seconds(model) -> float:
    history = getattr(model, "history_", None)
    return float(history[-1]["seconds"]) if history else float("nan")


def word_model_table(models: dict, *, restrict: int | None = 30_000, sections: bool = True) -> pd.DataFrame:
    """Score every word model on the same benchmarks; one row per model.

    Parameters
    ----------
    models : dict of name -> model
        Each model as :func:`as_word_embeddings` accepts it.
    restrict : int or None, default=30000
        Only each model's first ``restrict`` words count as its vocabulary (gensim's
        ``restrict_vocab``; the pretrained GloVe has 400,000 words, most frequent first).
    sections : bool, default=True
        Add one ``qw: <section>`` accuracy column per questions-words section.

    Returns
    -------
    DataFrame
        Index ``model``; columns ``vocabulary``, ``train_seconds``, ``questions_words`` (accuracy),
        ``qw_correct``, ``qw_answered``, ``qw_coverage`` (share of the 19,544 questions answered),
        ``wordsim353``, ``wordsim353_oov`` (percent), ``simlex999``, ``simlex999_oov``, then the
        per-section accuracies. A model that answers nothing gets NaN, not an error.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> words = ["king", "queen", "man", "woman", "paris", "france", "berlin", "germany"]
    >>> table = word_model_table({"random": (words, rng.normal(size=(8, 4)))}, sections=False)
    >>> int(table.loc["random", "vocabulary"]), int(table.loc["random", "qw_answered"])
    (8, 4)
    """
    if not isinstance(models, dict) or not models:
        raise EmptyInputError("word_model_table needs a dict of one or more models: {'name': model, ...}.")
    questions = read_analogy_questions(gensim_test_file(BENCHMARK_FILES["questions-words"]))
    rows, section_rows = [], {}
    for name, model in models.items():
        emb = as_word_embeddings(model)
        row = {"model": str(name), "vocabulary": len(emb), "train_seconds": _training_seconds(model)}
        try:
            result = analogy_accuracy(emb, questions, restrict=restrict)
            row.update(questions_words=result.accuracy, qw_correct=result.correct, qw_answered=result.total)
            section_rows[name] = dict(zip(result.sections["section"], result.sections["accuracy"]))
        except EmptyInputError:
            row.update(questions_words=np.nan, qw_correct=0, qw_answered=0)
        row["qw_coverage"] = row["qw_answered"] / len(questions)
        for key in ("wordsim353", "simlex999"):
            try:
                pairs = word_pair_correlation(emb, gensim_test_file(BENCHMARK_FILES[key]), restrict=restrict)
                row[key], row[f"{key}_oov"] = pairs.spearman, pairs.oov_ratio
            except EmptyInputError:
                row[key], row[f"{key}_oov"] = np.nan, 100.0
        rows.append(row)
    table = pd.DataFrame(rows).set_index("model")
    if sections:
        order = list(dict.fromkeys(questions["section"]))
        per = pd.DataFrame([{f"qw: {s}": section_rows.get(name, {}).get(s, np.nan) for s in order}
                            for name in models], index=table.index)
        table = pd.concat([table, per], axis=1)
    return table

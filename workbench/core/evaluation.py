"""Standard checks of an embedding: analogies, word-pair similarity, retrieval, k-NN classification.

``analogy_accuracy`` and ``word_pair_correlation`` reproduce gensim's ``evaluate_word_analogies``
and ``evaluate_word_pairs`` (same vocabulary restriction, case folding and skipping rules), batched
as matrix products so they run in seconds instead of minutes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .embeddings import ANALOGY_METHODS, analogy_scores
from .errors import EmptyInputError, InvalidParameterError, UnknownNameError
from .index import normalize_rows

__all__ = ["AnalogyResult", "WordPairResult", "analogy_accuracy", "word_pair_correlation",
           "read_analogy_questions", "recall_at_k", "mean_reciprocal_rank", "ndcg_at_k", "knn_accuracy"]


@dataclass(frozen=True)
class AnalogyResult:
    accuracy: float
    correct: int
    total: int
    skipped: int
    sections: pd.DataFrame  # section, correct, total, accuracy
    questions: pd.DataFrame  # section, a, b, c, expected, predicted, correct

    def __repr__(self) -> str:
        return f"AnalogyResult(accuracy={self.accuracy:.4f}, {self.correct}/{self.total}, skipped={self.skipped})"


@dataclass(frozen=True)
class WordPairResult:
    spearman: float
    pearson: float
    oov_ratio: float  # percent, as gensim
    pairs: pd.DataFrame  # a, b, human, model

    def __repr__(self) -> str:
        return f"WordPairResult(spearman={self.spearman:.4f}, pearson={self.pearson:.4f}, oov={self.oov_ratio:.1f}%)"


def _lines(source) -> Iterable[str]:
    if isinstance(source, (str, Path)) and Path(source).is_file():
        with open(source, encoding="utf-8") as f:
            yield from f
    else:
        yield from source


def read_analogy_questions(source) -> pd.DataFrame:
    """A questions-words file (``: section`` headers, then ``a b c expected`` lines) as a DataFrame."""
    rows, section = [], None
    for line in _lines(source):
        if line.startswith(": "):
            section = line[2:].strip()
            continue
        words = line.split()
        if len(words) == 4:
            rows.append((section, *words))
    return pd.DataFrame(rows, columns=["section", "a", "b", "c", "expected"])


def _vocabulary(embeddings, restrict: int | None, case_insensitive: bool) -> dict[str, int]:
    keys = embeddings.labels[:restrict]
    fold = str.upper if case_insensitive else (lambda s: s)
    # reversed: with case variants, the first (most frequent) one wins, as in gensim
    return {fold(k): i for i, k in reversed(list(enumerate(keys)))}


def analogy_accuracy(embeddings, questions, *, restrict: int | None = 300_000, case_insensitive: bool = True,
                     method: str = "3cosadd", batch: int = 512) -> AnalogyResult:
    """Share of analogy questions ``a : b :: c : expected`` answered right.

    Only the first ``restrict`` rows count as vocabulary (for frequency-ordered vectors: the
    commonest words); questions with a word outside it are skipped. The answer is the best-scoring
    word other than ``a``, ``b``, ``c`` (gensim keeps the top 5 and takes the first that is not an
    input). Matches gensim's ``evaluate_word_analogies`` for ``method="3cosadd"``.

    ``questions`` is a path, an iterable of lines, or a DataFrame from :func:`read_analogy_questions`.
    """
    if method not in ANALOGY_METHODS:
        raise InvalidParameterError("method", f"one of {ANALOGY_METHODS}", method, owner="analogy_accuracy")
    frame = questions if isinstance(questions, pd.DataFrame) else read_analogy_questions(questions)
    if frame.empty:
        raise EmptyInputError("No analogy questions found: expected lines 'a b c expected' under ': section' headers.")
    vocab = _vocabulary(embeddings, restrict, case_insensitive)
    fold = (lambda s: s.upper()) if case_insensitive else (lambda s: s)
    words = frame[["a", "b", "c", "expected"]].map(fold)
    known = words.isin(vocab.keys()).all(axis=1).to_numpy()
    asked, words = frame[known].reset_index(drop=True), words[known].reset_index(drop=True)
    ids = words.map(vocab.__getitem__).to_numpy(np.int64)
    unit = embeddings.unit_vectors[: len(embeddings) if restrict is None else restrict]
    labels = np.array([fold(k) for k in embeddings.labels[: len(unit)]], dtype=object)
    predicted = np.empty(len(ids), dtype=object)
    for start in range(0, len(ids), batch):
        part = ids[start:start + batch]
        if method == "3cosadd":
            target = normalize_rows(unit[part[:, 1]] + unit[part[:, 2]] - unit[part[:, 0]])
            scores = target @ unit.T
        else:
            scores = np.stack([analogy_scores(unit, unit[[b, c]], unit[[a]], method) for a, b, c, _ in part])
        rows = np.arange(len(part))[:, None]
        scores[rows, part[:, :3]] = -np.inf
        top = np.argpartition(-scores, 4, axis=1)[:, :5]
        top = np.take_along_axis(top, np.argsort(-np.take_along_axis(scores, top, 1), axis=1, kind="stable"), 1)
        for row, (q, candidates) in enumerate(zip(words.iloc[start:start + batch].to_numpy(), top)):
            inputs = set(q[:3])
            names = labels[candidates]
            predicted[start + row] = next((w for w in names if w not in inputs), names[-1])
    asked = asked.assign(predicted=predicted, correct=predicted == words["expected"].to_numpy())
    sections = (asked.groupby("section", sort=False, dropna=False)["correct"].agg(["sum", "count"])
                .rename(columns={"sum": "correct", "count": "total"}).reset_index())
    sections["accuracy"] = sections["correct"] / sections["total"]
    correct, total = int(asked["correct"].sum()), len(asked)
    return AnalogyResult(correct / total if total else float("nan"), correct, total, int((~known).sum()),
                         sections, asked)


def word_pair_correlation(embeddings, pairs, *, restrict: int | None = 300_000, case_insensitive: bool = True,
                          delimiter: str = "\t") -> WordPairResult:
    """Spearman and Pearson correlation between human similarity judgements and cosines.

    ``pairs`` is a path or lines of ``word1<TAB>word2<TAB>score`` (``#`` starts a comment), such as
    wordsim353 or SimLex-999. Pairs with a word outside the first ``restrict`` rows are skipped and
    counted in ``oov_ratio``. Matches gensim's ``evaluate_word_pairs``.
    """
    from scipy import stats

    vocab = _vocabulary(embeddings, restrict, case_insensitive)
    fold = str.upper if case_insensitive else (lambda s: s)
    rows, oov = [], 0
    for line in _lines(pairs):
        if not line or line.startswith("#"):
            continue
        try:
            a, b, human = line.split(delimiter)
            human = float(human)
        except ValueError:
            continue
        a, b = fold(a), fold(b)
        if a not in vocab or b not in vocab:
            oov += 1
            continue
        rows.append((a, b, human, vocab[a], vocab[b]))
    if len(rows) < 2:  # a correlation needs two pairs
        raise EmptyInputError(f"{'No word pairs' if not rows else 'Only one word pair'} with both words in the "
                              "vocabulary: a correlation needs at least two.")
    frame = pd.DataFrame(rows, columns=["a", "b", "human", "ia", "ib"])
    unit = embeddings.unit_vectors
    frame["model"] = np.einsum("ij,ij->i", unit[frame["ia"]], unit[frame["ib"]]).astype(np.float64)
    spearman = stats.spearmanr(frame["human"], frame["model"]).statistic
    pearson = stats.pearsonr(frame["human"], frame["model"]).statistic
    return WordPairResult(float(spearman), float(pearson), 100.0 * oov / (len(frame) + oov),
                          frame.drop(columns=["ia", "ib"]))


# ------------------------------------------------------------------ retrieval metrics
def _check_runs(ranked: Sequence[Sequence], relevant: Sequence) -> None:
    if len(ranked) != len(relevant):
        raise InvalidParameterError("relevant", f"one set per query ({len(ranked)} queries)",
                                    f"{len(relevant)} sets")
    if not len(ranked):
        raise EmptyInputError("No queries to score.")


def recall_at_k(ranked: Sequence[Sequence], relevant: Sequence[Iterable], k: int = 10) -> float:
    """Mean over queries of |relevant in the top k| / |relevant| (queries without relevant items skipped).

    >>> recall_at_k([["a", "b", "c"]], [{"b", "z"}], k=2)
    0.5
    """
    _check_runs(ranked, relevant)
    scores = [len(set(r[:k]) & set(rel)) / len(set(rel)) for r, rel in zip(ranked, relevant) if len(set(rel))]
    return float(np.mean(scores)) if scores else float("nan")


def mean_reciprocal_rank(ranked: Sequence[Sequence], relevant: Sequence[Iterable], k: int | None = None) -> float:
    """Mean over queries of 1 / rank of the first relevant item (0 when none in the top k).

    >>> mean_reciprocal_rank([["a", "b"], ["c", "d"]], [{"b"}, {"c"}])
    0.75
    """
    _check_runs(ranked, relevant)
    out = []
    for r, rel in zip(ranked, relevant):
        rel = set(rel)
        hit = next((i for i, item in enumerate(r[:k]) if item in rel), None)
        out.append(0.0 if hit is None else 1.0 / (hit + 1))
    return float(np.mean(out))


def ndcg_at_k(ranked: Sequence[Sequence], relevant: Sequence, k: int = 10) -> float:
    """Mean normalised discounted cumulative gain at ``k``.

    ``relevant`` holds, per query, a set of relevant items (gain 1) or a dict item -> graded gain.
    DCG = sum gain_i / log2(i + 1) over ranks i = 1..k; divided by the best possible DCG.
    """
    _check_runs(ranked, relevant)
    out = []
    for r, rel in zip(ranked, relevant):
        gains = rel if isinstance(rel, dict) else {item: 1.0 for item in rel}
        if not gains:
            continue
        discounts = 1.0 / np.log2(np.arange(2, k + 2))
        dcg = sum(gains.get(item, 0.0) * d for item, d in zip(r[:k], discounts))
        ideal = sum(g * d for g, d in zip(sorted(gains.values(), reverse=True)[:k], discounts))
        out.append(dcg / ideal if ideal > 0 else 0.0)
    return float(np.mean(out)) if out else float("nan")


def knn_accuracy(embeddings, column: str, *, k: int = 5, folds: int = 5, random_state: int = 0) -> float:
    """Cross-validated accuracy of a cosine k-nearest-neighbour classifier predicting ``column``.

    A quick measure of how well the space separates known classes (stratified ``folds``-fold).
    """
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.neighbors import KNeighborsClassifier

    meta = embeddings.meta
    if column not in meta:
        raise UnknownNameError("column", column, [str(c) for c in meta.columns])
    y = meta[column].astype(str).to_numpy()
    smallest = pd.Series(y).value_counts().min()
    folds = int(min(folds, smallest))
    if folds < 2:
        raise EmptyInputError(f"Column {column!r} needs at least 2 rows in every class for cross-validation.")
    clf = KNeighborsClassifier(n_neighbors=k, metric="cosine")
    cv = StratifiedKFold(folds, shuffle=True, random_state=random_state)
    return float(cross_val_score(clf, embeddings.vectors, y, cv=cv).mean())

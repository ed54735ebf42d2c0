"""Evaluation: analogy accuracy and word-pair correlation (against gensim), retrieval metrics, k-NN accuracy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from workbench.core import (Embeddings, analogy_accuracy, knn_accuracy, mean_reciprocal_rank, ndcg_at_k,
                            recall_at_k, word_pair_correlation)
from workbench.core.errors import EmptyInputError, InvalidParameterError, UnknownNameError
from workbench.core.evaluation import read_analogy_questions


def keyed_vectors(emb: Embeddings):
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vector_size=emb.dim)
    kv.add_vectors(emb.labels, np.array(emb.vectors))
    return kv


@pytest.fixture
def geography(tmp_path):
    """Countries, capitals (= country + R + noise) and adjectives (= country + A + noise): some analogies
    come out right, some wrong. Returns (embeddings, questions file, pairs file)."""
    rng = np.random.default_rng(7)
    n, d = 25, 20
    country = rng.normal(size=(n, d))
    capital_of, adjective_of = rng.normal(size=d) * 1.5, rng.normal(size=d) * 1.5
    capital = country + capital_of + rng.normal(scale=0.9, size=(n, d))
    adjective = country + adjective_of + rng.normal(scale=0.9, size=(n, d))
    labels = [f"country{i}" for i in range(n)] + [f"capital{i}" for i in range(n)] + [f"adj{i}" for i in range(n)]
    labels[0] = "Country0"  # a case variant: case folding must still find it
    # Later case variants of words in the questions, pointing elsewhere: as in gensim, the first one wins.
    decoys = rng.normal(size=(2, d))
    labels += ["COUNTRY2", "Capital3"]
    emb = Embeddings(np.vstack([country, capital, adjective, decoys]), labels)
    lines = [": capitals"]
    for i in range(0, n - 1):
        for j in (i + 1, (i + 7) % n):
            lines.append(f"country{i} capital{i} country{j} capital{j}")
    lines.append("country1 capital1 atlantis atlantis-city")  # out of vocabulary: skipped
    lines.append(": adjectives")
    for i in range(0, n - 1):
        lines.append(f"country{i} adj{i} country{i + 1} adj{i + 1}")
    questions = tmp_path / "questions.txt"
    questions.write_text("\n".join(lines) + "\n")
    pair_lines = ["# word1\tword2\tscore"]
    for i in range(n):
        pair_lines.append(f"country{i}\tcapital{i}\t{rng.uniform(0, 10):.2f}")
        pair_lines.append(f"capital{i}\tadj{(i * 3) % n}\t{rng.uniform(0, 10):.2f}")
    pair_lines += ["atlantis\tcountry3\t5.0", "not a valid line"]
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("\n".join(pair_lines) + "\n")
    return emb, questions, pairs


# ----------------------------------------------------------------------------- analogy accuracy
def test_analogy_accuracy_equals_gensim_on_tiny_vectors(geography):
    emb, questions, _ = geography
    ours = analogy_accuracy(emb, questions)
    score, sections = keyed_vectors(emb).evaluate_word_analogies(str(questions))
    total = sections[-1]
    assert 0.2 < ours.accuracy < 0.95  # a mix of right and wrong answers: the comparison means something
    assert ours.correct == len(total["correct"])
    assert ours.total == len(total["correct"]) + len(total["incorrect"])
    assert ours.accuracy == pytest.approx(score)
    assert ours.skipped == 1
    theirs = {s["section"]: (len(s["correct"]), len(s["correct"]) + len(s["incorrect"])) for s in sections[:-1]}
    assert {r.section: (r.correct, r.total) for r in ours.sections.itertuples()} == theirs
    # the same questions are right, one by one
    right = {tuple(q) for q in total["correct"]}
    ours_right = {tuple(w.upper() for w in row) for row in
                  ours.questions.loc[ours.questions["correct"], ["a", "b", "c", "expected"]].to_numpy()}
    assert ours_right == right


def test_analogy_accuracy_reports_predictions(geography):
    emb, questions, _ = geography
    result = analogy_accuracy(emb, questions)
    q = result.questions
    assert q.columns.tolist() == ["section", "a", "b", "c", "expected", "predicted", "correct"]
    assert len(q) == result.total == 72
    assert (q["correct"] == (q["predicted"] == q["expected"].str.upper())).all()
    # a prediction is never one of the question's own words
    inputs = q[["a", "b", "c"]].apply(lambda column: column.str.upper()).to_numpy()
    assert not (q["predicted"].to_numpy()[:, None] == inputs).any()
    sections = result.sections.set_index("section")
    assert sections.loc["capitals", "total"] == 48 and sections.loc["adjectives", "total"] == 24
    np.testing.assert_allclose(sections["accuracy"], sections["correct"] / sections["total"])
    assert repr(result).startswith("AnalogyResult(accuracy=")


def test_restrict_and_case_sensitivity(geography):
    emb, questions, _ = geography
    # Only the first 50 rows (countries and capitals) count: the adjective section disappears.
    restricted = analogy_accuracy(emb, questions, restrict=50)
    assert restricted.sections["section"].tolist() == ["capitals"]
    assert restricted.skipped == 25
    # Case-sensitive: "country0" is not a label (only "Country0" is), so its 4 questions are skipped too.
    sensitive = analogy_accuracy(emb, questions, case_insensitive=False)
    assert sensitive.skipped == 1 + 4


def test_questions_as_lines_or_frame(geography):
    emb, questions, _ = geography
    from_path = analogy_accuracy(emb, questions)
    lines = questions.read_text().splitlines(keepends=True)
    assert analogy_accuracy(emb, lines).correct == from_path.correct
    frame = read_analogy_questions(questions)
    assert frame.columns.tolist() == ["section", "a", "b", "c", "expected"] and len(frame) == 73
    assert analogy_accuracy(emb, frame).correct == from_path.correct


def test_questions_without_a_section_header_still_add_up(geography):
    emb, questions, _ = geography
    lines = [line for line in questions.read_text().splitlines() if not line.startswith(":")]
    result = analogy_accuracy(emb, lines)
    assert result.total == 72
    assert result.sections["total"].sum() == result.total
    assert result.sections["correct"].sum() == result.correct


def test_3cosmul_accuracy_agrees_with_gensim_most_similar_cosmul(geography):
    emb, questions, _ = geography
    result = analogy_accuracy(emb, questions, method="3cosmul")
    kv = keyed_vectors(emb)
    label = {w.upper(): w for w in reversed(emb.labels)}  # the first case variant wins
    for row in result.questions.itertuples():
        inputs = {row.a.upper(), row.b.upper(), row.c.upper()}
        ranked = kv.most_similar_cosmul(positive=[label[row.b.upper()], label[row.c.upper()]],
                                        negative=[label[row.a.upper()]], topn=5)
        expected = next(w.upper() for w, _ in ranked if w.upper() not in inputs)
        assert row.predicted == expected
    assert 0 < result.correct < result.total


def test_analogy_accuracy_bad_input(geography):
    emb, questions, _ = geography
    with pytest.raises(InvalidParameterError, match="The 'method' parameter of analogy_accuracy must be one of"):
        analogy_accuracy(emb, questions, method="3cosavg")
    with pytest.raises(EmptyInputError, match="No analogy questions found"):
        analogy_accuracy(emb, [": empty section\n", "only three words\n"])


# ----------------------------------------------------------------------------- word pairs
def test_word_pair_correlation_equals_gensim_on_tiny_vectors(geography):
    emb, _, pairs = geography
    ours = word_pair_correlation(emb, pairs)
    pearson, spearman, oov = keyed_vectors(emb).evaluate_word_pairs(str(pairs))
    assert ours.spearman == pytest.approx(spearman.statistic, abs=1e-6)
    assert ours.pearson == pytest.approx(pearson.statistic, abs=1e-6)
    assert ours.oov_ratio == pytest.approx(oov, abs=1e-6)
    assert ours.oov_ratio == pytest.approx(100 / 51)
    assert len(ours.pairs) == 50


def test_word_pair_correlation_by_hand(animals, tmp_path):
    lines = ["cat\tkitten\t9.5", "cat\tcar\t1.0", "dog\tpuppy\t9.0", "CAR\ttruck\t8.0", "bus\tdog\t0.5",
             "cat\ttiger\t7"]
    result = word_pair_correlation(animals, lines)
    model = [animals.similarity(a.lower(), b.lower()) for a, b, _ in (line.split("\t") for line in lines[:5])]
    human = [9.5, 1.0, 9.0, 8.0, 0.5]
    assert result.spearman == pytest.approx(stats.spearmanr(human, model).statistic)
    assert result.pearson == pytest.approx(stats.pearsonr(human, model).statistic)
    assert result.oov_ratio == pytest.approx(100 / 6)
    assert result.pairs.columns.tolist() == ["a", "b", "human", "model"]
    np.testing.assert_allclose(result.pairs["model"], model, atol=1e-6)
    with pytest.raises(EmptyInputError, match="No word pairs with both words in the vocabulary"):
        word_pair_correlation(animals, ["lion\ttiger\t9"])


# ----------------------------------------------------------------------------- retrieval metrics
def test_recall_at_k():
    ranked = [["a", "b", "c", "d"], ["x", "y", "z", "w"], ["p"]]
    relevant = [{"b", "d"}, {"q"}, set()]  # the third query has nothing relevant: skipped
    assert recall_at_k(ranked, relevant, k=2) == pytest.approx((0.5 + 0.0) / 2)
    assert recall_at_k(ranked, relevant, k=4) == pytest.approx((1.0 + 0.0) / 2)
    assert np.isnan(recall_at_k([["a"]], [set()]))


def test_mean_reciprocal_rank():
    ranked = [["a", "b", "c"], ["x", "y", "z"], ["m", "n"]]
    relevant = [{"c"}, {"x", "z"}, {"q"}]
    assert mean_reciprocal_rank(ranked, relevant) == pytest.approx((1 / 3 + 1 + 0) / 3)
    assert mean_reciprocal_rank(ranked, relevant, k=2) == pytest.approx((0 + 1 + 0) / 3)


def test_ndcg_at_k():
    ranked = [["a", "b", "c"]]
    # binary gains: relevant b (rank 2) and c (rank 3); ideal puts them at ranks 1 and 2
    dcg = 1 / np.log2(3) + 1 / np.log2(4)
    ideal = 1 / np.log2(2) + 1 / np.log2(3)
    assert ndcg_at_k(ranked, [{"b", "c"}], k=3) == pytest.approx(dcg / ideal)
    # graded gains
    gains = {"a": 1.0, "c": 3.0}
    dcg = 1.0 / np.log2(2) + 3.0 / np.log2(4)
    ideal = 3.0 / np.log2(2) + 1.0 / np.log2(3)
    assert ndcg_at_k(ranked, [gains], k=3) == pytest.approx(dcg / ideal)
    assert ndcg_at_k([["a", "b"]], [{"a", "b"}], k=2) == pytest.approx(1.0)
    assert ndcg_at_k([["a"], ["z"]], [{"a"}, {"y"}], k=1) == pytest.approx(0.5)


def test_retrieval_metrics_check_their_inputs():
    with pytest.raises(InvalidParameterError, match=r"The 'relevant' parameter must be one set per query "
                                                    r"\(2 queries\)\. Got '1 sets' instead\."):
        recall_at_k([["a"], ["b"]], [{"a"}])
    with pytest.raises(EmptyInputError, match="No queries to score"):
        mean_reciprocal_rank([], [])
    with pytest.raises(EmptyInputError, match="No queries to score"):
        ndcg_at_k([], [])


# ----------------------------------------------------------------------------- k-NN accuracy
def test_knn_accuracy_separates_planted_clusters(clusters):
    assert knn_accuracy(clusters, "cluster") == pytest.approx(1.0)
    shuffled = clusters.meta.assign(cluster=np.random.default_rng(0).permutation(clusters.meta["cluster"]))
    noise = Embeddings(clusters.vectors, clusters.labels, meta=shuffled)
    assert knn_accuracy(noise, "cluster") < 0.5


def test_knn_accuracy_bad_column(clusters):
    with pytest.raises(UnknownNameError, match=r"Unknown column 'clusterr'\. Did you mean 'cluster'\?"):
        knn_accuracy(clusters, "clusterr")
    lonely = Embeddings(clusters.vectors[:5], clusters.labels[:5],
                        meta=pd.DataFrame({"group": ["a", "a", "a", "a", "b"]}))
    with pytest.raises(EmptyInputError, match="needs at least 2 rows in every class"):
        knn_accuracy(lonely, "group")


# ----------------------------------------------------------------------------- GloVe vs gensim (slow)
@pytest.fixture(scope="module")
def questions_path():
    from workbench.loaders.words import gensim_test_file

    return gensim_test_file("questions-words.txt")


@pytest.mark.slow
def test_glove_analogy_accuracy_equals_gensim(glove, glove_kv, questions_path):
    ours = analogy_accuracy(glove, questions_path, restrict=30_000)
    score, sections = glove_kv.evaluate_word_analogies(questions_path, restrict_vocab=30_000)
    total = sections[-1]
    assert (ours.correct, ours.total) == (len(total["correct"]), len(total["correct"]) + len(total["incorrect"]))
    assert (ours.correct, ours.total) == (7393, 14877)  # ASSETS.md
    assert ours.accuracy == pytest.approx(score, abs=1e-12)
    assert round(ours.accuracy, 4) == 0.4969
    theirs = {s["section"]: (len(s["correct"]), len(s["correct"]) + len(s["incorrect"])) for s in sections[:-1]}
    assert {r.section: (r.correct, r.total) for r in ours.sections.itertuples()} == theirs
    semantic = ours.sections[~ours.sections["section"].str.startswith("gram")]
    assert round(semantic["correct"].sum() / semantic["total"].sum(), 4) == 0.5087


@pytest.mark.slow
@pytest.mark.parametrize("name, spearman, pearson, oov", [("wordsim353.tsv", 0.5033, 0.5066, 0.0),
                                                          ("simlex999.txt", 0.2631, 0.2923, 0.1)])
def test_glove_word_pairs_equal_gensim(glove, glove_kv, name, spearman, pearson, oov):
    from workbench.loaders.words import gensim_test_file

    path = gensim_test_file(name)
    ours = word_pair_correlation(glove, path)
    their_pearson, their_spearman, their_oov = glove_kv.evaluate_word_pairs(path)
    assert ours.spearman == pytest.approx(their_spearman.statistic, abs=1e-6)
    assert ours.pearson == pytest.approx(their_pearson.statistic, abs=1e-6)
    assert ours.oov_ratio == pytest.approx(their_oov, abs=1e-6)
    assert (round(ours.spearman, 4), round(ours.pearson, 4), round(ours.oov_ratio, 1)) == (spearman, pearson, oov)


@pytest.mark.slow
def test_glove_3cosmul_accuracy_agrees_with_gensim_on_a_sample(glove30k, glove30k_kv, questions_path):
    frame = read_analogy_questions(questions_path)
    sample = frame.groupby("section").head(15).reset_index(drop=True)
    result = analogy_accuracy(glove30k, sample, method="3cosmul", restrict=None)
    assert result.total > 150
    for row in result.questions.itertuples():
        inputs = {row.a.upper(), row.b.upper(), row.c.upper()}
        ranked = glove30k_kv.most_similar_cosmul(positive=[row.b.lower(), row.c.lower()],
                                                 negative=[row.a.lower()], topn=5)
        assert row.predicted == next(w.upper() for w, _ in ranked if w.upper() not in inputs)

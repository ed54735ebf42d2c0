"""Messages where the person looks, one consistent state, and the small things.

* Each panel shows its own last message under its input (``MessageLine``); the status line keeps
  a short history, newest first.
* A failed query greys the previous answer and takes its highlights off the map.
* New data resets selection, highlights, query, arrows, tables and heatmap together; a result of
  work started on the old data is dropped.
* "King" is left out of its own neighbours when "king" is a label (gensim's rule: the word asked
  about is not its own answer), checked against gensim on real GloVe.
* The neighbours panel says it searches the points on the map, and can search GloVe's 400,000 words.
* An uploaded table lets the person pick the label column and a class column; the map colours by it.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from plotly.callbacks import Points

import workbench as wb
from workbench import figures
from workbench.core._queries import casefold_row
from workbench.core.errors import UnknownLabelError
from workbench.ui import AnalogyPanel, NeighboursPanel, ProjectionPanel, SimilarityPanel, SourcePanel, State
from workbench.ui.source import ROW_NUMBERS
from workbench.ui.state import MAX_HISTORY
from workbench.ui.status import MessageLine, StatusPanel


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "cache"))


# Planted structure: three tight groups of four, labelled by group; a second set B shares no label.
CENTRES = np.eye(3) * 10
A_LABELS = [f"{g}{i}" for g in ("cat", "car", "sun") for i in range(4)]
B_LABELS = [f"b{i}" for i in range(9)]


def planted(labels, seed=0):
    rng = np.random.default_rng(seed)
    groups = np.repeat(np.arange(len(labels) // 4 + 1), 4)[:len(labels)]
    return CENTRES[groups % 3] + rng.normal(scale=0.3, size=(len(labels), 3))


class Bench:
    """Every panel of the app on one headless State (no training: it has nothing to do here)."""

    def __init__(self, background=False):
        self.state = State(background=background)
        self.source = SourcePanel(self.state)
        self.projection = ProjectionPanel(self.state, method="pca")
        self.neighbours = NeighboursPanel(self.state)
        self.analogy = AnalogyPanel(self.state, a="cat0", b="cat1", c="car0")
        self.similarity = SimilarityPanel(self.state, text="cat0 cat1\ncat0 car0")
        self.status = StatusPanel(self.state)

    def select(self, rows):
        """A lasso around ``rows`` (plotly's selection callback, as the browser sends it)."""
        trace = next(t for t in self.projection.figure.data if figures.role(t) == figures.ROLE_POINTS)
        ids = list(trace.customdata)
        self.projection._on_selection(trace, Points(point_inds=[ids.index(r) for r in rows]), None)


def classes(widget) -> list[str]:
    return list(widget._dom_classes)


@pytest.fixture
def bench():
    b = Bench()
    assert b.source.use(wb.Embeddings(planted(A_LABELS), A_LABELS), name="A")
    return b


# ------------------------------------------------------------------------------ messages beside the input
def test_an_error_shows_on_the_panel_that_caused_it_and_in_the_status(bench):
    b = bench
    b.neighbours.query.value = "cat9"
    line = b.neighbours.message
    assert line.level == "error" and "Unknown label 'cat9'" in line.text
    assert "wb-panel-message-error" in line.value and "cat9" in line.value
    assert b.state.status_level == "error" and "Unknown label 'cat9'" in b.state.status  # still there
    assert b.analogy.message.value == "" and b.similarity.message.value == ""  # only the panel that failed
    b.neighbours.query.value = "cat1"
    assert line.level == "success" and "nearest is" in line.text


def test_each_panel_keeps_its_own_line(bench):
    b = bench
    b.analogy.a.value = "nope"
    b.analogy.run()
    b.similarity.items.value = "cat0 car0"
    b.similarity.run()
    assert b.analogy.message.level == "error" and "Unknown label 'nope'" in b.analogy.message.text
    assert b.similarity.message.level == "success" and "Cosine similarity of 1 pairs" in b.similarity.message.text
    assert b.source.message.level == "success" and "Loaded A" in b.source.message.text
    b.analogy.a.value = ""
    b.analogy.run()
    assert "Fill in all three words" in b.analogy.message.text and b.state.status_level == "error"


def test_the_status_keeps_a_short_history_newest_first():
    state = State(background=False)
    panel = StatusPanel(state)
    for i in range(MAX_HISTORY + 2):
        state.report(f"message {i}", "error" if i == 3 else "info")
    texts = [m["text"] for m in state.history]
    assert texts == [f"message {i}" for i in range(MAX_HISTORY + 1, 1, -1)]  # the last five, newest first
    assert all(len(m["time"]) == 8 for m in state.history)  # HH:MM:SS
    assert state.status == "message 6" and state.status_level == "info"  # status and status_level as before
    earlier = panel.history.value
    assert "<details" in earlier and "earlier messages (4)" in earlier  # folded; the newest is the status line
    assert earlier.index("message 5") < earlier.index("message 2") and "message 6" not in earlier
    state.report("message 6", "info")  # said again: one entry, not two
    assert [m["text"] for m in state.history].count("message 6") == 1
    state.report("", "info")  # clearing the line adds nothing
    assert len(state.history) == MAX_HISTORY


def test_a_warning_during_an_action_joins_its_message_in_one_entry():
    state = State(background=False)
    with state.guard("loading", where="source"):
        import warnings

        state.report("Loaded.", "success")
        warnings.warn("2 of 5 vectors are all zeros")
    assert [m["text"] for m in state.history] == ["Loaded. 2 of 5 vectors are all zeros"]
    assert state.panel_messages["source"]["text"] == "Loaded. 2 of 5 vectors are all zeros"


def test_a_message_line_is_html_safe():
    state = State(background=False)
    line = MessageLine(state, "neighbours")
    state.report("<img src=x onerror=alert(1)>", "error", where="neighbours")
    assert "<img" not in line.value and "&lt;img" in line.value


# ------------------------------------------------------------------------------ a failed query greys the old answer
def test_a_failed_query_greys_the_previous_answer_and_clears_its_highlight(bench):
    b = bench
    b.neighbours.query.value = "cat0"
    table = b.neighbours.result.value
    assert b.state.highlight and b.state.query_rows == [0] and "wb-stale" not in classes(b.neighbours.result)
    b.neighbours.query.value = "cat9"
    assert b.neighbours.stale and "wb-stale" in classes(b.neighbours.result)
    assert "the answer to &#x27;cat0&#x27;" in b.neighbours.stale_note.value
    assert b.neighbours.result.value == table and b.neighbours.answered == "cat0"  # kept, greyed
    assert b.state.highlight == [] and b.state.query_rows == [] and b.state.query_points == []
    highlight = next(t for t in b.projection.figure.data if figures.role(t) == figures.ROLE_HIGHLIGHT)
    assert len(highlight.x) == 0  # the map no longer marks the old answer
    b.neighbours.query.value = "car1"
    assert not b.neighbours.stale and b.neighbours.stale_note.value == ""
    assert "wb-stale" not in classes(b.neighbours.result)
    assert set(b.neighbours.result_frame["label"].head(3)) == {"car0", "car2", "car3"}  # the planted group


def test_a_failed_analogy_greys_its_tables_and_removes_its_arrows(bench):
    b = bench
    b.analogy.run()  # cat0 : cat1 :: car0 : ?
    assert b.state.arrows and b.analogy.add_table.value
    b.analogy.c.value = "nope"
    b.analogy.run()
    assert b.analogy.stale and "wb-stale" in classes(b.analogy.tables) and "wb-stale" in classes(b.analogy.answer)
    assert "cat0 : cat1 :: car0" in b.analogy.stale_note.value
    assert b.state.arrows == [] and b.state.highlight == []
    b.analogy.c.value = "sun0"
    b.analogy.run()
    assert not b.analogy.stale and b.analogy.stale_note.value == ""


def test_a_failed_comparison_greys_the_heatmap(bench):
    b = bench
    b.similarity.items.value = "cat0\ncat1\ncar0"
    b.similarity.run()
    assert b.similarity.heatmap.children and not b.similarity.stale
    b.similarity.items.value = "cat0\nnope"
    b.similarity.run()
    assert b.similarity.stale and "wb-stale" in classes(b.similarity.heatmap)
    assert b.similarity.message.level == "error"


# ------------------------------------------------------------------------------ one consistent state
def test_new_data_resets_every_panel_together(bench):
    b = bench
    version = b.state.data_version
    b.select([0, 1, 2])
    assert b.state.selection is not None and b.projection.selected.value
    b.neighbours.query.value = "cat0"
    b.analogy.run()
    b.similarity.items.value = "cat0\ncat1\nsun0"
    b.similarity.run()
    b.neighbours.query.value = "cat9"  # a failed query leaves a message on the panel's line
    assert b.state.highlight == [] and b.neighbours.message.level == "error"
    b.analogy.run()  # highlights and arrows again
    assert b.state.arrows and b.state.highlight and b.similarity.heatmap.children

    assert b.source.use(wb.Embeddings(planted(B_LABELS, seed=1), B_LABELS), name="B")
    state = b.state
    assert state.data_version == version + 1 and state.dataset == "B"
    assert state.selection is None and b.projection.selected.value == ""
    assert state.highlight == [] and state.query_rows == [] and state.query_points == [] and state.arrows == []
    assert state.query == ""
    assert b.neighbours.result.value == "" and b.neighbours.result_frame is None and not b.neighbours.stale
    assert b.neighbours.message.value == ""  # the message about the old data went with it
    assert b.analogy.add_table.value == b.analogy.mul_table.value == b.analogy.answer.value == ""
    assert b.similarity.result.value == "" and b.similarity.result_frame is None
    assert b.similarity.heatmap.children == ()
    assert b.source.message.level == "success" and "Loaded B" in b.source.message.text
    assert b.projection._frame["label"].tolist() == B_LABELS
    highlight = next(t for t in b.projection.figure.data if figures.role(t) == figures.ROLE_HIGHLIGHT)
    assert len(highlight.x) == 0
    b.neighbours.query.value = "b1"  # the panels answer about B now
    assert set(b.neighbours.result_frame["label"]) <= set(B_LABELS)


def test_a_refused_load_changes_nothing(bench):
    b = bench
    b.neighbours.query.value = "cat0"
    version, highlight = b.state.data_version, list(b.state.highlight)
    assert not b.source.use(np.ones((2, 3)))  # too few points for a map
    assert b.state.data_version == version and b.state.highlight == highlight
    assert b.neighbours.result_frame is not None and b.source.message.level == "error"


def test_a_second_model_result_for_old_data_is_dropped():
    glove = wb.embed("analogy-words", "glove-6b-50d", limit=60, progress=False)
    emb = wb.Embeddings(glove.vectors, glove.labels)  # vectors without their model: GloVe is the second model
    b = Bench(background=True)
    with b.state.hold_trait_notifications():
        b.state.background = False  # the first map inline; the comparison below in a thread
    assert b.source.use(emb, name="A")
    b.state.background = True
    b.similarity.items.value = f"{emb.labels[0]} {emb.labels[1]}"
    b.similarity.other.value = "glove-6b-50d"
    b.similarity.run()  # work in a thread; its result is applied only when the main thread drains the queue
    b.state.background = False
    assert b.source.use(wb.Embeddings(planted(B_LABELS), B_LABELS), name="B")  # meanwhile: new data
    b.state.wait(timeout=120)
    assert b.similarity.result_frame is None and b.similarity.result.value == ""
    assert "was for the previous embeddings" in b.similarity.message.text


# ------------------------------------------------------------------------------ "King" and its own neighbours
@pytest.fixture(scope="module")
def glove2000():
    return wb.embed("glove-vocab", "glove-6b-50d", limit=2000, progress=False)


def test_a_query_in_other_capitals_is_left_out_of_its_own_neighbours_like_gensim(glove2000):
    from gensim.models import KeyedVectors

    emb = glove2000
    assert "king" in emb and "King" not in emb
    ours = emb.neighbours("King", k=10)
    assert "king" not in ours["label"].tolist()
    kv = KeyedVectors(vector_size=emb.dim)
    kv.add_vectors(emb.labels, emb.vectors)
    theirs = kv.most_similar("king", topn=10)  # gensim leaves the word asked about out
    assert ours["label"].tolist() == [w for w, _ in theirs]
    np.testing.assert_allclose(ours["score"], [s for _, s in theirs], atol=1e-5)
    assert emb.neighbours("KING", k=10)["label"].tolist() == ours["label"].tolist()
    answer = emb.analogy(positive=["King", "woman"], negative=["Man"], k=5)["label"].tolist()
    assert "king" not in answer and "man" not in answer and answer[0] == "queen"


def test_the_neighbours_panel_marks_king_for_king(glove2000):
    state = State(background=False)
    panel = NeighboursPanel(state)
    ProjectionPanel(state, method="pca")
    state.embeddings = glove2000
    panel.query.value = "King"
    assert state.query_rows == [glove2000.position("king")] and state.query_points == []  # a star on king
    assert "king" not in panel.result_frame["label"].tolist()


def test_casefold_row_prefers_the_lowercase_label():
    labels = ["KING", "queen", "king", "Paris"]
    position = {label: i for i, label in enumerate(labels)}
    assert casefold_row("King", labels, position) == 2 and casefold_row("King", labels) == 0  # a scan: first row
    assert casefold_row("pARIS", labels, position) == 3 and casefold_row("rome", labels, position) is None


def test_without_a_model_a_query_in_other_capitals_is_still_unknown():
    emb = wb.Embeddings(planted(A_LABELS), A_LABELS)
    with pytest.raises(UnknownLabelError, match="Unknown label 'CAT0'.*'cat0'"):
        emb.neighbours("CAT0")


# ------------------------------------------------------------------------------ the whole vocabulary
def test_neighbours_says_it_searches_the_map_and_can_search_all_glove_words(glove2000):
    from gensim.models import KeyedVectors

    from workbench.core.packaged import glove_vocabulary

    state = State(background=False)
    panel = NeighboursPanel(state)
    state.embeddings = glove2000
    assert "only the 2,000 points on the map" in panel.scope.value
    assert panel.whole_vocabulary.layout.display != "none"
    assert "400,000 words of glove-6b-50d" in panel.whole_vocabulary.description
    panel.query.value = "frog"  # not among the 2,000 most frequent words: the model embeds it
    on_map = panel.result_frame["label"].tolist()
    assert set(on_map) <= set(glove2000.labels)
    panel.whole_vocabulary.value = True  # asks again, among all words
    assert "all 400,000 words" in panel.scope.value and "whole vocabulary" in panel.result.value
    frame = panel.result_frame
    vocab = glove_vocabulary()
    kv = KeyedVectors(vector_size=vocab.dim)
    kv.add_vectors(vocab.labels, vocab.vectors)
    theirs = kv.most_similar("frog", topn=10)
    assert frame["label"].tolist() == [w for w, _ in theirs]  # snake, ape, toad, monkey, spider, ...
    np.testing.assert_allclose(frame["score"], [s for _, s in theirs], atol=1e-5)
    rows = [glove2000.position(w) for w in frame["label"] if w in glove2000]
    assert state.highlight == rows  # only the answers that are on the map are marked on it
    assert frame["on map"].tolist() == ["yes" if w in glove2000 else "" for w in frame["label"]]
    panel.query.value = "Frog"
    assert "frog" not in panel.result_frame["label"].tolist()


def test_vectors_without_a_model_offer_no_vocabulary_search():
    state = State(background=False)
    panel = NeighboursPanel(state)
    state.embeddings = wb.Embeddings(planted(A_LABELS), A_LABELS)
    assert panel.whole_vocabulary.layout.display == "none" and not panel.whole_vocabulary.value
    assert "only the 12 points on the map" in panel.scope.value


# ------------------------------------------------------------------------------ label and class columns of an upload
TABLE = pd.DataFrame({"animal": A_LABELS, "species": [g for g in ("cat", "car", "sun") for _ in range(4)],
                      "target": np.repeat([0, 1, 2], 4), "note": [f"n{i}" for i in range(12)]})
TABLE[["x", "y", "z"]] = planted(A_LABELS)


def upload(panel: SourcePanel, name: str, data: bytes) -> None:
    panel._on_upload({"new": ({"name": name, "type": "", "size": len(data), "content": memoryview(data)},)})


def test_an_uploaded_table_offers_its_columns_and_the_class_colours_the_map():
    b = Bench()
    upload(b.source, "mine.csv", TABLE.to_csv(index=False).encode())
    # "animal" and "note" both differ on every row: which holds the labels is ambiguous until picked
    assert b.state.status_level == "error" and "ambiguous" in b.source.message.text
    assert "Pick the label column" in b.source.message.text and b.state.embeddings is None
    assert b.source.columns.layout.display == "flex"
    assert {"animal", "species", "target", "note"} <= set(b.source.label_column.options)
    assert {"species", "target"} <= set(b.source.class_column.options)
    assert "x" not in b.source.class_column.options  # floats are no class
    b.source.label_column.value = "animal"
    emb = b.state.embeddings
    assert emb is not None and emb.labels == A_LABELS and emb.dim == 4  # x, y, z and the integer target
    b.source.class_column.value = "target"
    emb = b.state.embeddings
    assert emb.dim == 3 and emb.meta.columns[0] == "target"  # the class is no dimension
    assert emb.meta["target"].tolist() == ["0"] * 4 + ["1"] * 4 + ["2"] * 4
    assert emb.provenance["class_column"] == "target"
    assert b.projection.colour.value == "target"  # the map colours by the class
    colours = {t.name for t in b.projection.figure.data if figures.role(t) == figures.ROLE_POINTS}
    assert colours == {"0", "1", "2"}
    assert "colours by the class column 'target'" in b.state.status


def test_a_parquet_table_and_row_number_labels():
    b = Bench()
    buffer = io.BytesIO()
    TABLE.drop(columns=["note"]).rename(columns={"animal": "name"}).to_parquet(buffer, index=False)
    upload(b.source, "mine.parquet", buffer.getvalue())
    assert b.state.status_level == "success", b.state.status
    assert b.state.embeddings.labels == A_LABELS  # "name" found by its name
    assert b.source.choose_columns(label=ROW_NUMBERS, class_column="species")
    emb = b.state.embeddings
    assert emb.labels == [str(i) for i in range(12)] and emb.meta.columns[0] == "species"
    assert b.projection.colour.value == "species"


def test_a_class_that_is_also_the_label_is_refused():
    b = Bench()
    upload(b.source, "mine.csv", TABLE.drop(columns=["note"]).to_csv(index=False).encode())
    before = b.state.embeddings
    assert not b.source.choose_columns(label="species", class_column="species")
    assert b.state.embeddings is before and "cannot be both the labels and the class" in b.source.message.text


def test_an_embedding_that_ends_after_other_vectors_were_shown_is_dropped():
    b = Bench(background=True)
    b.source.modality.value = "word"
    b.source.model.value, b.source.dataset.value, b.source.limit.value = "glove-6b-50d", "glove-vocab", 100
    b.source.embed()  # in a thread; applied only when the main thread drains the queue
    b.state.background = False
    assert b.source.use(wb.Embeddings(planted(B_LABELS), B_LABELS), name="B")  # the person moved on
    b.state.wait(timeout=120)
    assert b.state.dataset == "B" and b.state.embeddings.labels == B_LABELS
    assert "not shown" in b.source.message.text or "Cancelled" in b.state.history[0]["text"]

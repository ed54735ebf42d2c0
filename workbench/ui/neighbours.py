"""Neighbours panel: the nearest rows to a label, to typed raw input, or to a clicked point."""

from __future__ import annotations

import ipywidgets as widgets

from ..core.errors import EmptyInputError, WorkbenchError
from ..core.validation import check_number
from . import _html
from .state import State

__all__ = ["NeighboursPanel"]


class NeighboursPanel(widgets.VBox):
    """Type a label or any input the model can embed, or click a point on the map.

    The answer (label, cosine score, rank) appears as a table, and the query and its neighbours
    are highlighted on the map. A typed query that is not a label (a phrase, a sentence) is
    embedded by the model and placed on the existing map as a star (``Projection.transform``),
    without recomputing the map.
    """

    def __init__(self, state: State, *, k: int = 10):
        check_number("NeighboursPanel", "k", k, low=1, high=50)
        self.state = state
        self.query = widgets.Text(placeholder="a word, a label, or text", description="Query",
                                  continuous_update=False, style={"description_width": "50px"}).add_class("wb-query")
        self.k = widgets.IntSlider(value=k, min=1, max=50, description="k", style={"description_width": "20px"},
                                   layout={"width": "220px"}).add_class("wb-k")
        self.find = widgets.Button(description="Neighbours", icon="search").add_class("wb-find")
        self.result = widgets.HTML().add_class("wb-neighbours")
        self.result_frame = None
        super().__init__([widgets.HBox([self.query, self.find]), self.k, self.result])
        self.find.on_click(lambda _: self.ask(self.query.value))
        self.query.observe(lambda change: self.ask(change["new"]), names="value")
        state.observe(self._on_state_query, names="query")
        state.observe(self._clear, names="embeddings")

    def _on_state_query(self, change) -> None:
        if change["new"]:
            self.query.value = change["new"]  # fires ask() through the observer when it changed
            if self.result_frame is None or self.result_frame.attrs.get("query") != change["new"]:
                self.ask(change["new"])

    def _clear(self, _=None) -> None:
        self.result.value, self.result_frame = "", None
        self.state.query_points = []

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

    def ask(self, query: str) -> None:
        """Find the neighbours of ``query`` and show them."""
        query = (query or "").strip()
        if not query:
            return
        said = repr(query) if len(query) <= 80 else repr(query[:60]) + f"… ({len(query):,} characters)"
        with self.state.guard(f"finding neighbours of {said}"):
            emb = self.state.require_embeddings()
            frame = emb.neighbours(query, k=self.k.value)
            if frame.empty:
                raise EmptyInputError(f"No other rows to compare {said} with: these embeddings hold "
                                      f"{len(emb):,} row(s).")
            frame.attrs["query"] = query
            self.result_frame = frame
            shown = [c for c in ("rank", "label", "score", "category") if c in frame]
            if "item" in frame and not frame["item"].astype(str).equals(frame["label"]):
                frame["shown"] = self.state.render_items(frame["row"])  # a sentence, a node, a thumbnail
                shown.insert(2, "shown")
            self.result.value = _html.table(frame, shown, html_columns=("shown",),
                                            caption=f"nearest to {said} ({frame.attrs['index']} search)")
            self.state.query = query  # typed queries reach the shared state too (the frame above stops a loop)
            query_rows = [emb.position(query)] if query in emb else []
            self.state.query_rows = query_rows
            self.state.highlight = query_rows + frame["row"].tolist()
            self.state.query_points = [] if query_rows else self._placed(emb, query)
            self.state.arrows = []
            capped = (f" (k={self.k.value} was asked; there are only {len(frame)} other rows)"
                      if frame.attrs.get("capped") else "")
            self.state.report(f"{len(frame)} neighbours of {said}{capped}: nearest is {frame['label'].iloc[0]!r} "
                              f"(cosine {frame['score'].iloc[0]:.3f}).", "success")

"""Similarity panel: cosine of word pairs or a whole list, under one model or two side by side."""

from __future__ import annotations

import re

import ipywidgets as widgets
import numpy as np
import pandas as pd

from ..core.errors import (DimensionMismatchError, EmptyInputError, InvalidParameterError, SizeLimitError,
                           UnknownLabelError)
from ..core.index import normalize_rows
from ..models.base import MODELS, get_model, ready_models
from . import _html
from ._figure import show_figure
from .job_bar import JobBar
from .state import State
from .status import MessageLine

__all__ = ["SimilarityPanel", "parse_items"]

NO_MODEL = "(none)"
MAX_LINES = 2000  # pairs in one table
MAX_MATRIX_ITEMS = 200  # items in one heatmap
EXAMPLE = "cat dog\ncat car\nking queen\ncoffee tea\nbank river\nbank money"


def parse_items(text: str) -> list[list[str]]:
    """Lines of items; a line holds one item, or two separated by a comma, tab or spaces."""
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        parts = [p.strip() for p in re.split(r"[,\t]", line)] if re.search(r"[,\t]", line) else line.split()
        rows.append([p for p in parts if p])
    return rows


class SimilarityPanel(widgets.VBox):
    """Cosine similarities: one pair per line gives a table; one item per line gives a heatmap.

    A second model (any text or word model) adds its cosines beside the current ones, so two
    models can be compared on the same pairs. The panel's message line sits under the box; after
    a failed comparison the previous table or heatmap is greyed. A second model's cosines that
    arrive after other embeddings were shown are dropped (they were computed for the old ones).
    """

    def __init__(self, state: State, *, text: str = EXAMPLE):
        if not isinstance(text, str):
            raise InvalidParameterError("text", "a string of items, one pair per line", text, owner="SimilarityPanel")
        self.state = state
        self.items = widgets.Textarea(value=text, placeholder="cat dog\nking queen",
                                      layout={"width": "320px", "height": "140px"}).add_class("wb-pairs")
        self.other = widgets.Dropdown(options=[NO_MODEL], value=NO_MODEL, description="compare with",
                                      style={"description_width": "90px"}).add_class("wb-other-model")
        self.compute = widgets.Button(description="Compare", icon="balance-scale").add_class("wb-compare")
        self.message = MessageLine(state, "similarity")
        self.stale_note = widgets.HTML().add_class("wb-stale-note")
        self.stale = False  # the table or heatmap shown answers an earlier input (the last one failed)
        self.result = widgets.HTML().add_class("wb-similarity")
        self.heatmap = widgets.Box().add_class("wb-heatmap")
        self.result_frame = None
        self.job = JobBar(state, width="120px")
        self._models: dict = {}  # second models loaded so far, by name (loading MiniLM takes seconds)
        self._figure = None
        super().__init__([widgets.HBox([self.items, widgets.VBox([self.other, self.compute])]), self.job,
                          self.message, self.stale_note, self.result, self.heatmap])
        self.compute.on_click(lambda _: self.run())
        state.observe(self._fill_models, names=["embeddings", "model"])
        state.observe(self._clear, names="embeddings")
        MODELS.on_change(self._fill_models)  # a model registered in the kernel is offered at once
        self._fill_models()

    def _clear(self, _=None) -> None:
        """New embeddings: cosines of the previous ones go (tables never mix two sets of vectors)."""
        self.result.value, self.result_frame = "", None
        self.heatmap.children = []
        self._set_stale(False)

    def _set_stale(self, stale: bool) -> None:
        """Grey the table and heatmap (they answer an earlier input), or show them plainly."""
        self.stale = stale and self.result_frame is not None
        for widget in (self.result, self.heatmap):
            (widget.add_class if self.stale else widget.remove_class)("wb-stale")
        self.stale_note.value = _html.stale_note("the lines compared before") if self.stale else ""

    def _fill_models(self, _=None) -> None:
        current = self.state.model
        names = [n for n in dict.fromkeys(ready_models("word") + ready_models("text")) if n != current]
        value = self.other.value if self.other.value in names else NO_MODEL
        self.other.options = [NO_MODEL, *names]
        self.other.value = value

    def run(self) -> None:
        """Compute the cosines for the lines in the box."""
        with self.state.guard("comparing similarities", where="similarity") as outcome:
            emb = self.state.require_embeddings()
            rows = parse_items(self.items.value)
            if not rows:
                raise EmptyInputError("Type pairs of items (one pair per line), or one item per line for a matrix.")
            if len(rows) > MAX_LINES or (all(len(r) == 1 for r in rows) and len(rows) > MAX_MATRIX_ITEMS):
                limit = MAX_LINES if len(rows) > MAX_LINES else MAX_MATRIX_ITEMS
                raise SizeLimitError(f"{len(rows):,} lines is more than this panel shows ({limit:,}); compare larger "
                                     "sets in Python with emb.similarity(list_a, list_b).")
            if all(len(r) == 2 for r in rows):
                self._pairs(emb, rows)
            elif all(len(r) == 1 for r in rows):
                self._matrix(emb, [r[0] for r in rows])
            else:
                bad = next(r for r in rows if len(r) not in (1, 2) or len(r) != len(rows[0]))
                raise EmptyInputError(f"Each line must hold two items (a pair) or one item (a list); "
                                      f"this line has {len(bad)}: {' '.join(bad)!r}.")
        if outcome.failed:
            self._set_stale(True)

    def _other_cosines(self, name: str, pairs, progress) -> np.ndarray:
        """Cosines of ``pairs`` under the model ``name`` (loaded once, in the background)."""
        progress(0.05, f"loading {name}")
        model = self._models.get(name) or self._models.setdefault(name, get_model(name))
        words = sorted({w for pair in pairs for w in pair})
        try:
            encoded = np.asarray(model.encode(words), dtype=np.float32)
        except UnknownLabelError as err:
            raise UnknownLabelError(err.label, err.suggestions, what=f"word for the second model {name!r}") from None
        if encoded.ndim != 2 or len(encoded) != len(words) or not np.isfinite(encoded).all():
            raise DimensionMismatchError(f"The second model {name!r} gave vectors of shape {encoded.shape} (or "
                                         f"non-finite ones) for {len(words)} words; it cannot be compared.")
        vectors = dict(zip(words, normalize_rows(encoded)))
        progress(1.0, f"compared under {name}")
        return np.array([float(vectors[a] @ vectors[b]) for a, b in pairs])

    def _pairs(self, emb, pairs) -> None:
        current = self.state.model or "current vectors"
        frame = pd.DataFrame(pairs, columns=["a", "b"])
        try:
            frame[current] = [emb.similarity(a, b) for a, b in pairs]
        except UnknownLabelError as err:  # say which model lacks the word: the one shown, not the second
            raise UnknownLabelError(err.label, err.suggestions, what=f"word for the current model {current!r}") from None
        other = self.other.value
        if other == NO_MODEL:
            self._show_pairs(frame, current, None, None)
            return
        version = self.state.data_version

        def done(cosines) -> None:
            if not self.state.is_current(version):  # other embeddings arrived meanwhile: these cosines are stale
                self.state.report(f"The comparison with {other} was for the previous embeddings; it is not shown.",
                                  "info", where="similarity")
                return
            with self.state.speaking("similarity"):
                self._show_pairs(frame, current, other, cosines)

        def ended(job) -> None:
            if job.status == "failed":  # the runner put the reason in the status: show it here too
                self.state.tell("similarity", self.state.status, "error")
                self._set_stale(True)

        self.job.run(f"comparing with {other}", lambda progress: self._other_cosines(other, pairs, progress), done,
                     slot="similarity", on_end=ended)

    def _show_pairs(self, frame: pd.DataFrame, current: str, other: str | None, cosines) -> None:
        if other is not None:
            frame[other] = cosines
            frame["rank " + current] = frame[current].rank(ascending=False).astype(int)
            frame["rank " + other] = frame[other].rank(ascending=False).astype(int)
        self.result_frame = frame
        self.result.value = _html.table(frame, caption="cosine similarity")
        self.heatmap.children = []
        self._set_stale(False)
        self.state.report(f"Cosine similarity of {len(frame)} pairs" + (f", beside {other}." if other else "."),
                          "success")

    def _matrix(self, emb, items) -> None:
        from .. import figures

        matrix = emb.similarity(items)
        self.result_frame = matrix
        self.result.value = ""
        self._figure = show_figure(self.heatmap, self._figure, figures.similarity_heatmap(matrix))
        self._set_stale(False)
        self.state.report(f"Cosine similarity of {len(items)} items with each other.", "success")

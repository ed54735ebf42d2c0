"""Analogy panel: a : b :: c : ?, solved with 3CosAdd and 3CosMul side by side, and the benchmark."""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..core.errors import EmptyInputError, InvalidParameterError
from ..core.validation import check_number
from . import _html
from .state import State
from .status import MessageLine

__all__ = ["AnalogyPanel"]


class AnalogyPanel(widgets.VBox):
    """Solve ``a : b :: c : ?`` (``b - a + c``) two ways; draw the offsets as arrows on the map.

    *Run benchmark* scores the current vectors on the Google analogy questions (questions-words,
    restricted to the words on the map) and shows accuracy per section. The panel's message line
    sits under the three boxes; after a failed question the previous answer is greyed and its
    arrows leave the map.
    """

    def __init__(self, state: State, *, k: int = 5, a: str = "man", b: str = "king", c: str = "woman"):
        check_number("AnalogyPanel", "k", k, low=1, high=50)
        for name, value in (("a", a), ("b", b), ("c", c)):
            if not isinstance(value, str):
                raise InvalidParameterError(name, "a word (a string)", value, owner="AnalogyPanel")
        self.state = state
        box = {"layout": {"width": "96px"}, "continuous_update": False}
        self.a = widgets.Text(value=a, placeholder="man", **box).add_class("wb-analogy-a")
        self.b = widgets.Text(value=b, placeholder="king", **box).add_class("wb-analogy-b")
        self.c = widgets.Text(value=c, placeholder="woman", **box).add_class("wb-analogy-c")
        self.k = widgets.BoundedIntText(value=k, min=1, max=50, description="k",
                                        style={"description_width": "20px"}, layout={"width": "110px"})
        self.include_inputs = widgets.Checkbox(value=False, description="include input words", indent=False)
        self.solve = widgets.Button(description="Solve", icon="play", button_style="primary").add_class("wb-solve")
        self.message = MessageLine(state, "analogy")
        self.stale_note = widgets.HTML().add_class("wb-stale-note")
        self.stale = False  # the tables shown answer an earlier question (the last one failed)
        self._answered = ""
        self.answer = widgets.HTML().add_class("wb-analogy-answer")
        self.add_table = widgets.HTML(layout={"width": "50%"}).add_class("wb-analogy-add")
        self.mul_table = widgets.HTML(layout={"width": "50%"}).add_class("wb-analogy-mul")
        self.benchmark = widgets.Button(description="Run analogy benchmark", icon="check").add_class("wb-benchmark")
        self.benchmark_out = widgets.Box().add_class("wb-benchmark-out")
        self.benchmark_summary = widgets.HTML()
        self.tables = widgets.HBox([self.add_table, self.mul_table])
        sep = lambda text: widgets.HTML(f"<b>{text}</b>")  # noqa: E731
        super().__init__([
            widgets.HBox([self.a, sep(":"), self.b, sep("::"), self.c, sep(": ?")]),
            widgets.HBox([self.k, self.include_inputs, self.solve]),
            self.message,
            self.stale_note,
            self.answer,
            self.tables,
            widgets.HBox([self.benchmark, self.benchmark_summary]),
            self.benchmark_out,
        ])
        self.solve.on_click(lambda _: self.run())
        self.benchmark.on_click(lambda _: self.run_benchmark())
        state.observe(self._clear, names="embeddings")

    def _clear(self, _=None) -> None:
        """New embeddings: answers about the previous ones go (tables never mix two sets of vectors)."""
        self.answer.value = self.add_table.value = self.mul_table.value = ""
        self.benchmark_summary.value = ""
        self.benchmark_out.children = []  # the figure widget is kept for the next benchmark
        self._answered = ""
        self._set_stale(False)

    def _set_stale(self, stale: bool) -> None:
        """Grey the answer and tables (they answer an earlier question), or show them plainly."""
        self.stale = stale and bool(self.add_table.value)
        for widget in (self.answer, self.tables):
            (widget.add_class if self.stale else widget.remove_class)("wb-stale")
        self.stale_note.value = _html.stale_note(self._answered) if self.stale else ""

    def run(self) -> None:
        """Solve the analogy in the three boxes."""
        a, b, c = (w.value.strip() for w in (self.a, self.b, self.c))
        with self.state.guard(f"solving {a} : {b} :: {c} : ?", where="analogy") as outcome:
            emb = self.state.require_embeddings()
            if not (a and b and c):
                raise EmptyInputError("Fill in all three words: a : b :: c : ?")
            kwargs = dict(positive=[b, c], negative=[a], k=self.k.value, include_inputs=self.include_inputs.value)
            add = emb.analogy(method="3cosadd", **kwargs)
            mul = emb.analogy(method="3cosmul", **kwargs)
            if add.empty:
                raise EmptyInputError(f"No row is left to answer {a} : {b} :: {c} : ?: the inputs are the only rows "
                                      "(tick 'include input words' to rank them).")
            cols = ["rank", "label", "score"]
            self.add_table.value = _html.table(add, cols, caption="3CosAdd (b − a + c)")
            self.mul_table.value = _html.table(mul, cols, caption="3CosMul (Levy & Goldberg)")
            best_add, best_mul = add["label"].iloc[0], mul["label"].iloc[0]
            self.answer.value = (f"<b>{html.escape(b)} − {html.escape(a)} + {html.escape(c)}</b> = "
                                 f"<b class='wb-answer-add'>{html.escape(best_add)}</b> (3CosAdd), "
                                 f"<b class='wb-answer-mul'>{html.escape(best_mul)}</b> (3CosMul)")
            inputs = [emb.position(w) for w in (a, b, c) if w in emb]
            self.state.query_rows = inputs
            self.state.highlight = inputs + [int(add["row"].iloc[0])]
            self.state.arrows = ([(emb.position(a), emb.position(b)), (emb.position(c), int(add["row"].iloc[0]))]
                                 if a in emb and b in emb and c in emb else [])
            self._answered = f"{a} : {b} :: {c} : ?"
            self._set_stale(False)
            self.state.report(f"{a} : {b} :: {c} : {best_add} (3CosAdd) / {best_mul} (3CosMul).", "success")
        if outcome.failed:
            self._set_stale(True)
            self.state.forget_answer()

    def run_benchmark(self) -> None:
        """Google analogy benchmark on the current vectors (their words only), accuracy per section."""
        from ..core.evaluation import analogy_accuracy
        from ..core.packaged import gensim_test_file

        with self.state.guard("running the analogy benchmark", where="analogy"):
            emb = self.state.require_embeddings()
            result = analogy_accuracy(emb, gensim_test_file("questions-words.txt"), restrict=None)
            if result.total == 0:
                raise EmptyInputError("None of the benchmark's questions has all four words in these embeddings.")
            self.benchmark_summary.value = (f"accuracy <b>{result.accuracy:.1%}</b> ({result.correct:,} of "
                                            f"{result.total:,} answerable; {result.skipped:,} skipped: a word "
                                            "is not on the map)")
            from .. import figures
            from ._figure import show_figure

            self.benchmark_result = result
            self._bars = show_figure(self.benchmark_out, getattr(self, "_bars", None),
                                     figures.section_accuracy_bars(result.sections))
            self.state.report(f"Analogy benchmark: {result.accuracy:.1%} on {result.total:,} questions.", "success")

"""The one shared state of the app: panels observe it and write to it, never to each other.

Kept flat, like jupyter-scatter's widget: traits grouped by what they describe. Errors from any
panel end up in ``status`` as a readable sentence; the traceback is kept in ``last_error`` (and
the ``workbench`` logger at debug level), never printed under the cell, and state written before
the error is kept. Each message is also remembered in ``history`` (the last few, newest first)
and, when a panel said it (``guard(..., where="neighbours")``), in ``panel_messages[where]``, so
the panel can show it beside its own input. New embeddings reset everything that was about the
previous ones (selection, highlights, query, arrows) and bump ``data_version``; work started on
older data checks it and drops its result. Slow work goes through :attr:`State.jobs` (see
:mod:`workbench.ui.jobs`).
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import traceback
import warnings
import weakref
from collections.abc import Callable

import pandas as pd
from traitlets import Bool, Dict, Enum, HasTraits, Instance, Int, List, Unicode, observe

from ..core.embeddings import Embeddings
from ..core.errors import EmptyInputError, WorkbenchError
from ..core.projection import Projection
from .jobs import Jobs

__all__ = ["State", "MAX_STATUS_CHARS", "MAX_HISTORY"]

MAX_STATUS_CHARS = 400  # a status longer than this is cut, with a count of what was left out
MAX_HISTORY = 5  # messages remembered in State.history (the status line shows them, newest first)

log = logging.getLogger("workbench.ui")
# Without a handler, Python's last-resort handler prints tracebacks to stderr, which Jupyter shows
# under the cell. Developers who want them configure logging or read State.last_error.
logging.getLogger("workbench").addHandler(logging.NullHandler())


class State(HasTraits):
    """Shared selection of a workbench session.

    Examples
    --------
    >>> state = State()
    >>> with state.guard("testing"):
    ...     raise ValueError("boom")
    >>> state.status_level, state.status
    ('error', 'Unexpected problem while testing: ValueError: boom')
    >>> with state.guard("finding neighbours", where="neighbours"):
    ...     state.report("3 neighbours of 'cat'.", "success")
    >>> state.panel_messages["neighbours"]["text"], [m["text"][:10] for m in state.history]
    ("3 neighbours of 'cat'.", ['3 neighbou', 'Unexpected'])
    """

    # what is loaded
    modality = Unicode("word")
    model = Unicode("")
    dataset = Unicode("")
    embeddings = Instance(Embeddings, allow_none=True)
    projection = Instance(Projection, allow_none=True)

    # what is looked at
    query = Unicode("")  # a label or raw input: the neighbours panel answers it
    highlight = List()  # row numbers drawn enlarged and labelled on the map
    query_rows = List()  # the subset of ``highlight`` drawn as stars
    query_points = List()  # typed queries placed on the map: [{"label": str, "coords": [x, y(, z)]}]
    arrows = List()  # (from_row, to_row) pairs drawn as arrows
    selection = Instance(pd.DataFrame, allow_none=True)  # rows picked with box/lasso

    # messages
    status = Unicode("")
    status_level = Enum(["info", "busy", "success", "error"], default_value="info")
    history = List()  # the last MAX_HISTORY messages, newest first: {"time", "text", "level", "where"}
    panel_messages = Dict()  # each panel's last message, by panel key ("neighbours", "analogy", ...)
    data_version = Int(0)  # counts the embeddings shown; results of work started on older data are dropped

    # run slow work (UMAP, t-SNE, embedding, training) in a thread; tests switch it off
    background = Bool(True)
    last_error = Unicode("")  # the traceback of the last unexpected error, for developers

    _instances: weakref.WeakSet = weakref.WeakSet()

    def __init__(self, **kwargs):
        self._speakers: list[str] = []  # the panels whose actions are running (innermost last)
        super().__init__(**kwargs)
        self.jobs = Jobs(background=self.background, report=self.report, on_error=self._keep_traceback)
        # Panels add checks(embeddings, projection) that raise if they could not show new data, so
        # show() refuses it before anything changes (see show()).
        self.checks: list[Callable[[Embeddings, Projection], None]] = []
        State._instances.add(self)

    @observe("embeddings")
    def _on_new_data(self, change) -> None:
        """Everything that was about the previous embeddings goes together (one consistent state).

        Registered before any panel observes the state, so panels see the reset state when they
        hear of new embeddings. The panel that brought the data keeps its own message line.
        """
        self.data_version += 1
        with self.hold_trait_notifications():
            self.highlight, self.query_rows, self.query_points, self.arrows = [], [], [], []
            self.selection = None
            self.query = ""
        speaker = self.speaker
        self.panel_messages = {k: v for k, v in self.panel_messages.items() if k == speaker}

    @property
    def speaker(self) -> str:
        """The panel key of the action running now ("" outside panel actions)."""
        return self._speakers[-1] if self._speakers else ""

    @contextlib.contextmanager
    def speaking(self, where: str | None):
        """Messages reported inside this block are ``where``'s (a panel key); None changes nothing."""
        if not where:
            yield
            return
        self._speakers.append(where)
        try:
            yield
        finally:
            self._speakers.pop()

    def forget_answer(self) -> None:
        """Take the last answer off the map (highlights, stars, typed points, arrows): it answered another question."""
        with self.hold_trait_notifications():
            self.highlight, self.query_rows, self.query_points, self.arrows = [], [], [], []

    def is_current(self, version: int) -> bool:
        """True while the embeddings shown are those of ``data_version == version`` (for results of slow work)."""
        return self.data_version == version

    @observe("background")
    def _sync_background(self, change) -> None:
        if hasattr(self, "jobs"):
            self.jobs.background = change["new"]

    def _keep_traceback(self, job) -> None:
        self.last_error = getattr(job, "traceback", "") or repr(job.error)
        log.debug("while %s:\n%s", job.action, self.last_error)

    def require_embeddings(self) -> Embeddings:
        """The current embeddings, or an error a panel shows when nothing is loaded yet."""
        if self.embeddings is None:
            raise EmptyInputError("Nothing is loaded yet: embed a dataset or upload vectors first.")
        return self.embeddings

    def report(self, message: str, level: str = "info", *, where: str | None = None, replace: bool = False) -> None:
        """Show ``message`` in the status area; past ``MAX_STATUS_CHARS`` it is cut, saying how much.

        Every message passes here, so a 1 MB query pasted into a box cannot flood the page. It is
        added to ``history`` (``replace=True`` rewrites the newest entry instead: the same message
        with more said) and, for a panel (``where``, else the panel whose action runs), to
        ``panel_messages``. An empty message clears the status line only.

        Examples
        --------
        >>> state = State()
        >>> state.report("x" * 1000)
        >>> len(state.status) < 500, state.status.endswith("(660 more characters not shown)")
        (True, True)
        """
        message = str(message)
        if len(message) > MAX_STATUS_CHARS:
            cut = MAX_STATUS_CHARS - 60
            message = f"{message[:cut]}… ({len(message) - cut:,} more characters not shown)"
        self.status_level = level
        self.status = message
        if message:
            self._remember(message, level, where or self.speaker, replace)

    def _remember(self, text: str, level: str, where: str, replace: bool) -> None:
        entry = {"time": datetime.datetime.now().strftime("%H:%M:%S"), "text": text, "level": level, "where": where}
        history = list(self.history)
        newest = history[0] if history else None
        if newest is not None and (replace or (newest["text"], newest["level"]) == (text, level)):
            entry["where"] = where or newest["where"]
            history[0] = entry
        else:
            history.insert(0, entry)
        self.history = history[:MAX_HISTORY]
        if entry["where"]:
            self.panel_messages = {**self.panel_messages, entry["where"]: entry}

    def tell(self, where: str, message: str, level: str = "info") -> None:
        """Show ``message`` on one panel's message line only (the status and history already have it)."""
        entry = {"time": datetime.datetime.now().strftime("%H:%M:%S"), "text": str(message)[:MAX_STATUS_CHARS],
                 "level": level, "where": where}
        self.panel_messages = {**self.panel_messages, where: entry}

    @contextlib.contextmanager
    def guard(self, action: str, where: str | None = None):
        """Run a user action: any error becomes a status message, nothing escapes to the notebook.

        ``where`` names the panel doing it: its messages (the error too) also go to that panel's
        line (``panel_messages[where]``). The block receives an outcome whose ``failed`` is True
        once an error was caught. Warnings raised meanwhile (an unreadable cache entry, all-zero
        vectors) are not printed under the cell either: they are added to the status after the
        action's own message.
        """
        outcome = _Outcome()
        with self.speaking(where), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                yield outcome
            except WorkbenchError as err:
                outcome.failed = True
                self.report(str(err), "error")
            except Exception as err:  # noqa: BLE001 - a person must never get a traceback
                outcome.failed = True
                self.last_error = traceback.format_exc()
                log.debug("while %s:\n%s", action, self.last_error)
                self.report(f"Unexpected problem while {action}: {type(err).__name__}: {err}", "error")
            notes = list(dict.fromkeys(str(w.message) for w in caught
                                       if not issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning))))
            if notes:
                log.debug("warnings while %s: %s", action, notes)
                self.report(" ".join([self.status, *notes]).strip(), self.status_level, replace=True)

    def show(self, embeddings: Embeddings, *, projection: Projection | None = None, message: str = "",
             **names) -> bool:
        """Show new embeddings everywhere, all or nothing; True if they are shown.

        First their map is made (the ``projection`` given, else a quick PCA in the current map's
        dimension) and every panel's check runs; only then are ``embeddings``, ``projection`` and
        ``names`` (``model``, ``dataset``, ``modality``) set together, so a failure leaves the
        previous embeddings, map and tables in place and the status on the failure.

        Examples
        --------
        >>> import numpy as np
        >>> state = State(background=False)
        >>> state.show(Embeddings(np.eye(3)), dataset="eye", message="Loaded.")
        True
        >>> state.show(Embeddings(np.eye(2)), dataset="tiny")
        False
        >>> state.dataset, len(state.embeddings), state.projection.embeddings is state.embeddings, state.status_level
        ('eye', 3, True, 'error')
        """
        from ..core.projection import project
        from ..core.validation import check_map_size, zero_vectors_note

        shown = False
        with self.guard("showing the new embeddings"):
            if not isinstance(embeddings, Embeddings):
                raise WorkbenchError(f"Expected Embeddings to show, got {type(embeddings).__name__}.")
            if projection is None or projection.embeddings is not embeddings:
                check_map_size(len(embeddings))
                dim = self.projection.dim if self.projection is not None else 2
                projection = project(embeddings, "pca", dim)
            frame = projection.frame  # the map's table: metadata named like a coordinate must fit
            if len(frame) != len(embeddings):
                raise WorkbenchError(f"The map has {len(frame):,} points for {len(embeddings):,} vectors.")
            for check in list(self.checks):
                check(embeddings, projection)
            before = (self.status, self.status_level)
            with self.hold_trait_notifications():
                for name, value in names.items():
                    setattr(self, name, value)
                self.embeddings, self.projection = embeddings, projection
            note = zero_vectors_note(embeddings.vectors)
            text = " ".join(t for t in (message, note) if t) or f"Showing {len(embeddings):,} vectors."
            said = (self.status, self.status_level) != before  # a panel spoke while the new data arrived
            if said and self.status_level == "busy":  # it started slower work (a UMAP map): say both
                self.report(f"{text} {self.status}", "busy", replace=True)
            elif not (said and self.status_level == "error"):
                self.report(text, "success")
            shown = True
        return shown

    def run(self, action: str, work: Callable[[], object], done: Callable[[object], None] | None = None):
        """Do ``work()`` as a job (in a thread when ``background``), then ``done(result)`` on the main thread."""
        return self.jobs.submit(action, lambda progress: work(), done)

    def wait(self, timeout: float | None = None) -> None:
        """Block until background work started so far has finished and been applied (tests, scripts)."""
        self.jobs.wait(timeout)

    @classmethod
    def wait_all(cls, timeout: float | None = None) -> list[str]:
        """Wait for the jobs of every State in this kernel; returns the messages of jobs that failed."""
        failed = []
        for state in list(cls._instances):
            state.wait(timeout)
            failed += [f"{j.action}: {j.error}" for j in state.jobs.failures]
            state.jobs.failures.clear()
        return failed

    def render_items(self, rows) -> list[str]:
        """HTML of the items at ``rows`` of the current embeddings, as their modality shows them.

        The items stay in the kernel; tables, hovers and selection grids ask for them by row id.
        """
        from ..core.items import render_item

        emb = self.require_embeddings()
        modality = emb.provenance.get("modality") or self.modality
        meta = emb.meta
        items = meta["item"] if "item" in meta else pd.Series(emb.labels)
        return [render_item(modality, items.iloc[r], meta.iloc[r].to_dict()) for r in rows]

    def frame_of(self, rows) -> pd.DataFrame:
        """Label and metadata of the given rows of the current embeddings."""
        emb = self.embeddings
        rows = list(rows)
        every = emb.labels if emb is not None else []  # a copy of every label: read it once, not once per row
        labels = [every[r] for r in rows]
        meta = emb.meta.iloc[rows].reset_index(drop=True) if emb is not None else pd.DataFrame()
        return pd.concat([pd.DataFrame({"row": rows, "label": labels}), meta], axis=1)


class _Outcome:
    """What :meth:`State.guard` hands its block: ``failed`` turns True once an error was caught."""

    failed = False

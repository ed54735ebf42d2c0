"""The one shared state of the app: panels observe it and write to it, never to each other.

Kept flat, like jupyter-scatter's widget: traits grouped by what they describe. Errors from any
panel end up in ``status`` as a readable sentence; the traceback goes to the log, never to the
person, and state written before the error is kept.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable

import pandas as pd
from traitlets import Bool, Enum, HasTraits, Instance, List, Unicode

from ..core.embeddings import Embeddings
from ..core.errors import EmptyInputError, WorkbenchError
from ..core.projection import Projection

__all__ = ["State"]

log = logging.getLogger("workbench.ui")


class State(HasTraits):
    """Shared selection of a workbench session.

    Examples
    --------
    >>> state = State()
    >>> with state.guard("testing"):
    ...     raise ValueError("boom")
    >>> state.status_level, state.status
    ('error', 'Unexpected problem while testing: ValueError: boom')
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
    arrows = List()  # (from_row, to_row) pairs drawn as arrows
    selection = Instance(pd.DataFrame, allow_none=True)  # rows picked with box/lasso

    # messages
    status = Unicode("")
    status_level = Enum(["info", "busy", "success", "error"], default_value="info")

    # run slow work (UMAP, t-SNE, embedding) in a thread; tests switch it off
    background = Bool(True)

    def require_embeddings(self) -> Embeddings:
        """The current embeddings, or an error a panel shows when nothing is loaded yet."""
        if self.embeddings is None:
            raise EmptyInputError("Nothing is loaded yet: embed a dataset or upload vectors first.")
        return self.embeddings

    def report(self, message: str, level: str = "info") -> None:
        self.status_level = level
        self.status = message

    @contextlib.contextmanager
    def guard(self, action: str):
        """Run a user action: any error becomes a status message, nothing escapes to the notebook."""
        try:
            yield
        except WorkbenchError as err:
            self.report(str(err), "error")
        except Exception as err:  # noqa: BLE001 - a person must never get a traceback
            log.exception("while %s", action)
            self.report(f"Unexpected problem while {action}: {type(err).__name__}: {err}", "error")

    def run(self, action: str, work: Callable[[], object], done: Callable[[object], None] | None = None) -> None:
        """Do ``work`` (in a thread when ``background``) under :meth:`guard`, then ``done(result)``."""
        def task():
            with self.guard(action):
                result = work()
                if done is not None:
                    done(result)

        if self.background:
            thread = threading.Thread(target=task, name=f"workbench: {action}", daemon=True)
            self._threads = [t for t in getattr(self, "_threads", []) if t.is_alive()] + [thread]
            thread.start()
        else:
            task()

    def wait(self, timeout: float | None = None) -> None:
        """Block until background work started so far has finished (for tests and scripts)."""
        for thread in list(getattr(self, "_threads", [])):
            thread.join(timeout)

    def frame_of(self, rows) -> pd.DataFrame:
        """Label and metadata of the given rows of the current embeddings."""
        emb = self.embeddings
        rows = list(rows)
        labels = [emb.labels[r] for r in rows] if emb is not None else []
        meta = emb.meta.iloc[rows].reset_index(drop=True) if emb is not None else pd.DataFrame()
        return pd.concat([pd.DataFrame({"row": rows, "label": labels}), meta], axis=1)

"""Messages: the status line with its short history, and each panel's own line beside its input.

Every message is text (never a traceback). The status line shows the newest message of the
session and, folded under it, the few before it with their time; a panel's line shows the last
thing that panel said, so an error appears where the person typed, not only at the top of the app.
"""

from __future__ import annotations

import ipywidgets as widgets

from . import _html
from .state import State

__all__ = ["StatusPanel", "MessageLine"]


class StatusPanel(widgets.VBox):
    """Shows ``state.status`` (errors in red, long work in blue) and the earlier messages, folded.

    Examples
    --------
    >>> state = State()
    >>> panel = StatusPanel(state)
    >>> state.report("Loaded.", "success"); state.report("Unknown word 'kingx'.", "error")
    >>> "Unknown word" in panel.message.value, "Loaded." in panel.history.value
    (True, True)
    """

    def __init__(self, state: State):
        self.state = state
        self.message = widgets.HTML().add_class("wb-status")
        self.history = widgets.HTML().add_class("wb-status-history")
        super().__init__([self.message, self.history])
        state.observe(self._show, names=["status", "status_level"])
        state.observe(self._show_history, names="history")
        self._show()
        self._show_history()

    def _show(self, _=None) -> None:
        self.message.value = _html.status(self.state.status, self.state.status_level)

    def _show_history(self, _=None) -> None:
        # The newest entry is the status line itself once it says the same; the rest are "earlier".
        history = list(self.state.history)
        if history and (history[0]["text"], history[0]["level"]) == (self.state.status, self.state.status_level):
            history = history[1:]
        self.history.value = _html.message_history(history)


class MessageLine(widgets.HTML):
    """One panel's last message (``state.panel_messages[where]``), shown beside that panel's input.

    Examples
    --------
    >>> state = State()
    >>> line = MessageLine(state, "neighbours")
    >>> with state.guard("finding neighbours", where="neighbours"):
    ...     raise ValueError("boom")
    >>> "wb-panel-message-error" in line.value and "boom" in line.value
    True
    """

    def __init__(self, state: State, where: str):
        super().__init__()
        self.state, self.where = state, where
        self.add_class("wb-panel-message").add_class(f"wb-message-{where}")
        state.observe(self._show, names="panel_messages")
        self._show()

    @property
    def level(self) -> str:
        """The level of the message shown ("" when the line is empty)."""
        entry = self.state.panel_messages.get(self.where)
        return entry["level"] if entry else ""

    @property
    def text(self) -> str:
        entry = self.state.panel_messages.get(self.where)
        return entry["text"] if entry else ""

    def _show(self, _=None) -> None:
        entry = self.state.panel_messages.get(self.where)
        self.value = _html.panel_message(entry["text"], entry["level"]) if entry else ""

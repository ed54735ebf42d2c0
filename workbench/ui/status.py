"""The status line: every message and error of the session, as text (never a traceback)."""

from __future__ import annotations

import ipywidgets as widgets

from . import _html
from .state import State

__all__ = ["StatusPanel"]


class StatusPanel(widgets.VBox):
    """Shows ``state.status``; errors in red, long work in blue."""

    def __init__(self, state: State):
        self.state = state
        self.message = widgets.HTML().add_class("wb-status")
        super().__init__([self.message])
        state.observe(self._show, names=["status", "status_level"])
        self._show()

    def _show(self, _=None) -> None:
        self.message.value = _html.status(self.state.status, self.state.status_level)

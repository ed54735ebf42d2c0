"""A progress bar with a message and a Cancel button, showing one panel's running job."""

from __future__ import annotations

import html

import ipywidgets as widgets

from .jobs import Job

__all__ = ["JobBar"]


class JobBar(widgets.HBox):
    """Hidden while idle; while a job runs: its fraction, its message and a working Cancel button.

    Panels start work through :meth:`run`, which submits to the app's :class:`~workbench.ui.jobs.Jobs`
    and follows the job here.
    """

    def __init__(self, state, *, width: str = "180px"):
        self.state = state
        self.bar = widgets.FloatProgress(value=0, min=0, max=1, layout={"width": width})
        self.text = widgets.HTML().add_class("wb-job-message")
        self.cancel = widgets.Button(description="Cancel", icon="stop", layout={"width": "90px"},
                                     tooltip="Stop this work; the previous result stays").add_class("wb-cancel")
        self.cancel.on_click(lambda _: self.job and self.job.cancel())
        self.job: Job | None = None
        super().__init__([self.bar, self.cancel, self.text], layout={"display": "none", "align_items": "center"})
        self.add_class("wb-job")

    def run(self, action: str, work, done=None, *, slot: str | None = None, on_progress=None, on_end=None) -> Job:
        """Submit ``work(progress)`` as a job and show its progress here; ``done(result)`` on success.

        ``on_progress(job)`` and ``on_end(job)`` run on the main thread, like ``done``.
        """
        def progressed(job: Job) -> None:
            self._show(job)
            if on_progress is not None:
                on_progress(job)

        def ended(job: Job) -> None:
            self._ended(job)
            if on_end is not None:
                on_end(job)

        self.job = self.state.jobs.submit(action, work, done, slot=slot, on_progress=progressed, on_end=ended)
        if self.job.running:
            self._show(self.job)
        return self.job

    def _show(self, job: Job) -> None:
        if job is not self.job:
            return
        self.layout.display = "flex"
        self.bar.value = job.fraction
        self.text.value = f"<small>{html.escape(job.message or job.action)}</small>"

    def _ended(self, job: Job) -> None:
        if job is self.job:
            self.layout.display = "none"
            self.bar.value = 0

"""One runner for every slow thing the app does: embedding, maps, training, loading a second model.

A job runs ``work(progress)`` in a thread (inline when ``background`` is off, as in tests and
scripts). ``progress`` is a :class:`~workbench.core.progress.Progress`: the work reports real
fractions with a message and calls ``progress.check()`` between steps, which raises
:class:`~workbench.core.errors.CancelledError` once the person pressed Cancel. When the work
ends, its result is applied by ``done(result)`` **on the kernel's main thread** (the thread that
runs cells and widget callbacks), so widgets and the shared state are only written from there.

A job that is cancelled, fails, or is superseded by a newer job of the same ``slot`` (a new map
while the last one computes) never calls ``done``: the last good result stays. Failures become a
sentence in the status area; the traceback is kept in ``State.last_error``, never printed.

Examples
--------
>>> jobs = Jobs(background=False)
>>> out = []
>>> job = jobs.submit("adding", lambda progress: 1 + 1, out.append)
>>> job.status, out
('done', [2])
"""

from __future__ import annotations

import asyncio
import collections
import threading
import time
import traceback
from collections.abc import Callable

from ..core.errors import CancelledError, WorkbenchError
from ..core.progress import Progress

__all__ = ["Job", "Jobs"]

UPDATE_INTERVAL = 0.15  # seconds between progress updates sent to the browser


class Job:
    """One run of slow work: its status, progress and message, and a way to cancel it."""

    def __init__(self, action: str, slot: str | None = None):
        self.action, self.slot = action, slot
        self.status = "running"  # running -> done | failed | cancelled
        self.fraction, self.message = 0.0, ""
        self.result = self.error = None
        self._cancel = threading.Event()
        self._finished = threading.Event()

    def __repr__(self) -> str:
        return f"Job({self.action!r}, {self.status}, {self.fraction:.0%})"

    def cancel(self) -> None:
        """Ask the work to stop at its next check; its result, if any, is dropped."""
        self._cancel.set()

    def should_stop(self) -> bool:
        return self._cancel.is_set()

    @property
    def running(self) -> bool:
        return not self._finished.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the work has ended (the ``done`` step may still be queued); True if it ended."""
        return self._finished.wait(timeout)


class Jobs:
    """Runs jobs and applies their results on the main thread.

    Parameters
    ----------
    background : bool
        Run work in a thread (default) or inline.
    report : callable(message, level), optional
        Where messages go (the app's status area).
    on_error : callable(Job), optional
        Called (on the main thread) with a failed job; it keeps the traceback for developers.
    """

    def __init__(self, *, background: bool = True, report: Callable[[str, str], None] | None = None,
                 on_error: Callable[[Job], None] | None = None):
        self.background = background
        self.report = report or (lambda message, level: None)
        self.on_error = on_error or (lambda job: None)
        self.jobs: list[Job] = []
        self.failures: list[Job] = []  # failed jobs not yet read by State.wait_all (kept for notebooks' checks)
        self._slots: dict[str, Job] = {}
        self._threads: list[threading.Thread] = []
        self._pending: collections.deque = collections.deque()
        self._lock = threading.Lock()
        self._loop = None

    # ------------------------------------------------------------------ running
    def submit(self, action: str, work: Callable[[Progress], object], done: Callable[[object], None] | None = None,
               *, slot: str | None = None, on_progress: Callable[[Job], None] | None = None,
               on_end: Callable[[Job], None] | None = None) -> Job:
        """Start ``work(progress)``; then ``done(result)`` on the main thread if it succeeded.

        ``slot`` names a kind of work of which only the newest counts: submitting cancels the
        running job of the same slot. ``on_progress(job)`` runs on the main thread (throttled) as
        the work reports; ``on_end(job)`` runs on the main thread however the job ended.
        """
        job = Job(action, slot)
        self._loop = _running_loop() or self._loop
        if slot is not None:
            previous = self._slots.get(slot)
            if previous is not None and previous.running:
                previous.cancel()
            self._slots[slot] = job
        self.jobs = [j for j in self.jobs if j.running][-20:] + [job]
        last_sent = [0.0]

        def report(fraction: float, message: str) -> None:
            job.fraction, job.message = fraction, message
            now = time.monotonic()
            if on_progress is not None and (now - last_sent[0] >= UPDATE_INTERVAL or fraction >= 1.0):
                last_sent[0] = now
                self._on_main(lambda: on_progress(job))

        progress = Progress(report, job.should_stop)

        def run() -> None:
            try:
                job.result = work(progress)
                job.status = "cancelled" if job.should_stop() else "done"
            except CancelledError as err:
                job.status, job.error = "cancelled", err
            except BaseException as err:  # noqa: BLE001 - every failure becomes a message
                job.status, job.error = "failed", err
                job.traceback = traceback.format_exc()
            finally:
                job._finished.set()
            self._on_main(lambda: self._finish(job, done, on_end))

        if self.background:
            thread = threading.Thread(target=run, name=f"workbench: {action}", daemon=True)
            with self._lock:
                self._threads = [t for t in self._threads if t.is_alive()] + [thread]
            thread.start()
        else:
            run()
            self.drain()
        return job

    def _finish(self, job: Job, done, on_end) -> None:
        superseded = job.slot is not None and self._slots.get(job.slot) is not job
        try:
            if job.status == "done" and not superseded and done is not None:
                try:
                    done(job.result)
                except BaseException as err:  # noqa: BLE001 - applying the result failed
                    job.status, job.error, job.traceback = "failed", err, traceback.format_exc()
            if job.status == "failed":
                self.failures.append(job)
                self.on_error(job)
                err = job.error
                text = str(err) if isinstance(err, WorkbenchError) else \
                    f"Unexpected problem while {job.action}: {type(err).__name__}: {err}"
                self.report(text, "error")
            elif job.status == "cancelled" and not superseded:
                self.report(str(job.error) if job.error else f"Cancelled {job.action}; the previous result is kept.",
                            "info")
        finally:
            if on_end is not None:
                on_end(job)

    # ------------------------------------------------------------------ the main thread
    def _on_main(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the main thread: now if this is it, else through the kernel's event loop."""
        if threading.current_thread() is threading.main_thread():
            fn()
            return
        self._pending.append(fn)
        loop = self._loop
        if loop is not None and loop.is_running():
            loop.call_soon_threadsafe(self.drain)
        # Without a running loop (a script, a test) the queue is drained by wait().

    def drain(self) -> None:
        """Apply every result queued for the main thread."""
        while True:
            try:
                fn = self._pending.popleft()
            except IndexError:
                return
            fn()

    def wait(self, timeout: float | None = None) -> None:
        """Block until every job has ended and its result is applied (for tests and scripts)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._lock:
                alive = [t for t in self._threads if t.is_alive()]
            for thread in alive:
                thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
            if threading.current_thread() is threading.main_thread():
                self.drain()
            with self._lock:
                if not any(t.is_alive() for t in self._threads) and not self._pending:
                    return
            if deadline is not None and time.monotonic() >= deadline:
                return

    def cancel_all(self) -> None:
        for job in self.jobs:
            job.cancel()

    @property
    def running(self) -> list[Job]:
        return [j for j in self.jobs if j.running]


def _running_loop():
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None

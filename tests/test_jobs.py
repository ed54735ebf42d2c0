"""The job runner: work in a thread, results applied on the main thread, real progress, Cancel,
superseded and failed jobs never replacing the last good result, errors as sentences."""

from __future__ import annotations

import threading
import time

import pytest

from workbench.core.errors import CancelledError, UnknownLabelError
from workbench.ui.jobs import Jobs
from workbench.ui.state import State


def collect():
    messages = []
    return messages, lambda message, level: messages.append((level, message))


def slow_steps(n: int, pause: float = 0.02):
    def work(progress):
        for i in range(n):
            progress.check("counting")
            time.sleep(pause)
            progress((i + 1) / n, f"step {i + 1} of {n}")
        return n
    return work


def test_done_runs_on_the_main_thread_after_the_work():
    jobs, seen = Jobs(background=True), []
    job = jobs.submit("counting", slow_steps(5), lambda result: seen.append((result, threading.current_thread())))
    jobs.wait(10)
    assert job.status == "done" and seen == [(5, threading.main_thread())]


def test_progress_reports_real_fractions_with_messages():
    jobs, fractions = Jobs(background=True), []
    jobs.submit("counting", slow_steps(10, pause=0.2), None,
                on_progress=lambda job: fractions.append((job.fraction, job.message)))
    jobs.wait(20)
    assert fractions[-1] == (1.0, "step 10 of 10")
    assert len(fractions) >= 3 and all(a[0] <= b[0] for a, b in zip(fractions, fractions[1:]))


def test_cancel_stops_the_work_and_done_is_never_called():
    messages, report = collect()
    jobs, seen = Jobs(background=True, report=report), []
    job = jobs.submit("counting", slow_steps(500), seen.append)
    time.sleep(0.1)
    t0 = time.monotonic()
    job.cancel()
    assert job.wait(5)
    stopped_after = time.monotonic() - t0
    jobs.wait(5)
    assert job.status == "cancelled" and seen == []
    assert stopped_after < 1.0  # behaviour: Cancel is honoured at the next check, not at the end
    assert messages[-1][0] == "info" and "Cancelled counting" in messages[-1][1]


def test_a_newer_job_of_the_same_slot_supersedes_the_running_one():
    jobs, seen = Jobs(background=True), []
    first = jobs.submit("first map", slow_steps(200), lambda r: seen.append("first"), slot="map")
    second = jobs.submit("second map", slow_steps(3), lambda r: seen.append("second"), slot="map")
    jobs.wait(10)
    assert first.status == "cancelled" and second.status == "done" and seen == ["second"]


def test_work_that_ignores_cancel_still_never_applies_its_result():
    jobs, seen = Jobs(background=True), []
    job = jobs.submit("stubborn", lambda progress: time.sleep(0.3) or "late", seen.append)
    job.cancel()
    jobs.wait(5)
    assert job.status == "cancelled" and seen == []


def test_failures_become_one_sentence_and_keep_the_traceback():
    messages, report = collect()
    kept = []
    jobs = Jobs(background=True, report=report, on_error=kept.append)

    def fails(progress):
        raise UnknownLabelError("kingg", ["king"])

    job = jobs.submit("finding neighbours", fails, lambda r: pytest.fail("done must not run"))
    jobs.wait(5)
    assert job.status == "failed" and kept == [job]
    assert messages == [("error", "Unknown label 'kingg': it is not in these embeddings. Closest known: 'king'.")]
    assert "Traceback" in job.traceback


def test_unexpected_errors_name_the_action(capsys):
    messages, report = collect()
    jobs = Jobs(background=False, report=report)
    jobs.submit("drawing", lambda progress: 1 / 0)
    assert messages == [("error", "Unexpected problem while drawing: ZeroDivisionError: division by zero")]
    assert "Traceback" not in capsys.readouterr().err


def test_a_failing_done_step_is_reported_not_raised():
    messages, report = collect()
    jobs = Jobs(background=False, report=report)
    job = jobs.submit("applying", lambda progress: 1, lambda result: [][1])
    assert job.status == "failed" and messages[0][0] == "error" and "IndexError" in messages[0][1]


def test_cancelled_error_raised_by_core_code_counts_as_cancelled():
    messages, report = collect()
    jobs = Jobs(background=False, report=report)

    def work(progress):
        raise CancelledError("Cancelled embedding; the previous result is kept.")

    assert jobs.submit("embedding", work).status == "cancelled"
    assert messages == [("info", "Cancelled embedding; the previous result is kept.")]


def test_state_keeps_the_last_traceback_and_prints_nothing(capsys):
    state = State(background=True)
    state.run("dividing", lambda: 1 / 0)
    state.wait(5)
    assert state.status_level == "error" and "ZeroDivisionError" in state.status
    assert "Traceback" in state.last_error
    assert "Traceback" not in capsys.readouterr().err
    assert any("dividing" in failure for failure in State.wait_all(5))


@pytest.mark.slow
def test_in_a_real_kernel_results_are_applied_on_the_main_thread(tmp_path):
    """In ipykernel the main thread runs an asyncio loop: a finished job's ``done`` is scheduled there,
    so widgets and the shared state are written by the thread that runs cells, never by a worker."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    first = """\
import threading, time
from workbench.ui.jobs import Jobs
jobs, where = Jobs(background=True), []
job = jobs.submit("sleeping", lambda progress: time.sleep(0.3) or threading.current_thread().name,
                  lambda worker: where.append((worker, threading.current_thread() is threading.main_thread())))
"""
    second = "import time\ntime.sleep(1.0)\n"  # the loop runs the scheduled callback once the cell is idle
    third = "print(job.status, where)"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in (first, second, third)])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    out = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    assert out.strip() == "done [('workbench: sleeping', True)]"

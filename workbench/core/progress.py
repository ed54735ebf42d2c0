"""Progress and cooperative cancellation, shared by embedding, projection and training.

Slow functions take ``progress`` and ``should_stop`` keywords. ``progress`` is ``None``, ``True``
(a tqdm bar) or a callable ``progress(fraction, message)`` with ``fraction`` in [0, 1];
``should_stop`` is a callable returning True once the person has pressed Cancel. The work calls
:meth:`Progress.check` between steps, which raises :class:`~workbench.core.errors.CancelledError`,
so nothing half-done is ever returned.

Examples
--------
>>> seen = []
>>> p = Progress(lambda f, m: seen.append((round(f, 2), m)))
>>> p(0.5, "half way"); p.stage(0.5, 1.0)(0.5, "three quarters")
>>> seen
[(0.5, 'half way'), (0.75, 'three quarters')]
"""

from __future__ import annotations

from collections.abc import Callable

from .errors import CancelledError

__all__ = ["Progress", "ProgressCallback"]

ProgressCallback = Callable[[float, str], None]


class Progress:
    """Reports ``fraction`` (mapped into ``span``) and a message; :meth:`check` raises once stopped.

    Parameters
    ----------
    callback : None, True or callable(fraction, message)
        ``True`` draws a tqdm bar with ``description``.
    should_stop : callable() -> bool, optional
    span : (start, end), default=(0, 1)
        The part of a larger job this reporter covers (see :meth:`stage`).
    """

    def __init__(self, callback: ProgressCallback | bool | None = None, should_stop: Callable[[], bool] | None = None,
                 *, span: tuple[float, float] = (0.0, 1.0), description: str = "working"):
        self._bar = None
        if callback is True:
            self._bar, callback = _tqdm_callback(description)
        self.callback = callback if callable(callback) else None
        self.should_stop = should_stop
        self.span = span

    def __call__(self, fraction: float, message: str = "") -> None:
        start, end = self.span
        fraction = start + (end - start) * min(1.0, max(0.0, float(fraction)))
        if self.callback is not None:
            self.callback(fraction, message)

    @property
    def stopped(self) -> bool:
        return bool(self.should_stop is not None and self.should_stop())

    def check(self, what: str = "the work") -> None:
        """Raise :class:`CancelledError` if the person asked to stop."""
        if self.stopped:
            raise CancelledError(f"Cancelled {what}; the previous result is kept.")

    def stage(self, start: float, end: float) -> Progress:
        """A reporter for one stage of this job: its 0..1 maps to ``start..end`` of this one's span."""
        lo, hi = self.span
        child = Progress(None, self.should_stop, span=(lo + (hi - lo) * start, lo + (hi - lo) * end))
        child.callback = self.callback
        return child

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _tqdm_callback(description: str):
    from tqdm.auto import tqdm

    bar = tqdm(total=1000, desc=description, leave=False, bar_format="{desc}: {percentage:3.0f}%|{bar}| {postfix}")

    def update(fraction: float, message: str) -> None:
        bar.n = int(round(fraction * 1000))
        if message:
            bar.set_postfix_str(message, refresh=False)
        bar.refresh()

    return bar, update

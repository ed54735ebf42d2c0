"""Errors with messages a person can act on.

Every error the workbench raises on bad input is a :class:`WorkbenchError`. Each subclass also
derives from the builtin a Python user would expect (``KeyError``, ``ValueError``), so plain
``except ValueError`` keeps working. Messages follow scikit-learn's habit: what was wrong, the value
received, and what is allowed or what to do next. Panels show ``str(error)`` in their status area.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

__all__ = [
    "WorkbenchError",
    "UnknownLabelError",
    "UnknownNameError",
    "DimensionMismatchError",
    "NonFiniteError",
    "EmptyInputError",
    "SizeLimitError",
    "InvalidParameterError",
    "BadFileError",
    "DuplicateNameError",
    "MissingDependencyError",
    "CancelledError",
    "DivergedError",
    "closest",
]


class WorkbenchError(Exception):
    """Base class of every error raised on bad input; ``str(err)`` is meant for people."""

    def __str__(self) -> str:  # KeyError would otherwise repr() its message
        return str(self.args[0]) if self.args else ""


MAX_SUGGEST_CHARS = 200


def closest(word: str, candidates: Iterable[str], n: int = 5) -> list[str]:
    """The ``n`` candidates that look most like ``word`` (difflib ratio, then case-insensitive).

    Words longer than ``MAX_SUGGEST_CHARS`` get no suggestions: difflib's cost grows with the
    product of the lengths, and a pasted page is not a misspelt label.
    """
    if not isinstance(word, str) or len(word) > MAX_SUGGEST_CHARS:
        return []
    pool = candidates if isinstance(candidates, Sequence) else list(candidates)
    found = difflib.get_close_matches(word, pool, n=n, cutoff=0.6)
    if len(found) < n and word.lower() != word:
        found += [c for c in difflib.get_close_matches(word.lower(), pool, n=n) if c not in found]
    return found[:n]


def _quote_list(items: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(repr(i) for i in items[:limit])
    return shown + (f", ... ({len(items)} in all)" if len(items) > limit else "")


class UnknownLabelError(WorkbenchError, KeyError):
    """A label (word, item name) that is not in the embeddings."""

    def __init__(self, label: str, suggestions: Sequence[str] = (), *, what: str = "label"):
        self.label, self.suggestions = label, list(suggestions)
        hint = f" Closest known: {_quote_list(self.suggestions)}." if self.suggestions else ""
        super().__init__(f"Unknown {what} {_shorten(label)}: it is not in these embeddings.{hint}")


def _shorten(text: str, limit: int = 80) -> str:
    """``repr(text)``, cut in the middle with a count when it is long (a pasted page as a query)."""
    text = str(text)
    if len(text) <= limit:
        return repr(text)
    return repr(text[:limit - 20]) + f"… ({len(text):,} characters)"


class UnknownNameError(WorkbenchError, KeyError):
    """An unknown model, dataset, method or column name; the message lists the valid ones."""

    def __init__(self, kind: str, name: object, valid: Sequence[str]):
        self.kind, self.name, self.valid = kind, name, list(valid)
        near = closest(str(name), self.valid, n=3)
        hint = f" Did you mean {_quote_list(near)}?" if near else ""
        super().__init__(f"Unknown {kind} {name!r}.{hint} Valid {kind}s: {_quote_list(self.valid, 30)}.")


class DimensionMismatchError(WorkbenchError, ValueError):
    """Vectors whose shape or dimension does not fit what they are combined with."""


class NonFiniteError(WorkbenchError, ValueError):
    """NaN or infinite values in vectors."""


class EmptyInputError(WorkbenchError, ValueError):
    """Nothing to work on: no rows, no labels, an empty query."""


class SizeLimitError(WorkbenchError, ValueError):
    """An input above a size limit; the message says the limit and how to override it."""


class InvalidParameterError(WorkbenchError, ValueError):
    """A parameter outside its allowed values (scikit-learn's wording)."""

    def __init__(self, name: str, allowed: str, got: object, *, owner: str = ""):
        where = f" of {owner}" if owner else ""
        super().__init__(f"The {name!r} parameter{where} must be {allowed}. Got {got!r} instead.")


class BadFileError(WorkbenchError, ValueError):
    """A file that cannot be read as what it claims to be."""


class DuplicateNameError(WorkbenchError, ValueError):
    """A registry name that is already taken (pass ``replace=True`` to replace it on purpose)."""


class MissingDependencyError(WorkbenchError, ImportError):
    """An optional package a model or dataset needs is not installed; the message says what to install."""

    def __init__(self, what: str, package: str, install: str | None = None):
        self.package = package
        super().__init__(f"{what} needs the {package!r} package, which is not installed: "
                         f"pip install {install or package}")


class CancelledError(WorkbenchError):
    """Work stopped because the person pressed Cancel (or ``should_stop()`` said so)."""


class DivergedError(WorkbenchError, FloatingPointError):
    """Training produced a NaN or infinite loss; the last good model is kept."""

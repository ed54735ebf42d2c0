"""Trainable embedders: ``fit(dataset, *, progress, should_stop)``, a history, open-format saving.

The contract every trainable model follows (Word2Vec, GloVe, Doc2Vec, graph and dual-encoder models):

- parameters in ``__init__`` only (scikit-learn's habit), including ``seed``; nothing is loaded;
- ``fit`` validates, resets the learned state and calls ``_fit(dataset, progress)``; learned
  attributes end in ``_``; ``history_`` gets one row per epoch (``epoch``, ``loss``, ``seconds``...);
- ``_fit`` calls :meth:`Trainable.end_epoch` after each epoch: it records the row, stops on a NaN
  or infinite loss with :class:`~workbench.core.errors.DivergedError`, reports progress and raises
  :class:`~workbench.core.errors.CancelledError` once ``should_stop()`` is true. A run that raises
  leaves the model as it was before ``fit`` (the previous weights, or unfitted);
- ``_state()`` returns the learned arrays and ``_load_state`` puts them back; :meth:`save` writes
  them as safetensors plus a JSON config, and :meth:`load` reads them (nothing is unpickled);
- ``trained_items()`` is the :class:`~workbench.loaders.base.Dataset` the model has vectors for
  (a word model's vocabulary), ready for ``wb.embed``;
- ``snapshot()`` gives the current vectors of those items while training runs (for a live map).
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.cache import content_hash
from ..core.errors import BadFileError, DivergedError, InvalidParameterError, WorkbenchError
from ..core.progress import Progress
from .base import MODELS, Embedder

__all__ = ["Trainable", "NotFittedModelError", "load_model"]

CONFIG_FILE, WEIGHTS_FILE = "config.json", "weights.safetensors"


class NotFittedModelError(WorkbenchError, AttributeError):
    """A trainable model used before ``fit``."""


class Trainable(Embedder):
    """Base class of models that learn their vectors; see the module docstring for the contract."""

    trainable = True
    #: constructor arguments shown as choices in the training panel: {"name": [options]}
    param_choices: dict = {}

    # ------------------------------------------------------------------ fitting
    @property
    def is_fitted(self) -> bool:
        return bool(getattr(self, "fitted_", False))

    def fit(self, dataset, *, progress=None, should_stop=None) -> Trainable:
        """Learn the vectors from ``dataset``; returns ``self``.

        Parameters
        ----------
        dataset : Dataset, str or list
            What to learn from (a corpus, a graph, pairs); a registered name is loaded first.
        progress : None, True or callable(fraction, message)
        should_stop : callable() -> bool, optional
            Checked between steps: once it returns True the run stops with ``CancelledError``.
        """
        from ..loaders.base import as_dataset

        dataset = as_dataset(dataset)
        self._validate_params()
        saved = self._backup()
        reporter = Progress(progress, should_stop, description=f"training {self.name or type(self).__name__}")
        self.history_ = []
        self._t0 = time.perf_counter()
        try:
            reporter.check(f"training {self.name}")
            self._fit(dataset, reporter)
        except BaseException:
            self._restore(saved)
            raise
        finally:
            reporter.close()
        self.fitted_ = True
        self._weights_id = None
        return self

    def _fit(self, dataset, progress: Progress) -> None:
        raise NotImplementedError

    def _validate_params(self) -> None:
        """Raise ``InvalidParameterError`` for parameters out of range (override per model)."""

    def end_epoch(self, epoch: int, epochs: int, progress: Progress, **metrics) -> None:
        """Record one epoch (``epoch`` counts from 1), stop on a non-finite loss, report, honour Cancel."""
        row = {"epoch": epoch, **{k: float(v) for k, v in metrics.items()},
               "seconds": time.perf_counter() - self._t0}
        self.history_.append(row)
        bad = [k for k, v in metrics.items() if not math.isfinite(float(v))]
        if bad:
            raise DivergedError(f"Training diverged at epoch {epoch}: the {bad[0]} became {metrics[bad[0]]}. "
                                "Lower the learning rate and train again; the previous model is kept.")
        shown = ", ".join(f"{k} {v:.4g}" for k, v in metrics.items())
        progress(epoch / epochs, f"epoch {epoch}/{epochs}" + (f": {shown}" if shown else ""))
        progress.check(f"training {self.name or type(self).__name__} after epoch {epoch}")

    def history(self) -> pd.DataFrame:
        """``history_`` as a DataFrame (one row per epoch)."""
        return pd.DataFrame(getattr(self, "history_", []))

    def _check_fitted(self) -> None:
        if not self.is_fitted:
            raise NotFittedModelError(f"This {type(self).__name__} is not trained yet: call fit(dataset) first, "
                                      "or pick it in the Train panel.")

    # ------------------------------------------------------------------ learned state
    def _state(self) -> dict[str, np.ndarray]:
        """The learned arrays (override)."""
        raise NotImplementedError

    def _extra_state(self) -> dict:
        """JSON-able learned state beside the arrays, such as a vocabulary (override if needed)."""
        return {}

    def _load_state(self, arrays: dict[str, np.ndarray], extra: dict) -> None:
        raise NotImplementedError

    def _backup(self):
        if not self.is_fitted:
            return None
        return ({k: np.array(v, copy=True) for k, v in self._state().items()}, json.loads(json.dumps(
            self._extra_state())), list(getattr(self, "history_", [])))

    def _restore(self, saved) -> None:
        if saved is None:
            self.fitted_ = False
            return
        arrays, extra, history = saved
        self._load_state(arrays, extra)
        self.history_ = history
        self.fitted_ = True

    def weights_id(self):
        """A hash of the learned arrays (recomputed after each fit); ``None`` before fitting."""
        if not self.is_fitted:
            return None
        if getattr(self, "_weights_id", None) is None:
            self._weights_id = content_hash(*[np.asarray(v) for _, v in sorted(self._state().items())],
                                            self._extra_state())
        return self._weights_id

    def trained_items(self):
        """The items this model has vectors for, as a Dataset (override)."""
        raise NotImplementedError

    def snapshot(self):
        """Labels and a copy of the current vectors of :meth:`trained_items`, even mid-training."""
        raise NotImplementedError

    # ------------------------------------------------------------------ files
    def save(self, path) -> Path:
        """Write ``config.json`` (class, parameters, history, extra state) and ``weights.safetensors``."""
        from safetensors.numpy import save_file

        self._check_fitted()
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        config = {"format": "workbench-model/1", "class": f"{type(self).__module__}.{type(self).__qualname__}",
                  "registered_as": type(self).name, "params": self.params(), "history": self.history_,
                  "extra": self._extra_state()}
        save_file({k: np.ascontiguousarray(v) for k, v in self._state().items()}, str(folder / WEIGHTS_FILE))
        (folder / CONFIG_FILE).write_text(json.dumps(config, indent=1, default=_jsonable))
        return folder

    @classmethod
    def load(cls, path) -> Trainable:
        """Read a model written by :meth:`save`."""
        model = load_model(path)
        if not isinstance(model, cls):
            raise BadFileError(f"{path} holds a {type(model).__name__}, not a {cls.__name__}.")
        return model


def _jsonable(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable")


def load_model(path) -> Trainable:
    """Read any model written by :meth:`Trainable.save`; only registered workbench classes are created."""
    from safetensors.numpy import load_file

    folder = Path(path)
    try:
        config = json.loads((folder / CONFIG_FILE).read_text())
        arrays = load_file(str(folder / WEIGHTS_FILE))
    except (OSError, ValueError) as err:
        raise BadFileError(f"{folder} is not a saved workbench model ({CONFIG_FILE} + {WEIGHTS_FILE}): {err}") from None
    allowed = {f"{e.factory.__module__}.{e.factory.__qualname__}": e.factory for e in MODELS
               if isinstance(e.factory, type) and issubclass(e.factory, Trainable)}
    cls = allowed.get(config.get("class"))
    if cls is None:
        raise BadFileError(f"{folder} names the class {config.get('class')!r}, which is not a registered trainable "
                           f"workbench model (known: {sorted(allowed)}).")
    try:
        model = cls(**config["params"])
    except TypeError as err:
        raise InvalidParameterError("params", f"parameters of {cls.__name__}", config["params"], owner=str(folder)) \
            from err
    model._load_state(arrays, config.get("extra", {}))
    model.history_ = config.get("history", [])
    model.fitted_ = True
    return model

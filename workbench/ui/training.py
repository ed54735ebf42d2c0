"""Training panel: pick a trainable model and a dataset, set its parameters, train and watch it learn.

Works for any :class:`~workbench.models.trainable.Trainable`: the form is read from the model's
constructor signature (``param_choices`` become dropdowns), the loss curve grows with
``history_``, the progress bar and Cancel come from the shared job runner, and with *live map* on,
each epoch's vectors are placed on the current map (``Projection.place``) so you see the space
move. A finished model is registered in this kernel (``wb.register``) and shown everywhere; a
cancelled or diverged run puts back the previous model, vectors and map.
"""

from __future__ import annotations

import html
import inspect

import ipywidgets as widgets

from .. import figures
from ..core.embeddings import Embeddings
from ..core.errors import WorkbenchError
from ..core.validation import check_map_size
from ..loaders import DATASETS
from ..models import MODELS
from ..models.base import register
from ._figure import show_figure
from .job_bar import JobBar
from .state import State
from .status import MessageLine

__all__ = ["TrainingPanel", "parameter_widgets"]

STYLE = {"description_width": "100px"}
SKIPPED = {"workers", "threads", "progress"}  # machine settings, not model parameters


def trainable_models() -> list[str]:
    """Registered trainable model classes (fitted instances registered in the kernel are not listed)."""
    return [e.name for e in MODELS if e.trainable and inspect.isclass(e.factory)]


def parameter_widgets(cls) -> dict[str, widgets.Widget]:
    """One input per constructor parameter of ``cls``: numbers, switches, and dropdowns for choices."""
    out = {}
    for name, p in inspect.signature(cls.__init__).parameters.items():
        if name == "self" or name in SKIPPED or p.default is inspect.Parameter.empty:
            continue
        default, label = p.default, name.replace("_", " ")
        choices = getattr(cls, "param_choices", {}).get(name)
        if choices:
            w = widgets.Dropdown(options=list(choices), value=default, description=label, style=STYLE,
                                 layout={"width": "220px"})
        elif isinstance(default, bool):
            w = widgets.Checkbox(value=default, description=label, indent=False)
        elif isinstance(default, int):
            w = widgets.IntText(value=default, description=label, style=STYLE, layout={"width": "220px"})
        elif isinstance(default, float):
            w = widgets.FloatText(value=default, description=label, style=STYLE, layout={"width": "220px"})
        elif isinstance(default, str) or default is None:
            w = widgets.Text(value=default or "", description=label, style=STYLE)
        else:
            continue
        out[name] = w.add_class(f"wb-param-{name}")
    return out


class TrainingPanel(widgets.VBox):
    """Train any registered trainable model on a dataset, with a live loss curve, progress and Cancel."""

    def __init__(self, state: State, *, model: str | None = None, dataset: str | None = None):
        self.state = state
        models = trainable_models()
        self.model = widgets.Dropdown(options=models, value=model if model in models else (models or [None])[0],
                                      description="Model", style={"description_width": "50px"}).add_class("wb-train-model")
        self.dataset = widgets.Dropdown(description="on", style={"description_width": "24px"}).add_class("wb-train-data")
        self.limit = widgets.IntText(value=0, description="items (0 = all)", style=STYLE,
                                     layout={"width": "220px"}).add_class("wb-train-limit")
        self.live = widgets.Checkbox(value=True, description="live map (place each epoch)", indent=False)
        self.train_button = widgets.Button(description="Train", icon="play", button_style="primary").add_class("wb-train")
        self.job = JobBar(state, width="160px").add_class("wb-train-job")
        self.form = widgets.GridBox(layout={"grid_template_columns": "repeat(2, 230px)", "grid_gap": "2px 12px"}
                                    ).add_class("wb-train-params")
        self.curve = widgets.Box().add_class("wb-loss-curve")
        self.summary = widgets.HTML().add_class("wb-train-summary")
        self.message = MessageLine(state, "training")
        self.params: dict[str, widgets.Widget] = {}
        self.model_ = None  # the last model trained to the end
        self._curve = None
        self._wanted_dataset = dataset
        super().__init__([widgets.HBox([self.model, self.dataset]), self.form, widgets.HBox([self.limit, self.live]),
                          widgets.HBox([self.train_button, self.job]), self.message, self.curve, self.summary])
        self.model.observe(self._fill_form, names="value")
        self.train_button.on_click(lambda _: self.train())
        self._fill_form()

    def _fill_form(self, _=None) -> None:
        if self.model.value is None:
            self.summary.value = "<small>No trainable model is registered.</small>"
            return
        cls = MODELS.get(self.model.value).factory
        self.params = parameter_widgets(cls)
        self.form.children = list(self.params.values())
        names = DATASETS.names(getattr(cls, "trains_on", cls.modality))
        current = self.dataset.value
        self.dataset.options = names
        # Keep the dataset asked for (or the one chosen before) when it fits; else the first that does,
        # so Train never says "no dataset" while the dropdown lists some.
        for wanted in (self._wanted_dataset, current, *names[:1]):
            if wanted in names:
                self.dataset.value = wanted
                break

    # ------------------------------------------------------------------ training
    def train(self) -> None:
        """Train the chosen model with the form's parameters (as a job: progress, Cancel)."""
        with self.state.guard("starting the training", where="training"):
            from ..loaders.base import load_dataset

            entry = MODELS.get(self.model.value)
            if not self.dataset.value:
                raise WorkbenchError(f"No dataset to train {entry.name} on: it learns from "
                                     f"{getattr(entry.factory, 'trains_on', entry.modality)} datasets.")
            model = entry.create(**{k: w.value for k, w in self.params.items()})
            dataset = load_dataset(self.dataset.value, limit=self.limit.value or None)
            self._start(entry.name, model, dataset)

    def _start(self, family: str, model, dataset) -> None:
        before = (self.state.embeddings, self.state.projection)
        base_map = self.state.projection
        live = {"epoch": 0, "shown": 0, "placed": None, "base": None, "touched": False}
        self._curve = show_figure(self.curve, self._curve, figures.loss_curve(model.history(), title="training loss"))

        def place(emb: Embeddings):
            """The snapshot on the map: placed on the last map, or a quick PCA for the first epoch."""
            from ..core.projection import project

            own = live["base"] is not None  # a map of this model's own first epoch: a linear PCA fits
            base = live["base"] or base_map
            try:
                if base is None:
                    raise WorkbenchError("no map yet")
                # Another model's map (GloVe under Word2Vec): place by neighbours, never by its PCA axes.
                return base.place(emb, how="auto" if own else "neighbours")
            except (WorkbenchError, AttributeError):
                live["base"] = project(emb, "pca", quality=False, cache=False)
                return live["base"]

        def work(progress):
            def report(fraction: float, message: str) -> None:
                progress(fraction * 0.95, message)
                epochs = len(getattr(model, "history_", []))
                if self.live.value and epochs > live["epoch"]:
                    labels, vectors = model.snapshot()
                    emb = Embeddings(vectors, labels, provenance={"model": f"{family} (epoch {epochs})"})
                    live["placed"], live["epoch"] = place(emb), epochs

            model.fit(dataset, progress=report, should_stop=progress.should_stop)
            progress(0.96, "embedding the trained items")
            from ..pipeline import embed

            emb = embed(model.trained_items(), model, progress=False)
            if self.live.value:
                live["placed"] = place(emb)
            return emb

        def progressed(job) -> None:
            history = model.history()
            if len(history) and len(history) != getattr(self, "_drawn_epochs", -1):
                self._drawn_epochs = len(history)
                self._curve = show_figure(self.curve, self._curve, figures.loss_curve(history, title="training loss"))
            placed = live["placed"]
            if placed is not None and live["epoch"] > live["shown"]:
                live["shown"], live["touched"] = live["epoch"], True
                with self.state.speaking("training"), self.state.hold_trait_notifications():
                    self.state.embeddings, self.state.projection = placed.embeddings, placed

        def done(emb: Embeddings) -> None:
            # Fails the job (the previous model and map are put back) before anything is registered or shown.
            check_map_size(len(emb))
            progressed(None)
            name = self._unique_name(family)
            register(model, name, description=f"{family} trained on {dataset.name} ({self._describe(model)})")
            emb = Embeddings(emb.vectors, emb.labels, meta=emb.meta, provenance={**emb.provenance, "model": name},
                             embedder=model)
            self.model_ = model
            placed = live["placed"]
            with self.state.speaking("training"), self.state.hold_trait_notifications():
                if placed is not None and placed.embeddings.labels == emb.labels:
                    self.state.projection = placed  # shown until a fresh map of the final vectors is ready
                self.state.model, self.state.dataset = name, f"{dataset.name} (trained items)"
                self.state.embeddings = emb
            last = model.history_[-1] if model.history_ else {}
            self.summary.value = (f"<small>Registered <b>{html.escape(name)}</b>: {len(emb):,} items, {emb.dim} "
                                  f"dimensions, {len(model.history_)} epochs in {last.get('seconds', 0):.1f} s"
                                  + (f", final loss {last['loss']:.4g}" if "loss" in last else "") + ".</small>")
            self.state.report(f"Trained {name} on {dataset.name}: its {len(emb):,} items are on the map and in "
                              "every panel.", "success", where="training")

        def ended(job) -> None:
            if job.status != "done" and live["touched"]:  # put back the last good model and map
                with self.state.speaking("training"), self.state.hold_trait_notifications():
                    self.state.embeddings, self.state.projection = before
            if job.status in ("failed", "cancelled"):  # the runner put the reason in the status: show it here too
                self.state.tell("training", self.state.status, "error" if job.status == "failed" else "info")

        self.state.report(f"Training {family} on {dataset.name} ({len(dataset):,} items)…", "busy", where="training")
        self.job.run(f"training {family}", work, done, slot="train", on_progress=progressed, on_end=ended)

    @staticmethod
    def _describe(model) -> str:
        return ", ".join(f"{k}={v}" for k, v in model.params().items())

    @staticmethod
    def _unique_name(family: str) -> str:
        n = 1
        while f"{family}-{n}" in MODELS:
            n += 1
        return f"{family}-{n}"

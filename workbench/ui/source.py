"""Source panel: choose modality, model and dataset and embed; or bring your own vectors."""

from __future__ import annotations

import ipywidgets as widgets
import pandas as pd

from ..core.embeddings import Embeddings
from ..core.errors import SizeLimitError, WorkbenchError
from ..core.io import describe_columns, frame_to_parts, read_vectors_file
from ..core.validation import check_number
from ..loaders import DATASETS
from ..models import MODELS
from ..models.base import ready_models
from .job_bar import JobBar
from .state import State

__all__ = ["SourcePanel", "MAX_UPLOAD_BYTES"]

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
UPLOAD_TYPES = ".csv,.tsv,.npy,.txt,.vec,.bin"


def _modalities() -> list[str]:
    """Modalities with a dataset and a model that can encode now (models still to train are in the Train tab)."""
    return [m for m in sorted(set(MODELS.modalities()) | set(DATASETS.modalities()))
            if ready_models(m) and DATASETS.names(m)]


class SourcePanel(widgets.VBox):
    """Pick what to embed, then press *Embed*; or upload a CSV/TSV/NPY/word2vec file.

    From Python, :meth:`use` takes an array, a DataFrame, gensim ``KeyedVectors`` or
    :class:`~workbench.core.Embeddings`.
    """

    def __init__(self, state: State, *, limit: int = 5000):
        check_number("SourcePanel", "limit", limit, low=10, high=1_000_000)
        self.state = state
        style = {"description_width": "80px"}
        self.modality = widgets.Dropdown(options=_modalities(), value=state.modality, description="Modality",
                                         style=style).add_class("wb-modality")
        self.model = widgets.Dropdown(description="Model", style=style).add_class("wb-model")
        self.dataset = widgets.Dropdown(description="Dataset", style=style).add_class("wb-dataset")
        self.limit = widgets.BoundedIntText(value=limit, min=10, max=1_000_000, step=1000, description="Items",
                                            style=style, layout={"width": "200px"}).add_class("wb-limit")
        self.embed_button = widgets.Button(description="Embed", button_style="primary",
                                           icon="play").add_class("wb-embed")
        self.job = JobBar(state)
        self.upload = widgets.FileUpload(accept=UPLOAD_TYPES, multiple=False,
                                         description="Upload vectors").add_class("wb-upload")
        self._fill_choices()
        self.modality.observe(self._fill_choices, names="value")
        MODELS.on_change(self._on_registry_change)  # a model registered in the kernel appears at once
        self.embed_button.on_click(lambda _: self.embed())
        self.upload.observe(self._on_upload, names="value")
        help_ = widgets.HTML("<small>or upload .csv/.tsv (a label column + numbers), .npy, or word2vec .txt/.vec/.bin"
                             "</small>")
        super().__init__([
            widgets.HBox([self.modality, self.model, self.dataset]),
            widgets.HBox([self.limit, self.embed_button, self.job]),
            widgets.HBox([self.upload, help_]),
        ])

    def _on_registry_change(self) -> None:
        modalities = _modalities()
        if list(self.modality.options) != modalities:
            current = self.modality.value
            self.modality.options = modalities
            self.modality.value = current if current in modalities else modalities[0]
        self._fill_choices()

    def _fill_choices(self, _=None) -> None:
        modality, model, dataset = self.modality.value, self.model.value, self.dataset.value
        self.model.options = ready_models(modality)  # untrained models are trained in the Train tab
        self.dataset.options = DATASETS.names(modality)
        for widget, wanted in ((self.model, (model, self.state.model)), (self.dataset, (dataset, self.state.dataset))):
            for value in wanted:
                if value in widget.options:
                    widget.value = value
                    break
            else:  # a Dropdown filled after it was made keeps value None: choose the first
                if widget.options and widget.value not in widget.options:
                    widget.value = widget.options[0]

    def embed(self) -> None:
        """Embed the chosen dataset with the chosen model (in the background), then show it."""
        from ..pipeline import embed

        model, dataset, limit = self.model.value, self.dataset.value, self.limit.value
        self.state.report(f"Embedding {limit:,} items of {dataset} with {model}…", "busy")

        def done(emb: Embeddings) -> None:
            self.state.show(emb, modality=self.modality.value, model=model, dataset=dataset,
                            message=f"Embedded {len(emb):,} items of {dataset} with {model} ({emb.dim} dimensions).")

        def work(progress):
            return embed(dataset, model, limit=limit, progress=progress, should_stop=progress.should_stop)

        self.job.run(f"embedding {dataset} with {model}", work, done, slot="embed")

    def use(self, data, labels=None, *, meta: pd.DataFrame | None = None, name: str = "your vectors",
            _columns: str = "") -> bool:
        """Show your own vectors: an (n, d) array, a DataFrame, gensim KeyedVectors or Embeddings.

        All or nothing (:meth:`State.show`): vectors that cannot be read or mapped leave the
        previous ones, their map and tables in place, with the reason in the status. Returns True
        when the new vectors are shown.
        """
        emb, columns = None, _columns
        with self.state.guard("reading your vectors"):
            if isinstance(data, Embeddings):
                emb = data
            elif hasattr(data, "index_to_key") and hasattr(data, "vectors"):
                emb = Embeddings.from_keyed_vectors(data)
            elif isinstance(data, pd.DataFrame):
                vectors, frame_labels, frame_meta = frame_to_parts(data, label="label")
                columns = describe_columns(frame_meta)
                emb = Embeddings(vectors, frame_labels, meta=frame_meta, provenance={"dataset": name})
            else:
                emb = Embeddings(data, labels, meta=meta, provenance={"dataset": name})
        if emb is None:
            return False
        detail = f" ({columns})" if columns else ""
        return self.state.show(emb, model=emb.provenance.get("model", ""), dataset=name,
                               message=f"Loaded {name}: {len(emb):,} vectors of {emb.dim} dimensions{detail}.")

    def _on_upload(self, change) -> None:
        files = change["new"]
        if not files:
            return
        upload = files[0]
        with self.state.guard(f"reading {upload['name']}"):
            if upload["size"] > MAX_UPLOAD_BYTES:
                raise SizeLimitError(f"{upload['name']} is {upload['size'] / 2**20:.0f} MB; uploads are limited to "
                                     f"{MAX_UPLOAD_BYTES // 2**20} MB. Load bigger files from Python with "
                                     "wb.Embeddings.from_word2vec(path) or np.load, then app.use(...).")
            vectors, labels, meta = read_vectors_file(upload["name"], bytes(upload["content"]))
            try:
                emb = Embeddings(vectors, labels, meta=meta, provenance={"dataset": upload["name"]})
            except WorkbenchError as err:  # name the person's file in the message
                self.state.report(f"{upload['name']}: {err}", "error")
                return
            self.use(emb, name=upload["name"], _columns=describe_columns(meta))

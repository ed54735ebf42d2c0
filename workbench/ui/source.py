"""Source panel: choose modality, model and dataset and embed; or bring your own vectors."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import pandas as pd

from ..core.embeddings import Embeddings
from ..core.errors import SizeLimitError
from ..core.io import read_vectors_file
from ..loaders.base import DATASETS
from ..models.base import MODELS
from .state import State

__all__ = ["SourcePanel", "MAX_UPLOAD_BYTES"]

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
UPLOAD_TYPES = ".csv,.tsv,.npy,.txt,.vec,.bin"


def _modalities() -> list[str]:
    import workbench.loaders  # noqa: F401 - fills the registries
    import workbench.models  # noqa: F401

    return sorted({e.modality for e in MODELS} & {e.modality for e in DATASETS})


class SourcePanel(widgets.VBox):
    """Pick what to embed, then press *Embed*; or upload a CSV/TSV/NPY/word2vec file.

    From Python, :meth:`use` takes an array, a DataFrame, gensim ``KeyedVectors`` or
    :class:`~workbench.core.Embeddings`.
    """

    def __init__(self, state: State, *, limit: int = 5000):
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
        self.progress = widgets.FloatProgress(value=0, min=0, max=1, layout={"width": "200px",
                                                                           "visibility": "hidden"})
        self.upload = widgets.FileUpload(accept=UPLOAD_TYPES, multiple=False,
                                         description="Upload vectors").add_class("wb-upload")
        self._fill_choices()
        self.modality.observe(self._fill_choices, names="value")
        self.embed_button.on_click(lambda _: self.embed())
        self.upload.observe(self._on_upload, names="value")
        help_ = widgets.HTML("<small>or upload .csv/.tsv (a label column + numbers), .npy, or word2vec .txt/.vec/.bin"
                             "</small>")
        super().__init__([
            widgets.HBox([self.modality, self.model, self.dataset]),
            widgets.HBox([self.limit, self.embed_button, self.progress]),
            widgets.HBox([self.upload, help_]),
        ])

    def _fill_choices(self, _=None) -> None:
        modality = self.modality.value
        self.model.options = MODELS.names(modality)
        self.dataset.options = DATASETS.names(modality)
        if self.state.model in self.model.options:
            self.model.value = self.state.model
        if self.state.dataset in self.dataset.options:
            self.dataset.value = self.state.dataset

    def embed(self) -> None:
        """Embed the chosen dataset with the chosen model (in the background), then show it."""
        from ..pipeline import embed

        model, dataset, limit = self.model.value, self.dataset.value, self.limit.value
        self.state.report(f"Embedding {limit:,} items of {dataset} with {model}…", "busy")
        self.progress.layout.visibility = "visible"
        self.progress.value = 0

        def step(fraction: float) -> None:
            self.progress.value = fraction

        def done(emb: Embeddings) -> None:
            self.state.modality = self.modality.value
            self.state.model, self.state.dataset = model, dataset
            self.state.embeddings = emb
            self.state.report(f"Embedded {len(emb):,} items of {dataset} with {model} ({emb.dim} dimensions).",
                              "success")

        def work():
            try:
                return embed(dataset, model, limit=limit, progress=step)
            finally:
                self.progress.layout.visibility = "hidden"

        self.state.run(f"embedding {dataset} with {model}", work, done)

    def use(self, data, labels=None, *, meta: pd.DataFrame | None = None, name: str = "your vectors") -> None:
        """Show your own vectors: an (n, d) array, a DataFrame, gensim KeyedVectors or Embeddings."""
        with self.state.guard("reading your vectors"):
            if isinstance(data, Embeddings):
                emb = data
            elif hasattr(data, "index_to_key") and hasattr(data, "vectors"):
                emb = Embeddings.from_keyed_vectors(data)
            elif isinstance(data, pd.DataFrame):
                emb = Embeddings.from_frame(data)
            else:
                emb = Embeddings(np.asarray(data), labels, meta=meta, provenance={"dataset": name})
            self.state.model, self.state.dataset = emb.provenance.get("model", ""), name
            self.state.embeddings = emb
            self.state.report(f"Loaded {name}: {len(emb):,} vectors of {emb.dim} dimensions.", "success")

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
            emb = Embeddings(vectors, labels, meta=meta, provenance={"dataset": upload["name"]})
            self.use(emb, name=upload["name"])

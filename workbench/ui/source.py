"""Source panel: choose modality, model and dataset and embed; or bring your own vectors.

An uploaded table (CSV, TSV, Parquet) offers its columns: which one holds the labels, and which
one holds a class; the class is put first among the metadata as text, so the map colours by it.
"""

from __future__ import annotations

import io

import ipywidgets as widgets
import pandas as pd

from ..core.embeddings import Embeddings
from ..core.errors import BadFileError, EmptyInputError, SizeLimitError, UnknownNameError, WorkbenchError
from ..core.io import describe_columns, frame_to_parts, read_vectors_file, sniff_format
from ..core.validation import check_number
from ..loaders import DATASETS
from ..models import MODELS
from ..models.base import ready_models
from .job_bar import JobBar
from .state import State
from .status import MessageLine

__all__ = ["SourcePanel", "MAX_UPLOAD_BYTES", "read_table", "ROW_NUMBERS", "NO_CLASS"]

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
UPLOAD_TYPES = ".csv,.tsv,.parquet,.npy,.txt,.vec,.bin"
TABLES = ("csv", "tsv", "parquet")
AUTO_LABEL, ROW_NUMBERS, NO_CLASS = "(found by name)", "(row numbers)", "(no class)"
MAX_CLASSES = 60  # a column with more distinct values is not offered as a class (the map's colour limit too)


def read_table(name: str, data: bytes) -> pd.DataFrame:
    """An uploaded CSV, TSV or Parquet table as a DataFrame (a BadFileError naming the file otherwise).

    Examples
    --------
    >>> read_table("mine.csv", b"word,x,y\\ncat,1,0\\n").columns.tolist()
    ['word', 'x', 'y']
    """
    kind = sniff_format(name, data)
    if kind not in TABLES:
        raise BadFileError(f"{name} is not a table (CSV, TSV or Parquet).")
    try:
        if kind == "parquet":
            return pd.read_parquet(io.BytesIO(data))
        return pd.read_csv(io.BytesIO(data), sep="\t" if kind == "tsv" else ",")
    except Exception as err:  # noqa: BLE001 - pandas and pyarrow raise many kinds for a broken file
        raise BadFileError(f"{name} could not be read as {kind.upper()}: {err}") from None


def _class_columns(frame: pd.DataFrame) -> list[str]:
    """Columns that can be a class: few distinct values (text, or whole numbers such as 0-9)."""
    out = []
    for column in frame.columns:
        values = frame[column]
        try:
            few = values.nunique() <= MAX_CLASSES
        except TypeError:  # lists or arrays in the cells
            continue
        if few and not pd.api.types.is_float_dtype(values):
            out.append(str(column))
    return out


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
        self.label_column = widgets.Dropdown(options=[AUTO_LABEL], value=AUTO_LABEL, description="Labels",
                                             style=style).add_class("wb-label-column")
        self.class_column = widgets.Dropdown(options=[NO_CLASS], value=NO_CLASS, description="Class",
                                             style=style).add_class("wb-class-column")
        self.columns = widgets.HBox([self.label_column, self.class_column], layout={"display": "none"})
        self.message = MessageLine(state, "source")
        self._table: tuple[str, pd.DataFrame, str] | None = None  # the last table uploaded, to re-read
        self._filling_columns = False
        self._fill_choices()
        self.modality.observe(self._fill_choices, names="value")
        MODELS.on_change(self._on_registry_change)  # a model registered in the kernel appears at once
        self.embed_button.on_click(lambda _: self.embed())
        self.upload.observe(self._on_upload, names="value")
        self.label_column.observe(self._on_columns, names="value")
        self.class_column.observe(self._on_columns, names="value")
        help_ = widgets.HTML("<small>or upload .csv/.tsv/.parquet (a label column, numbers, maybe a class), .npy, "
                             "or word2vec .txt/.vec/.bin</small>")
        super().__init__([
            widgets.HBox([self.modality, self.model, self.dataset]),
            widgets.HBox([self.limit, self.embed_button, self.job]),
            widgets.HBox([self.upload, help_]),
            self.columns,
            self.message,
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
        self.state.report(f"Embedding {limit:,} items of {dataset} with {model}…", "busy", where="source")

        version = self.state.data_version

        def done(emb: Embeddings) -> None:
            if not self.state.is_current(version):  # other vectors were shown meanwhile: the latest choice wins
                self.state.report(f"The embedding of {dataset} with {model} finished after other vectors were shown; "
                                  "it is not shown (press Embed again for it).", "info", where="source")
                return
            with self.state.speaking("source"):
                self.state.show(emb, modality=self.modality.value, model=model, dataset=dataset,
                                message=f"Embedded {len(emb):,} items of {dataset} with {model} ({emb.dim} "
                                        "dimensions).")

        def work(progress):
            return embed(dataset, model, limit=limit, progress=progress, should_stop=progress.should_stop)

        self.job.run(f"embedding {dataset} with {model}", work, done, slot="embed")

    def use(self, data, labels=None, *, meta: pd.DataFrame | None = None, name: str = "your vectors",
            _columns: str = "") -> bool:
        """Show your own vectors: an (n, d) array, a DataFrame, gensim KeyedVectors or Embeddings.

        All or nothing (:meth:`State.show`): vectors that cannot be read or mapped leave the
        previous ones, their map and tables in place, with the reason in the status. Returns True
        when the new vectors are shown; an embedding still running from *Embed* is then cancelled
        (the latest choice wins: it would otherwise replace these vectors when it ends).
        """
        with self.state.speaking("source"):
            shown = self._use(data, labels, meta=meta, name=name, _columns=_columns)
        running = self.job.job
        if shown and running is not None and running.running:
            running.cancel()
        return shown

    def _use(self, data, labels, *, meta, name: str, _columns: str) -> bool:
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
        with self.state.guard(f"reading {upload['name']}", where="source"):
            if upload["size"] > MAX_UPLOAD_BYTES:
                raise SizeLimitError(f"{upload['name']} is {upload['size'] / 2**20:.0f} MB; uploads are limited to "
                                     f"{MAX_UPLOAD_BYTES // 2**20} MB. Load bigger files from Python with "
                                     "wb.Embeddings.from_word2vec(path) or np.load, then app.use(...).")
            data = bytes(upload["content"])
            kind = sniff_format(upload["name"], data) if data else ""
            if kind in TABLES:
                self._table = None
                frame = read_table(upload["name"], data)
                self._offer_columns(frame)
                self._table = (upload["name"], frame, kind.upper())
                self._use_table()
                return
            self._table, self.columns.layout.display = None, "none"
            vectors, labels, meta = read_vectors_file(upload["name"], data)
            self._make_and_use(upload["name"], vectors, labels, meta, describe_columns(meta))

    def _offer_columns(self, frame: pd.DataFrame) -> None:
        """Fill the label and class pickers with the table's columns (found by name / none at first)."""
        self._filling_columns = True
        try:
            self.label_column.options = [AUTO_LABEL, ROW_NUMBERS, *map(str, frame.columns)]
            self.label_column.value = AUTO_LABEL
            self.class_column.options = [NO_CLASS, *_class_columns(frame)]
            self.class_column.value = NO_CLASS
        finally:
            self._filling_columns = False
        self.columns.layout.display = "flex"

    def _on_columns(self, _=None) -> None:
        if not self._filling_columns and self._table is not None:
            self._use_table()

    def choose_columns(self, label: str | None = None, class_column: str | None = None) -> bool:
        """Re-read the last uploaded table with this label column and class column (as the pickers do).

        ``label=None`` leaves the label picker as it is (``ROW_NUMBERS`` for labels 0, 1, ...);
        ``class_column=None`` leaves the class picker (``NO_CLASS`` for none). All or nothing, like
        :meth:`use`: returns True when the vectors are shown, else the status says why.
        """
        with self.state.guard("choosing the columns", where="source") as outcome:
            if self._table is None:
                raise EmptyInputError("Upload a table (CSV, TSV or Parquet) first: its columns are offered here.")
            for picker, value in ((self.label_column, label), (self.class_column, class_column)):
                if value is not None and value not in picker.options:
                    raise UnknownNameError(f"{picker.description.lower()} column", value, list(picker.options))
        if outcome.failed:
            return False
        self._filling_columns = True
        try:
            if label is not None:
                self.label_column.value = label
            if class_column is not None:
                self.class_column.value = class_column
        finally:
            self._filling_columns = False
        return self._use_table()

    def _use_table(self) -> bool:
        """Show the uploaded table with the columns picked: labels, class (first metadata, as text), vectors."""
        if self._table is None:
            return False
        name, frame, kind = self._table
        label, klass = self.label_column.value, self.class_column.value
        parts = None
        with self.state.guard(f"reading {name}", where="source"):
            if klass != NO_CLASS and klass == label:
                raise BadFileError(f"{name}: the column {klass!r} cannot be both the labels and the class.")
            data = frame.drop(columns=[c for c in frame.columns if str(c) == klass])
            try:
                parts = frame_to_parts(data, label={AUTO_LABEL: "label", ROW_NUMBERS: None}.get(label, label))
            except WorkbenchError as err:
                hint = " Pick the label column above." if "ambiguous" in str(err) else ""
                raise BadFileError(f"{name} could not be read as {kind}: {err}{hint}") from None
        if parts is None:
            return False
        vectors, labels, meta = parts
        columns = describe_columns(meta)
        if klass != NO_CLASS:
            column = next(c for c in frame.columns if str(c) == klass)
            attrs = dict(meta.attrs)
            meta = pd.concat([pd.DataFrame({klass: frame[column].astype(str).to_numpy()}),
                              meta.drop(columns=[c for c in meta.columns if str(c) == klass])], axis=1)
            meta.attrs.update(attrs, metadata_columns=[klass, *attrs.get("metadata_columns", [])])
            columns = describe_columns(meta) + f"; the map colours by the class column {klass!r}"
        return self._make_and_use(name, vectors, labels, meta, columns, class_column=None if klass == NO_CLASS
                                  else klass)

    def _make_and_use(self, name: str, vectors, labels, meta, columns: str, *, class_column: str | None = None) -> bool:
        emb = None
        with self.state.guard(f"reading {name}", where="source"):
            provenance = {"dataset": name, **({"class_column": class_column} if class_column else {})}
            try:
                emb = Embeddings(vectors, labels, meta=meta, provenance=provenance)
            except WorkbenchError as err:  # name the person's file in the message
                self.state.report(f"{name}: {err}", "error")
                emb = None
        return emb is not None and self.use(emb, name=name, _columns=columns)

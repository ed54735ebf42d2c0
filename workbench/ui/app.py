"""The assembled workbench: source, map, neighbours, analogies, similarity and status, sharing one State."""

from __future__ import annotations

import html

import ipywidgets as widgets

from ._scroll import ScrollIntoView
from .bookmarks import BookmarksPanel
from .analogy import AnalogyPanel
from .neighbours import NeighboursPanel
from .projection import ProjectionPanel, check_map_options
from .similarity import SimilarityPanel
from .source import SourcePanel
from .state import State
from .status import StatusPanel
from .training import TrainingPanel

__all__ = ["Workbench"]


class Workbench(widgets.VBox):
    """All panels on one shared :class:`State`.

    Parameters
    ----------
    dataset, model : str
        What to embed and show first (see ``wb.datasets()`` and ``wb.catalog()``).
    limit : int
        How many items of the dataset to embed.
    method : {"umap", "pca", "tsne"}
        The map; UMAP and t-SNE show PCA first while they compute (unless cached).
    embeddings : Embeddings, array or DataFrame, optional
        Show these instead of embedding a dataset.
    background : bool
        Compute slow things in a thread (switch off in scripts and tests).
    height, width : int
        Size of the map in pixels. The defaults fit map, controls and tabs on one screen of a
        1,366-px laptop with JupyterLab's file browser open.
    title : str, optional
        A heading above the app (none by default: the notebook around it has one).

    Examples
    --------
    >>> app = Workbench(limit=500, method="pca", background=False)   # doctest: +SKIP
    >>> app.state.query = "king"                                     # doctest: +SKIP
    >>> app.neighbours.result_frame.label.head(3).tolist()           # doctest: +SKIP
    ['prince', 'queen', 'son']
    """

    def __init__(self, dataset: str = "glove-vocab", model: str = "glove-6b-50d", *, limit: int = 5000,
                 method: str = "umap", dim: int = 2, colour: str | None = None, embeddings=None,
                 background: bool = True, height: int = 480, width: int = 560, title: str | None = None):
        from ..core.errors import InvalidParameterError
        from ..core.validation import check_number

        check_map_options("Workbench", method, dim, height, width)
        check_number("Workbench", "limit", limit, low=10, high=1_000_000)
        for name, value in (("dataset", dataset), ("model", model)):
            if not isinstance(value, str):
                raise InvalidParameterError(name, "a registered name (a string)", value, owner="Workbench")
        if title is not None and not isinstance(title, str):
            raise InvalidParameterError("title", "a string or None", title, owner="Workbench")
        if colour is not None and not isinstance(colour, str):
            raise InvalidParameterError("colour", "a metadata column name or None", colour, owner="Workbench")
        if not isinstance(background, bool):
            raise InvalidParameterError("background", "True or False", background, owner="Workbench")
        self.state = State(model=model, dataset=dataset, background=background)
        self.source = SourcePanel(self.state, limit=limit)
        self.projection = ProjectionPanel(self.state, method=method, dim=dim, colour=colour, height=height,
                                          width=width)
        self.neighbours = NeighboursPanel(self.state)
        self.analogy = AnalogyPanel(self.state)
        self.similarity = SimilarityPanel(self.state)
        self.training = TrainingPanel(self.state)
        self.status = StatusPanel(self.state)
        tabs = widgets.Tab(children=[self.neighbours, self.analogy, self.similarity, self.training]).add_class("wb-tabs")
        for i, title_ in enumerate(["Neighbours", "Analogy", "Similarity", "Train"]):
            tabs.set_title(i, title_)
        source = widgets.Accordion(children=[self.source], selected_index=None).add_class("wb-source")
        source.set_title(0, "Data and model")
        # Two columns: the map (fixed pixel width: plotly widgets do not follow their container) and,
        # beside it, status, data and the tabs, so map and answers share one screen. On a narrow screen
        # the row wraps instead of overlapping.
        self.projection.layout = widgets.Layout(flex="0 0 auto", width=f"{width + 10}px")
        side = widgets.VBox([self.status, source, tabs]).add_class("wb-side")
        side.layout = widgets.Layout(flex="1 1 340px", min_width="340px")
        self.bookmarks_panel = BookmarksPanel(self)
        body = widgets.HBox([widgets.VBox([self.projection, self.bookmarks_panel]), side])
        body.layout = widgets.Layout(flex_flow="row wrap", align_items="flex-start")
        heading = [widgets.HTML(f"<h3 style='margin:4px 0'>{html.escape(title)}</h3>")] if title else []
        super().__init__([ScrollIntoView(), *heading, body])
        self.add_class("wb-app")
        if embeddings is not None:
            self.source.use(embeddings)
        else:
            self._embed_now(dataset, model, limit)

    def _embed_now(self, dataset: str, model: str, limit: int) -> None:
        from ..pipeline import embed

        emb = None
        with self.state.guard(f"embedding {dataset} with {model}"):
            emb = embed(dataset, model, limit=limit, progress=False)
        if emb is not None:
            self.state.show(emb, message=f"{len(emb):,} items of {dataset} embedded with {model}. Click a point, or "
                                         "type a word in Neighbours.")

    def wait(self, timeout: float | None = None) -> None:
        """Block until background work (maps, embedding, training) has finished and been shown."""
        self.state.wait(timeout)

    @property
    def last_error(self) -> str:
        """The traceback of the last unexpected error (people see a sentence; developers read this)."""
        return self.state.last_error

    def use(self, data, labels=None, **kwargs) -> None:
        """Show your own vectors (array, DataFrame, KeyedVectors or Embeddings)."""
        self.source.use(data, labels, **kwargs)

    @property
    def selection(self):
        """The rows selected on the map (box or lasso) as a DataFrame."""
        return self.state.selection

    # ------------------------------------------------------------------ sharing a view
    def export_html(self, path, *, title: str | None = None):
        """Write the map as shown (colours, highlights, zoom) to one HTML file that opens offline."""
        from .export import export_html

        return export_html(self, path, title=title)

    def export_png(self, path, *, scale: float = 2, engine: str = "auto"):
        """Write the map as shown to a PNG image (kaleido, or a headless-Chromium screenshot)."""
        from .export import export_png

        return export_png(self, path, scale=scale, engine=engine)

    def view_state(self) -> dict:
        """The current view as a JSON-ready dict: data, model, map, colour, query, selection, zoom, bookmarks."""
        from .export import view_state

        return view_state(self)

    def save_view(self, path, *, include_vectors: bool = False):
        """Write :meth:`view_state` to ``path`` (your own vectors beside it with ``include_vectors``)."""
        from .export import save_view

        return save_view(self, path, include_vectors=include_vectors)

    @classmethod
    def from_state(cls, state, *, embeddings=None, **kwargs) -> "Workbench":
        """Reopen a saved view (a dict from :meth:`view_state`, or the path :meth:`save_view` wrote).

        Examples
        --------
        >>> app = Workbench(limit=500, method="pca", background=False)      # doctest: +SKIP
        >>> app.save_view("view.json")                                      # doctest: +SKIP
        >>> same = Workbench.from_state("view.json", background=False)      # doctest: +SKIP
        """
        from .export import open_state

        return open_state(state, embeddings=embeddings, **kwargs)

    def bookmark(self, name: str):
        """Keep the current view under ``name`` (in this kernel); :meth:`go_to` brings it back."""
        from .bookmarks import bookmark

        return bookmark(self, name)

    @property
    def bookmarks(self) -> list[str]:
        """Names of the views kept with :meth:`bookmark`."""
        from .bookmarks import bookmarks

        return bookmarks(self)

    def go_to(self, name: str) -> None:
        """Show the view bookmarked as ``name`` again (maps computed before come from the cache)."""
        from .bookmarks import go_to

        go_to(self, name)

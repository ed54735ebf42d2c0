"""Share a view: a standalone HTML page, a PNG, and a JSON state that reopens the app.

* :func:`export_html` writes the map as it is shown (points, colours, legend, highlights, arrows,
  typed queries, the zoom set in the browser) into one HTML file with plotly.js inlined: it opens
  offline, without a kernel, and fetches nothing (no CDN, no MathJax).
* :func:`export_png` renders the same figure through kaleido (with the system's Chromium), or,
  without kaleido, by screenshotting the exported page in headless Chromium through Playwright.
* :func:`view_state` / :func:`save_view` describe the app in JSON (source, map, colour, query,
  highlights, selection, zoom, bookmarks); :func:`open_state` rebuilds the app from it through the
  normal pipeline and cache. Every field of a state is checked first (a state file is user input:
  :mod:`workbench.ui.view_checks`).
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import os
import shutil
import tempfile
from pathlib import Path

from ..core.errors import BadFileError, EmptyInputError, InvalidParameterError, MissingDependencyError, WorkbenchError
from ..core.validation import check_number
from .bookmarks import apply_view, bookmark_views, capture_view, figure_widget, set_bookmark_views
from .view_checks import FORMAT, VERSION, check_state, items_fingerprint, read_state_file, shown

__all__ = ["current_figure", "caption", "standalone_html", "export_html", "export_png", "find_chromium",
           "view_state", "save_view", "open_state"]

PNG_ENGINES = ("auto", "kaleido", "browser")
OPEN_OPTIONS = ("background", "height", "width")  # what open_state may set beside the state


def current_figure(app):
    """A copy of the map as shown: a ``plotly.graph_objects.Figure`` with the browser's zoom.

    Examples
    --------
    >>> fig = current_figure(app)                # doctest: +SKIP
    >>> [t.name for t in fig.data][-2:]          # doctest: +SKIP
    ['highlight', 'typed query']
    """
    import plotly.graph_objects as go

    proj = app.state.projection
    if proj is None:
        raise EmptyInputError("There is no map to export yet: embed a dataset or use(vectors) first.")
    widget = figure_widget(app)
    if widget is not None and len(widget.data):
        return go.Figure(widget)
    return _figure_from_state(app, proj)


def _figure_from_state(app, proj):
    """The plotly figure of a map another backend draws (jupyter-scatter), with the same layers."""
    from .. import figures
    from .projection import QUALITY_COLOURS

    state, panel = app.state, app.projection
    frame = proj.frame
    wanted = QUALITY_COLOURS.get(panel.colour.value, panel.colour.value)
    colour = frame.attrs.get("renamed", {}).get(wanted, wanted)
    fig = figures.scatter_map(frame, colour=colour if colour in frame else None, dim=proj.dim,
                              height=panel.height, width=panel.width)
    n, dim = len(frame), proj.dim
    rows = [r for r in state.highlight if 0 <= r < n]
    for trace in fig.data:
        if figures.role(trace) == figures.ROLE_HIGHLIGHT:
            trace.update(figures.highlight_trace(frame, rows, dim=dim, query_rows=state.query_rows).to_plotly_json())
        elif figures.role(trace) == figures.ROLE_QUERY:
            points = [p for p in state.query_points if len(p.get("coords", ())) == dim]
            trace.update(figures.query_trace(points, dim=dim).to_plotly_json())
    arrows = [(a, b) for a, b in state.arrows if 0 <= a < n and 0 <= b < n]
    if arrows:
        fig.add_traces(figures.arrow_traces(frame, arrows, dim=dim))
    return fig


def caption(app) -> str:
    """One line saying what the map shows: dataset, model, points, method, trustworthiness, date (UTC)."""
    state = app.state
    emb, proj = state.require_embeddings(), state.projection
    parts = [f"{len(emb):,} items of {state.dataset or 'your vectors'}"]
    if state.model:
        parts.append(f"model {state.model}")
    if proj is not None:
        parts.append(f"{proj.method.upper()} {proj.dim}D" if proj.method != "placed" else "placed on a previous map")
        q = proj.quality
        if q is not None and q.trustworthiness == q.trustworthiness:  # not NaN
            parts.append(f"trustworthiness {q.trustworthiness:.3f} (k={q.k})")
    parts.append(_dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    return " · ".join(parts)


def _check_path(path, owner: str) -> Path:
    """``path`` as a Path to a file that can be written (its folder exists), or a WorkbenchError."""
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidParameterError("path", "a file path (str or Path)", type(path).__name__, owner=owner)
    out = Path(path)
    if out.is_dir():
        raise InvalidParameterError("path", "a file path, not a folder", str(out), owner=owner)
    if not out.parent.exists():
        raise BadFileError(f"Cannot write {out}: the folder {out.parent} does not exist.")
    return out


def standalone_html(app, *, title: str | None = None) -> str:
    """The text of :func:`export_html`'s page (plotly.js inlined, every data text escaped)."""
    import plotly.io as pio

    fig = current_figure(app)
    title = "Embedding map" if title is None else title
    if not isinstance(title, str) or len(title) > 200:
        raise InvalidParameterError("title", "a text of at most 200 characters", shown(title), owner="export_html")
    config = {"displaylogo": False, "modeBarButtonsToRemove": ["sendDataToCloud"], "responsive": False}
    body = pio.to_html(fig, include_plotlyjs=True, include_mathjax=False, full_html=False, div_id="wb-map",
                       config=config, validate=False)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title>"
            "<style>body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:16px;color:#222}"
            "h1{font-size:18px;margin:0 0 4px}.wb-caption{color:#555;font-size:13px;margin:0 0 8px}</style>"
            "</head><body>"
            f"<h1>{html.escape(title)}</h1><p class=\"wb-caption\">{html.escape(caption(app))}</p>"
            f"{body}</body></html>\n")


def export_html(app, path, *, title: str | None = None) -> Path:
    """Write the current map as one self-contained HTML file that opens offline; returns the path.

    plotly.js (4.8 MB) is inlined, MathJax is left out and nothing is loaded from the network.
    The points cost little beside it: coordinates and row ids travel as base64 binary, so 10,000
    GloVe words add about 0.25 MB (a 5.06 MB page; 500 words make 4.84 MB). Longer hover texts
    (sentences, metadata columns) add their length.

    Parameters
    ----------
    app : Workbench
    path : str or Path
        The file to write (its folder must exist).
    title : str, optional
        Heading and page title (default "Embedding map"); a caption under it names the dataset,
        model, map method, trustworthiness and date.

    Examples
    --------
    >>> export_html(app, "map.html")     # doctest: +SKIP
    PosixPath('map.html')
    """
    out = _check_path(path, "export_html")
    text = standalone_html(app, title=title)
    out.write_text(text, encoding="utf-8")
    return out


# ---------------------------------------------------------------------- PNG
def find_chromium() -> str | None:
    """A Chrome or Chromium binary: ``$BROWSER_PATH`` or ``$CHROMIUM_PATH``, Debian's, or one on PATH."""
    for name in ("BROWSER_PATH", "CHROMIUM_PATH"):
        if os.environ.get(name) and os.access(os.environ[name], os.X_OK):
            return os.environ[name]
    candidates = ["/usr/lib/chromium/chromium", *(shutil.which(n) for n in
                  ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"))]
    return next((c for c in candidates if c and os.path.isfile(c) and os.access(c, os.X_OK)), None)


def _png_with_kaleido(fig, width: int, height: int, scale: float, chromium: str | None) -> bytes:
    """kaleido 1.x called directly: plotly.io would let kaleido's page load MathJax from a CDN."""
    import kaleido

    before = os.environ.get("BROWSER_PATH")
    if chromium and not before:  # kaleido 1.x (choreographer) reads the browser from BROWSER_PATH
        os.environ["BROWSER_PATH"] = chromium
    try:
        return kaleido.calc_fig_sync(fig.to_dict(), opts={"format": "png", "width": width, "height": height,
                                                          "scale": scale}, kopts={"mathjax": False})
    finally:
        if chromium and not before:
            os.environ.pop("BROWSER_PATH", None)


def _png_with_browser(page_html: str, scale: float, chromium: str) -> bytes:
    """Screenshot the map of an exported page in headless Chromium, network off (a thread of its own:
    Playwright's sync API refuses to run inside the kernel's asyncio loop)."""
    from concurrent.futures import ThreadPoolExecutor

    from playwright.sync_api import sync_playwright

    def shoot() -> bytes:
        with tempfile.TemporaryDirectory() as folder:
            page_path = Path(folder) / "map.html"
            page_path.write_text(page_html, encoding="utf-8")
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, headless=True)
                try:
                    context = browser.new_context(device_scale_factor=scale, offline=True,
                                                  viewport={"width": 1600, "height": 1400})
                    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:"))
                                  else r.abort())
                    page = context.new_page()
                    page.goto(page_path.as_uri())
                    page.wait_for_function("() => { const p = document.querySelector('.js-plotly-plot');"
                                           " return p && p._fullLayout && p._fullData; }", timeout=60_000)
                    page.wait_for_timeout(300)  # WebGL (software) draws after plotly's promise resolves
                    return page.locator(".js-plotly-plot .main-svg").first.screenshot()
                finally:
                    browser.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(shoot).result()


def export_png(app, path, *, scale: float = 2, engine: str = "auto") -> Path:
    """Write the current map as a PNG of ``scale`` × its size in pixels; returns the path.

    Parameters
    ----------
    engine : {"auto", "kaleido", "browser"}
        ``kaleido`` renders through kaleido 1.x with the system's Chrome/Chromium, found as
        :func:`find_chromium` says and handed to kaleido as ``BROWSER_PATH`` (12-15 s on a busy
        2-core machine: it starts a browser; MathJax is off, so nothing is fetched). ``browser``
        opens the standalone HTML in headless Chromium through Playwright, network off, and
        screenshots the plot. ``auto`` tries kaleido, then the browser.

    Raises
    ------
    MissingDependencyError
        Neither kaleido nor Playwright with a Chromium can render here (the message says what to install).

    Examples
    --------
    >>> export_png(app, "map.png", scale=2)   # doctest: +SKIP
    PosixPath('map.png')
    """
    out = _check_path(path, "export_png")
    check_number("export_png", "scale", scale, low=0.25, high=8, integer=False)
    if not isinstance(engine, str) or engine not in PNG_ENGINES:
        raise InvalidParameterError("engine", f"one of {PNG_ENGINES}", engine, owner="export_png")
    fig = current_figure(app)
    width, height = int(fig.layout.width or app.projection.width), int(fig.layout.height or app.projection.height)
    chromium = find_chromium()
    problems = []
    png = None
    if engine in ("auto", "kaleido"):
        try:
            import kaleido  # noqa: F401
        except ImportError:
            problems.append("kaleido is not installed")
        else:
            try:
                png = _png_with_kaleido(fig, width, height, scale, chromium)
            except Exception as err:  # noqa: BLE001 - kaleido/choreographer raise their own types
                problems.append(f"kaleido failed ({type(err).__name__}: {str(err)[:200]})")
    if png is None and engine in ("auto", "browser"):
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problems.append("playwright is not installed")
        else:
            if chromium is None:
                problems.append("no Chrome or Chromium was found (set BROWSER_PATH)")
            else:
                png = _png_with_browser(standalone_html(app), scale, chromium)
    if png is None:
        raise MissingDependencyError(f"Saving the map as PNG ({'; '.join(problems)})", "kaleido",
                                     "kaleido==1.5.1 (it needs Chrome or Chromium: apt-get install chromium)")
    out.write_bytes(png)
    return out


# ---------------------------------------------------------------------- JSON state
def _source(app, vectors: str | None) -> dict:
    from ..loaders import DATASETS
    from ..models import MODELS

    state = app.state
    emb = state.require_embeddings()
    registered = ("fingerprint" in emb.provenance and state.dataset in DATASETS and state.model in MODELS
                  and emb.provenance.get("dataset") == state.dataset)
    base = {**items_fingerprint(emb), "modality": emb.provenance.get("modality") or state.modality}
    if registered:
        return {"kind": "registry", "dataset": state.dataset, "model": state.model, "limit": max(len(emb), 10),
                **base}
    return {"kind": "vectors", "name": state.dataset or "your vectors", "dim": int(emb.dim), "vectors": vectors,
            **base}


def view_state(app, *, vectors: str | None = None) -> dict:
    """The app's state as a JSON-ready dict; :func:`open_state` rebuilds the app from it.

    Holds a format version, the source (a registered dataset + model + limit + modality, or
    "vectors" for ones brought with ``app.use``), the map (method, dimension, parameters), the
    colour, the query and k, highlights, arrows, typed query points, the selection (row ids and
    labels), the zoom and the bookmarks.

    Examples
    --------
    >>> state = view_state(app)                                   # doctest: +SKIP
    >>> state["source"]["dataset"], state["view"]["map"]["method"]  # doctest: +SKIP
    ('glove-vocab', 'pca')
    """
    return {"format": FORMAT, "version": VERSION,
            "saved": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "source": _source(app, vectors), "view": capture_view(app), "bookmarks": bookmark_views(app)}


def save_view(app, path, *, include_vectors: bool = False) -> Path:
    """Write :func:`view_state` as JSON to ``path``; returns the path.

    With ``include_vectors=True``, vectors brought with ``app.use(...)`` are written beside it, in
    a folder ``<name>.vectors`` (``vectors.npy``, labels and metadata as Parquet: nothing pickled),
    so :func:`open_state` can reopen them. Registered datasets are re-embedded by name instead.

    Examples
    --------
    >>> save_view(app, "view.json")             # doctest: +SKIP
    >>> app2 = open_state("view.json")          # doctest: +SKIP
    """
    out = _check_path(path, "save_view")
    if not isinstance(include_vectors, bool):
        raise InvalidParameterError("include_vectors", "True or False", include_vectors, owner="save_view")
    state = view_state(app)
    if state["source"]["kind"] == "vectors" and include_vectors:
        folder = out.with_name(out.stem + ".vectors")
        app.state.require_embeddings().save(folder)
        state["source"]["vectors"] = folder.name
    out.write_text(json.dumps(state, indent=1, ensure_ascii=False), encoding="utf-8")
    return out


def open_state(state, *, embeddings=None, **kwargs):
    """A new :class:`~workbench.ui.app.Workbench` showing the view described by ``state``.

    Parameters
    ----------
    state : dict, str or Path
        What :func:`view_state` returned, or a file :func:`save_view` wrote. Every field is
        checked first (a WorkbenchError says which one is wrong).
    embeddings : Embeddings, optional
        For a state made from vectors brought with ``app.use``: the same vectors again (else they
        are read from the ``.vectors`` folder saved beside the file).
    **kwargs
        ``background``, ``height``, ``width`` for the new app.

    Examples
    --------
    >>> app2 = open_state(view_state(app), background=False)     # doctest: +SKIP
    >>> view_state(app2)["view"] == view_state(app)["view"]     # doctest: +SKIP
    True
    """
    from ..core.embeddings import Embeddings
    from .app import Workbench

    unknown = sorted(set(kwargs) - set(OPEN_OPTIONS))
    if unknown:
        raise InvalidParameterError(unknown[0], f"one of {OPEN_OPTIONS}", kwargs[unknown[0]], owner="open_state")
    folder = None
    if isinstance(state, (str, os.PathLike)):
        folder = Path(state).parent
        state = read_state_file(state)
    state = check_state(state)
    source, view = state["source"], state["view"]
    options = dict(method=view["map"]["method"], dim=view["map"]["dim"], colour=view["colour"], **kwargs)
    if source["kind"] == "registry":
        if embeddings is not None:
            raise InvalidParameterError("embeddings", f"None for a view of {source['dataset']!r} (it is embedded "
                                        "again by name); pass vectors only for views of vectors brought with "
                                        "app.use", type(embeddings).__name__, owner="open_state")
        app = Workbench(source["dataset"], source["model"], limit=source["limit"], **options)
    else:
        if embeddings is None and source["vectors"] is not None:
            if folder is None:
                raise WorkbenchError(f"This state names its vectors folder {source['vectors']!r}; open the state "
                                     "file by its path (open_state('view.json')) so the folder can be found.")
            embeddings = Embeddings.load(folder / source["vectors"])
        if embeddings is None:
            raise WorkbenchError(f"This view shows vectors brought into the app ({source['name'][:80]!r}, "
                                 f"{source['count']:,} × {source['dim']}) and was saved without them: pass them "
                                 "again with open_state(state, embeddings=...), or save the view with "
                                 "save_view(app, path, include_vectors=True).")
        if not isinstance(embeddings, Embeddings):
            embeddings = Embeddings(embeddings)
        app = Workbench(embeddings=embeddings, **options)
    if app.state.embeddings is None:
        raise WorkbenchError(f"The view could not be opened: {app.state.status}")
    found = items_fingerprint(app.state.embeddings)
    if found != {k: source[k] for k in ("count", "labels_sha1")}:
        raise WorkbenchError(f"The data differ from the saved view: it had {source['count']:,} items, now "
                             f"{found['count']:,}" + (" with other labels" if found["count"] == source["count"]
                                                       else "") + ".")
    apply_view(app, view)
    set_bookmark_views(app, state.get("bookmarks", {}))  # a state may come without bookmarks
    return app

"""Bring the app back into view once, after "Run All" has scrolled the notebook to its last cell.

JupyterLab's Run All scrolls to the last cell as soon as the cells are queued; the app's output
appears later, above the fold. This invisible widget, placed at the top of the app, scrolls its
own element into view the first time it is rendered, and only if it is off-screen and was created
in the last few seconds: re-opening a saved notebook, or a second view of the same app, never moves
the page.
"""

from __future__ import annotations

import time

import anywidget
import traitlets

__all__ = ["ScrollIntoView"]

RECENT_SECONDS = 60  # a view rendered later than this after the model was created never scrolls

_ESM = """
export default {
  render({ model, el }) {
    el.style.height = "0px";
    if (model.get("scrolled")) return;
    const born = model.get("created") * 1000;
    const recent = Date.now() - born < model.get("recent") * 1000;
    // Run All may still be queuing cells and scrolling; wait for the page to settle first.
    setTimeout(() => {
      if (model.get("scrolled") || !recent || !el.isConnected) return;
      const box = el.getBoundingClientRect();
      const scroller = el.closest(".jp-WindowedPanel-outer, .jp-Notebook") || document.scrollingElement;
      const view = scroller.getBoundingClientRect ? scroller.getBoundingClientRect() : { top: 0, bottom: innerHeight };
      const hidden = box.top < view.top || box.top > view.bottom - 40;
      if (hidden) el.scrollIntoView({ block: "start", behavior: "instant" });
      model.set("scrolled", true);
      model.save_changes();
    }, 400);
  },
};
"""


class ScrollIntoView(anywidget.AnyWidget):
    """A zero-height widget that scrolls itself into view once, right after its cell ran.

    Examples
    --------
    >>> marker = ScrollIntoView()
    >>> marker.scrolled, marker.recent
    (False, 60)
    """

    _esm = _ESM
    scrolled = traitlets.Bool(False).tag(sync=True)
    created = traitlets.Float().tag(sync=True)
    recent = traitlets.Int(RECENT_SECONDS).tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(created=time.time(), **kwargs)

"""One FigureWidget per place in a panel, updated in place on every answer.

A new FigureWidget per click costs the browser 2-3 s (plotly's widget code is loaded again) and
leaves the old model behind; replacing the traces and layout of the same widget does neither.
"""

from __future__ import annotations

import ipywidgets as widgets

__all__ = ["show_figure"]


def show_figure(box: widgets.Box, widget, fig):
    """Show ``fig`` in ``box`` through ``widget`` (created on first use); returns the widget."""
    import plotly.graph_objects as go

    if widget is None:
        widget = go.FigureWidget(fig)
    else:
        with widget.batch_update():
            widget.data = []
            widget.add_traces(list(fig.data))
            widget.layout = fig.layout
        widget._repr_mimebundle_()  # resync the state a view created later starts from
    box.children = [widget]
    return widget

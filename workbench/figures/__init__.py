"""Pure figure builders: data in, ``plotly.graph_objects.Figure`` out. No widgets, no computation.

Each function takes a DataFrame (or arrays) plus column names and returns a figure, so it can be
tested through ``fig.to_dict()`` and reused outside the app. Every point carries its row number in
``customdata``, which is how clicks and selections find their way back to the data. Text from
datasets is HTML-escaped: plotly renders a subset of HTML in hover labels, and a label such as
``<b>`` or ``<script>`` must show as itself.
"""

from __future__ import annotations

from ._base import (HIGHLIGHT, HOVER_LIMIT, LABEL_FONT, MAX_CATEGORIES, MODEBAR, PALETTE, PLOT_WIDTH,  # noqa: F401
                    ROLE_ARROW, ROLE_CLUSTER_LABELS, ROLE_DENSITY, ROLE_HIGHLIGHT, ROLE_HIGHLIGHT_LABELS, ROLE_LEADER,
                    ROLE_POINTS, ROLE_QUERY, UNNAMED, _default_ranges, _plot_area, _ranges, escape, role)
from .charts import loss_curve, section_accuracy_bars, similarity_heatmap
from .maps import DENSITY_SAMPLE, scatter_map  # noqa: F401
from .overlays import (arrow_annotations, arrow_traces, highlight_label_traces, highlight_trace, query_trace,
                       zoom_to)

__all__ = ["scatter_map", "highlight_trace", "highlight_label_traces", "query_trace", "arrow_traces",
           "arrow_annotations", "zoom_to", "similarity_heatmap", "section_accuracy_bars", "loss_curve", "role",
           "PALETTE", "escape"]

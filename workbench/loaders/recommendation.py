"""Users and items with an ``interactions`` relation table (who rated, bought or attended what).

The Southern Women data (Davis, Gardner and Gardner 1941) ships inside networkx: 18 women of a
town in Mississippi and the 14 social events of 1932-33 each attended, 89 attendances. It is a
real, tiny user x item set: women are the users, events the items, an attendance an implicit
rating of 1. (Breiger 1974 and many since used it to test two-mode methods.)
"""

from __future__ import annotations

import pandas as pd

from .base import Dataset, register_dataset

__all__ = ["davis_southern_women"]


@register_dataset("davis-southern-women", modality="recommendation", size="18 women x 14 events, 89 attendances",
                  description="Davis's Southern Women: 18 women (users) and the 14 social events (items) "
                              "each attended in 1932-33.",
                  source="networkx (davis_southern_women_graph)", licence="BSD-3-Clause (networkx)",
                  relations="interactions", requires=("networkx",))
def davis_southern_women(limit: int | None = None) -> Dataset:
    """The 18 women (``kind`` "user") first, then the 14 events (``kind`` "item", "E1" .. "E14").

    ``label`` and ``item`` are the woman's name or the event's code (unique across both kinds);
    ``degree`` counts events attended (a woman) or attendees (an event) in the whole data. The ``interactions``
    relation has ``user`` and ``item`` labels and ``rating`` 1 for each attendance (the data has
    no times). ``limit`` keeps the first ``limit`` women, *all* the events, and the attendances of
    the women kept.

    Examples
    --------
    >>> ds = davis_southern_women()
    >>> ds, ds.kinds
    (Dataset('davis-southern-women', recommendation, 32 items, interactions: 89), ['item', 'user'])
    >>> davis_southern_women(limit=2)
    Dataset('davis-southern-women', recommendation, 16 items, interactions: 15)
    """
    import networkx as nx

    graph = nx.davis_southern_women_graph()
    women = list(graph.graph["top"])
    events = list(graph.graph["bottom"])
    if limit is not None:
        women = women[:limit]
    frame = pd.DataFrame({"label": women + events, "item": women + events,
                          "kind": ["user"] * len(women) + ["item"] * len(events),
                          "degree": [graph.degree(n) for n in women + events]})
    kept = set(women)
    top = set(graph.graph["top"])
    pairs = [(a, b) if a in top else (b, a) for a, b in graph.edges]
    interactions = pd.DataFrame([(w, e, 1) for w, e in pairs if w in kept], columns=["user", "item", "rating"])
    return Dataset("davis-southern-women", "recommendation", frame, "Davis's Southern Women",
                   {"interactions": interactions})

"""Graphs whose nodes are the entities to embed, with an ``edges`` relation table.

Zachary's karate club (Zachary 1977) ships inside networkx: 34 members of a university karate club,
78 friendships weighted by the number of contexts the two met in, and the real split of the club
into two after a dispute (``club``: "Mr. Hi" or "Officer", 17 each), the classic ground truth for
node classification and community detection.
"""

from __future__ import annotations

import pandas as pd

from .base import Dataset, register_dataset

__all__ = ["karate_club"]


@register_dataset("karate-club", modality="graph", size="34 nodes, 78 edges",
                  description="Zachary's karate club: 34 members, 78 weighted friendships, and the real "
                              "split of the club in two (club: 'Mr. Hi' or 'Officer').",
                  source="networkx (karate_club_graph)", licence="BSD-3-Clause (networkx)",
                  relations="edges", requires=("networkx",))
def karate_club(limit: int | None = None) -> Dataset:
    """One row per member, in node order.

    ``label`` is the node id as a string ("0" .. "33": what networkx and the literature call the
    members), ``item`` the node id itself (an int), metadata ``club`` (the real split) and
    ``degree`` (friends in the whole graph). The ``edges`` relation has ``source`` and ``target``
    labels and the ``weight`` of each friendship (1 where the graph has none). ``limit`` keeps the
    first ``limit`` nodes and the edges between them (``degree`` still counts the whole graph).

    Examples
    --------
    >>> ds = karate_club()
    >>> ds, ds.frame["club"].value_counts().to_dict()
    (Dataset('karate-club', graph, 34 items, edges: 78), {'Mr. Hi': 17, 'Officer': 17})
    >>> ds.relation("edges").head(2).values.tolist()
    [['0', '1', 4], ['0', '2', 5]]
    """
    import networkx as nx

    graph = nx.karate_club_graph()
    nodes = list(graph.nodes)
    frame = pd.DataFrame({"label": [str(n) for n in nodes], "item": nodes,
                          "club": [graph.nodes[n]["club"] for n in nodes],
                          "degree": [graph.degree(n) for n in nodes]})
    edges = pd.DataFrame([(str(a), str(b), data.get("weight", 1)) for a, b, data in graph.edges(data=True)],
                         columns=["source", "target", "weight"])
    dataset = Dataset("karate-club", "graph", frame, "Zachary's karate club", {"edges": edges})
    return dataset if limit is None else dataset.head(limit)

"""Text labels placed beside their points so that no two overlap and none hides its own marker.

Everything is in pixels (x to the right, y up, as on a plot), so a caller converts data to pixels
once with its axis ranges and figure size. The layout is the classic two-stage one:

1. greedy: each label in turn (callers put the most important first) takes the first free spot
   among candidates around its anchor, nearest ring first (above, right, below, left, the
   diagonals, then the angles in between), where "free" means inside the plot, clear of every
   label already placed and of every marker;
2. a few repulsion steps for labels that found no free spot (very crowded plots): overlapping
   boxes are pushed apart along the axis where they overlap least, kept only if overlap drops.

Text size is estimated, not measured (no browser here): ~0.6 x font size per character for the
width and ~1.3 x font size for the height, which covers plotly's default fonts.
Everything is deterministic: no random jitter.
"""

from __future__ import annotations

import numpy as np

from .errors import DimensionMismatchError, InvalidParameterError

__all__ = ["label_sizes", "place_labels", "label_boxes", "overlapping_pairs", "boxes_overlap", "covers_anchor",
           "to_pixels", "to_data"]

CHAR_WIDTH = 0.6    # estimated width of a character, in font sizes
LINE_HEIGHT = 1.3   # estimated height of a line of text, in font sizes
RINGS = 14          # candidate rings around each anchor before giving up on a free spot
# Preferred directions (x, y): above first (where plotly puts text today), then right, below, left,
# the diagonals, and the angles in between.
_DIRECTIONS = np.array([[0, 1], [1, 0], [0, -1], [-1, 0], [1, 1], [-1, 1], [1, -1], [-1, -1]], dtype=float)
_BETWEEN = np.array([[np.cos(a), np.sin(a)] for a in np.deg2rad(np.arange(22.5, 360, 45))])
DIRECTIONS = np.vstack([_DIRECTIONS / np.linalg.norm(_DIRECTIONS, axis=1, keepdims=True), _BETWEEN])


def label_sizes(texts, *, font_size: float = 13.0) -> np.ndarray:
    """Estimated ``(width, height)`` in pixels of each text, one line each.

    Examples
    --------
    >>> label_sizes(["king", "a"], font_size=10).tolist()
    [[24.0, 13.0], [6.0, 13.0]]
    """
    lengths = np.array([len(str(t)) for t in texts], dtype=float)
    return np.column_stack([CHAR_WIDTH * font_size * lengths, np.full(len(lengths), LINE_HEIGHT * font_size)])


def label_boxes(centres, sizes) -> np.ndarray:
    """Boxes ``(x0, y0, x1, y1)`` of labels centred at ``centres`` with ``(width, height)`` ``sizes``."""
    centres, half = np.asarray(centres, dtype=float).reshape(-1, 2), np.asarray(sizes, dtype=float).reshape(-1, 2) / 2
    return np.hstack([centres - half, centres + half])


def overlapping_pairs(boxes, *, padding: float = 0.0) -> list[tuple[int, int]]:
    """Pairs ``(i, j)``, ``i < j``, of boxes whose interiors overlap (touching edges do not count).

    Examples
    --------
    >>> overlapping_pairs([[0, 0, 2, 2], [1, 1, 3, 3], [2.5, 0, 4, 1.5]])
    [(0, 1), (1, 2)]
    """
    b = np.asarray(boxes, dtype=float).reshape(-1, 4)
    dx = np.minimum(b[:, None, 2], b[None, :, 2]) - np.maximum(b[:, None, 0], b[None, :, 0])
    dy = np.minimum(b[:, None, 3], b[None, :, 3]) - np.maximum(b[:, None, 1], b[None, :, 1])
    i, j = np.nonzero(np.triu((dx > -padding + 1e-9) & (dy > -padding + 1e-9), k=1))
    return [(int(a), int(c)) for a, c in zip(i, j)]


def boxes_overlap(boxes, *, padding: float = 0.0) -> bool:
    """Whether any two boxes ``(x0, y0, x1, y1)`` overlap.

    Examples
    --------
    >>> boxes_overlap([[0, 0, 1, 1], [1, 0, 2, 1]]), boxes_overlap([[0, 0, 2, 2], [1, 1, 3, 3]])
    (False, True)
    """
    return bool(overlapping_pairs(boxes, padding=padding))


def covers_anchor(boxes, anchors, radius: float = 0.0) -> np.ndarray:
    """For each box, whether it covers (comes within ``radius`` of) its own anchor."""
    b, a = np.asarray(boxes, dtype=float).reshape(-1, 4), np.asarray(anchors, dtype=float).reshape(-1, 2)
    nearest = np.clip(a, b[:, :2], b[:, 2:])
    return np.linalg.norm(nearest - a, axis=1) < radius + 1e-9 if radius > 0 else (nearest == a).all(axis=1)


def to_pixels(xy, ranges, area) -> np.ndarray:
    """Data coordinates to pixels of a plot ``area`` ``(width, height)`` showing ``ranges`` ``((x0, x1), (y0, y1))``.

    Examples
    --------
    >>> to_pixels([[0.5, 10.0]], ((0, 1), (0, 20)), (400, 300)).tolist()
    [[200.0, 150.0]]
    """
    (x0, x1), (y0, y1) = ranges
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    return np.column_stack([(xy[:, 0] - x0) / (x1 - x0) * area[0], (xy[:, 1] - y0) / (y1 - y0) * area[1]])


def to_data(px, ranges, area) -> np.ndarray:
    """Pixels back to data coordinates (the inverse of :func:`to_pixels`)."""
    (x0, x1), (y0, y1) = ranges
    px = np.asarray(px, dtype=float).reshape(-1, 2)
    return np.column_stack([x0 + px[:, 0] / area[0] * (x1 - x0), y0 + px[:, 1] / area[1] * (y1 - y0)])


def place_labels(anchors, sizes, *, width: float, height: float, marker_radius: float = 6.0, gap: float = 2.0,
                 padding: float = 1.0, on_anchor: bool = False, obstacles=None,
                 repulsion_steps: int = 30) -> np.ndarray:
    """Centres, in pixels, for labels of ``sizes`` beside ``anchors``, none overlapping another.

    Parameters
    ----------
    anchors : array-like, shape (n, 2)
        The points being labelled, in pixels of a plot area ``width`` x ``height`` (origin at a corner).
    sizes : array-like, shape (n, 2)
        ``(width, height)`` of each label in pixels (see :func:`label_sizes`).
    width, height : float
        Size of the plot area; labels stay inside it when there is room.
    marker_radius : float
        Radius of the markers drawn at every anchor: no label covers any marker.
    gap : float
        Space between a marker and its label (2-6 px reads as attached).
    padding : float
        Space kept between two labels.
    on_anchor : bool
        Try the anchor itself first (names written over a region, such as cluster names, rather than
        beside a marker); markers are then not avoided.
    obstacles : array-like, shape (m, 4), optional
        Boxes ``(x0, y0, x1, y1)`` no label may cover either (arrows, other marks).
    repulsion_steps : int
        Passes of pushing still-overlapping labels apart, for plots too crowded for the greedy pass.

    Returns
    -------
    ndarray, shape (n, 2)
        The centre of each label; ``centres - anchors`` are the offsets.

    Examples
    --------
    >>> anchors = np.array([[100.0, 100.0], [101.0, 100.0]])
    >>> centres = place_labels(anchors, label_sizes(["king", "queen"]), width=400, height=300)
    >>> boxes_overlap(label_boxes(centres, label_sizes(["king", "queen"])))
    False
    """
    anchors = np.asarray(anchors, dtype=float).reshape(-1, 2)
    sizes = np.asarray(sizes, dtype=float).reshape(-1, 2)
    if len(anchors) != len(sizes):
        raise DimensionMismatchError(f"Got {len(sizes)} label sizes for {len(anchors)} anchors: give one per label.")
    for name, value in (("width", width), ("height", height)):
        if not np.isfinite(value) or value <= 0:
            raise InvalidParameterError(name, "a positive number of pixels", value, owner="place_labels")
    if not np.isfinite(anchors).all() or not np.isfinite(sizes).all():
        raise InvalidParameterError("anchors", "finite pixel positions and sizes", "NaN or infinite values",
                                    owner="place_labels")
    n = len(anchors)
    if n == 0:
        return np.zeros((0, 2))
    radius = 0.0 if on_anchor else float(marker_radius)
    markers = np.hstack([anchors - radius, anchors + radius]) if radius > 0 else np.zeros((0, 4))
    if obstacles is not None and len(obstacles):
        markers = np.vstack([markers, np.asarray(obstacles, dtype=float).reshape(-1, 4)])
    step = max(float(np.median(sizes[:, 1])) * 0.75, 4.0)
    centres = np.zeros((n, 2))
    placed = np.zeros((0, 4))
    for i in range(n):
        candidates = _candidates(anchors[i], sizes[i], radius + gap, step, on_anchor)
        boxes = label_boxes(candidates, np.broadcast_to(sizes[i], candidates.shape))
        cost = (_overlap(boxes, placed, padding).sum(axis=1) + _overlap(boxes, markers, 0.0).sum(axis=1)
                + _outside(boxes, width, height))
        free = np.flatnonzero(cost <= 1e-9)
        # the first free candidate (nearest ring, preferred side), else the least overlapping one
        best = free[0] if len(free) else int(np.argmin(cost + 1e-3 * np.arange(len(cost))))
        centres[i] = candidates[best]
        placed = np.vstack([placed, boxes[best]])
    return _repel(centres, sizes, markers, width, height, padding, repulsion_steps)


def _candidates(anchor: np.ndarray, size: np.ndarray, first: float, step: float, on_anchor: bool) -> np.ndarray:
    """Label centres around ``anchor``, ring by ring, each box kept ``distance`` away along its direction."""
    half = size / 2
    support = np.abs(DIRECTIONS) @ half  # how far the box reaches along each direction from its centre
    rings = [anchor[None, :]] if on_anchor else []
    for r in range(RINGS):
        distance = first + r * step
        rings.append(anchor + DIRECTIONS * (distance + support)[:, None])
    return np.vstack(rings)


def _overlap(boxes: np.ndarray, others: np.ndarray, padding: float) -> np.ndarray:
    """Overlap area of each box with each other box (grown by ``padding``), shape (len(boxes), len(others))."""
    if not len(others):
        return np.zeros((len(boxes), 0))
    dx = np.minimum(boxes[:, None, 2], others[None, :, 2] + padding) - np.maximum(boxes[:, None, 0],
                                                                                 others[None, :, 0] - padding)
    dy = np.minimum(boxes[:, None, 3], others[None, :, 3] + padding) - np.maximum(boxes[:, None, 1],
                                                                                 others[None, :, 1] - padding)
    return np.clip(dx, 0, None) * np.clip(dy, 0, None)


def _outside(boxes: np.ndarray, width: float, height: float) -> np.ndarray:
    """Area of each box outside the plot area."""
    inside_w = np.clip(np.minimum(boxes[:, 2], width) - np.maximum(boxes[:, 0], 0), 0, None)
    inside_h = np.clip(np.minimum(boxes[:, 3], height) - np.maximum(boxes[:, 1], 0), 0, None)
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]) - inside_w * inside_h


def _total_overlap(centres, sizes, markers, padding) -> float:
    boxes = label_boxes(centres, sizes)
    between = np.triu(_overlap(boxes, boxes, padding), k=1).sum()
    return float(between + _overlap(boxes, markers, 0.0).sum())


def _repel(centres, sizes, markers, width, height, padding, steps) -> np.ndarray:
    """Push overlapping labels apart along their axis of least overlap; keep the result only if it helps."""
    before = _total_overlap(centres, sizes, markers, padding)
    if before <= 1e-9 or steps <= 0:
        return centres
    moved = centres.copy()
    half = sizes / 2
    for _ in range(steps):
        pairs = overlapping_pairs(label_boxes(moved, sizes), padding=padding)
        if not pairs:
            break
        push = np.zeros_like(moved)
        for i, j in pairs:
            delta = moved[j] - moved[i]
            depth = half[i] + half[j] + padding - np.abs(delta)
            axis = int(np.argmin(depth))
            sign = 1.0 if delta[axis] > 0 or (delta[axis] == 0 and i < j) else -1.0
            push[j, axis] += sign * depth[axis] / 2 + sign * 0.5
            push[i, axis] -= sign * depth[axis] / 2 + sign * 0.5
        moved = np.clip(moved + push, half, np.maximum(half, np.array([width, height]) - half))
    return moved if _total_overlap(moved, sizes, markers, padding) < before else centres

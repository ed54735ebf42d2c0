"""Labels that never overlap (workbench/core/label_layout.py), checked box by box in pixels."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.core.errors import DimensionMismatchError, InvalidParameterError, WorkbenchError
from workbench.core.label_layout import (boxes_overlap, covers_anchor, label_boxes, label_sizes, overlapping_pairs,
                                         place_labels)

KING = ["king", "prince", "queen", "monarch", "throne", "kingdom", "uncle", "ii", "son", "brother", "nephew"]


def layout(anchors, texts, **kwargs):
    sizes = label_sizes(texts)
    kwargs.setdefault("width", 700)
    kwargs.setdefault("height", 560)
    centres = place_labels(anchors, sizes, **kwargs)
    return centres, label_boxes(centres, sizes)


def inside(boxes, width=700, height=560) -> bool:
    return bool((boxes[:, :2] >= -1e-9).all() and (boxes[:, 2] <= width + 1e-9).all()
                and (boxes[:, 3] <= height + 1e-9).all())


def test_sizes_follow_the_character_and_line_estimates():
    assert label_sizes(["king", "", "a longer label"], font_size=10).tolist() == [[24, 13], [0, 13], [84, 13]]
    assert label_sizes([]).shape == (0, 2)


def test_overlap_checks_count_interiors_not_touching_edges():
    assert overlapping_pairs([[0, 0, 1, 1], [1, 0, 2, 1], [0, 1, 1, 2]]) == []
    assert overlapping_pairs([[0, 0, 1, 1], [0.5, 0.5, 2, 2], [5, 5, 6, 6], [1.5, 1.5, 5.5, 5.5]]) == [(0, 1), (1, 3),
                                                                                                        (2, 3)]
    assert not boxes_overlap([]) and not boxes_overlap([[0, 0, 1, 1]])


def test_eleven_labels_anchored_within_a_few_pixels_never_overlap():
    rng = np.random.default_rng(0)
    anchors = np.array([350.0, 280.0]) + rng.uniform(-3, 3, size=(11, 2))
    centres, boxes = layout(anchors, KING)
    assert overlapping_pairs(boxes) == []
    assert not covers_anchor(boxes, anchors, radius=6).any()
    # and no label covers any marker, not only its own
    assert all(not covers_anchor(boxes, np.repeat(a[None], 11, axis=0), radius=6).any() for a in anchors)
    assert inside(boxes)
    assert np.linalg.norm(centres - anchors, axis=1).max() < 150  # near their points (leader lines do the rest)


def test_eleven_labels_on_one_pixel_near_a_corner_stay_inside_and_apart():
    anchors = np.full((11, 2), 5.0)
    centres, boxes = layout(anchors, KING)
    assert overlapping_pairs(boxes) == [] and inside(boxes)
    assert not covers_anchor(boxes, anchors, radius=6).any()


def test_labels_far_apart_are_not_moved_from_where_a_lone_label_goes():
    anchors = np.array([[100.0, 100.0], [400.0, 300.0], [600.0, 100.0]])
    texts = ["cat", "dog", "a much longer label"]
    centres, boxes = layout(anchors, texts)
    for i in range(3):
        alone, _ = layout(anchors[i:i + 1], texts[i:i + 1])
        np.testing.assert_allclose(centres[i], alone[0])
    heights = label_sizes(texts)[:, 1]
    np.testing.assert_allclose(centres[:, 0], anchors[:, 0])  # straight above: plotly's "top center"
    np.testing.assert_allclose(centres[:, 1], anchors[:, 1] + 6 + 2 + heights / 2)
    assert not covers_anchor(boxes, anchors, radius=6).any()


def test_long_labels_side_by_side_are_placed_without_overlap():
    texts = ["a very long label that names a whole sentence", "another long label of many words here",
             "short", "yet another long label written out"]
    anchors = np.array([[300.0, 280.0], [310.0, 282.0], [305.0, 276.0], [295.0, 279.0]])
    centres, boxes = layout(anchors, texts)
    assert overlapping_pairs(boxes) == [] and inside(boxes)
    assert not covers_anchor(boxes, anchors, radius=6).any()


def test_one_label_and_no_labels():
    centres, boxes = layout([[10.0, 10.0]], ["solo"])
    assert centres.shape == (1, 2) and not covers_anchor(boxes, [[10.0, 10.0]], radius=6).any()
    assert place_labels(np.zeros((0, 2)), np.zeros((0, 2)), width=100, height=100).shape == (0, 2)


def test_on_anchor_writes_names_over_their_points_unless_they_collide():
    anchors = np.array([[100.0, 100.0], [500.0, 300.0], [502.0, 301.0]])
    centres, boxes = layout(anchors, ["sports", "money", "cooking"], on_anchor=True)
    np.testing.assert_allclose(centres[:2], anchors[:2])  # the first two sit on their centres
    assert overlapping_pairs(boxes) == [] and np.linalg.norm(centres[2] - anchors[2]) < 60


def test_the_layout_is_deterministic():
    rng = np.random.default_rng(1)
    anchors = rng.uniform(200, 260, size=(30, 2))
    texts = [f"word{i}" for i in range(30)]
    a, _ = layout(anchors, texts)
    b, boxes = layout(anchors, texts)
    np.testing.assert_array_equal(a, b)
    assert overlapping_pairs(boxes) == []


def test_a_plot_too_small_for_every_label_still_returns_positions_and_reduces_overlap():
    anchors = np.full((40, 2), 50.0)
    sizes = label_sizes([f"label number {i}" for i in range(40)])
    centres = place_labels(anchors, sizes, width=100, height=100)
    assert centres.shape == (40, 2) and np.isfinite(centres).all()
    stacked = label_boxes(anchors + [0, 16], sizes)  # all 40 in one place: every pair overlaps
    assert len(overlapping_pairs(label_boxes(centres, sizes))) < len(overlapping_pairs(stacked)) / 4


@pytest.mark.slow
def test_the_neighbours_of_king_on_a_glove_map_get_separate_labels():
    import workbench

    emb = workbench.pipeline.embed("glove-vocab", "glove-6b-50d", limit=5000)
    proj = workbench.project(emb, "pca", dim=2)
    words = ["king", *emb.neighbours("king", k=10)["label"]]
    rows = emb.rows_of(words)
    xy = proj.coords[rows, :2]
    lo, hi = proj.coords[:, :2].min(axis=0), proj.coords[:, :2].max(axis=0)
    anchors = (xy - lo) / (hi - lo) * np.array([700.0, 560.0])
    spread = np.ptp(anchors, axis=0)
    print(f"\nking and its 10 neighbours span {spread[0]:.1f} x {spread[1]:.1f} px on a 700 x 560 PCA map")
    naive = label_boxes(anchors + [0, 6 + 2 + 8.45], label_sizes(words))  # plotly's "top center"
    print(f"plotly's own placement: {len(overlapping_pairs(naive))} overlapping pairs")
    assert boxes_overlap(naive)
    centres, boxes = layout(anchors, words)
    assert overlapping_pairs(boxes) == [] and inside(boxes)
    assert not covers_anchor(boxes, anchors, radius=6).any()


BAD_INPUTS = [
    (lambda: place_labels([[0, 0], [1, 1]], [[5, 5]], width=10, height=10), DimensionMismatchError,
     "Got 1 label sizes for 2 anchors"),
    (lambda: place_labels([[0, 0]], [[5, 5]], width=0, height=10), InvalidParameterError,
     "'width' parameter of place_labels must be a positive number of pixels. Got 0"),
    (lambda: place_labels([[np.nan, 0]], [[5, 5]], width=10, height=10), InvalidParameterError,
     "finite pixel positions"),
]


@pytest.mark.parametrize("call, error, message", BAD_INPUTS, ids=[str(i) for i in range(len(BAD_INPUTS))])
def test_bad_input_raises_a_workbench_error_with_a_clear_message(call, error, message):
    with pytest.raises(error, match=message) as info:
        call()
    assert isinstance(info.value, WorkbenchError)

"""Items as what they are: cache keys from content (never repr), renderers per modality, and
models that say which modalities they encode."""

from __future__ import annotations

import numpy as np
import pytest

import workbench as wb
from workbench.core.items import item_digest, items_digest, render_item
from workbench.models.base import Embedder, register_model


def test_text_bytes_and_arrays_are_keyed_by_content():
    assert item_digest("cat") == item_digest("cat") != item_digest("cat ")
    assert item_digest(b"\x00\x01") != item_digest("\x00\x01")
    a = np.arange(6, dtype=np.float32)
    assert item_digest(a) == item_digest(a.copy()) != item_digest(a.reshape(2, 3))
    assert item_digest(a) != item_digest(a.astype(np.float64))


def test_files_are_keyed_by_their_bytes_not_their_name(tmp_path):
    first, second = tmp_path / "a.png", tmp_path / "b.png"
    first.write_bytes(b"one picture")
    second.write_bytes(b"one picture")
    assert item_digest(first) == item_digest(second)
    second.write_bytes(b"another picture")
    assert item_digest(first) != item_digest(second)


def test_images_are_keyed_by_their_pixels():
    from PIL import Image

    red = Image.new("RGB", (4, 4), (255, 0, 0))
    assert item_digest(red) == item_digest(Image.new("RGB", (4, 4), (255, 0, 0)))
    assert item_digest(red) != item_digest(Image.new("RGB", (4, 4), (254, 0, 0)))
    assert item_digest(red) != item_digest(red.convert("RGBA"))


def test_objects_without_content_are_refused_not_hashed_by_repr():
    class Opaque:
        def __repr__(self):
            return "same"

    with pytest.raises(TypeError, match="Cannot take the content of a Opaque item"):
        item_digest(Opaque())


def test_a_list_digest_depends_on_order_and_content():
    assert items_digest(["a", "b"]) != items_digest(["b", "a"])
    assert items_digest(["a", b"b"]) == items_digest(["a", b"b"]) != items_digest(["a", b"c"])


def test_renderers_escape_text_and_show_each_modality_its_way():
    assert "&lt;script&gt;" in render_item("text", "<script>alert(1)</script>")
    assert render_item("graph", 7, {"degree": 3}) == '<span class="wb-item wb-item-node">● 7 <small>degree 3</small></span>'
    assert "a=1" in render_item("table", {"a": 1, "b": "<i>"}) and "&lt;i&gt;" in render_item("table", {"b": "<i>"})
    long = render_item("text", "x" * 1000)
    assert len(long) < 400 and long.endswith("…</span>")
    assert render_item("no-such-modality", "<b>") == render_item("text", "<b>")  # text is the fallback


def test_embed_keys_image_items_by_bytes(fresh_cache, tmp_path):
    calls = []

    class ByteLength(Embedder):
        name, modality, modalities, dim = "byte-length", "image", frozenset({"image"}), 1

        def _encode(self, items):
            calls.append(len(items))
            return np.array([[float(len(open(p, "rb").read()))] for p in items])

    path = tmp_path / "picture.bin"
    path.write_bytes(b"12345")
    model = ByteLength()
    first = wb.embed([path], model, progress=False)
    path.write_bytes(b"1234567")  # same name, new content: must not hit the old entry
    second = wb.embed([path], model, progress=False)
    assert first.vectors[0, 0] == 5 and second.vectors[0, 0] == 7 and calls == [1, 1]


def test_models_say_which_modalities_they_encode():
    catalog = wb.catalog().set_index("name")
    assert catalog.loc["minilm", "modalities"] == "text, word"
    assert catalog.loc["glove-6b-50d", "modalities"] == "word"
    assert "minilm" in wb.models.MODELS.names("word")  # offered for word datasets too


def test_encode_query_is_used_for_raw_queries():
    class CrossModal(Embedder):
        name, modality, dim = "cross", "image", 2

        def _encode(self, items):
            return np.array([[1.0, 0.0]] * len(items))

        def encode_query(self, query):
            return np.array([0.0, 1.0], np.float32)  # a text query mapped into the image space

    emb = wb.Embeddings(np.array([[1.0, 0.0], [0.0, 1.0]]), ["horizontal", "vertical"], embedder=CrossModal())
    assert emb.neighbours("a tall thin line", k=1)["label"].tolist() == ["vertical"]


def test_register_model_records_the_modalities_set():
    registry = wb.models.MODELS

    @register_model("test-two-modalities", modality="image", modalities={"image", "text"}, dim=4,
                    description="test", source="tests")
    class Two(Embedder):
        pass

    try:
        assert Two.modalities == frozenset({"image", "text"})
        assert "test-two-modalities" in registry.names("text") and "test-two-modalities" in registry.names("image")
    finally:
        registry.remove("test-two-modalities")

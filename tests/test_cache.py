"""The content-addressed disk cache: keys, location, hits, corrupt entries, switching it off."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from workbench.core import project
from workbench.core.cache import cache_dir, cached, content_hash, peek


# ----------------------------------------------------------------------------- keys
def test_content_hash_is_stable_and_follows_every_part():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    key = content_hash(x, ["a", "b"], {"k": 1, "m": [1, 2]}, "pca", 2)
    assert key == content_hash(x.copy(), ["a", "b"], {"m": [1, 2], "k": 1}, "pca", 2)  # dict order is irrelevant
    assert len(key) == 32 and int(key, 16) >= 0
    others = [
        content_hash(x.astype(np.float64), ["a", "b"], {"k": 1, "m": [1, 2]}, "pca", 2),  # dtype
        content_hash(x.reshape(3, 2), ["a", "b"], {"k": 1, "m": [1, 2]}, "pca", 2),  # shape
        content_hash(x + 1, ["a", "b"], {"k": 1, "m": [1, 2]}, "pca", 2),  # bytes
        content_hash(x, ["a", "c"], {"k": 1, "m": [1, 2]}, "pca", 2),  # labels
        content_hash(x, ["ab"], {"k": 1, "m": [1, 2]}, "pca", 2),  # label boundaries
        content_hash(x, ["a", "b"], {"k": 2, "m": [1, 2]}, "pca", 2),  # parameters
        content_hash(x, ["a", "b"], {"k": 1, "m": [1, 2]}, "umap", 2),
        content_hash(x, ["a", "b"], {"k": 1, "m": [1, 2]}, "pca", 3),
    ]
    assert len({key, *others}) == len(others) + 1


def test_content_hash_of_the_parts_not_their_concatenation():
    assert content_hash("ab", "c") != content_hash("a", "bc")
    assert content_hash(np.array(["x", "y"], dtype=object)) != content_hash(np.array(["x", "z"], dtype=object))


# ----------------------------------------------------------------------------- location
@pytest.mark.parametrize("setting", ["off", "OFF", "0", "none", "false"])
def test_cache_can_be_switched_off(monkeypatch, setting):
    monkeypatch.setenv("WORKBENCH_CACHE", setting)
    assert cache_dir() is None


def test_cache_location_from_the_environment_or_home(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "here"))
    assert cache_dir() == tmp_path / "here"
    monkeypatch.delenv("WORKBENCH_CACHE")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache_dir() == tmp_path / ".cache" / "workbench"


def test_tests_never_write_to_the_home_cache(isolated_cache):
    assert cache_dir() == isolated_cache
    assert Path.home() / ".cache" / "workbench" != isolated_cache


# ----------------------------------------------------------------------------- cached()
def save_json(value, folder: Path):
    (folder / "value.json").write_text(json.dumps(value))


def load_json(folder: Path):
    return json.loads((folder / "value.json").read_text())


class Counter:
    def __init__(self, value):
        self.value, self.calls = value, 0

    def __call__(self):
        self.calls += 1
        return self.value


def test_compute_once_then_hit(fresh_cache):
    compute = Counter({"answer": 42})
    first = cached("things", "key1", compute, save_json, load_json)
    second = cached("things", "key1", compute, save_json, load_json)
    assert first == ({"answer": 42}, False)
    assert second == ({"answer": 42}, True)
    assert compute.calls == 1
    entry = fresh_cache / "things" / "key1"
    assert (entry / ".complete").exists() and (entry / "value.json").exists()
    assert sorted(p.name for p in (fresh_cache / "things").iterdir()) == ["key1"]  # no temporary folders left


def test_corrupt_entry_is_recomputed_with_a_warning(fresh_cache):
    compute = Counter([1, 2, 3])
    cached("things", "key2", compute, save_json, load_json)
    (fresh_cache / "things" / "key2" / "value.json").write_text("{not json")
    with pytest.warns(UserWarning, match=r"Cache entry .*key2 was unreadable .*; recomputing it\."):
        value, hit = cached("things", "key2", compute, save_json, load_json)
    assert (value, hit, compute.calls) == ([1, 2, 3], False, 2)
    assert cached("things", "key2", compute, save_json, load_json) == ([1, 2, 3], True)  # repaired


def test_unfinished_entry_is_ignored(fresh_cache):
    entry = fresh_cache / "things" / "key3"
    entry.mkdir(parents=True)
    (entry / "value.json").write_text('"half-written"')  # no .complete marker: a crash mid-write
    compute = Counter("fresh")
    assert cached("things", "key3", compute, save_json, load_json) == ("fresh", False)
    assert cached("things", "key3", compute, save_json, load_json) == ("fresh", True)


def test_unwritable_cache_still_returns_the_value(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("WORKBENCH_CACHE", str(blocker))
    compute = Counter(7)
    with pytest.warns(UserWarning, match="Could not write cache entry"):
        assert cached("things", "key4", compute, save_json, load_json) == (7, False)


def test_switched_off_cache_computes_every_time_and_writes_nothing(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKBENCH_CACHE", "off")
    compute = Counter("x")
    assert cached("things", "key5", compute, save_json, load_json) == ("x", False)
    assert cached("things", "key5", compute, save_json, load_json) == ("x", False)
    assert compute.calls == 2


# ----------------------------------------------------------------------------- projections
def test_corrupt_projection_is_recomputed_with_a_warning(clusters, fresh_cache):
    first = project(clusters, "pca", 2)
    [entry] = (fresh_cache / "projection").iterdir()
    (entry / "coords.npy").write_bytes(b"garbage, not an npy file")
    with pytest.warns(UserWarning, match="unreadable.*recomputing"):
        again = project(clusters, "pca", 2)
    assert again.from_cache is False
    np.testing.assert_allclose(again.coords, first.coords)
    third = project(clusters, "pca", 2)
    assert third.from_cache is True
    np.testing.assert_array_equal(third.coords, first.coords)


def test_projection_cache_holds_open_formats_only(clusters, fresh_cache):
    project(clusters, "pca", 2)
    [entry] = (fresh_cache / "projection").iterdir()
    assert sorted(p.name for p in entry.iterdir()) == [".complete", "coords.npy", "fitted_components.npy",
                                                       "fitted_mean.npy", "info.json", "quality.npz"]
    np.load(entry / "coords.npy", allow_pickle=False)
    with np.load(entry / "quality.npz", allow_pickle=False) as z:
        assert sorted(z.files) == ["recall", "trust"]


def test_workbench_cache_off_disables_projection_caching(clusters, monkeypatch, tmp_path):
    monkeypatch.setenv("WORKBENCH_CACHE", "off")
    monkeypatch.chdir(tmp_path)
    assert project(clusters, "pca", 2).from_cache is False
    assert project(clusters, "pca", 2).from_cache is False
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- what is read is checked
def save_npy(value, folder: Path):
    np.save(folder / "v.npy", value, allow_pickle=False)


def load_npy(folder: Path):
    return np.load(folder / "v.npy", allow_pickle=False)


def test_a_changed_file_fails_its_checksum_and_is_recomputed(fresh_cache):
    compute = Counter(np.arange(6, dtype=np.float32))
    cached("arrays", "k1", compute, save_npy, load_npy)
    entry = fresh_cache / "arrays" / "k1"
    assert (entry / ".complete").read_text().startswith("blake2b-128 ")
    np.save(entry / "v.npy", np.arange(6, dtype=np.float32) * 2)  # a valid file, but not what was written
    with pytest.warns(UserWarning, match=r"arrays.k1 was unreadable \(its files do not match the checksum.*"
                                         r"workbench cache at"):
        value, hit = cached("arrays", "k1", compute, save_npy, load_npy)
    assert not hit and compute.calls == 2
    np.testing.assert_array_equal(value, np.arange(6))


def test_validate_refuses_a_wrong_shape_and_non_finite_arrays_are_refused(fresh_cache):
    compute = Counter(np.ones((3, 2), np.float32))
    cached("arrays", "k2", compute, save_npy, load_npy)
    with pytest.warns(UserWarning, match="does not fit what was asked for"):
        value, hit = cached("arrays", "k2", compute, save_npy, load_npy, validate=lambda v: v.shape == (4, 2))
    assert not hit
    entry = fresh_cache / "arrays" / "k2"
    np.save(entry / "v.npy", np.full((3, 2), np.nan, np.float32))
    (entry / ".complete").write_text("")  # an entry from before checksums: no checksum to compare
    with pytest.warns(UserWarning, match="NaN or infinite values"):
        assert cached("arrays", "k2", compute, save_npy, load_npy)[1] is False
    assert peek("arrays", "k2", load_npy, validate=lambda v: v.shape == (9, 9)) is None
    assert peek("arrays", "k2", load_npy).shape == (3, 2)


def test_old_entries_without_a_checksum_still_load(fresh_cache):
    compute = Counter([1])
    cached("things", "old", compute, save_json, load_json)
    (fresh_cache / "things" / "old" / ".complete").write_text("")
    assert cached("things", "old", compute, save_json, load_json) == ([1], True)

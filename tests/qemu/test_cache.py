"""The content-addressed cache: keys, locking, atomic entries, pruning."""
import multiprocessing
import os
import pathlib
import time

import pytest

from hailo_kit import layer
from hailo_kit.qemu import cache, image, overlay, rootfs
from hailo_kit.qemu import config


def test_content_key_is_stable_and_sensitive(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("one")
    k1 = cache.content_key("x", ["p", "q"], f)
    assert k1 == cache.content_key("x", ["p", "q"], f)
    assert k1 != cache.content_key("x", ["q", "p"], f)          # package order matters
    assert k1 != cache.content_key("y", ["p", "q"], f)
    f.write_text("two")
    assert k1 != cache.content_key("x", ["p", "q"], f)          # file content matters
    assert cache.content_key("ab", "c") != cache.content_key("a", "bc")


def test_tree_key_ignores_bytecode_and_build_outputs(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg/mod.py").write_text("x = 1\n")
    k = cache.tree_key(tmp_path)
    (tmp_path / "pkg/__pycache__").mkdir()
    (tmp_path / "pkg/__pycache__/mod.cpython-311.py").write_text("junk")
    (tmp_path / "build/lib").mkdir(parents=True)
    (tmp_path / "build/lib/mod.py").write_text("copy")
    (tmp_path / "x.egg-info").mkdir()
    (tmp_path / "x.egg-info/PKG-INFO.md").write_text("meta")
    assert cache.tree_key(tmp_path) == k
    (tmp_path / "pkg/mod.py").write_text("x = 2\n")
    assert cache.tree_key(tmp_path) != k
    (tmp_path / "pkg/new.proto").write_text("syntax = 'proto2';")
    assert len(cache.tree_files(tmp_path)) == 2


def test_base_key_depends_on_suite_mirror_arch_packages_not_runtime(monkeypatch):
    amd64, arm64 = config.arch("amd64"), config.arch("arm64")
    base = cache.content_key(*rootfs.key_inputs(amd64, "http://m/debian"))
    assert base != cache.content_key(*rootfs.key_inputs(arm64, "http://m/debian"))
    assert base != cache.content_key(*rootfs.key_inputs(amd64, "http://other/debian"))
    monkeypatch.setattr(config, "PACKAGES", config.PACKAGES + ["less"])
    assert base != cache.content_key(*rootfs.key_inputs(amd64, "http://m/debian"))
    monkeypatch.setattr(config, "SUITE", "trixie")
    assert base != cache.content_key(*rootfs.key_inputs(amd64, "http://m/debian"))


def test_runtime_change_changes_only_the_overlay_key(tmp_path, monkeypatch):
    """A runtime edit must not re-run debootstrap: the base key ignores the runtime tree."""
    (tmp_path / "hailort_sim").mkdir()
    (tmp_path / "hailort_sim/__init__.py").write_text("__version__ = '4.21.0'\n")
    monkeypatch.setattr(overlay, "RUNTIME", tmp_path)
    base1, ov1 = image.keys_for("amd64", "http://m/debian")
    (tmp_path / "hailort_sim/__init__.py").write_text("__version__ = '4.21.0'  # edited\n")
    base2, ov2 = image.keys_for("amd64", "http://m/debian")
    assert base1 == base2 and ov1 != ov2


def test_layer_file_change_changes_the_overlay_key(tmp_path, monkeypatch):
    src = tmp_path / "hailort.service"
    src.write_text("[Unit]\n")
    unit = layer.InstalledFile("x", "/lib/systemd/system/hailort.service", src, src, 0o644)
    monkeypatch.setattr(overlay, "layer_files_of_image", lambda: ([unit], [unit.path]))
    k1 = overlay.overlay_key("base")
    src.write_text("[Unit]\nDescription=changed\n")
    assert overlay.overlay_key("base") != k1


def test_ensure_builds_once_then_hits(tmp_path):
    calls = []

    def build(tmp):
        calls.append(tmp)
        (tmp / "payload").write_text("data")
        return {"n": 1}

    entry, cached = cache.ensure(tmp_path / "e1", build)
    assert not cached and (entry / "payload").read_text() == "data"
    entry, cached = cache.ensure(tmp_path / "e1", build)
    assert cached and len(calls) == 1
    assert not any(p.name.startswith(".e1.tmp") for p in tmp_path.iterdir())


def test_failed_build_leaves_no_entry(tmp_path):
    def build(tmp):
        (tmp / "half").write_text("x")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        cache.ensure(tmp_path / "e", build)
    assert not (tmp_path / "e").exists()
    assert [p.name for p in tmp_path.iterdir()] == [".e.lock"]


def _slow_build(entry, log):
    def build(tmp):
        with open(log, "a") as fh:
            fh.write(f"{os.getpid()}\n")
        time.sleep(0.5)
        (tmp / "payload").write_text(str(os.getpid()))
        return {}
    cache.ensure(pathlib.Path(entry), build)


def test_concurrent_builds_build_once(tmp_path):
    entry, log = tmp_path / "shared", tmp_path / "builds.log"
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_slow_build, args=(str(entry), str(log))) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    assert len(log.read_text().split()) == 1
    assert cache.complete(entry)


def test_prune_keeps_the_newest(tmp_path):
    for i, name in enumerate(["a", "b", "c", "d"]):
        cache.ensure(tmp_path / name, lambda tmp: {})
        os.utime(tmp_path / name / "manifest.json", (1000 + i, 1000 + i))
    (tmp_path / "incomplete").mkdir()            # someone's build in progress: not touched
    removed = cache.prune(tmp_path, keep="a", newest=2)
    assert sorted(removed) == ["b", "c"]
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == ["a", "d", "incomplete"]
    # entries used lately (other work trees' keys) stay, however many there are
    for name in ("x", "y"):
        cache.ensure(tmp_path / name, lambda tmp: {})
    assert cache.prune(tmp_path, keep="a", newest=1) == ["d"]
    assert (tmp_path / "x").is_dir() and (tmp_path / "y").is_dir()

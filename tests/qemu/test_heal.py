"""The cache heals: every fault a user can meet (garbage manifest; missing kernel, initrd, key;
truncated image; a saved state from another QEMU) is rebuilt with one line saying why, or
refused with a clear message; never a traceback. The stages' builders are replaced by small
fakes, so this runs in a second; test_resume.py does it with the real image and QEMU."""
import json

import pytest

from hailo_kit.qemu import cache, cli, image, overlay, rootfs, snapshot


@pytest.fixture
def fake_cache(tmp_path, monkeypatch):
    """build_image with fake stages in a cache of its own; counts the builds."""
    builds = {"base": 0, "overlay": 0}

    def base(out, arch, mirror, debs):
        builds["base"] += 1
        (out / "vmlinuz").write_bytes(b"kernel" * 100)
        (out / "base.cpio").write_bytes(b"base %d" % builds["base"] * 1000)   # never the same twice
        return {"stage": "base", "python": "3.11"}

    def ov(out, base_manifest):
        builds["overlay"] += 1
        (out / "overlay.cpio").write_bytes(b"overlay" * 100)
        for name in ("id_ed25519", "id_ed25519.pub"):
            (out / name).write_text(name)
        (out / "host_key.pub").write_text("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n")
        return {"stage": "overlay"}

    for name in ("require_root", "require_tools", "require_foreign_arch", "require_mirror"):
        monkeypatch.setattr(image.preflight, name, lambda *a, **k: None)
    monkeypatch.setattr(rootfs, "build", base)
    monkeypatch.setattr(overlay, "build", ov)
    monkeypatch.setenv("HAILO_KIT_QEMU_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("HAILO_KIT_DEBIAN_MIRROR", "http://mirror.invalid/debian")
    first = image.build_image()
    assert builds == {"base": 1, "overlay": 1} and not first.cached
    return first, builds


def heal(capsys, builds, expect, message):
    img = image.build_image()
    err = capsys.readouterr().err
    assert builds == expect, err
    lines = [line for line in err.splitlines() if "broken" in line]
    assert len(lines) == 1 and message in lines[0], err
    assert "Traceback" not in err
    assert img.kernel.is_file() and img.initrd.is_file() and img.key_path.is_file()
    assert image.build_image().cached            # healed for good
    return img


def test_garbage_manifest_is_rebuilt(fake_cache, capsys):
    img, builds = fake_cache
    (img.overlay_dir / "manifest.json").write_text("{garbage")
    heal(capsys, builds, {"base": 1, "overlay": 2}, "manifest.json is not valid JSON")


def test_missing_kernel_rebuilds_the_base(fake_cache, capsys):
    img, builds = fake_cache
    img.kernel.unlink()
    heal(capsys, builds, {"base": 2, "overlay": 2}, "vmlinuz is missing")


def test_missing_initrd_rebuilds_the_overlay(fake_cache, capsys):
    img, builds = fake_cache
    img.initrd.unlink()
    heal(capsys, builds, {"base": 1, "overlay": 2}, "initrd.cpio is missing")


@pytest.mark.parametrize("name", ["host_key.pub", "id_ed25519"])
def test_missing_key_rebuilds_the_overlay(fake_cache, capsys, name):
    img, builds = fake_cache
    (img.overlay_dir / name).unlink()
    heal(capsys, builds, {"base": 1, "overlay": 2}, f"{name} is missing")


def test_truncated_image_is_rebuilt(fake_cache, capsys):
    img, builds = fake_cache
    with open(img.initrd, "r+b") as fh:
        fh.truncate(10)
    heal(capsys, builds, {"base": 1, "overlay": 2}, "initrd.cpio has 10 bytes")


def test_same_size_corruption_is_caught_by_the_hash(fake_cache, capsys):
    img, builds = fake_cache
    data = bytearray(img.kernel.read_bytes())
    data[0] ^= 0xFF
    img.kernel.write_bytes(bytes(data))
    heal(capsys, builds, {"base": 2, "overlay": 2}, "vmlinuz does not match its SHA-256")


def test_an_entry_of_an_earlier_hailo_kit_is_adopted_not_rebuilt(fake_cache, capsys):
    img, builds = fake_cache
    m = json.loads((img.base_dir / "manifest.json").read_text())
    del m["format"], m["files"]                       # what the earlier code wrote
    (img.base_dir / "manifest.json").write_text(json.dumps(m))
    (img.base_dir / ".verified").unlink()
    assert image.build_image().cached and builds == {"base": 1, "overlay": 1}
    assert "broken" not in capsys.readouterr().err
    assert cache.problem(img.base_dir) is None


def test_the_cli_heals_too_and_exits_0(fake_cache, capsys):
    img, builds = fake_cache
    (img.base_dir / "manifest.json").write_text("")
    assert cli.main(["build"]) == 0
    err = capsys.readouterr().err
    assert "broken (manifest.json is not valid JSON" in err and "Traceback" not in err
    assert builds == {"base": 2, "overlay": 2}


def test_a_state_from_another_qemu_is_not_resumed(tmp_path):
    def build(tmp):
        (tmp / snapshot.STATE_FILE).write_bytes(b"QEVM" + b"\0" * 100)
        return snapshot.write_manifest("QEMU emulator version 6.2.0 sha256:0000", ["shape"], 0.5, "ov", "ssh-ed25519 A")

    entry, _ = cache.ensure(tmp_path / "state", build)
    with pytest.raises(snapshot.Unfit, match=r"from another QEMU \('QEMU emulator version 6.2.0"):
        snapshot.check(entry, "QEMU emulator version 7.2.22 sha256:1111", "ssh-ed25519 A")
    assert snapshot.check(entry, "QEMU emulator version 6.2.0 sha256:0000", "ssh-ed25519 A") == entry / snapshot.STATE_FILE
    with pytest.raises(snapshot.Unfit, match="earlier build of this image"):
        snapshot.check(entry, "QEMU emulator version 6.2.0 sha256:0000", "ssh-ed25519 B")
    (entry / snapshot.STATE_FILE).write_bytes(b"QEVM")
    with pytest.raises(snapshot.Unfit, match="the saved state is broken .vmstate has 4 bytes"):
        snapshot.check(entry, "QEMU emulator version 6.2.0 sha256:0000", "ssh-ed25519 A")


def test_clean_removes_entries(fake_cache, capsys, tmp_path):
    img, builds = fake_cache
    old = img.overlay_dir.parent / "0123456789abcdef0123"
    old.mkdir()
    (old / "manifest.json").write_text(json.dumps({"stage": "overlay"}))
    assert cli.main(["clean"]) == 0                      # what the current image does not use
    assert not old.exists() and img.overlay_dir.exists()
    assert cli.main(["clean", "--all"]) == 0             # everything
    assert not img.overlay_dir.exists() and not img.base_dir.exists()
    out = capsys.readouterr().out
    assert "removed" in out

"""Mirror detection, cache location and architectures."""
import pytest

from hailo_kit.qemu import TargetError, config


def test_mirror_from_deb822_sources(tmp_path, monkeypatch):
    monkeypatch.delenv("HAILO_KIT_DEBIAN_MIRROR", raising=False)
    (tmp_path / "debian.sources").write_text(
        "Types: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\n"
        "Components: main\n\n"
        "Types: deb\nURIs: http://mirror.example/debian/\nSuites: bookworm bookworm-updates\n"
        "Components: main\n")
    assert config.debian_mirror(tmp_path, tmp_path / "none") == "http://mirror.example/debian"


def test_mirror_skips_disabled_and_other_suites(tmp_path, monkeypatch):
    monkeypatch.delenv("HAILO_KIT_DEBIAN_MIRROR", raising=False)
    (tmp_path / "a.sources").write_text(
        "Types: deb\nURIs: http://off.example/debian\nSuites: bookworm\nEnabled: no\n\n"
        "Types: deb\nURIs: http://node.example/x\nSuites: nodistro\n")
    (tmp_path / "b.list").write_text("deb [arch=amd64] http://list.example/debian bookworm main\n")
    assert config.debian_mirror(tmp_path, tmp_path / "none") == "http://list.example/debian"


def test_mirror_default_and_override(tmp_path, monkeypatch):
    monkeypatch.delenv("HAILO_KIT_DEBIAN_MIRROR", raising=False)
    assert config.debian_mirror(tmp_path, tmp_path / "none") == "http://deb.debian.org/debian"
    monkeypatch.setenv("HAILO_KIT_DEBIAN_MIRROR", "http://local:3142/debian/")
    assert config.debian_mirror(tmp_path, tmp_path / "none") == "http://local:3142/debian"


def test_cache_root_env_override(tmp_path, monkeypatch):
    monkeypatch.setenv("HAILO_KIT_QEMU_CACHE", str(tmp_path / "c"))
    assert config.cache_root() == tmp_path / "c"
    monkeypatch.delenv("HAILO_KIT_QEMU_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert config.cache_root() == tmp_path / "hailo-kit" / "qemu"


def test_cache_is_outside_the_repository(monkeypatch):
    monkeypatch.delenv("HAILO_KIT_QEMU_CACHE", raising=False)
    assert config.REPO_ROOT not in config.cache_root().parents


def test_arches():
    assert config.arch("x86_64") is config.arch("amd64")
    assert config.arch("aarch64").qemu == "qemu-system-aarch64"
    with pytest.raises(TargetError, match="unknown architecture 'sparc'"):
        config.arch("sparc")

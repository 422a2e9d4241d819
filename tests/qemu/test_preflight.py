"""Clear errors, each naming what to do: not root, missing tools, mirror, ports."""
import shutil
import socket

import pytest

from hailo_kit.qemu import TargetError, config, preflight


def test_not_root(monkeypatch):
    monkeypatch.setattr(preflight.os, "geteuid", lambda: 1000)
    with pytest.raises(TargetError, match="needs root.*sudo hailo-qemu build"):
        preflight.require_root()


def test_missing_tools_name_the_apt_command(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda b: None if b in ("debootstrap", "cpio") else "/bin/" + b)
    with pytest.raises(TargetError) as e:
        preflight.require_tools(preflight.BUILD_TOOLS)
    assert "missing cpio, debootstrap" in str(e.value)
    assert "apt-get install --no-install-recommends cpio debootstrap" in str(e.value)


def test_missing_qemu_names_its_package(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda b: None)
    with pytest.raises(TargetError, match="qemu-system-x86_64.*apt-get install --no-install-recommends qemu-system-x86"):
        preflight.require_qemu(config.arch("amd64"))
    with pytest.raises(TargetError, match="qemu-system-arm"):
        preflight.require_qemu(config.arch("arm64"))


def test_unreachable_mirror():
    # nothing listens on port 9 of the loopback: refused at once
    with pytest.raises(TargetError, match="mirror http://127.0.0.1:9/debian is unreachable.*HAILO_KIT_DEBIAN_MIRROR"):
        preflight.require_mirror("http://127.0.0.1:9/debian", timeout=5)


def test_free_port_is_bindable():
    port = preflight.free_port()
    preflight.require_port_free(port)


def test_port_in_use():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(TargetError, match=f"port 127.0.0.1:{port} is in use.*--port"):
            preflight.require_port_free(port)


def test_foreign_arch_needs_qemu_user(monkeypatch):
    import platform
    monkeypatch.setattr(platform, "machine", lambda: "x86_64")
    preflight.require_foreign_arch(config.arch("amd64"))          # native: nothing needed
    monkeypatch.setattr(shutil, "which", lambda b: None)
    with pytest.raises(TargetError, match="qemu-aarch64-static.*binfmt-support qemu-user-static"):
        preflight.require_foreign_arch(config.arch("arm64"))
    monkeypatch.setattr(shutil, "which", lambda b: "/usr/bin/" + b)
    monkeypatch.setattr(preflight.os.path, "exists", lambda p: False)
    with pytest.raises(TargetError, match="update-binfmts --enable qemu-aarch64"):
        preflight.require_foreign_arch(config.arch("arm64"))

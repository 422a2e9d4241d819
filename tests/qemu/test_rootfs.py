"""The base stage's pieces that run without root or network: debootstrap errors, the image
configuration, packing."""
import os
import subprocess

import pytest

from hailo_kit.qemu import TargetError, config, rootfs


def fake_debootstrap(tmp_path, monkeypatch, body):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "debootstrap"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")


def test_unreachable_mirror_during_debootstrap(tmp_path, monkeypatch):
    fake_debootstrap(tmp_path, monkeypatch,
                     'echo "I: Retrieving InRelease"\necho "E: Failed getting release file http://x/debian/dists/bookworm/Release"\nexit 1\n')
    with pytest.raises(TargetError, match="could not download from http://x/debian(.|\n)*HAILO_KIT_DEBIAN_MIRROR"):
        rootfs.debootstrap(tmp_path / "root", config.arch("amd64"), "http://x/debian", tmp_path / "debs")


def test_failed_package_script_shows_debootstrap_log(tmp_path, monkeypatch):
    fake_debootstrap(tmp_path, monkeypatch,
                     'mkdir -p "$6/debootstrap"; echo "dpkg: error processing package udev" > "$6/debootstrap/debootstrap.log"\n'
                     'echo "W: Failure trying to run: chroot dpkg --configure -a"\nexit 1\n')
    with pytest.raises(TargetError, match=r"debootstrap failed \(exit 1\)(.|\n)*dpkg: error processing package udev"):
        rootfs.debootstrap(tmp_path / "root", config.arch("amd64"), "http://x/debian", tmp_path / "debs")


def test_configure_writes_units_masks_and_links(tmp_path):
    root = tmp_path / "root"
    for d in ("etc", "root", "usr/lib/openssh"):
        (root / d).mkdir(parents=True)
    rootfs.configure(root, config.arch("amd64"))
    wants = root / "etc/systemd/system/multi-user.target.wants"
    assert os.readlink(wants / "dropbear.service") == "/etc/systemd/system/dropbear.service"
    assert os.readlink(wants / "hailo-kit-ready.service") == "/etc/systemd/system/hailo-kit-ready.service"
    for unit in rootfs.MASKED_UNITS:
        assert os.readlink(root / "etc/systemd/system" / unit) == "/dev/null"
    assert os.readlink(root / "usr/lib/sftp-server") == "/usr/lib/openssh/sftp-server"
    unit = (root / "etc/systemd/system/dropbear.service").read_text()
    assert " -s " in unit                      # no password logins
    assert config.READY_MARKER in (root / "etc/systemd/system/hailo-kit-ready.service").read_text()
    assert (root / "root").stat().st_mode & 0o777 == 0o700
    assert (root / "etc/machine-id").read_text() == ""


def test_pack_is_a_sorted_newc_archive(tmp_path):
    root = tmp_path / "root"
    (root / "b/c").mkdir(parents=True)
    (root / "a.txt").write_text("hello")
    (root / "b/c/d").write_text("x")
    os.symlink("a.txt", root / "link")
    rootfs.pack(root, tmp_path / "out.cpio")
    data = (tmp_path / "out.cpio").read_bytes()
    assert data[:6] == b"070701"                   # newc magic
    names = subprocess.run(["cpio", "-it", "--quiet"], input=data, capture_output=True,
                           check=True).stdout.decode().split()
    assert names == ["a.txt", "b", "b/c", "b/c/d", "link"]


def test_python_version(tmp_path):
    (tmp_path / "usr/lib/python3.11").mkdir(parents=True)
    (tmp_path / "usr/lib/python3").mkdir(parents=True)
    assert rootfs.python_version(tmp_path) == "3.11"
    with pytest.raises(TargetError, match="no python3"):
        rootfs.python_version(tmp_path / "nothing")

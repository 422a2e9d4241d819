"""The QEMU command line and helpers, without booting."""
import pathlib

import pytest

from hailo_kit.qemu import TargetError
from hailo_kit.qemu.image import Image
from hailo_kit.qemu.machine import QemuTarget, accel_args, tail

HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIP+NNHA2JZUugaoHmzJajjAa2n7/lJBOBhx8+HgYY0oR"


def fake_image(tmp_path, arch="amd64"):
    p = pathlib.Path(tmp_path)
    return Image(arch, p / "vmlinuz", p / "initrd.cpio", p / "id", HOST_KEY, "b", "o", True, True, p, p)


def test_command_line(tmp_path):
    t = QemuTarget(fake_image(tmp_path), port=2222)
    t.run_dir = tmp_path
    cmd = t.command()
    joined = " ".join(cmd)
    assert cmd[0] == "qemu-system-x86_64"
    assert "-accel tcg,thread=multi" in joined and "-no-reboot" in joined
    assert "hostfwd=tcp:127.0.0.1:2222-:22" in joined          # loopback only
    assert f"-qmp unix:{tmp_path}/qmp.sock,server=on,wait=off" in joined
    assert f"-serial file:{tmp_path}/serial.log" in joined
    append = cmd[cmd.index("-append") + 1]
    assert "console=ttyS0" in append and "rdinit=/sbin/init" in append and "panic=-1" in append


def test_arm64_command_line(tmp_path):
    t = QemuTarget(fake_image(tmp_path, "arm64"), port=2222)
    t.run_dir = tmp_path
    cmd = t.command()
    assert cmd[0] == "qemu-system-aarch64" and "virt" in cmd
    assert "console=ttyAMA0" in cmd[cmd.index("-append") + 1]


def test_accelerators():
    assert accel_args("kvm") == ["-accel", "kvm"]
    with pytest.raises(TargetError, match="unknown accelerator 'hvf'"):
        accel_args("hvf")


def test_pinned_host_key_and_known_hosts_line(tmp_path):
    t = QemuTarget(fake_image(tmp_path), port=2200)
    assert t.known_hosts_line() == f"[127.0.0.1]:2200 {HOST_KEY}"
    assert t.ssh_target().host_key == HOST_KEY and t.ssh_target().port == 2200
    assert t.host_key_fingerprint.startswith("SHA256:")


def test_missing_image_files_are_a_clear_error(tmp_path):
    with pytest.raises(TargetError, match="vmlinuz is missing.*hailo-qemu build"):
        QemuTarget(fake_image(tmp_path)).start()


def test_tail(tmp_path):
    log = tmp_path / "serial.log"
    assert tail(log) == "(no serial log)"
    log.write_text("")
    assert tail(log) == "(serial log is empty)"
    log.write_text("\r\n".join(f"line {i}" for i in range(100)))
    assert tail(log, 3) == "line 97\nline 98\nline 99"


def test_stop_is_idempotent_without_a_machine(tmp_path):
    t = QemuTarget(fake_image(tmp_path))
    t.stop()
    t.stop()
    assert not t.alive()


def test_kvm_needs_a_usable_dev_kvm(tmp_path, monkeypatch):
    from hailo_kit.qemu import machine
    monkeypatch.setattr(machine.os, "access", lambda path, mode: False)
    with pytest.raises(TargetError, match="/dev/kvm is not usable here; use the default TCG"):
        machine.probe_kvm(fake_image(tmp_path))


def test_failed_kvm_probe_says_tcg_works(tmp_path, monkeypatch):
    from hailo_kit.qemu import machine
    monkeypatch.setattr(machine.os, "access", lambda path, mode: True)

    def no_boot(self):
        raise TargetError("boot timeout: no HAILO-KIT-READY on the serial console within 90s")

    monkeypatch.setattr(machine.QemuTarget, "start", no_boot)
    with pytest.raises(TargetError, match="probe boot failed, so KVM is not used(.|\n)*boot timeout"):
        machine.probe_kvm(fake_image(tmp_path))


def test_a_key_that_is_not_a_key_fails_the_boot_at_once(tmp_path, monkeypatch):
    """Not after the boot timeout: no retry can fix the file."""
    from hailo_kit.qemu import machine
    image = fake_image(tmp_path)
    image.key_path.write_text("this is not a private key\n")
    t = QemuTarget(image, port=2222, timeout=600)
    t.run_dir = tmp_path
    (tmp_path / "qemu.stderr").write_text("")
    monkeypatch.setattr(QemuTarget, "alive", lambda self: True)
    monkeypatch.setattr(machine, "_banner", lambda host, port, timeout=2.0: True)
    import time
    with pytest.raises(TargetError, match="SSH key cannot be used.*not a private key"):
        t._wait_ssh(time.monotonic() + 600)

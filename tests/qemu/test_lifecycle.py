"""Booting and stopping: clear errors (bad kernel, panic, timeout, busy port), stop() reaps,
the CLI's detached machine, and no orphaned QEMU when the starter is killed."""
import dataclasses
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time

import pytest

from hailo_kit.qemu import QemuTarget, TargetError, boot
from hailo_kit.qemu.machine import _pid_is_qemu

pytestmark = pytest.mark.qemu


def qemu_pids(run_dir):
    """The QEMU processes booted from ``run_dir`` (other test workers or users may run their
    own QEMU meanwhile)."""
    out = subprocess.run(["pgrep", "-f", "qemu-system.*" + re.escape(str(run_dir))],
                         capture_output=True, text=True).stdout
    return {int(p) for p in out.split()}


def gone(pid, within=15):
    end = time.monotonic() + within
    while time.monotonic() < end:
        if not _pid_is_qemu(pid, None):
            return True
        time.sleep(0.1)
    return False


def drop_run_dir(error):
    """A failed boot keeps its run dir for the error's serial log; the tests clean theirs up."""
    m = re.search(r"serial log tail \((/\S+)/serial\.log\)", str(error))
    assert m, f"no serial log path in: {error}"
    shutil.rmtree(m.group(1), ignore_errors=True)
    return m.group(1)


def test_garbage_kernel_is_a_clear_error(qemu_image, tmp_path):
    (tmp_path / "vmlinuz").write_bytes(b"not a kernel" * 100)
    image = dataclasses.replace(qemu_image, kernel=tmp_path / "vmlinuz")
    with pytest.raises(TargetError, match=r"QEMU exited with status \d+ during boot(.|\n)*qemu: .*\S") as e:
        boot(image, timeout=60)
    drop_run_dir(e.value)


def test_kernel_panic_shows_the_serial_log(qemu_image, tmp_path):
    (tmp_path / "empty.cpio").write_bytes(b"")
    image = dataclasses.replace(qemu_image, initrd=tmp_path / "empty.cpio")
    with pytest.raises(TargetError) as e:
        boot(image, timeout=120)
    assert "QEMU exited" in str(e.value)
    assert "Kernel panic" in str(e.value) and "serial log tail" in str(e.value)
    drop_run_dir(e.value)


def test_boot_timeout_shows_the_serial_log_and_stops_qemu(qemu_image, tmp_path):
    (tmp_path / "empty.cpio").write_bytes(b"")
    image = dataclasses.replace(qemu_image, initrd=tmp_path / "empty.cpio")
    with pytest.raises(TargetError, match=r"boot timeout: no HAILO-KIT-READY(.|\n)*serial log tail") as e:
        boot(image, timeout=0.5)
    run_dir = drop_run_dir(e.value)
    time.sleep(0.5)
    assert not qemu_pids(run_dir)


def test_requested_port_in_use(qemu_image):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(TargetError, match=f"port 127.0.0.1:{port} is in use"):
            QemuTarget(qemu_image, port=port).start()


STARTER = textwrap.dedent("""
    import sys
    from hailo_kit.qemu import QemuTarget, build_image
    t = QemuTarget(build_image(), timeout=300)
    spawn = t._spawn
    def announce(*args, **kwargs):
        spawn(*args, **kwargs)
        print(t.pid, t.run_dir, flush=True)
    t._spawn = announce
    t.start()
    print("ready", flush=True)
    sys.stdin.read()
""")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_no_orphan_when_the_starter_dies(qemu_image, sig):
    """SIGKILL: PR_SET_PDEATHSIG ends QEMU; SIGTERM: the handler stops it (QMP quit)."""
    starter = subprocess.Popen([sys.executable, "-c", STARTER], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    run_dir = None
    try:
        pid, run_dir = starter.stdout.readline().split()
        pid = int(pid)
        assert _pid_is_qemu(pid, None)
        time.sleep(1)
        starter.send_signal(sig)
        starter.wait(30)
        assert gone(pid), f"QEMU {pid} outlived its starter ({sig.name})"
    finally:
        starter.kill()
        starter.wait()
        if run_dir:
            shutil.rmtree(run_dir, ignore_errors=True)


def test_detached_boot_ssh_info_run_and_stop_via_cli(qemu_image, tmp_path):
    env = {**os.environ}
    name = f"test-{os.getpid()}"

    def cli(*args, timeout=400):
        return subprocess.run([sys.executable, "-m", "hailo_kit.qemu.cli", "-q", *args],
                              capture_output=True, text=True, env=env, timeout=timeout)

    p = cli("boot", "--detach", "--name", name, "--json", "--timeout", "300")
    assert p.returncode == 0, p.stderr
    info = json.loads(p.stdout)
    try:
        assert info["host"] == "127.0.0.1" and info["username"] == "root"
        image_dir = os.path.dirname(info["key_path"])  # the image the CLI built or reused
        assert info["host_key"] == open(os.path.join(image_dir, "host_key.pub")).read().strip()
        assert json.loads(cli("ssh-info", "--name", name, "--json").stdout)["port"] == info["port"]
        # the printed OpenSSH command works as it is, with the host key pinned
        if shutil.which("ssh"):
            ssh = info["ssh"].split() + ["-o", "BatchMode=yes", "true"]
            assert subprocess.run(ssh, capture_output=True, timeout=60).returncode == 0
        p = cli("run", "--name", name, "--", "uname", "-n")
        assert p.returncode == 0 and p.stdout.strip() == "hailo-qemu"
        p = cli("run", "--name", name, "--", "exit 3")
        assert p.returncode == 3
        p = cli("boot", "--detach", "--name", name)
        assert p.returncode == 1 and "already running" in p.stderr
    finally:
        p = cli("stop", "--name", name)
    assert p.returncode == 0 and f"stopped {name}" in p.stdout
    assert gone(info["pid"], within=5)
    assert not os.path.exists(info["serial_log"])
    p = cli("ssh-info", "--name", name)
    assert p.returncode == 1 and "no detached target" in p.stderr

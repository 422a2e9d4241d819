"""examples/labgrid run as a user would (pytest with labgrid's plugin, in a process of its own)
against our QEMU target:
- board.yaml (NetworkService + SSHDriver) on the session's booted target;
- farm.yaml through a labgrid coordinator and exporter on 127.0.0.1 (RemotePlace), same target;
- qemu.yaml: labgrid's QEMUDriver boots the image itself.
A subset of the checks keeps CI time small; every check's test is reported (the rest skipped).
"""
import os
import shutil
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

pytest.importorskip("labgrid", reason="labgrid is not installed (scripts/setup installs it)")

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "labgrid"
BIN = Path(sys.executable).parent
SUBSET = ("files", "libhailort", "hailortcli", "pyhailort", "scan", "sim-config", "service")
pytestmark = pytest.mark.qemu


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env_file(example, out, port):
    """The example's environment file, its NetworkService's port (a number) filled in."""
    text = (EXAMPLE / example).read_text()
    out.write_text(text.replace("port: 22\n", f"port: {port}\n").replace("port: 2222\n", f"port: {port}\n"))
    return out


def private_copy(path, tmp_path):
    """A copy the run owns: the shared QEMU cache may prune the entry while a long test runs."""
    out = tmp_path / Path(path).name
    try:
        os.link(path, out)          # keeps the mode: a key stays 0600
    except OSError:
        shutil.copyfile(path, out)
        out.chmod(0o600)
    return out


def run_example(env, tmp_path, *extra, lg_env=None, timeout=900):
    junit = tmp_path / "labgrid.xml"
    cmd = [sys.executable, "-m", "pytest", str(EXAMPLE), "--lg-env", str(env), "--hailo-profile", "simulated",
           "--hailo-only", ",".join(SUBSET), f"--junitxml={junit}", "-p", "no:cacheprovider", "-q",
           "--rootdir", str(EXAMPLE), *extra]
    proc = subprocess.run(cmd, cwd=tmp_path, env={**os.environ, **(lg_env or {})}, capture_output=True,
                          text=True, timeout=timeout)
    assert junit.is_file(), proc.stdout[-3000:] + proc.stderr[-3000:]
    cases = {c.get("name"): c for c in ET.parse(junit).getroot().iter("testcase")}
    return proc, cases


def assert_subset_passed(proc, cases):
    out = proc.stdout[-3000:] + proc.stderr[-2000:]
    assert proc.returncode == 0, out
    from hailo_kit.validate.checks import CHECKS
    assert set(cases) == {f"test_hailo[{c.id}]" for c in CHECKS}, out
    for check in SUBSET:
        case = cases[f"test_hailo[{check}]"]
        assert case.find("failure") is None and case.find("error") is None and case.find("skipped") is None, \
            (check, ET.tostring(case).decode())
    others = [c for name, c in cases.items() if name[len("test_hailo["):-1] not in SUBSET]
    assert all(c.find("skipped") is not None for c in others)


def test_board_environment_on_the_qemu_target(qemu_target, tmp_path):
    env = env_file("board.yaml", tmp_path / "board.yaml", port=qemu_target.port)
    proc, cases = run_example(env, tmp_path, lg_env={"LG_HAILO_ADDRESS": qemu_target.host,
                                                     "LG_HAILO_KEY": str(private_copy(qemu_target.key_path, tmp_path))})
    assert_subset_passed(proc, cases)


def _start(cmd, log, **kw):
    return subprocess.Popen(cmd, stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True, **kw)


def _stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _client(coordinator, *args, timeout=60):
    return subprocess.run([str(BIN / "labgrid-client"), "-x", coordinator, *args], capture_output=True,
                          text=True, timeout=timeout)


def _wait_for(what, probe, timeout=120):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if probe():
            return
        time.sleep(0.5)
    pytest.fail(f"{what} did not happen within {timeout} s", pytrace=False)


def test_farm_environment_through_a_coordinator_on_loopback(qemu_target, tmp_path):
    if shutil.which("labgrid-coordinator", path=str(BIN)) is None:
        pytest.skip("labgrid-coordinator is not installed")
    coordinator = f"127.0.0.1:{free_port()}"
    place = "hailo-qemu"
    exporter_conf = tmp_path / "exporter.yaml"
    exporter_conf.write_text(yaml.safe_dump({"hailo-qemu-group": {"NetworkService": {
        "address": qemu_target.host, "port": qemu_target.port, "username": "root"}}}))
    procs = []
    try:
        procs.append(_start([str(BIN / "labgrid-coordinator"), "-l", coordinator], tmp_path / "coordinator.log",
                            cwd=tmp_path))
        _wait_for("the coordinator listening", lambda: _client(coordinator, "places").returncode == 0)
        procs.append(_start([str(BIN / "labgrid-exporter"), "-c", coordinator, "--name", "exporter-1",
                             str(exporter_conf)], tmp_path / "exporter.log", cwd=tmp_path))
        _wait_for("the exporter's resource", lambda: "NetworkService" in _client(coordinator, "resources").stdout)
        for args in (("create",), ("add-match", "exporter-1/hailo-qemu-group/NetworkService"), ("acquire",)):
            r = _client(coordinator, "-p", place, *args)
            assert r.returncode == 0, (args, r.stdout + r.stderr)
        proc, cases = run_example(EXAMPLE / "farm.yaml", tmp_path, "--lg-coordinator", coordinator,
                                  lg_env={"LG_HAILO_PLACE": place,
                                          "LG_HAILO_KEY": str(private_copy(qemu_target.key_path, tmp_path)),
                                          "LG_COORDINATOR": coordinator})
        assert_subset_passed(proc, cases)
        assert _client(coordinator, "-p", place, "release").returncode == 0
    finally:
        for p in reversed(procs):
            _stop(p)


def test_qemu_environment_boots_the_image_with_labgrids_qemudriver(qemu_image, tmp_path):
    port = free_port()
    env = env_file("qemu.yaml", tmp_path / "qemu.yaml", port=port)
    files = tmp_path / "image"
    files.mkdir()
    proc, cases = run_example(env, tmp_path, lg_env={
        "LG_QEMU_KERNEL": str(private_copy(qemu_image.kernel, files)),
        "LG_QEMU_INITRD": str(private_copy(qemu_image.initrd, files)),
        "LG_QEMU_KEY": str(private_copy(qemu_image.key_path, files)), "LG_QEMU_SSH_PORT": str(port)},
        timeout=1200)
    assert_subset_passed(proc, cases)

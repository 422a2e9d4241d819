"""The checks' commands against the real runtime, without QEMU: this machine is the target, over
the loopback SSH server, with the project's venv on PATH, the layer's simulated device config and
a ``hailort_service standalone`` of our own. What these checks parse is what the runtime prints."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hailo_kit import ssh
from hailo_kit.validate import checks
from hailo_kit.validate.runner import Result, run_checks
from hailo_kit.validate.samples import make_sample_hefs

from .sshd import LocalSSHServer

ROOT = Path(__file__).resolve().parents[2]
LAYER_CONF = ROOT / "meta-hailo-libhailort/dynamic-layers/meta-python/recipes-hailo/python3-hailort-sim/files/hailort-sim.conf"
# Everything but what needs systemd (service) or a real device (the hardware-only checks).
LOCAL = ("libhailort", "hailortcli", "pyhailort", "scan", "identify", "fw-version", "sim-config",
         "parse-hef", "run", "infer-model", "service-inference")


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("local-target")
    conf = tmp / "hailort-sim.conf"
    conf.write_text(LAYER_CONF.read_text())
    bindir = Path(sys.executable).parent
    # TMPDIR: the simulated devices' claim locks live there; a private one keeps other runs'
    # devices apart from ours on a shared machine.
    (tmp / "tmp").mkdir()
    env = dict(os.environ, PATH=f"{bindir}:{os.environ['PATH']}", HAILORT_SIM_CONFIG=str(conf), TMPDIR=str(tmp / "tmp"),
               HAILORT_SERVICE_ADDRESS=f"unix://{tmp}/hailort_uds.sock", HAILORT_LOGGER_PATH=str(tmp))
    service = subprocess.Popen([str(bindir / "hailort_service"), "standalone"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sock = tmp / "hailort_uds.sock"
    end = time.monotonic() + 30
    while not sock.exists():
        if service.poll() is not None or time.monotonic() > end:
            service.kill()
            pytest.fail(f"hailort_service standalone did not come up: {service.stderr.read().decode()[-500:]}")
        time.sleep(0.1)
    yield env, conf
    service.terminate()
    try:
        service.wait(10)
    except subprocess.TimeoutExpired:
        service.kill()
        service.wait()


@pytest.fixture(scope="module")
def hefs(tmp_path_factory):
    return make_sample_hefs(tmp_path_factory.mktemp("hefs"))


@pytest.fixture
def local_session(env, tmp_path):
    with LocalSSHServer(tmp_path, env=env[0]) as srv:
        target = ssh.Target("127.0.0.1", srv.port, "tester", key_filename=srv.key_path,
                            host_key=ssh.host_key_line(srv.host_key))
        with ssh.Session.connect(target, deadline_s=10) as s:
            yield s


def test_checks_pass_against_the_runtime(local_session, hefs):
    rep = run_checks(local_session, "simulated", checks=[checks.CHECKS_BY_ID[i] for i in LOCAL], hefs=hefs)
    bad = [(r.id, r.detail) for r in rep.records if r.result != Result.PASS]
    assert not bad, bad
    by_id = {r.id: r.detail for r in rep.records}
    assert "0000:01:00.0" in by_id["scan"] and "HAILO8" in by_id["identify"]
    assert "identity contract met" in by_id["infer-model"] and "deterministic contract met" in by_id["infer-model"]


def test_no_device_fails_scan_and_identify(local_session, env, hefs):
    conf = env[1]
    saved = conf.read_text()
    conf.write_text("# no [deviceN] section: the simulated runtime sees no device\n")
    try:
        rep = run_checks(local_session, "simulated", hefs=hefs,
                         checks=[checks.CHECKS_BY_ID[i] for i in ("sim-config", "scan", "identify", "infer-model")])
    finally:
        conf.write_text(saved)
    assert all(r.result == Result.FAIL for r in rep.records), rep.records

"""End to end on the QEMU test target: the main job passes; a target broken on purpose fails the
right check; a target that dies mid-run ends the run within its deadline.

The breaking tests share the session's ``qemu_target`` (tests/conftest.py) and restore what they
broke (each verifies the restore), so the other areas still get a healthy target; the tests that
end a machine boot their own.
"""
import json
import os
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from hailo_kit import ssh
from hailo_kit.validate import checks
from hailo_kit.validate.qemu import validate_booted, validate_qemu
from hailo_kit.validate.runner import Result
from hailo_kit.validate.samples import make_sample_hefs

pytestmark = [pytest.mark.qemu, pytest.mark.timeout(900)]

HW_ONLY = {c.id for c in checks.CHECKS if "simulated" in c.skip}
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def hefs(tmp_path_factory):
    return make_sample_hefs(tmp_path_factory.mktemp("hefs"))


@pytest.fixture
def shell(qemu_target):
    """A root shell on the shared target, for breaking and restoring it."""
    with qemu_target.session(deadline_s=60) as s:
        def sh(command, timeout_s=60):
            r = s.run(command, timeout_s=timeout_s)
            assert r.ok, f"{command}: exit {r.exit_status}: {r.err}"
            return r.out
        yield sh


def only(*ids):
    return [checks.CHECKS_BY_ID[i] for i in ids]


def results(report):
    return {r.id: r.result for r in report.records}


def assert_validated(report):
    bad = [(r.id, r.result.value, r.detail) for r in report.records
           if not (r.result == Result.PASS or (r.result == Result.SKIP and r.id in HW_ONLY))]
    assert not bad and report.exit_code == 0, bad


def test_main_job_validates_a_fresh_target(tmp_path):
    """``hailo-validate qemu`` (what ./validate-qemu runs): boots its own target, every check of the
    simulated profile PASSes (or is SKIP for a hardware-only reason), exit status 0."""
    out_json, out_junit = tmp_path / "report.json", tmp_path / "report.xml"
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "hailo_kit.validate.cli", "qemu", "--json", str(out_json),
                           "--junit", str(out_junit)], capture_output=True, text=True, timeout=800, cwd=ROOT)
    took = time.monotonic() - start
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(out_json.read_text())
    got = {r["id"]: r["result"] for r in data["records"]}
    assert list(got) == [c.id for c in checks.CHECKS]
    assert {k for k, v in got.items() if v == "SKIP"} == HW_ONLY
    assert all(v == "PASS" for k, v in got.items() if k not in HW_ONLY)
    suite = ET.parse(out_junit).getroot()
    assert suite.get("failures") == "0" and suite.get("errors") == "0"
    assert "VALIDATED" in proc.stdout
    print(f"main job: {took:.1f} s (report {data['seconds']} s)")


def test_ssh_layer_against_the_targets_dropbear(qemu_target):
    """The loopback tests' guarantees against the real server: more than paramiko's 2 MiB window
    on both streams at once, a deadline on a hanging command, quoting, commands at once."""
    with qemu_target.session(deadline_s=60) as s:
        n = 3 << 20
        r = s.run(f"head -c {n} /dev/zero | tr '\\0' o & head -c {n} /dev/zero | tr '\\0' e >&2; wait",
                  timeout_s=120)
        assert r.ok and len(r.stdout) == n and len(r.stderr) == n
        assert set(r.stdout) == {ord("o")} and set(r.stderr) == {ord("e")}
        start = time.monotonic()
        with pytest.raises(ssh.CommandTimeout):
            s.run("sleep 60", timeout_s=2)
        assert time.monotonic() - start < 10
        assert s.run(["printf", "%s|", "a b", "$HOME", "it's"], timeout_s=30).out == "a b|$HOME|it's|"
        # bookworm's dropbear has the channel race: commands at once get a connection each.
        assert s.server_version.startswith("SSH-2.0-dropbear_2022.") and s.connections == 1
        outs = [None] * 3
        threads = [threading.Thread(target=lambda i=i: outs.__setitem__(i, s.run(f"sleep 1; echo {i}", timeout_s=60)))
                   for i in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert [(r.exit_status, r.out) for r in outs] == [(0, f"{i}\n") for i in range(3)]
        assert s.connections == 3


def test_ssh_command_first_contact_then_known_hosts(qemu_target, tmp_path, capsys):
    """``hailo-validate ssh`` on the real target: refused while unknown, first contact records
    the key the QEMU tool announced, later runs check it, a wrong recorded key is refused."""
    from hailo_kit.validate.cli import main
    known = tmp_path / "known_hosts"
    args = ["ssh", f"root@{qemu_target.host}:{qemu_target.port}", "--key", str(qemu_target.key_path),
            "--known-hosts", str(known), "--profile", "simulated", "--only", "scan,sim-config", "-q"]
    assert main(args) == 2
    assert main(args + ["--accept-new-host-key"]) == 0
    assert known.read_text().split() == qemu_target.known_hosts_line().split()
    assert main(args) == 0
    known.write_text(f"[{qemu_target.host}]:{qemu_target.port} ssh-ed25519 "
                     "AAAAC3NzaC1lZDI1NTE5AAAAIPX6YYnFBDeKXhHvpN9u0dHdbDZ8OgeDWdwUv2tt3d0b\n")
    assert main(args + ["--accept-new-host-key"]) == 2
    assert "host key mismatch" in " ".join(capsys.readouterr().out.split())


def test_suite_passes_on_the_shared_target(qemu_target_report):
    assert_validated(qemu_target_report)


def test_service_stopped_fails_the_service_checks(qemu_target, shell, hefs):
    shell("systemctl stop hailort.service")
    try:
        rep = validate_booted(qemu_target, hefs=hefs, checks=only("service", "service-inference", "infer-model"))
        got = results(rep)
        assert got == {"service": Result.FAIL, "service-inference": Result.FAIL, "infer-model": Result.PASS}, \
            rep.records
        assert "HAILO_RPC_FAILED" in next(r.detail for r in rep.records if r.id == "service-inference")
    finally:
        shell("systemctl start hailort.service")
    assert shell("systemctl is-active hailort.service").strip() == "active"


def test_corrupted_device_config_fails_sim_config_and_scan(qemu_target, shell, hefs):
    conf = "/etc/hailo/hailort-sim.conf"
    shell(f"cp -p {conf} {conf}.orig && printf 'device0\\narchitecture HAILO8\\n\\x00\\x01' > {conf}")
    try:
        rep = validate_booted(qemu_target, hefs=hefs, checks=only("sim-config", "scan", "hailortcli"))
        got = results(rep)
        assert got == {"sim-config": Result.FAIL, "scan": Result.FAIL, "hailortcli": Result.PASS}, rep.records
    finally:
        shell(f"mv {conf}.orig {conf}")
    assert_validated(validate_booted(qemu_target, hefs=hefs, checks=only("sim-config", "scan")))


def test_runtime_removed_fails_the_runtime_checks(qemu_target, shell, hefs):
    pkg = shell("python3 -c 'import os, hailort_sim; print(os.path.dirname(hailort_sim.__file__))'").strip()
    moved = [pkg, "/usr/bin/hailortcli", "/usr/bin/hailo"]
    shell(" && ".join(f"mv {p} {p}.removed" for p in moved))
    try:
        rep = validate_booted(qemu_target, hefs=hefs,
                              checks=only("libhailort", "hailortcli", "pyhailort", "scan", "identify", "parse-hef",
                                          "sim-config"))
        got = results(rep)
        assert all(got[i] == Result.FAIL for i in got if i != "sim-config"), rep.records
        assert got["sim-config"] == Result.PASS
    finally:
        shell(" && ".join(f"mv {p}.removed {p}" for p in moved))
    assert_validated(validate_booted(qemu_target, hefs=hefs, checks=only("libhailort", "hailortcli", "scan")))


def test_target_killed_mid_run_ends_the_run_within_its_deadline(hefs):
    """Its own machine (the main job's code path), killed with SIGKILL a few seconds into the checks."""
    deadline_s = 120.0

    def kill_soon(target, session):
        def kill():
            os.kill(target.pid, signal.SIGKILL)
        threading.Timer(3.0, kill).start()

    start = time.monotonic()
    rep = validate_qemu(checks=checks.CHECKS, deadline_s=deadline_s, on_target=kill_soon, say=lambda m: None)
    took = time.monotonic() - start
    assert rep.exit_code == 2 and rep.error, rep.records
    got = [r.result for r in rep.records]
    assert got[-1] == Result.NOT_RUN and Result.NOT_RUN in got, [(r.id, r.result.value, r.detail) for r in rep.records]
    first_not_run = got.index(Result.NOT_RUN)
    assert all(x == Result.NOT_RUN for x in got[first_not_run:])
    assert rep.seconds < deadline_s, rep.seconds
    print(f"killed target: run ended after {rep.seconds:.1f} s ({took:.1f} s with the boot): {rep.error}")

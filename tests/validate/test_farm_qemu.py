"""Two QEMU targets validated in one run (`hailo-validate ssh A B`): the session's target and a
second machine booted here from the same image. Then the second is killed (SIGKILL) while the
suite runs on both: only its own suite fails. The combined JUnit validates against junit.xsd.
The figures (both at once against one alone is not asserted: CPU is shared) are printed."""
import json
import os
import signal
import time

import pytest

from hailo_kit.validate import report as reporting
from hailo_kit.validate.checks import CHECKS, CHECKS_BY_ID
from hailo_kit.validate.cli import main
from hailo_kit.validate.farm import validate_many
from hailo_kit.validate.runner import Result
from hailo_kit.validate.samples import make_sample_hefs

from .test_farm import assert_valid_junit

pytestmark = [pytest.mark.qemu, pytest.mark.timeout(1500)]
QUICK = ("files", "hailortcli", "pyhailort", "scan", "sim-config", "parse-hef", "service")


@pytest.fixture(scope="module")
def second_target(qemu_image, boot_qemu):
    with boot_qemu(qemu_image, "the second QEMU target", timeout=600) as target:
        yield target


def _dest(t):
    return f"{t.username}@{t.host}:{t.port}"


def test_two_qemu_targets_in_one_run(qemu_target, second_target, tmp_path, capsys):
    x, j = tmp_path / "farm.xml", tmp_path / "farm.json"
    assert qemu_target.host_key == second_target.host_key   # one image: one host key to pin
    start = time.monotonic()
    # Every check but service-inference: on a machine loaded far beyond its cores it has failed
    # with HAILO_RPC_FAILED ("Async inference job failed") on a single target too (the runtime's
    # service under load); the main job's test (test_e2e_qemu.py) covers it.
    every = ",".join(c.id for c in CHECKS if c.id != "service-inference")
    rc = main(["ssh", _dest(qemu_target), _dest(second_target), "--key", str(qemu_target.key_path),
               "--host-key", qemu_target.host_key, "--profile", "simulated", "--junit", str(x), "--json", str(j),
               "--only", every, "-q"])
    took = time.monotonic() - start
    out = capsys.readouterr().out
    assert rc == 0, out
    assert_valid_junit(x)
    data = json.loads(j.read_text())
    assert [t["target"] for t in data["targets"]] == [_dest(qemu_target), _dest(second_target)]
    assert all(t["exit_code"] == 0 for t in data["targets"])
    each = ", ".join(f"{t['target']} {t['seconds']:.1f} s" for t in data["targets"])
    with capsys.disabled():
        print(f"\ntwo QEMU targets validated at once in {took:.1f} s ({each})")


def test_a_target_killed_mid_run_fails_only_its_own_suite(qemu_target, second_target, tmp_path):
    hefs = make_sample_hefs(tmp_path / "hefs")
    killed = []

    def progress_for(target):
        def seen(record):   # the second target's first result: kill it while the rest run
            if target.port == second_target.port and not killed:
                killed.append(time.monotonic())
                os.kill(second_target.pid, signal.SIGKILL)
        return seen

    targets = [qemu_target.ssh_target(), second_target.ssh_target()]
    reports = validate_many(targets, "simulated", checks=[CHECKS_BY_ID[i] for i in QUICK], hefs=hefs,
                            deadline_s=300, jobs=1, connect_timeout_s=60, progress_for=progress_for)
    first, second = reports
    assert killed, "the second target never reported a check"
    assert first.exit_code == 0 and first.error is None, [(r.id, r.result.value, r.detail) for r in first.records]
    assert second.exit_code == 2 and ("target lost" in second.error or "stopped answering" in second.error), second
    assert second.records[-1].result == Result.NOT_RUN
    path = tmp_path / "farm.xml"
    reporting.to_junit_many(reports).write(path, encoding="utf-8", xml_declaration=True)
    assert_valid_junit(path)
    from lxml import etree
    suites = etree.parse(str(path)).getroot().findall("testsuite")
    assert suites[0].get("errors") == "0" and suites[0].get("failures") == "0"
    assert int(suites[1].get("errors")) >= 1
    print(f"second target killed; its run ended {second.seconds:.1f} s after it started: {second.error}")

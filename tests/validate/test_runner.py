"""The check table, the runner and the reporters against a scripted target (fake_target.py)."""
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from hailo_kit import ssh
from hailo_kit.validate import checks
from hailo_kit.validate.report import format_table, to_json, to_junit, write_json
from hailo_kit.validate.runner import Result, not_run_report, run_checks

from .fake_target import FakeTarget

HW_ONLY = {"firmware", "hailo_pci", "device-nodes", "udev-rule"}


@pytest.fixture
def hefs(tmp_path):
    out = {}
    for name in ("shortcut_net", "resnet_v1_18"):
        out[name] = tmp_path / f"{name}.hef"
        out[name].write_bytes(b"HEF-bytes-for-the-fake")
    return out


def results(report):
    return {r.id: r.result for r in report.records}


def test_the_fake_and_the_session_are_transports():
    # The runner reads alive and concurrent_commands directly: every transport must have them.
    assert isinstance(FakeTarget(), ssh.Transport)
    assert {"alive", "concurrent_commands", "run", "put"} <= set(dir(ssh.Session))


def test_healthy_simulated_target_is_validated(hefs):
    fake = FakeTarget()
    rep = run_checks(fake, "simulated", hefs=hefs, target="fake")
    got = results(rep)
    assert list(got) == [c.id for c in checks.CHECKS]  # every check reported, in table order
    assert {k for k, v in got.items() if v == Result.SKIP} == HW_ONLY
    assert all(v == Result.PASS for k, v in got.items() if k not in HW_ONLY), rep.records
    for r in rep.records:
        if r.result == Result.SKIP:
            assert r.detail.startswith("hardware only:")
    assert rep.passed and rep.exit_code == 0 and rep.error is None
    # The HEFs and the inference script were copied over SFTP into the run's directory, once each.
    assert sorted(name for name, _ in fake.uploads) == ["infer_model.py", "resnet_v1_18.hef", "shortcut_net.hef"]
    assert all(remote.startswith("/tmp/hailo-validate.abc123/") for _, remote in fake.uploads)
    # identify is needed by two checks but runs once; the working directory is removed at the end.
    assert sum(c.startswith("hailo fw-control identify") for c in fake.commands) == 1
    assert fake.commands[-1] == "rm -rf /tmp/hailo-validate.abc123"
    # Both inference checks share one run of the script (one Python start with numpy on the target).
    infers = [c for c in fake.commands if "infer_model.py" in c]
    assert len(infers) == 1, infers
    direct, _, service = infers[0].partition(" --service ")
    assert "shortcut_net.hef=identity" in direct and "resnet_v1_18.hef=deterministic" in direct
    assert "shortcut_net.hef=identity" in service and service.endswith("--processes 2")


def test_hardware_profile_runs_the_hardware_checks_and_skips_what_needs_a_hef():
    fake = FakeTarget(profile="hardware")
    got = results(run_checks(fake, "hardware"))
    assert all(got[k] == Result.PASS for k in HW_ONLY | {"gstreamer", "libhailort", "scan", "identify", "fw-version"})
    assert got["sim-config"] == Result.SKIP
    rep = run_checks(FakeTarget(profile="hardware"), "hardware")
    for r in rep.records:
        if r.id in ("parse-hef", "run", "gst_pipeline", "infer-model", "service-inference"):
            assert r.result == Result.SKIP and "--hef" in r.detail


def test_hardware_profile_with_a_hef_checks_shapes_only(hefs):
    fake = FakeTarget(profile="hardware")
    rep = run_checks(fake, "hardware", hardware_hef=hefs["shortcut_net"])
    assert results(rep)["infer-model"] == Result.PASS
    infer = next(c for c in fake.commands if "infer_model.py" in c)
    assert infer.partition(" --service ")[0].endswith("shortcut_net.hef=shape")


def test_firmware_library_version_mismatch_fails_with_status_76(hefs):
    rep = run_checks(FakeTarget(fw="4.20.0"), "simulated", hefs=hefs)
    rec = next(r for r in rep.records if r.id == "fw-version")
    assert rec.result == Result.FAIL
    assert "4.20.0" in rec.detail and "4.21.0" in rec.detail and "HAILO_INVALID_DRIVER_VERSION(76)" in rec.detail
    assert rep.exit_code == 1


def test_runtime_removed_fails_the_runtime_checks(hefs):
    fake = FakeTarget()
    for tool in (r"hailortcli", r"^hailo ", r"hailort_sim", r"hailo_platform", r"infer_model"):
        fake.on(tool, (127, "", "sh: 1: not found\n"))
    fake.on(r"^command -v hailortcli", (1, "", ""))
    got = results(run_checks(fake, "simulated", hefs=hefs))
    for check in ("libhailort", "hailortcli", "pyhailort", "scan", "identify", "fw-version",
                  "parse-hef", "run", "infer-model", "service-inference"):
        assert got[check] == Result.FAIL, check
    assert got["sim-config"] == Result.PASS and got["service"] == Result.PASS


def test_service_stopped_fails_service_checks(hefs):
    fake = FakeTarget().on(r"^systemctl is-active", (3, "inactive\n", "")) \
                       .on(r"^test -d /run/systemd/system", (0, "", "")) \
                       .on(r"^systemctl status", (3, "Active: inactive (dead)\n", "")) \
                       .on(r"--service", (1, json.dumps({"ok": False, "results": [
                           {"hef": "x/shortcut_net.hef", "contract": "identity", "service": False, "ok": True,
                            "detail": "2 frames, identity contract met", "pid": 10},
                           {"hef": "x/shortcut_net.hef", "contract": "identity", "service": True, "ok": False,
                            "detail": "HailoRTException: libhailort failed with error: 77 (HAILO_RPC_FAILED)"}]}), ""))
    rep = run_checks(fake, "simulated", hefs=hefs)
    by_id = {r.id: r for r in rep.records}
    assert by_id["service"].result == Result.FAIL and "inactive" in by_id["service"].detail
    assert by_id["service-inference"].result == Result.FAIL and "HAILO_RPC_FAILED" in by_id["service-inference"].detail
    assert by_id["infer-model"].result == Result.PASS


def test_service_on_an_image_booted_without_systemd_is_read_from_its_pid_file():
    # systemctl installed but systemd not running (sysvinit image, chroot): `is-active` says
    # "offline"; the service is judged by the pid file the init script's daemon writes.
    def booted_by_sysvinit(pid_alive):
        return FakeTarget(profile="hardware").on(r"^systemctl is-active", (1, "offline\n", "")) \
            .on(r"^test -d /run/systemd/system", (1, "", "")) \
            .on(r"hailort_service\.pid", (0, "4242\n", "") if pid_alive else (1, "", "kill: No such process\n"))
    got = {r.id: r for r in run_checks(booted_by_sysvinit(True), "hardware", hardware_hef=__file__).records}
    assert got["service"].result == Result.PASS and "pid 4242, no systemd" in got["service"].detail
    got = {r.id: r for r in run_checks(booted_by_sysvinit(False), "hardware", hardware_hef=__file__).records}
    assert got["service"].result == Result.FAIL and "/etc/init.d/hailort start" in got["service"].detail


def test_identity_contract_broken_fails_infer_model(hefs):
    fake = FakeTarget().on(r"infer_model\.py", (1, json.dumps({"ok": False, "results": [
        {"hef": "/t/shortcut_net.hef", "contract": "identity", "service": False, "ok": False,
         "detail": "frame 0: output differs from input (12 of 192 values)"}]}) + "\n", ""))
    rec = next(r for r in run_checks(fake, "simulated", hefs=hefs).records if r.id == "infer-model")
    assert rec.result == Result.FAIL and "differs from input" in rec.detail


def test_corrupted_sim_config_fails_sim_config_and_scan(hefs):
    fake = FakeTarget().on(r"configparser", (1, "", "configparser.MissingSectionHeaderError: File contains no section headers.\n")) \
                       .on(r"^hailortcli scan", (0, "Hailo devices not found\n", ""))
    got = results(run_checks(fake, "simulated", hefs=hefs))
    assert got["sim-config"] == Result.FAIL and got["scan"] == Result.FAIL


def test_hanging_command_on_a_live_target_fails_only_that_check(hefs):
    fake = FakeTarget().on(r"^hailortcli scan", ssh.CommandTimeout("'hailortcli scan' did not finish within 60 s",
                                                                   b"Hailo Devices:\n", b""))
    rep = run_checks(fake, "simulated", hefs=hefs)
    rec = next(r for r in rep.records if r.id == "scan")
    assert rec.result == Result.FAIL and "did not finish" in rec.detail and "Hailo Devices:" in rec.detail
    assert rep.error is None and results(rep)["parse-hef"] == Result.PASS


def test_device_row_hanging_on_a_board_without_a_device_says_so():
    # The real libgsthailo's pipeline hangs without a device: the row names the cause first.
    fake = FakeTarget(profile="hardware").on(r"^ls -l /dev/hailo", (2, "", "")) \
        .on(r"^gst-launch-1.0 -v videotestsrc", ssh.CommandTimeout("'gst-launch-1.0' did not finish within 240 s"))
    rec = next(r for r in run_checks(fake, "hardware", hardware_hef=Path(__file__)).records
               if r.id == "gst_pipeline")
    assert rec.result == Result.FAIL and rec.detail.startswith("no Hailo device found") and "240 s" in rec.detail


def test_dead_target_ends_the_run_and_reports_the_rest_not_run(hefs):
    fake = FakeTarget().on(r"^hailortcli scan", ssh.CommandTimeout("scan hung")) \
                       .on(r"^true$", ssh.CommandTimeout("no answer"))
    rep = run_checks(fake, "simulated", hefs=hefs)
    got = results(rep)
    ids = [c.id for c in checks.CHECKS]
    after = ids[ids.index("scan") + 1:]
    assert got["scan"] == Result.FAIL
    assert all(got[i] == Result.NOT_RUN for i in after)
    assert rep.exit_code == 2 and "stopped answering" in rep.error


def test_connection_lost_ends_the_run(hefs):
    fake = FakeTarget().on(r"^hailortcli parse-hef", ssh.TargetLost("connection dropped"))
    rep = run_checks(fake, "simulated", hefs=hefs)
    got = results(rep)
    assert got["parse-hef"] == Result.NOT_RUN and got["run"] == Result.NOT_RUN and got["scan"] == Result.PASS
    assert rep.exit_code == 2 and "target lost" in rep.error
    assert not any(c.startswith("rm -rf") for c in fake.commands)


def test_run_deadline_marks_the_rest_not_run(hefs):
    rep = run_checks(FakeTarget(), "simulated", hefs=hefs, deadline_s=0)
    assert all(r.result == Result.NOT_RUN for r in rep.records)
    assert "deadline" in rep.error and rep.exit_code == 2


def test_a_probe_bug_is_a_fail_not_a_crash(hefs, monkeypatch):
    def broken(ctx):
        raise KeyError("oops")
    table = [checks.Check("broken", "a broken check", "test", broken)] + list(checks.CHECKS[:2])
    rep = run_checks(FakeTarget(), "simulated", checks=table, hefs=hefs)
    assert [r.result for r in rep.records] == [Result.FAIL, Result.PASS, Result.PASS]
    assert "internal error" in rep.records[0].detail


def test_reports_table_json_junit(hefs):
    fake = FakeTarget(fw="4.20.0")
    rep = run_checks(fake, "simulated", hefs=hefs, target="root@127.0.0.1:2222")
    table = format_table(rep, width=100)
    for c in checks.CHECKS:
        assert c.id in table
    assert "NOT VALIDATED" in table and "1 FAIL" in table
    assert all(len(line) <= 100 for line in table.splitlines()[1:-1])

    buf = io.StringIO()
    write_json(rep, buf)
    data = json.loads(buf.getvalue())
    assert data["exit_code"] == 1 and data["counts"]["FAIL"] == 1 and data["counts"]["SKIP"] == len(HW_ONLY)
    assert {r["id"]: r["result"] for r in data["records"]}["fw-version"] == "FAIL"

    suite = ET.fromstring(ET.tostring(to_junit(rep).getroot()))
    assert suite.tag == "testsuite" and suite.get("tests") == str(len(checks.CHECKS))
    assert suite.get("failures") == "1" and suite.get("skipped") == str(len(HW_ONLY)) and suite.get("errors") == "0"
    failed = [c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None]
    assert failed == ["fw-version"]


def test_not_run_report_is_junit_errors():
    rep = not_run_report("root@h:22", "hardware", "cannot connect")
    suite = to_junit(rep).getroot()
    assert suite.get("errors") == str(len(checks.CHECKS)) and rep.exit_code == 2
    assert to_json(rep)["error"] == "cannot connect"


def test_every_check_has_a_reason_for_each_profile_it_skips():
    for c in checks.CHECKS:
        assert set(c.skip) <= set(checks.PROFILES)
        assert all(reason.strip() for reason in c.skip.values())
        assert len(c.skip) < len(checks.PROFILES), f"{c.id} runs in no profile"


def test_parallel_run_reports_the_same_in_table_order(hefs):
    seq = run_checks(FakeTarget(), "simulated", hefs=hefs)
    par = run_checks(FakeTarget(), "simulated", hefs=hefs, jobs=4)
    assert [(r.id, r.result) for r in par.records] == [(r.id, r.result) for r in seq.records]
    assert par.exit_code == 0


def test_parallel_checks_never_share_the_device(hefs):
    import threading
    import time as _time
    active, peak, lock = [0], [0], threading.Lock()

    def on_device(cmd):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        _time.sleep(0.2)
        with lock:
            active[0] -= 1
        return FakeTarget().run(cmd).exit_status, FakeTarget().run(cmd).out, ""
    fake = FakeTarget().on(r"infer_model\.py|^hailortcli run", on_device)
    rep = run_checks(fake, "simulated", hefs=hefs, jobs=4)
    assert rep.exit_code == 0, rep.records
    assert peak[0] == 1



class OldDropbearTarget(FakeTarget):
    """A server whose channels must not overlap (ssh.Session.concurrent_commands is false)."""
    concurrent_commands = False

    def __init__(self):
        super().__init__()
        self.active = self.peak = 0

    def run(self, command, timeout_s=60.0, stdin=None):
        import time as _time
        self.active += 1
        self.peak = max(self.peak, self.active)
        _time.sleep(0.01)
        try:
            return super().run(command, timeout_s, stdin)
        finally:
            self.active -= 1


def test_commands_never_overlap_on_a_server_that_drops_new_channels(hefs):
    fake = OldDropbearTarget()
    rep = run_checks(fake, "simulated", hefs=hefs, jobs=4)
    assert rep.exit_code == 0, rep.records
    assert fake.peak == 1

class DyingTarget(FakeTarget):
    """Dies when scan runs: that command and every later one see the connection drop."""
    dead = False

    def run(self, command, timeout_s=60.0, stdin=None):
        if command.startswith("hailortcli scan"):
            self.dead = True
        if self.dead:
            raise ssh.TargetLost("connection dropped")
        return super().run(command, timeout_s, stdin)


def test_parallel_run_stops_when_the_target_is_lost(hefs):
    rep = run_checks(DyingTarget(), "simulated", hefs=hefs, jobs=3)
    got = results(rep)
    assert got["scan"] == Result.NOT_RUN and rep.exit_code == 2 and "target lost" in rep.error
    # Checks already running alongside scan may finish; none fails for the loss, and the checks
    # queued behind it are not started.
    assert Result.FAIL not in got.values(), got
    assert got["sim-config"] == got["service"] == Result.NOT_RUN, got


def test_driver_library_version_mismatch_fails_hailo_pci():
    fake = FakeTarget(profile="hardware").on(r"^modinfo hailo_pci", (0, "filename: /lib/modules/x/hailo_pci.ko\n"
                                                                        "version:        4.20.0\n", ""))
    rec = next(r for r in run_checks(fake, "hardware").records if r.id == "hailo_pci")
    assert rec.result == Result.FAIL and "HAILO_INVALID_DRIVER_VERSION(76)" in rec.detail and "4.20.0" in rec.detail


def test_service_not_installed_on_a_board_is_skip_not_fail():
    fake = FakeTarget(profile="hardware").on(r"^command -v hailort_service", (1, "", ""))
    recs = {r.id: r for r in run_checks(fake, "hardware", hardware_hef=__file__).records}
    for check in ("service", "service-inference"):
        assert recs[check].result == Result.SKIP and "not installed" in recs[check].detail
    fake = FakeTarget()  # the simulated image must have it: no skip there
    fake.on(r"^command -v hailort_service", (1, "", "")).on(r"^systemctl is-active", (4, "inactive\n", "")) \
        .on(r"^test -d /run/systemd/system", (0, "", "")).on(r"^systemctl status", (4, "", ""))
    rec = next(r for r in run_checks(fake, "simulated").records if r.id == "service")
    assert rec.result == Result.FAIL


def test_a_failure_seen_while_the_connection_dies_is_not_run(hefs):
    class Dying(FakeTarget):
        alive = True

        def run(self, command, timeout_s=60.0, stdin=None):
            if command.startswith("hailortcli scan"):
                self.alive = False  # the channel closed without a status as the link went down
                return ssh.CommandResult(command, -1, b"", b"", 0.1)
            return super().run(command, timeout_s, stdin)
    rep = run_checks(Dying(), "simulated", hefs=hefs)
    got = results(rep)
    assert got["scan"] == Result.NOT_RUN and rep.exit_code == 2 and "target lost" in rep.error
    assert got["service"] == Result.NOT_RUN


def test_a_check_cut_off_by_the_run_deadline_is_not_run_not_fail(hefs):
    # The run's deadline (not the check's own 60 s) bounds scan: its timeout says nothing about
    # the target, so it is NOT RUN and the run reports the deadline.
    fake = FakeTarget().on(r"^hailortcli scan", ssh.CommandTimeout("'hailortcli scan' did not finish within "
                                                                   "4.73921 s", b"Hailo Devices:\n", b""))
    rep = run_checks(fake, "simulated", hefs=hefs, checks=[checks.CHECKS_BY_ID["scan"]], deadline_s=5)
    rec = rep.records[0]
    assert rec.result == Result.NOT_RUN, rec
    assert rec.detail.startswith("not run: cut off after ") and "run's deadline (5 s)" in rec.detail
    assert "4.73921" not in rec.detail and "Hailo Devices:" in rec.detail
    assert rep.exit_code == 2 and "deadline of 5 s passed during 'scan'" in rep.error
    case = to_junit(rep).getroot().find("testcase")
    assert case.find("error") is not None and case.find("failure") is None


def test_junit_not_run_cases_carry_the_reason_and_the_timestamp_has_no_offset():
    rep = not_run_report("root@h:22", "hardware", "cannot connect to h:22: Connection refused", seconds=30.2)
    suite = to_junit(rep).getroot()
    assert "+" not in suite.get("timestamp") and not suite.get("timestamp").endswith("Z")
    import datetime
    datetime.datetime.strptime(suite.get("timestamp"), "%Y-%m-%dT%H:%M:%S")
    assert suite.get("time") == "30.200"
    for case in suite.iter("testcase"):
        error = case.find("error")
        assert "Connection refused" in error.get("message") and "Connection refused" in error.text


def test_never_reached_puts_the_error_first_with_the_real_time():
    rep = not_run_report("root@h:22", "hardware", "cannot connect to h:22: Connection refused", seconds=30.2)
    lines = format_table(rep, width=100).splitlines()
    assert lines[1] == "error: cannot connect to h:22: Connection refused"
    assert lines[-1].endswith("in 30.2 s") and sum(line.startswith("error:") for line in lines) == 1

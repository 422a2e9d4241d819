"""One §10.6 table: the layer's oeqa cases and hailo-validate's checks run the rows of
hailort_checks, and give the same verdict, row by row, on the same target output.

The oeqa module is loaded with stand-ins for the three oeqa names it imports (tests/kas runs
it under the real oeqa when an oe-core checkout is given); both suites talk to one scripted
target (fake_target.py), healthy and then broken one row at a time.
"""
import importlib.util
import sys
import types
import unittest
from pathlib import Path

import hailort_checks as table
import pytest

from hailo_kit.validate import checks
from hailo_kit.validate.runner import Result, run_checks

from .fake_target import FakeTarget, gst_pipeline_output

ROOT = Path(__file__).resolve().parents[2]
OEQA_CASES = ROOT / "meta-hailo-libhailort/lib/oeqa/runtime/cases/hailort_validation.py"

# Each row's oeqa test. A new row needs an entry here, an oeqa test and a hailo-validate check.
OEQA_TEST = {
    "libhailort": "test_libhailort_installed",
    "hailortcli": "test_hailortcli_version",
    "scan": "test_hailortcli_scan",
    "run": "test_hailortcli_run",
    "pyhailort": "test_pyhailort_import",
    "identify": "test_hailo_fw_control_identify",
    "gstreamer": "test_libgsthailo_elements",
    "gst_pipeline": "test_gstreamer_pipeline",
    "firmware": "test_hailo_firmware_installed",
    "hailo_pci": "test_hailo_pci_modinfo",
}

# One way to break each row: (command pattern, reply) prepended to the healthy target.
BROKEN = {
    "libhailort": (r"libhailort\.so\.4\.21\.0", (2, "", "No such file or directory\n")),
    "hailortcli": (r"^hailortcli --version", (0, "HailoRT-CLI version 4.20.0\n", "")),
    "scan": (r"^hailortcli scan", (0, "Hailo devices not found\n", "")),
    "run": (r"^hailortcli run", (0, "Running streaming inference (x.hef):\n", "")),
    "pyhailort": (r"hailo_platform as h", (0, "4.20.0 1.26.4 /usr/lib/python3/site-packages/hailo_platform\n", "")),
    "identify": (r"^hailo fw-control identify", (0, "Executing on device: 0000:01:00.0\nIdentifying board\n", "")),
    "gstreamer": (r"^gst-inspect-1.0", (0, "python:  hailonet: hailonet element\n"
                                        "python:  hailodevicestats: hailodevicestats element\n", "")),
    "gst_pipeline": (r"^gst-launch-1.0", lambda cmd: (0, gst_pipeline_output(meta=""), "")),
    "firmware": (r"^find /lib/firmware/hailo", (0, "/lib/firmware/hailo/notes.bin\n", "")),
    "hailo_pci": (r"^modinfo hailo_pci", (0, "filename:       /lib/modules/6.1.0/extra/hailo_pci.ko\n"
                                             "version:        4.20.0\nlicense:        GPL\n", "")),
}


def _stand_in_oeqa():
    def passthrough(*args, **kwargs):
        return lambda f: f
    modules = {
        "oeqa": {}, "oeqa.core": {}, "oeqa.core.decorator": {}, "oeqa.runtime": {}, "oeqa.runtime.decorator": {},
        "oeqa.core.decorator.depends": {"OETestDepends": passthrough},
        "oeqa.runtime.case": {"OERuntimeTestCase": unittest.TestCase},
        "oeqa.runtime.decorator.package": {"OEHasPackage": passthrough},
    }
    saved = {name: sys.modules.get(name) for name in modules}
    for name, attrs in modules.items():
        sys.modules[name] = types.SimpleNamespace(**attrs)
    return saved


@pytest.fixture(scope="module")
def oeqa_case():
    saved = _stand_in_oeqa()
    try:
        spec = importlib.util.spec_from_file_location("hailort_validation_under_test", OEQA_CASES)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        for name, old in saved.items():
            if old is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = old
    return module.HailoRTValidationTest


class OeqaTarget:
    """oeqa's target interface (run -> (status, output), copyTo) over the scripted target."""

    def __init__(self, fake):
        self.fake = fake

    def run(self, cmd, timeout=None):
        r = self.fake.run(cmd)
        return r.exit_status, (r.out + r.err).strip()

    def copyTo(self, local, remote):  # noqa: N802 - oeqa's name
        self.fake.put(local, remote)
        return 0, ""


def hardware_target(hef):
    fake = FakeTarget(profile="hardware")
    fake.on(r"^ls /dev/hailo\*$", (0, "/dev/hailo0\n", ""))
    fake.on(r"^test -f /usr/lib/libhailort\.so\.4\.21\.0$", (0, "", ""))
    fake.on(r"^mkdir -p ", (0, "", ""))
    return fake


def oeqa_verdict(case_class, fake, row, hef):
    case = case_class(OEQA_TEST[row])
    case.target = OeqaTarget(fake)
    case.td = {"HAILO_RUNTIME_PROVIDER": "hardware", "HAILO_TEST_HEF": str(hef), "libdir": "/usr/lib"}
    try:
        getattr(case, OEQA_TEST[row])()
    except unittest.SkipTest as e:
        return f"SKIP: {e}"
    except AssertionError as e:
        return f"FAIL: {e}"
    return "PASS"


def validate_verdict(fake, row, hef):
    rep = run_checks(fake, "hardware", checks=[checks.CHECKS_BY_ID[row]], hardware_hef=hef)
    record = rep.records[0]
    return "PASS" if record.result == Result.PASS else f"{record.result.value}: {record.detail}"


@pytest.fixture
def hef(tmp_path):
    path = tmp_path / "model.hef"
    path.write_bytes(b"HEF-bytes-for-the-fake")
    return path


def test_every_row_is_in_both_suites():
    assert set(OEQA_TEST) == set(table.ROWS_BY_ID) == set(BROKEN)
    assert set(table.ROWS_BY_ID) <= set(checks.CHECKS_BY_ID), "a row with no hailo-validate check"
    text = OEQA_CASES.read_text()
    for row in table.ROWS:
        assert f"def {OEQA_TEST[row.id]}(" in text
        assert f'"{row.id}"' in text or row.command is None, f"the oeqa case does not run row {row.id}"
        assert callable(getattr(table, f"read_{row.id}")), f"row {row.id} has no reader"


@pytest.mark.parametrize("row", [r.id for r in table.ROWS])
def test_both_suites_pass_a_healthy_row_and_run_its_command(oeqa_case, row, hef):
    oeqa_fake, validate_fake = hardware_target(hef), hardware_target(hef)
    assert oeqa_verdict(oeqa_case, oeqa_fake, row, hef) == "PASS"
    assert validate_verdict(validate_fake, row, hef) == "PASS"
    command = table.ROWS_BY_ID[row].command
    if command is not None:
        head = command.split("{")[0].split(" 2>")[0]
        for fake in (oeqa_fake, validate_fake):
            assert any(c.startswith(head) for c in fake.commands), (head, fake.commands)


@pytest.mark.parametrize("row", [r.id for r in table.ROWS])
def test_both_suites_fail_a_broken_row_alike(oeqa_case, row, hef):
    pattern, reply = BROKEN[row]
    oeqa = oeqa_verdict(oeqa_case, hardware_target(hef).on(pattern, reply), row, hef)
    validate = validate_verdict(hardware_target(hef).on(pattern, reply), row, hef)
    assert oeqa.startswith("FAIL") and validate.startswith("FAIL"), (oeqa, validate)
    if row != "libhailort":  # the one row whose oeqa command (test -f) differs from the check's (ls -d)
        # The same reader says why, so the message is the same.
        assert oeqa.split(": ", 1)[1] in validate, (oeqa, validate)

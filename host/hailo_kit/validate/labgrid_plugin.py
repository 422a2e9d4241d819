"""hailo-validate under labgrid: the checks run on a labgrid target through its SSHDriver, so a
board that a farm's coordinator places (RemotePlace), a board on the desk (NetworkService) or
our QEMU target started by labgrid's QEMUDriver is validated by the same suite.

As a pytest plugin (``-p hailo_kit.validate.labgrid_plugin`` or ``pytest_plugins``) with labgrid's
own (``--lg-env``, ``--lg-coordinator``): options ``--hailo-profile``, ``--hailo-hef``,
``--hailo-only`` and the session fixture ``hailo_report``; examples/labgrid/ is a complete
example with one pytest test per check.
"""
from __future__ import annotations

import collections
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Deque, Iterable, List, Optional

import pytest

from .. import ssh
from .checks import CHECKS, CHECKS_BY_ID, PROFILES, Check
from .runner import Report, Result, run_checks
from .samples import sample_hefs_or_reason


class LabgridTransport:
    """The runner's transport (run, put, alive) over a labgrid SSHDriver. Commands run one at a
    time: each is an ssh process on the driver's control master."""

    concurrent_commands = False

    def __init__(self, driver):
        self.driver = driver
        self._lost: Optional[str] = None

    @property
    def alive(self) -> bool:
        return self._lost is None

    def run(self, command: str, timeout_s: float = 60.0, stdin: Optional[bytes] = None) -> ssh.CommandResult:
        from labgrid.driver.exception import ExecutionError
        if self._lost:
            raise ssh.TargetLost(self._lost)
        t0 = time.monotonic()
        try:
            out, err, status = self.driver.run(command, timeout=timeout_s)
        except subprocess.TimeoutExpired:
            raise ssh.CommandTimeout(f"{command!r} did not finish within {timeout_s:.0f} s") from None
        except ExecutionError as e:
            self._lost = f"labgrid's SSH connection failed: {e}"
            raise ssh.TargetLost(self._lost) from None
        if status == 255 and not self.driver._check_keepalive():
            # ssh's own failure code, and the control master is gone: the target dropped off
            self._lost = f"the SSH connection dropped during {command!r}: {' '.join(err)[-200:]}"
            raise ssh.TargetLost(self._lost)
        text = lambda lines: ("\n".join(lines) + "\n" if lines else "").encode()  # noqa: E731
        return ssh.CommandResult(command, status, text(out), text(err), time.monotonic() - t0)

    def put(self, local, remote: str, timeout_s: float = 60.0) -> None:
        from labgrid.driver.exception import ExecutionError
        try:
            self.driver.put(str(local), remote)
        except ExecutionError as e:
            raise ssh.SSHError(f"copying {local} to {remote} failed: {e}") from None


class ConsoleDrain:
    """Reads a powered target's console (the QEMUDriver's serial socket) for the whole session:
    a socket nobody reads fills up and stalls the guest's console writes, and with them its
    boot. Keeps the last lines for the error when SSH never answers."""

    def __init__(self, console):
        self.console = console
        self.lines: Deque[str] = collections.deque(maxlen=15)
        threading.Thread(target=self._loop, name="labgrid-console", daemon=True).start()

    def _loop(self) -> None:
        from pexpect import TIMEOUT
        partial = b""
        while True:
            try:
                data = self.console.read(size=4096, timeout=1.0)
            except TIMEOUT:
                continue
            except Exception:  # the driver was deactivated or QEMU exited: nothing more to read
                return
            if not data:
                return
            *done, partial = (partial + data).split(b"\n")
            self.lines.extend(line.decode("utf-8", "replace").strip() for line in done)


def _power_on(target) -> Optional[ConsoleDrain]:
    """Start a target labgrid powers (the QEMUDriver) and drain its console; a board already
    up needs nothing."""
    from labgrid.exceptions import NoDriverFoundError
    try:
        power = target.get_driver("PowerProtocol")
    except NoDriverFoundError:
        return None
    power.on()
    try:
        return ConsoleDrain(target.get_driver("ConsoleProtocol"))
    except NoDriverFoundError:
        return None


def validate_target(target, profile: str = "hardware", *, checks: Iterable[Check] = CHECKS,
                    hardware_hef: Optional[Path] = None, deadline_s: float = 600.0) -> Report:
    """Run the checks on a labgrid target (powered on first when labgrid powers it)."""
    checks = list(checks)
    console = _power_on(target)
    try:
        driver = target.get_driver("SSHDriver")  # connects, retrying while the target boots
    except Exception as e:
        seen = " | ".join(console.lines) if console and console.lines else "(nothing)"
        raise RuntimeError(f"labgrid could not reach {target.name} over SSH: {e}; "
                           f"its console's last lines: {seen}") from None
    name = f"{target.name} ({driver.networkservice.address}:{driver.networkservice.port})"
    with tempfile.TemporaryDirectory(prefix="hailo-validate-") as tmp:
        hefs, hef_problem = sample_hefs_or_reason(Path(tmp)) if profile == "simulated" else ({}, None)
        return run_checks(LabgridTransport(driver), profile, checks=checks, target=name, hefs=hefs,
                          hardware_hef=hardware_hef, hef_problem=hef_problem, deadline_s=deadline_s, jobs=1)


def selected(only: Optional[str]) -> List[Check]:
    if not only:
        return list(CHECKS)
    ids = [x.strip() for x in only.split(",") if x.strip()]
    unknown = [x for x in ids if x not in CHECKS_BY_ID]
    if unknown:
        raise pytest.UsageError(f"--hailo-only: unknown check(s) {', '.join(unknown)}")
    return [c for c in CHECKS if c.id in ids]


def outcome(report: Report, check_id: str) -> None:
    """One check's record as a pytest outcome: PASS passes, SKIP skips, FAIL and NOT RUN fail."""
    record = next((r for r in report.records if r.id == check_id), None)
    if record is None:
        pytest.skip(f"{check_id} not selected (--hailo-only)")
    if record.result == Result.SKIP:
        pytest.skip(record.detail)
    if record.result == Result.FAIL:
        pytest.fail(record.detail, pytrace=False)
    if record.result == Result.NOT_RUN:
        pytest.fail(f"{record.detail}: {report.error}", pytrace=False)


# -- the pytest plugin ---------------------------------------------------------------------------

def pytest_addoption(parser):
    group = parser.getgroup("hailo-validate")
    group.addoption("--hailo-profile", choices=PROFILES, default="hardware",
                    help="hardware (a board with a Hailo device) or simulated (the hailort-sim runtime)")
    group.addoption("--hailo-hef", type=Path, default=None,
                    help="a HEF compiled for the device (hardware profile: parse-hef and inference)")
    group.addoption("--hailo-only", default=None, metavar="ID,...", help="run only these checks")
    group.addoption("--hailo-deadline", type=float, default=600.0, metavar="S",
                    help="deadline of the whole run in seconds (default %(default)g)")


@pytest.fixture(scope="session")
def hailo_report(request, target) -> Report:
    """The checks' report for labgrid's ``target`` (run once per session)."""
    opt = request.config.getoption
    hef = opt("--hailo-hef")
    if hef is not None and not hef.is_file():
        raise pytest.UsageError(f"--hailo-hef {hef}: no such file")
    return validate_target(target, opt("--hailo-profile"), checks=selected(opt("--hailo-only")),
                           hardware_hef=hef, deadline_s=opt("--hailo-deadline"))

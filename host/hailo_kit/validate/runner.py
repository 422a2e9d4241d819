"""Runs the check table on a target and records one result per check.

Results: PASS, FAIL, SKIP (does not apply to the profile or run, with the reason) and NOT RUN
(the run ended before the check: target lost or the run's deadline passed). A command that
hangs fails its check at the check's deadline; then a short liveness probe tells a slow target
(go on) from a dead one (stop: the remaining checks are NOT RUN and the run ends with an error).
"""
from __future__ import annotations

import dataclasses
import datetime
import enum
import time
from typing import Iterable, List, Optional

from . import ssh
from .checks import CHECKS, Check, Context, Failed, NotApplicable

LIVENESS_TIMEOUT_S = 10.0
NOT_REACHED = "not run: the target was never reached (see the error)"
RUN_ENDED = "not run: the run ended before this check (see the error)"


class Result(str, enum.Enum):
    PASS = "PASS"
    FAIL = "FAIL"
    SKIP = "SKIP"
    NOT_RUN = "NOT RUN"


@dataclasses.dataclass
class Record:
    id: str
    title: str
    source: str
    result: Result
    detail: str
    seconds: float


@dataclasses.dataclass
class Report:
    target: str
    profile: str
    records: List[Record]
    started: str
    seconds: float = 0.0
    error: Optional[str] = None   # the run itself failed (no connection, target lost, deadline)

    def count(self, result: Result) -> int:
        return sum(r.result == result for r in self.records)

    @property
    def passed(self) -> bool:
        return self.error is None and self.count(Result.FAIL) == 0 and self.count(Result.NOT_RUN) == 0

    @property
    def exit_code(self) -> int:
        """0: validated; 1: a check failed; 2: the run could not finish (see ``error``)."""
        if self.error is not None:
            return 2
        return 0 if self.passed else 1


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def not_run_report(target: str, profile: str, error: str, checks: Iterable[Check] = CHECKS) -> Report:
    """The report of a run that never reached the target (e.g. it could not connect or boot)."""
    return Report(target, profile, [Record(c.id, c.title, c.source, Result.NOT_RUN, NOT_REACHED, 0.0)
                                    for c in checks], _now(), error=error)


def run_checks(transport, profile: str, *, checks: Iterable[Check] = CHECKS, target: str = "",
               hefs=None, hardware_hef=None, hef_problem=None, deadline_s: float = 600.0,
               progress=None) -> Report:
    """Run ``checks`` in order over ``transport`` (an ssh.Session, or a fake with run/put)."""
    checks = list(checks)
    ctx = Context(transport, profile, hefs=hefs, hardware_hef=hardware_hef, hef_problem=hef_problem)
    report = Report(target, profile, [], _now())
    start = time.monotonic()
    end = start + deadline_s
    for i, check in enumerate(checks):
        if report.error is not None:
            report.records += [Record(c.id, c.title, c.source, Result.NOT_RUN, RUN_ENDED, 0.0)
                               for c in checks[i:]]
            break
        left = end - time.monotonic()
        if left <= 0:
            report.error = f"the run's deadline of {deadline_s:g} s passed"
            report.records.append(Record(check.id, check.title, check.source, Result.NOT_RUN, RUN_ENDED, 0.0))
            continue
        record = _run_one(ctx, check, min(check.timeout_s, left), report)
        report.records.append(record)
        if progress:
            progress(record)
    try:
        if report.error is None:
            ctx.cleanup()
    except ssh.SSHError:
        pass  # leftovers in /tmp are harmless; the verdict stands
    report.seconds = time.monotonic() - start
    return report


def _run_one(ctx: Context, check: Check, timeout_s: float, report: Report) -> Record:
    def record(result: Result, detail: str) -> Record:
        return Record(check.id, check.title, check.source, result, detail, time.monotonic() - t0)

    t0 = time.monotonic()
    if ctx.profile in check.skip:
        return record(Result.SKIP, check.skip[ctx.profile])
    ctx.timeout_s = timeout_s
    try:
        return record(Result.PASS, check.probe(ctx))
    except Failed as e:
        return record(Result.FAIL, str(e))
    except NotApplicable as e:
        return record(Result.SKIP, str(e))
    except ssh.TargetLost as e:
        report.error = f"target lost: {e}"
        return record(Result.NOT_RUN, report.error)
    except ssh.CommandTimeout as e:
        rec = record(Result.FAIL, f"{e}; last output: {_last_line(e)}")
        if not _alive(ctx.transport):
            report.error = (f"target stopped answering during {check.id!r} (no reply to a liveness "
                            f"probe within {LIVENESS_TIMEOUT_S:g} s)")
        return rec
    except ssh.SSHError as e:
        return record(Result.FAIL, str(e))
    except Exception as e:  # a probe's bug must not hide the other checks' results
        return record(Result.FAIL, f"internal error in the check: {type(e).__name__}: {e}")


def _last_line(e: ssh.CommandTimeout) -> str:
    text = (e.stdout + e.stderr).decode("utf-8", "replace").strip()
    return text.splitlines()[-1][-200:] if text else "(none)"


def _alive(transport) -> bool:
    try:
        return transport.run("true", timeout_s=LIVENESS_TIMEOUT_S).exit_status == 0
    except ssh.SSHError:
        return False

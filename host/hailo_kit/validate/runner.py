"""Runs the check table on a target and records one result per check.

Results: PASS, FAIL, SKIP (does not apply to the profile or run, with the reason) and NOT RUN
(the run ended before the check: target lost or the run's deadline passed). A command that
hangs fails its check at the check's deadline; then a short liveness probe tells a slow target
(go on) from a dead one (stop: the remaining checks are NOT RUN and the run ends with an error).
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import datetime
import enum
import threading
import time
from typing import Iterable, List, Optional, Tuple

from .. import ssh
from .checks import CHECKS, Check, Context, Failed, NotApplicable, no_device

LIVENESS_TIMEOUT_S = 10.0
# Checks mostly wait for Python to start on the target; two at a time keep a 2-CPU target busy.
DEFAULT_JOBS = 2
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

    @property
    def reached(self) -> bool:
        """False when the run never got to the target (no connection, no boot)."""
        return not self.records or any(r.detail != NOT_REACHED for r in self.records)

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


def worst_exit_code(reports: Iterable[Report]) -> int:
    """Many targets' exit status: 2 (a run could not finish) > 1 (a check failed) > 0."""
    return max((r.exit_code for r in reports), default=0)


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def not_run_report(target: str, profile: str, error: str, checks: Iterable[Check] = CHECKS,
                   seconds: float = 0.0) -> Report:
    """The report of a run that never reached the target (e.g. it could not connect or boot);
    ``seconds``: how long trying took."""
    return Report(target, profile, [Record(c.id, c.title, c.source, Result.NOT_RUN, NOT_REACHED, 0.0)
                                    for c in checks], _now(), seconds=seconds, error=error)


def run_checks(transport: ssh.Transport, profile: str, *, checks: Iterable[Check] = CHECKS, target: str = "",
               hefs=None, hardware_hef=None, hef_problem=None, deadline_s: float = 600.0,
               jobs: int = 1, progress=None) -> Report:
    """Run ``checks`` over ``transport`` (an ssh.Session, or a fake: see ssh.Transport) and report them
    in table order. ``jobs`` > 1 runs that many checks at once, each on its own SSH channel;
    checks that use the device still run one at a time, in table order. A transport whose
    ``concurrent_commands`` is false (e.g. labgrid's SSHDriver) gets one at a time."""
    checks = list(checks)
    if not transport.concurrent_commands:
        jobs = 1  # the server may drop a channel opened while another one's command exits
    ctx = Context(transport, profile, hefs=hefs, hardware_hef=hardware_hef, hef_problem=hef_problem)
    report = Report(target, profile, [], _now())
    start = time.monotonic()
    end = start + deadline_s
    state_lock, device_lock = threading.Lock(), threading.Lock()

    def one(check: Check) -> Record:
        with device_lock if check.uses_device else contextlib.nullcontext():
            with state_lock:
                if report.error is None and time.monotonic() >= end:
                    report.error = f"the run's deadline of {deadline_s:g} s passed"
                if report.error is not None:
                    return Record(check.id, check.title, check.source, Result.NOT_RUN, RUN_ENDED, 0.0)
            budget = end - time.monotonic()
            cut_by = f"{deadline_s:g} s" if budget < check.timeout_s else None
            record, run_error = _run_one(ctx, check, min(check.timeout_s, budget), cut_by)
            if run_error:
                with state_lock:
                    report.error = report.error or run_error
        if progress:
            progress(record)
        return record

    if jobs <= 1:
        report.records = [one(c) for c in checks]
    else:
        # The checks that infer form one lane, started first: they cannot overlap anyway, and
        # they are the longest chain. The other checks share the remaining workers.
        lane = [c for c in checks if c.uses_device]
        pool = concurrent.futures.ThreadPoolExecutor(jobs, thread_name_prefix="check")
        try:
            futures = [pool.submit(lambda: [one(c) for c in lane])] if lane else []
            futures += [pool.submit(lambda c=c: [one(c)]) for c in checks if not c.uses_device]
            done = {r.id: r for f in futures for r in f.result()}
        except BaseException:
            # Interrupted (Ctrl-C): do not wait for running commands; closing the session
            # (the caller's) makes them end at once.
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()
        report.records = [done[c.id] for c in checks]
    try:
        if report.error is None:
            ctx.cleanup()
    except ssh.SSHError:
        pass  # leftovers in /tmp are harmless; the verdict stands
    report.seconds = time.monotonic() - start
    return report


def _run_one(ctx: Context, check: Check, timeout_s: float,
             run_deadline: Optional[str] = None) -> Tuple[Record, Optional[str]]:
    """One check's record, and the run's error when the target was lost during it.
    ``run_deadline`` is set when the run's deadline, not the check's, bounds this check: a
    command cut off by it says nothing about the target (NOT RUN, not FAIL)."""
    t0 = time.monotonic()

    def record(result: Result, detail: str) -> Record:
        return Record(check.id, check.title, check.source, result, detail, time.monotonic() - t0)

    if ctx.profile in check.skip:
        return record(Result.SKIP, check.skip[ctx.profile]), None
    ctx.timeout_s = timeout_s
    try:
        return record(Result.PASS, check.probe(ctx)), None
    except Failed as e:
        if not ctx.transport.alive:
            # The connection died under the check: what it saw is the loss, not the target's state.
            lost = f"target lost during this check (it saw: {e})"
            return record(Result.NOT_RUN, lost), lost
        detail = str(e)
        if check.needs_device and not detail.startswith("no Hailo device found") and _no_device(ctx):
            detail = f"no Hailo device found (no /dev/hailo* on the target): {detail}"
        return record(Result.FAIL, detail), None
    except NotApplicable as e:
        return record(Result.SKIP, str(e)), None
    except ssh.TargetLost as e:
        return record(Result.NOT_RUN, f"target lost during this check: {e}"), f"target lost: {e}"
    except ssh.CommandTimeout as e:
        if run_deadline is not None:
            elapsed = time.monotonic() - t0
            return (record(Result.NOT_RUN, f"not run: cut off after {elapsed:.1f} s by the run's deadline "
                                           f"({run_deadline}); last output: {_last_line(e)}"),
                    f"the run's deadline of {run_deadline} passed during {check.id!r}")
        detail = f"{e}; last output: {_last_line(e)}"
        if check.needs_device and _no_device(ctx):
            detail = f"no Hailo device found (no /dev/hailo* on the target): {detail}"
        rec = record(Result.FAIL, detail)
        if _alive(ctx.transport):
            return rec, None
        return rec, (f"target stopped answering during {check.id!r} (no reply to a liveness "
                     f"probe within {LIVENESS_TIMEOUT_S:g} s)")
    except ssh.SSHError as e:
        return record(Result.FAIL, str(e)), None
    except Exception as e:  # a probe's bug must not hide the other checks' results
        return record(Result.FAIL, f"internal error in the check: {type(e).__name__}: {e}"), None


def _no_device(ctx: Context) -> bool:
    try:
        return no_device(ctx)
    except ssh.SSHError:
        return False


def _last_line(e: ssh.CommandTimeout) -> str:
    text = (e.stdout + e.stderr).decode("utf-8", "replace").strip()
    return text.splitlines()[-1][-200:] if text else "(none)"


def _alive(transport: ssh.Transport) -> bool:
    try:
        return transport.run("true", timeout_s=LIVENESS_TIMEOUT_S).exit_status == 0
    except ssh.SSHError:
        return False

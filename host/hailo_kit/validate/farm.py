"""Many targets at once: a desk of boards or a farm's, each validated over its own SSH
connection in its own thread, at most ``parallel`` at a time. A target that cannot be reached,
or drops off mid-run, ends with its own report's error; the others go on."""
from __future__ import annotations

import concurrent.futures
import time
from typing import Callable, Iterable, List, Optional

from .. import ssh
from .checks import CHECKS, Check
from .runner import DEFAULT_JOBS, Record, Report, not_run_report, run_checks

# Most of a run is waiting for targets, so a host validates several at once; the bound keeps
# a big farm from opening hundreds of connections (and sample uploads) together.
DEFAULT_PARALLEL = 4


def validate_one(target: ssh.Target, profile: str, *, checks: Iterable[Check] = CHECKS, hefs=None,
                 hardware_hef=None, hef_problem=None, deadline_s: float = 600.0, jobs: int = DEFAULT_JOBS,
                 connect_timeout_s: float = 30.0,
                 progress: Optional[Callable[[Record], None]] = None) -> Report:
    """Connect and run the checks; a target never reached gets a report saying why."""
    checks = list(checks)
    t0 = time.monotonic()
    try:
        session = ssh.Session.connect(target, deadline_s=connect_timeout_s)
    except ssh.ConnectError as e:
        return not_run_report(target.display, profile, str(e), checks, seconds=time.monotonic() - t0)
    with session:
        return run_checks(session, profile, checks=checks, target=target.display, hefs=hefs,
                          hardware_hef=hardware_hef, hef_problem=hef_problem, deadline_s=deadline_s,
                          jobs=jobs, progress=progress)


def validate_many(targets: List[ssh.Target], profile: str, *, parallel: int = DEFAULT_PARALLEL,
                  progress_for: Optional[Callable[[ssh.Target], Optional[Callable[[Record], None]]]] = None,
                  **options) -> List[Report]:
    """One report per target, in the order given. ``options`` are validate_one's."""
    def one(target: ssh.Target) -> Report:
        try:
            return validate_one(target, profile, progress=progress_for(target) if progress_for else None,
                                **options)
        except Exception as e:  # one target's surprise must not take the others' reports with it
            return not_run_report(target.display, profile, f"internal error: {type(e).__name__}: {e}",
                                  options.get("checks", CHECKS))

    if len(targets) == 1:
        return [one(targets[0])]
    pool = concurrent.futures.ThreadPoolExecutor(max(1, min(parallel, len(targets))),
                                                 thread_name_prefix="target")
    try:
        futures = [pool.submit(one, t) for t in targets]
        reports = [f.result() for f in futures]
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return reports

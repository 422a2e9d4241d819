"""The main job: build (or reuse) and boot the QEMU test target, validate it over SSH in the
simulated profile, stop it. The target is stopped whatever happens (the target API also stops it
at exit and on signals)."""
from __future__ import annotations

import concurrent.futures
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterable, Optional

from .. import ssh
from .checks import CHECKS, Check
from .runner import DEFAULT_JOBS, Report, not_run_report, run_checks
from .samples import sample_hefs_or_reason

PROFILE = "simulated"


def validate_qemu(*, arch: str = "amd64", checks: Iterable[Check] = CHECKS, deadline_s: float = 600.0,
                  jobs: int = DEFAULT_JOBS,
                  boot_timeout_s: float = 180.0, say: Callable[[str], None] = print,
                  progress=None, on_target: Optional[Callable] = None) -> Report:
    """``on_target(target, session)`` runs after connecting and before the checks (tests use it
    to break the target on purpose)."""
    from hailo_kit.qemu import TargetError, boot, build_image

    checks = list(checks)
    name = f"qemu-{arch}"
    with tempfile.TemporaryDirectory(prefix="hailo-validate-") as tmp:
        t0 = time.monotonic()
        # The HEFs are made while the target builds and boots (QEMU runs in its own process).
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            samples = pool.submit(sample_hefs_or_reason, Path(tmp))
            try:
                image = build_image(arch)
                say(f"hailo-validate: booting the QEMU target ({arch})")
                target = boot(image, timeout=boot_timeout_s)
            except TargetError as e:
                return not_run_report(name, PROFILE, f"the QEMU target did not come up: {e}", checks,
                                      seconds=time.monotonic() - t0)
            with target:
                hefs, hef_problem = samples.result()
                name = f"qemu-{arch} ({target.host}:{target.port})"
                say(f"hailo-validate: target up in {time.monotonic() - t0:.1f} s; validating over SSH")
                return validate_booted(target, checks=checks, hefs=hefs, hef_problem=hef_problem,
                                       deadline_s=deadline_s, jobs=jobs,
                                       name=name, progress=progress, on_target=on_target)


def validate_booted(qemu_target, *, checks: Iterable[Check] = CHECKS, hefs=None, hef_problem=None,
                    deadline_s: float = 600.0, jobs: int = DEFAULT_JOBS,
                    name: str = "", progress=None, on_target: Optional[Callable] = None,
                    connect_deadline_s: float = 30.0) -> Report:
    """Validate an already booted QEMU target (the main job's core; the e2e tests call it with
    the session's ``qemu_target`` fixture)."""
    checks = list(checks)
    name = name or f"qemu ({qemu_target.host}:{qemu_target.port})"
    with tempfile.TemporaryDirectory(prefix="hailo-validate-") as tmp:
        if hefs is None:
            hefs, hef_problem = sample_hefs_or_reason(Path(tmp))
        t0 = time.monotonic()
        try:
            session = qemu_target.session(deadline_s=connect_deadline_s)
        except ssh.ConnectError as e:
            return not_run_report(name, PROFILE, str(e), checks, seconds=time.monotonic() - t0)
        with session:
            if on_target is not None:
                on_target(qemu_target, session)
            return run_checks(session, PROFILE, checks=checks, target=name, hefs=hefs, hef_problem=hef_problem,
                              deadline_s=deadline_s, jobs=jobs, progress=progress)

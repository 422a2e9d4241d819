"""The sample HEFs the simulated profile copies to the target, made on the host by the runtime's
own generator (``python3 -m hailort_sim.hef.samples OUTDIR``): real HEF files, the same ones the
runtime's tests use, so the target parses and runs what a user would give it."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Dict, Optional, Tuple


class SampleError(Exception):
    pass


# The models the checks use (checks.IDENTITY_MODEL, checks.DETERMINISTIC_MODEL).
MODELS = ("shortcut_net", "resnet_v1_18")


def make_sample_hefs(outdir: Path, timeout_s: float = 120.0, models=MODELS) -> Dict[str, Path]:
    """Generate the samples into ``outdir``; returns {model name: path}."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    try:
        r = subprocess.run([sys.executable, "-m", "hailort_sim.hef.samples", str(outdir), *models],
                           capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        raise SampleError(f"the sample HEF generator did not finish within {timeout_s:g} s") from None
    if r.returncode != 0:
        tail = (r.stderr or r.stdout).strip().splitlines()[-1:] or ["(no output)"]
        raise SampleError(f"the sample HEF generator failed (exit {r.returncode}): {tail[0]}")
    hefs = {p.stem: p for p in sorted(outdir.glob("*.hef"))}
    if not hefs:
        raise SampleError(f"the sample HEF generator wrote no .hef file into {outdir}")
    return hefs


def sample_hefs_or_reason(outdir: Path) -> Tuple[Dict[str, Path], Optional[str]]:
    """The samples, or none and the reason: the checks that need a HEF then FAIL with it,
    and the others still run."""
    try:
        return make_sample_hefs(outdir), None
    except SampleError as e:
        return {}, str(e)

#!/usr/bin/env python3
"""QEMU test target: cold boot vs resuming the saved state, measured in the same run, and the
warm main job (`./validate-qemu`: resume, validate over SSH, stop).

Baseline: a cold boot to SSH (kernel, systemd, dropbear, hailort.service), measured in the same
run. Goal: resume <= 0.2x the cold boot and <= 3 s; `./validate-qemu` warm <= 12 s (median).
With --cold, also a cold build into a fresh cache (debootstrap, slow).

    python benchmarks/bench_target.py [--boots 3] [--validations 5] [--cold]

Figures depend on free host CPU (TCG): the host's load average is printed with them.
"""
import argparse
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

from hailo_kit.qemu import TargetError, build_image, cache, overlay, progress
from hailo_kit.qemu.machine import QemuTarget

REPO = pathlib.Path(__file__).resolve().parents[1]


def load():
    return f"load {os.getloadavg()[0]:.1f}"


def timed_boot(image, resume, must_resume=True):
    t0 = time.monotonic()
    with QemuTarget(image, resume=resume, timeout=300) as t:
        ready = time.monotonic() - t0
        assert t.run("hailortcli scan").exit_status == 0
        if resume and must_resume and not t.resumed:
            raise TargetError(f"the resume boot did not resume: {t.cold_reason}")
        return ready


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--boots", type=int, default=3, help="cold boots and resumes (alternated)")
    ap.add_argument("--validations", type=int, default=5, help="warm ./validate-qemu runs")
    ap.add_argument("--cold", action="store_true", help="also time a cold build into a fresh cache (slow)")
    args = ap.parse_args()
    progress.quiet = True
    print(f"QEMU target (TCG, systemd + dropbear), {os.cpu_count()} host cores, {load()} at start")

    if args.cold:
        with tempfile.TemporaryDirectory(prefix="hailo-qemu-cold-") as tmp:
            t0 = time.monotonic()
            fresh = build_image(cache_dir=tmp)
            print(f"  cold build (fresh cache, downloads)   {time.monotonic() - t0:7.1f} s "
                  f"(debootstrap {cache.manifest(fresh.base_dir)['debootstrap_s']:.1f} s) [{load()}]")

    t0 = time.monotonic()
    image = build_image()
    print(f"  build, cached: {image.cached!s:5}           {time.monotonic() - t0:7.2f} s "
          "(a cache hit checks sizes, hashes only changed files)")
    with tempfile.TemporaryDirectory(prefix="hailo-qemu-bench-") as tmp:
        out = pathlib.Path(tmp) / "ov"
        out.mkdir()
        t0 = time.monotonic()
        overlay.build(out, cache.manifest(image.base_dir))
        print(f"  overlay rebuild (runtime changed)     {time.monotonic() - t0:7.1f} s [{load()}]")

    timed_boot(image, resume=True, must_resume=False)   # a saved state exists (a cold boot saves it)
    colds, resumes, loads = [], [], []
    for _ in range(args.boots):         # alternated, so both see the same load
        colds.append(timed_boot(image, resume=False))
        resumes.append(timed_boot(image, resume=True))
        loads.append(os.getloadavg()[0])
    cold, resume = statistics.median(colds), statistics.median(resumes)
    print(f"  cold boot to SSH, median of {len(colds)}        {cold:7.1f} s ({', '.join(f'{x:.1f}' for x in colds)})")
    print(f"  resume to SSH, median of {len(resumes)}           {resume:7.1f} s ({', '.join(f'{x:.1f}' for x in resumes)}); goal <= 3 s")
    print(f"  resume / cold boot (same run)         {resume / cold:7.2f}x; goal <= 0.2x "
          f"[load {min(loads):.1f}-{max(loads):.1f}]")

    runs = []
    for _ in range(args.validations):
        t0 = time.monotonic()
        proc = subprocess.run([str(REPO / "validate-qemu"), "-q"], capture_output=True, text=True)
        runs.append(time.monotonic() - t0)
        if proc.returncode != 0:
            sys.exit(f"./validate-qemu failed (exit {proc.returncode}):\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    print(f"  ./validate-qemu warm, median of {len(runs)}    {statistics.median(runs):7.1f} s "
          f"({', '.join(f'{x:.1f}' for x in runs)}); goal <= 12 s [{load()}]")


if __name__ == "__main__":
    try:
        main()
    except TargetError as e:
        sys.exit(f"bench_target: {e}")

"""Warm end-to-end time of the main job (``hailo-validate qemu``: boot the cached QEMU target,
validate it over SSH in the simulated profile, stop it), against a baseline measured in the
same run: a bare boot-to-SSH and stop of the same image. Goal: main job <= 60 s under TCG.

    .venv/bin/python benchmarks/bench_validate.py [--runs N]

Needs what the QEMU target needs (root, qemu-system, a built or buildable image).
"""
import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_S = 60.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1, help="main job runs (the best and the mean are printed)")
    args = ap.parse_args()

    from hailo_kit.qemu import boot, build_image
    t = time.monotonic()
    image = build_image()  # warm-up: builds only what the cache lacks, not timed below
    print(f"image ready in {time.monotonic() - t:.1f} s (cache warm-up, not counted)")

    t = time.monotonic()
    with boot(image):
        boot_s = time.monotonic() - t
    baseline_s = time.monotonic() - t
    print(f"baseline: boot to SSH {boot_s:.1f} s, boot + stop {baseline_s:.1f} s")

    totals, reports = [], []
    for i in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "report.json"
            t = time.monotonic()
            proc = subprocess.run([sys.executable, "-m", "hailo_kit.validate.cli", "qemu", "-q", "--json", str(out)],
                                  capture_output=True, text=True)
            totals.append(time.monotonic() - t)
            if not out.exists():
                sys.exit(f"main job wrote no report (exit {proc.returncode}): {proc.stderr[-2000:]}")
            reports.append(json.loads(out.read_text()))
        verdict = "validated" if proc.returncode == 0 else f"NOT validated (exit {proc.returncode})"
        for r in reports[-1]["records"]:
            if r["result"] in ("FAIL", "NOT RUN"):
                print(f"  {r['id']}: {r['result']}: {r['detail'][:300]}")
        print(f"main job run {i + 1}: {totals[-1]:.1f} s, {verdict}; checks {reports[-1]['seconds']:.1f} s")

    best = min(totals)
    checks_s = min(r["seconds"] for r in reports)
    print(f"main job (warm): best {best:.1f} s, mean {sum(totals) / len(totals):.1f} s over {len(totals)} run(s)")
    print(f"  of which checks over SSH: {checks_s:.1f} s; main job / bare boot+stop: {best / baseline_s:.2f}x")
    print(f"  goal <= {GOAL_S:.0f} s: {'met' if best <= GOAL_S else 'NOT met'}")
    slow = sorted(reports[0]["records"], key=lambda r: -r["seconds"])[:5]
    print("  slowest checks: " + ", ".join(f"{r['id']} {r['seconds']:.1f} s" for r in slow))


if __name__ == "__main__":
    main()

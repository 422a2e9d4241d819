#!/usr/bin/env python3
"""QEMU test target: warm boot-to-SSH time (goal <= 20 s under TCG with systemd), the overlay
rebuild a runtime change costs, and (with --cold) a cold build into a fresh cache.

Baseline measured in the same run: the kernel alone (an empty initramfs: boot to the panic and
QEMU's exit), so the ratio shows what systemd + dropbear + our units add on this machine.

    python benchmarks/bench_target.py [--boots 3] [--cold]
"""
import argparse
import dataclasses
import json
import os
import pathlib
import statistics
import sys
import tempfile
import time

from hailo_kit.qemu import TargetError, boot, build_image, overlay, progress
from hailo_kit.qemu.machine import QemuTarget


def kernel_floor(image, tmp):
    empty = pathlib.Path(tmp) / "empty.cpio"
    empty.write_bytes(b"")
    t = QemuTarget(dataclasses.replace(image, initrd=empty), timeout=120)
    t0 = time.monotonic()
    try:
        t.start()
    except TargetError:
        pass          # the panic is the end of this boot
    return time.monotonic() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--boots", type=int, default=3)
    ap.add_argument("--cold", action="store_true", help="also time a cold build into a fresh cache (slow)")
    args = ap.parse_args()
    progress.quiet = True
    figures = {}

    if args.cold:
        with tempfile.TemporaryDirectory(prefix="hailo-qemu-cold-") as cache:
            t0 = time.monotonic()
            cold = build_image(cache_dir=cache)
            figures["cold_build_s"] = time.monotonic() - t0
            figures["cold_debootstrap_s"] = json.loads((cold.base_dir / "manifest.json").read_text())["debootstrap_s"]

    t0 = time.monotonic()
    image = build_image()
    figures["warm_build_s"] = time.monotonic() - t0
    base_manifest = json.loads((image.base_dir / "manifest.json").read_text())
    with tempfile.TemporaryDirectory(prefix="hailo-qemu-bench-") as tmp:
        out = pathlib.Path(tmp) / "ov"
        out.mkdir()
        t0 = time.monotonic()
        overlay.build(out, base_manifest)
        figures["overlay_rebuild_s"] = time.monotonic() - t0
        figures["kernel_floor_s"] = kernel_floor(image, tmp)

    boots, rtts = [], []
    for _ in range(args.boots):
        t0 = time.monotonic()
        with boot(image, timeout=300) as target:
            boots.append(time.monotonic() - t0)
            r0 = time.monotonic()
            for _ in range(5):
                target.run("true")
            rtts.append((time.monotonic() - r0) / 5)
    figures["warm_boot_to_ssh_s"] = statistics.median(boots)
    figures["ssh_command_rtt_s"] = statistics.median(rtts)

    print(f"QEMU target ({image.arch}, TCG, systemd + dropbear), {os.cpu_count()} host cores, "
          f"load {os.getloadavg()[0]:.1f}")
    if args.cold:
        print(f"  cold build (fresh cache, downloads)  {figures['cold_build_s']:7.1f} s "
              f"(debootstrap {figures['cold_debootstrap_s']:.1f} s)")
    print(f"  warm build (cache hit)               {figures['warm_build_s']:7.2f} s")
    print(f"  overlay rebuild (runtime changed)    {figures['overlay_rebuild_s']:7.1f} s")
    print(f"  kernel alone, boot to panic (base)   {figures['kernel_floor_s']:7.1f} s")
    print(f"  warm boot to SSH, median of {len(boots)}       {figures['warm_boot_to_ssh_s']:7.1f} s "
          f"({', '.join(f'{b:.1f}' for b in boots)}); goal <= 20 s")
    print(f"  ratio boot-to-SSH / kernel alone     {figures['warm_boot_to_ssh_s'] / figures['kernel_floor_s']:7.2f}x")
    print(f"  SSH command round trip (new conn.)   {figures['ssh_command_rtt_s'] * 1000:7.0f} ms")


if __name__ == "__main__":
    try:
        main()
    except TargetError as e:
        sys.exit(f"bench_target: {e}")

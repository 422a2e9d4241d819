"""A target with exactly the hardware image's layout, served over SSH on 127.0.0.1.

The root file system is the QEMU target's Debian bookworm x86-64 base (the same python3, numpy,
systemd, kmod), plus the files packagegroup-hailo's packages install, read from the recipes
(hailo_kit.layer) — and nothing of the simulated runtime's image: no /etc/hailo/hailort-sim.conf,
no libhailort-dev (so no /usr/lib/libhailort.so). Commands run chrooted in it, each in a mount
namespace of its own (/dev, /proc and /tmp bound in), through the loopback SSH server.

What fills the files:
- the layer's own files (unit, defaults, modprobe options): copied from the layer;
- libhailort.so.4.21.0, hailortcli, hailo_platform and libgsthailo.so: the real HailoRT 4.21.0
  built by the oracle (HAILORT_ORACLE_DIR, docs/oracle.md), when it is there;
- otherwise, and for what the oracle does not build (hailort_service, the hailo command,
  the firmware, the driver's udev rule): this repository's runtime (hailortcli,
  hailo, hailo_platform, hailort_service, with no device configured) or a placeholder file that
  says what it stands for. No device nodes, no kernel module: there is no Hailo device.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Dict, List, Optional

from hailo_kit import layer
from hailo_kit.qemu import config

PACKAGEGROUP = "packagegroup-hailo"
# The driver's rule (hailort-drivers linux/pcie/51-hailo-udev.rules, runtime spec §14.2).
UDEV_RULE = 'SUBSYSTEM=="hailo_chardev", MODE="0666"\n'
# The real files the oracle provides: image path -> path under HAILORT_ORACLE_DIR.
ORACLE_FILES = {"/usr/lib/libhailort.so.4.21.0": "lib/libhailort.so.4.21.0",
                "/usr/bin/hailortcli": "bin/hailortcli",
                "/usr/lib/gstreamer-1.0/libgsthailo.so": "image/libgsthailo/usr/lib/gstreamer-1.0/libgsthailo.so"}
# The real pyhailort for Debian's numpy 1.x (the base has python3-numpy 1.24).
ORACLE_PYHAILORT = "python-numpy1/hailo_platform"
SITE = "usr/lib/python3/dist-packages"   # Debian's python3 path for what pyhailort installs
MULTIARCH = config.arch("amd64").multiarch   # the base's (Debian bookworm amd64) library folder

ENTER = """#!/bin/sh
# enter ROOT COMMAND: run COMMAND in ROOT, in this mount namespace (unshare -m) only
set -e
root=$1
mount --bind /dev "$root/dev"
mount -t proc proc "$root/proc"
mount --bind /tmp "$root/tmp"
exec chroot "$root" /bin/sh -c "$2"
"""


def oracle_dir() -> Optional[Path]:
    value = os.environ.get("HAILORT_ORACLE_DIR")
    if value and (Path(value) / ORACLE_FILES["/usr/bin/hailortcli"]).is_file():
        return Path(value)
    return None


def _install(root: Path, path: str, source: Optional[Path] = None, text: str = "", mode: int = 0o644) -> None:
    dest = root / path.lstrip("/")
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.is_symlink() or dest.exists():
        dest.unlink()
    if source is not None:
        shutil.copyfile(source, dest)
    else:
        dest.write_text(text)
    dest.chmod(mode)


def build(root: Path, base_cpio: Path, python: str, work: Path) -> Dict[str, str]:
    """Fills ``root``; returns {image path: where its content came from}."""
    from hailo_kit.qemu.overlay import build_wheel, install_wheel

    root.mkdir(parents=True, exist_ok=True)
    with open(base_cpio, "rb") as archive:
        subprocess.run(["cpio", "-idm", "--quiet", "--no-absolute-filenames"], stdin=archive, cwd=root,
                       check=True, stderr=subprocess.PIPE)
    for d in ("dev", "proc", "tmp"):
        (root / d).mkdir(exist_ok=True)
    # The stand-in user space first; real files from the oracle replace it below.
    install_wheel(build_wheel(work), root, python)
    origin = {}
    oracle = oracle_dir()
    for f in layer.installed_files(layer.packagegroup(PACKAGEGROUP)):
        executable = f.path.startswith(("/usr/bin/", "/usr/sbin/"))
        mode = f.mode or (0o755 if executable else 0o644)
        if f.source is not None:
            _install(root, f.path, f.source, mode=mode)
            origin[f.path] = f"layer: {f.source.relative_to(layer.REPO_ROOT)}"
        elif oracle and f.path in ORACLE_FILES and (oracle / ORACLE_FILES[f.path]).is_file():
            _install(root, f.path, oracle / ORACLE_FILES[f.path], mode=0o755)
            origin[f.path] = f"oracle: {ORACLE_FILES[f.path]}"
        elif (root / f.path.lstrip("/")).is_file():
            origin[f.path] = "stand-in: this repository's runtime"
        elif f.path.endswith(".rules"):
            _install(root, f.path, text=UDEV_RULE)
            origin[f.path] = "stand-in: the driver's rule line"
        else:
            _install(root, f.path, text=f"placeholder for {f.path} of {f.package} (not built here)\n", mode=mode)
            origin[f.path] = "placeholder"
    if oracle:
        site = root / SITE / "hailo_platform"
        shutil.rmtree(site)
        shutil.copytree(oracle / ORACLE_PYHAILORT, site)
        origin["/" + SITE + "/hailo_platform"] = f"oracle: {ORACLE_PYHAILORT}"
    # Yocto's GStreamer loads plugins from ${libdir}/gstreamer-1.0 (/usr/lib); Debian's, which
    # this base has, from /usr/lib/<multiarch>/gstreamer-1.0: link the image's plugins there.
    for plugin in sorted((root / "usr/lib/gstreamer-1.0").glob("*.so")):
        link = root / "usr/lib" / MULTIARCH / "gstreamer-1.0" / plugin.name
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(f"/usr/lib/gstreamer-1.0/{plugin.name}")
    enter = root.parent / "enter"
    enter.write_text(ENTER)
    enter.chmod(0o755)
    return origin


def init_scripts() -> List[str]:
    """The SysV init scripts the image's packages install (/etc/init.d/hailort)."""
    return [f.path for f in layer.installed_files(layer.packagegroup(PACKAGEGROUP)) if f.path.startswith("/etc/init.d/")]


def boot(session) -> None:
    """Start what the image starts at boot. The chroot runs no init: systemd is installed in the
    base but not running, as on an image booted by sysvinit, which runs these scripts."""
    for script in init_scripts():
        result = session.run(f"{script} start", timeout_s=60)
        if result.exit_status != 0:
            raise RuntimeError(f"{script} start failed ({result.exit_status}): {result.err or result.out}")


def shutdown(session) -> None:
    for script in reversed(init_scripts()):
        session.run(f"{script} stop", timeout_s=60)


def shell(root: Path):
    """The loopback SSH server's shell for this target: argv before the command line."""
    return ["unshare", "--mount", "--propagation", "private", str(root.parent / "enter"), str(root)]


# What a login shell on the image has: no HAILORT_SIM_CONFIG, nothing of this host's venv.
# The service's socket (libhailort's HAILORT_SERVICE_ADDRESS) inside the root: /tmp is the host's.
ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root", "LANG": "C.UTF-8",
       "HAILORT_LOGGER_PATH": "NONE", "HAILORT_SERVICE_ADDRESS": "unix:///run/hailo/hailort_uds.sock"}

"""The base stage: a Debian bookworm root filesystem (debootstrap minbase + our package list),
configured for a fast systemd boot from an initramfs, and packed as a newc cpio archive with
the kernel beside it. Slow (about a minute), so it is cached apart from the runtime overlay."""
import os
import pathlib
import re
import shutil
import subprocess
import time

from . import config
from .errors import TargetError
from .progress import say

# Kernel modules kept in the image (with their dependencies): udev loads them at boot.
KEEP_MODULES = ["virtio_pci", "virtio_net", "virtio_rng", "virtio_blk", "virtio_console",
                "virtio_mmio", "af_packet"]
# Units that cost boot time (seconds each under TCG) and do nothing on a throw-away test
# machine booted from an initramfs: pseudo-filesystems nobody uses, modprobes of modules the
# image does not have, first-boot/update bookkeeping, logins on consoles nobody types on.
MASKED_UNITS = [
    "apt-daily.timer", "apt-daily-upgrade.timer", "e2scrub_all.timer", "e2scrub_reap.service",
    "fstrim.timer", "dpkg-db-backup.timer", "systemd-tmpfiles-clean.timer",
    "systemd-firstboot.service", "systemd-remount-fs.service", "systemd-networkd-wait-online.service",
    "getty.target", "getty-static.service", "getty@tty1.service", "serial-getty@ttyS0.service",
    "serial-getty@ttyAMA0.service",
    "dev-hugepages.mount", "dev-mqueue.mount", "sys-kernel-debug.mount", "sys-kernel-tracing.mount",
    "sys-kernel-config.mount", "sys-fs-fuse-connections.mount", "proc-sys-fs-binfmt_misc.automount",
    "systemd-binfmt.service", "systemd-pstore.service",
    "modprobe@configfs.service", "modprobe@dm_mod.service", "modprobe@efi_pstore.service",
    "modprobe@fuse.service", "modprobe@loop.service", "modprobe@drm.service",
    "systemd-random-seed.service", "systemd-update-utmp.service",
    "systemd-update-utmp-runlevel.service", "systemd-sysusers.service",
    "systemd-journal-flush.service", "systemd-machine-id-commit.service",
    "ldconfig.service", "systemd-hwdb-update.service", "systemd-journal-catalog-update.service",
    "systemd-update-done.service",
]
DROPBEAR_UNIT = """\
[Unit]
Description=Dropbear SSH server (hailo-kit QEMU target)
After=network.target

[Service]
ExecStart=/usr/sbin/dropbear -F -E -s -p 22 -r /etc/dropbear/dropbear_ed25519_host_key
Restart=on-failure

[Install]
WantedBy=multi-user.target
"""
READY_UNIT = f"""\
[Unit]
Description=Tell the host the target is up (hailo-kit QEMU target)
After=dropbear.service systemd-networkd.service hailort.service
Wants=dropbear.service

[Service]
Type=oneshot
ExecStart=/bin/sh -c 'echo {config.READY_MARKER} > /dev/console'

[Install]
WantedBy=multi-user.target
"""
NETWORK = """\
[Match]
Name=e*

[Network]
Address=10.0.2.15/24
Gateway=10.0.2.2
DNS=10.0.2.3
LinkLocalAddressing=no
IPv6AcceptRA=no
"""
# Paths dropped from the packed image (relative, glob): docs, caches, the kernel's own copy.
DROP = ["usr/share/doc/*", "usr/share/man/*", "usr/share/info/*", "usr/share/locale/*",
        "usr/share/lintian/*", "var/cache/apt/*", "var/lib/apt/lists/*", "var/cache/debconf/*-old",
        "boot/*", "usr/lib/python3/dist-packages/numpy/*/tests",
        # udev's hardware database (22 MB to unpack at every boot) only names USB/PCI products
        "usr/lib/udev/hwdb.bin", "usr/lib/udev/hwdb.d/*", "etc/udev/hwdb.bin",
        "usr/lib/python3/dist-packages/numpy/tests",
        # python3-gst-1.0 needs gir1.2-gst-plugins-base-1.0, whose GstGL pulls Mesa in: its DRI
        # drivers and what only they link (LLVM, z3, libxml2's ICU), 200 MB. Nothing here renders.
        "usr/lib/*/dri", "usr/lib/*/libLLVM-*", "usr/lib/*/libz3.so*", "usr/lib/*/libicu*"]


def packages(arch):
    return config.PACKAGES + [arch.kernel_package]


def key_inputs(arch, mirror):
    """Everything the base stage depends on."""
    return ["base", config.SUITE, mirror, arch.name, packages(arch), pathlib.Path(__file__),
            KEEP_MODULES, MASKED_UNITS]


def _run(cmd, what, **kw):
    try:
        return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw)
    except subprocess.CalledProcessError as e:
        tail = "\n".join((e.stdout + e.stderr).strip().splitlines()[-15:])
        raise TargetError(f"{what} failed (exit {e.returncode}):\n{tail}") from None


def debootstrap(rootfs, arch, mirror, debs):
    """debootstrap, its per-package lines folded into running counts every 5 s."""
    debs.mkdir(parents=True, exist_ok=True)
    cmd = ["debootstrap", "--variant=minbase", f"--arch={arch.name}", f"--cache-dir={debs}",
           "--include=" + ",".join(packages(arch)), config.SUITE, str(rootfs), mirror]
    say(f"debootstrap {config.SUITE}/{arch.name} from {mirror} ({len(packages(arch))} packages "
        "+ minbase; about a minute, less with a warm package cache)")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    counts, last, tail = {}, time.monotonic(), []

    def summary():
        return ", ".join(f"{k.lower()} {v}" for k, v in counts.items())

    for line in proc.stdout:
        line = line.rstrip()
        tail = (tail + [line])[-20:]
        m = re.match(r"I: (Retrieving|Validating|Extracting|Unpacking|Configuring|Installing)", line)
        if m:
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
            if time.monotonic() - last > 5:
                say(f"  packages: {summary()}")
                last = time.monotonic()
        elif line.startswith(("E:", "W:", "I: Base system installed")):
            say("  " + line)
    if counts:
        say(f"  packages: {summary()}")
    rc = proc.wait()
    if rc != 0:
        text = "\n".join(tail)
        if "Failed getting release file" in text or "Couldn't download" in text:
            raise TargetError(f"debootstrap could not download from {mirror}: is the mirror "
                              f"reachable? (HAILO_KIT_DEBIAN_MIRROR overrides it)\n{text}")
        log = rootfs / "debootstrap/debootstrap.log"   # where the failing step's details are
        if log.is_file():
            text += "\n--- " + str(log) + " (tail):\n" + "\n".join(
                log.read_text(errors="replace").splitlines()[-15:])
        raise TargetError(f"debootstrap failed (exit {rc}):\n{text}")


def _write(path, text, mode=0o644):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)


def _symlink(link, target):
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(target)


def configure(rootfs, arch):
    etc = rootfs / "etc"
    _write(etc / "hostname", "hailo-qemu\n")
    _write(etc / "hosts", "127.0.0.1 localhost\n127.0.1.1 hailo-qemu\n")
    (etc / "machine-id").write_text("")          # systemd makes a transient one at boot
    _write(etc / "systemd/system/dropbear.service", DROPBEAR_UNIT)
    _write(etc / "systemd/system/hailo-kit-ready.service", READY_UNIT)
    _write(etc / "systemd/network/10-qemu.network", NETWORK)
    wants = etc / "systemd/system/multi-user.target.wants"
    _symlink(wants / "dropbear.service", "/etc/systemd/system/dropbear.service")
    _symlink(wants / "hailo-kit-ready.service", "/etc/systemd/system/hailo-kit-ready.service")
    _symlink(wants / "systemd-networkd.service", "/lib/systemd/system/systemd-networkd.service")
    for unit in MASKED_UNITS:
        _symlink(etc / "systemd/system" / unit, "/dev/null")
    # dropbear's SFTP subsystem looks here; Debian ships it under openssh/.
    _symlink(rootfs / "usr/lib/sftp-server", "/usr/lib/openssh/sftp-server")
    (etc / "dropbear").mkdir(exist_ok=True)
    (rootfs / "root").chmod(0o700)
    # an initramfs root has no fstab entries to check or remount
    _write(etc / "fstab", "# initramfs root: nothing to mount\n")


def kernel_and_modules(rootfs, out):
    boot = rootfs / "boot"
    kernels = sorted(boot.glob("vmlinuz-*"))
    if not kernels:
        raise TargetError(f"no kernel in {boot}: the kernel package did not install")
    kernel = kernels[-1]
    version = kernel.name[len("vmlinuz-"):]
    shutil.copy2(kernel, out / "vmlinuz")
    moddir = rootfs / "lib/modules" / version
    deps = {}
    for line in (moddir / "modules.dep").read_text().splitlines():
        mod, _, rest = line.partition(":")
        deps[mod] = rest.split()
    by_name = {re.sub(r"\.ko(\.\w+)?$", "", os.path.basename(m)).replace("-", "_"): m for m in deps}
    keep, todo = set(), [by_name[n] for n in KEEP_MODULES if n in by_name]
    while todo:
        m = todo.pop()
        if m not in keep:
            keep.add(m)
            todo += deps.get(m, [])
    for m in deps:
        if m not in keep:
            (moddir / m).unlink(missing_ok=True)
    _run(["depmod", "-b", str(rootfs), version] if shutil.which("depmod") else
         ["chroot", str(rootfs), "depmod", version], "depmod")
    return version, sorted(os.path.basename(m) for m in keep)


def strip(rootfs):
    for pattern in DROP:
        for p in rootfs.glob(pattern):
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            else:
                p.unlink()


def pack(root, out_file):
    """newc cpio of a tree, sorted so equal trees give equal archives."""
    with open(out_file, "wb") as fh:
        find = subprocess.Popen(["find", ".", "-mindepth", "1"], cwd=root, stdout=subprocess.PIPE)
        srt = subprocess.Popen(["sort"], stdin=find.stdout, stdout=subprocess.PIPE,
                               env={**os.environ, "LC_ALL": "C"})
        find.stdout.close()
        cpio = subprocess.run(["cpio", "-o", "-H", "newc", "--quiet"], cwd=root,
                              stdin=srt.stdout, stdout=fh, stderr=subprocess.PIPE)
        srt.stdout.close()
        find.wait(), srt.wait()
    if cpio.returncode != 0:
        raise TargetError(f"packing {root} with cpio failed: {cpio.stderr.decode(errors='replace')}")


def python_version(rootfs):
    found = sorted(p.name for p in (rootfs / "usr/lib").glob("python3.*") if re.fullmatch(r"python3\.\d+", p.name))
    if not found:
        raise TargetError("no python3 in the target root filesystem")
    return found[-1][len("python"):]


def build(out, arch, mirror, debs):
    """Fills `out` with vmlinuz and base.cpio; returns the manifest."""
    rootfs = out / "rootfs"
    t0 = time.monotonic()
    debootstrap(rootfs, arch, mirror, debs)
    t1 = time.monotonic()
    say(f"rootfs: configuring systemd, dropbear and the network ({t1 - t0:.0f}s so far)")
    configure(rootfs, arch)
    version, modules = kernel_and_modules(rootfs, out)
    strip(rootfs)
    pyver = python_version(rootfs)
    say("rootfs: packing the base initramfs (cpio)")
    pack(rootfs, out / "base.cpio")
    shutil.rmtree(rootfs)
    size = (out / "base.cpio").stat().st_size
    say(f"rootfs: base.cpio {size / 2**20:.0f} MiB, kernel {version} "
        f"({time.monotonic() - t0:.0f}s)")
    return {"stage": "base", "suite": config.SUITE, "arch": arch.name, "mirror": mirror,
            "packages": packages(arch), "kernel": version, "modules": modules,
            "python": pyver, "debootstrap_s": round(t1 - t0, 1),
            "build_s": round(time.monotonic() - t0, 1), "size": size}

"""Where things are and what the target is made of: cache location, Debian mirror, per-arch
settings and the package list. Everything here is an input of the cache key."""
import os
import pathlib
import re
from dataclasses import dataclass

SUITE = "bookworm"
REPO_ROOT = pathlib.Path(__file__).resolve().parents[3]
SAMPLES_DIR = "usr/share/hailo-models"
READY_MARKER = "HAILO-KIT-READY"

# python3 + numpy + protobuf: the runtime's dependencies. systemd-sysv + udev: real unit files
# and module autoloading (virtio). dropbear: SSH (starts and connects faster than OpenSSH);
# openssh-sftp-server: SFTP for the validation suite. kmod: modinfo/modprobe, as on a real image.
# GStreamer with the gst-python loader (gstreamer1.0-python on Yocto) and videotestsrc (in
# plugins-base): python3-hailort-sim-gst's hailonet/hailodevicestats and the §10.6 pipeline row.
PACKAGES = ["python3", "python3-numpy", "python3-protobuf", "systemd-sysv", "udev", "kmod",
            "iproute2", "procps", "dropbear-bin", "openssh-sftp-server",
            "gstreamer1.0-tools", "gstreamer1.0-plugins-base", "gstreamer1.0-python3-plugin-loader",
            "python3-gst-1.0"]


@dataclass(frozen=True)
class Arch:
    name: str            # Debian architecture
    kernel_package: str
    qemu: str            # qemu-system binary
    machine: tuple       # -M/-cpu arguments
    console: str
    apt_qemu: str        # the Debian package with the qemu-system binary
    multiarch: str       # Debian's library directory: /usr/lib/<multiarch>


ARCHES = {
    # qemu64 (QEMU's default x86-64 model; Debian needs no more) rather than max: the guest does
    # less under TCG with it (measured 2026-12-06: cold boot ~8-10 s instead of ~12-15, `python3
    # -c pass` ~160 ms instead of ~220; max also turns on 5-level paging and the AVX/ERMS code
    # paths of the kernel and glibc, which cost more to emulate).
    "amd64": Arch("amd64", "linux-image-cloud-amd64", "qemu-system-x86_64",
                  ("-M", "q35", "-cpu", "qemu64"), "ttyS0", "qemu-system-x86", "x86_64-linux-gnu"),
    "arm64": Arch("arm64", "linux-image-cloud-arm64", "qemu-system-aarch64",
                  ("-M", "virt", "-cpu", "max,pauth-impdef=on"), "ttyAMA0", "qemu-system-arm",
                  "aarch64-linux-gnu"),
}
ARCH_ALIASES = {"x86_64": "amd64", "x86-64": "amd64", "aarch64": "arm64"}


def arch(name="amd64"):
    key = ARCH_ALIASES.get(name, name)
    if key not in ARCHES:
        from .errors import TargetError
        raise TargetError(f"unknown architecture {name!r}: use one of {', '.join(ARCHES)}")
    return ARCHES[key]


def cache_root():
    env = os.environ.get("HAILO_KIT_QEMU_CACHE")
    if env:
        return pathlib.Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or pathlib.Path.home() / ".cache"
    return pathlib.Path(base) / "hailo-kit" / "qemu"


def debian_mirror(sources_dir="/etc/apt/sources.list.d", sources_list="/etc/apt/sources.list"):
    """The Debian mirror apt already uses (HAILO_KIT_DEBIAN_MIRROR overrides it)."""
    env = os.environ.get("HAILO_KIT_DEBIAN_MIRROR")
    if env:
        return env.rstrip("/")
    candidates = []
    d = pathlib.Path(sources_dir)
    for f in sorted(d.glob("*.sources")) if d.is_dir() else []:
        # deb822 stanzas: the URIs of a stanza whose Suites name the release itself.
        for stanza in re.split(r"\n\s*\n", f.read_text(errors="replace")):
            fields = dict(re.findall(r"^(\w[\w-]*):\s*(.*)$", stanza, re.M))
            if re.search(r"^\s*Enabled:\s*no", stanza, re.M | re.I):
                continue
            if SUITE in fields.get("Suites", "").split() and "deb" in fields.get("Types", "").split():
                candidates += fields.get("URIs", "").split()
    lists = [pathlib.Path(sources_list)] + (sorted(d.glob("*.list")) if d.is_dir() else [])
    for f in lists:
        if f.is_file():
            for m in re.finditer(rf"^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+{SUITE}\s", f.read_text(errors="replace"), re.M):
                candidates.append(m.group(1))
    for uri in candidates:
        if "security" not in uri:
            return uri.rstrip("/")
    return "http://deb.debian.org/debian"

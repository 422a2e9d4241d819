"""Checks before a build or a boot, each failing with what to run to fix it."""
import os
import shutil
import socket
import urllib.error
import urllib.request

from .config import SUITE
from .errors import TargetError

APT = "apt-get install --no-install-recommends"
BUILD_TOOLS = {  # binary -> Debian package
    "debootstrap": "debootstrap",
    "chroot": "coreutils",
    "cpio": "cpio",
    "dropbearkey": "dropbear-bin",
}


def require_root(what="building the target"):
    if os.geteuid() != 0:
        raise TargetError(f"{what} needs root (debootstrap and chroot): run it as root, "
                          "e.g. `sudo hailo-qemu build`")


def require_tools(tools):
    """tools: {binary: debian package}."""
    missing = {b: p for b, p in tools.items() if shutil.which(b) is None}
    if missing:
        pkgs = " ".join(sorted(set(missing.values())))
        raise TargetError(f"missing {', '.join(sorted(missing))}: install with "
                          f"`{APT} {pkgs}`")


def require_qemu(arch):
    require_tools({arch.qemu: arch.apt_qemu})


def require_foreign_arch(arch):
    """Building another architecture's rootfs runs its maintainer scripts under qemu-user."""
    import platform
    native = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine())
    if arch.name == native:
        return
    handler = "qemu-" + {"arm64": "aarch64", "amd64": "x86_64"}[arch.name]
    require_tools({handler + "-static": "qemu-user-static", "update-binfmts": "binfmt-support"})
    if not os.path.exists(f"/proc/sys/fs/binfmt_misc/{handler}"):
        raise TargetError(f"binfmt_misc has no {handler} handler, so an {arch.name} rootfs cannot "
                          "run its package scripts: `mount -t binfmt_misc binfmt_misc "
                          f"/proc/sys/fs/binfmt_misc; update-binfmts --enable {handler}`")


def require_mirror(mirror, timeout=15):
    url = f"{mirror}/dists/{SUITE}/Release"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout):
            return
    except (urllib.error.URLError, OSError, ValueError) as e:
        reason = getattr(e, "reason", e)
        raise TargetError(f"the Debian mirror {mirror} is unreachable ({reason}) while fetching "
                          f"{url}: check the network, or set HAILO_KIT_DEBIAN_MIRROR to a "
                          "reachable mirror") from None


def free_port(host="127.0.0.1"):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def require_port_free(port, host="127.0.0.1"):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            raise TargetError(f"port {host}:{port} is in use: choose another with --port, "
                              "or leave it out to pick a free one") from None

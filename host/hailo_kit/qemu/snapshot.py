"""Saved states: a booted target's RAM and devices, written by QEMU's migration to a file in
the cache, so that later boots resume it in seconds instead of booting the kernel and systemd.

An entry is keyed like the image (its overlay key) plus the machine's shape (architecture,
accelerator, memory, CPUs, the QEMU command line without its per-run paths and port):

    <cache>/<arch>/state/<key>/     vmstate (QEMU's migration stream), manifest.json

The manifest names the QEMU that wrote the state (version line and a hash of the binary): a
state from another QEMU is not loaded (QEMU's migration streams are only promised to load in the
same version), the target boots cold instead and saves a new one. What differs per boot is
renewed on resume: the forwarded SSH port (QMP hostfwd_add, so a taken port is retried without
restarting QEMU), the guest's wall clock and its random number generator (over SSH: date, then
fresh host entropy credited to the kernel's pool and a CRNG reseed, RNDADDENTROPY and
RNDRESEEDCRNG; the cloud kernel has no vmgenid driver to do it on its own).
"""
import functools
import hashlib
import json
import pathlib
import shlex
import subprocess
import time

from . import cache, config, qmp
from .errors import TargetError

STATE_FILE = "vmstate"
# Run on the guest right after a resume; stdin is 64 bytes of host entropy. 0x40085203 is
# RNDADDENTROPY (_IOW('R', 3, int[2])), 0x5207 RNDRESEEDCRNG (_IO('R', 7)); perl-base is in the
# image and starts in milliseconds (python3 takes a second under TCG).
RENEW = ("date -u -s @{now:.3f} >/dev/null && perl -e '"
         'open(my $f, "+<", "/dev/urandom") or die "urandom: $!\\n"; '
         'read(STDIN, my $b, 64) == 64 or die "short entropy\\n"; '
         'ioctl($f, 0x40085203, pack("ii", 512, 64) . $b) or die "RNDADDENTROPY: $!\\n"; '
         'ioctl($f, 0x5207, 0) or die "RNDRESEEDCRNG: $!\\n"\'')

# Run on the freshly booted guest before its state is saved: what a target that has been used
# has, and every resume would otherwise build again. GStreamer's plugin registry is made on its
# first use by a scan that loads every plugin (the hailo one, and Python with it: seconds under
# TCG); GStreamer checks the registry against the plugin files at each start, so a plugin
# changed later is scanned again. Part of the state's key.
# The multi-process service (running since boot) does its first client's set-up then too: its
# imports and the HEF reader, a second of CPU under TCG that every resumed run's first service
# inference would pay again.
WARM_UP = ("(! command -v gst-inspect-1.0 >/dev/null || gst-inspect-1.0 >/dev/null 2>&1); "
           f"(! systemctl -q is-active hailort.service || hailortcli run /{config.SAMPLES_DIR}/shortcut_net.hef "
           "--multi-process-service --frames-count 2 >/dev/null 2>&1); true")
# Run last before the state is saved: QEMU writes an all-zero page as a flag, and the guest's
# free pages still hold what they last held (the unpacked initramfs archive, the boot's
# processes). dd's buffer takes all free memory but 128 MiB (less ran the guest out of memory);
# the kernel zero-fills it and it goes back zeroed: ~480 MiB to save and load instead of ~620.
ZERO_FREE_MEMORY = ("mib=$(awk '/^MemFree:/ {print int($2 / 1024) - 128}' /proc/meminfo); "
                    '[ "$mib" -gt 0 ] && dd if=/dev/zero of=/dev/null bs="${mib}M" count=1 2>/dev/null; true')


class Unfit(Exception):
    """The saved state cannot be resumed here; str() is the one-line reason."""


@functools.lru_cache(maxsize=None)
def qemu_identity(binary):
    """"QEMU emulator version 7.2.22 (Debian ...) sha256:0123abcd...": what wrote a state."""
    path = subprocess.run(["sh", "-c", f'command -v "{binary}"'], capture_output=True,
                          text=True).stdout.strip()
    if not path:
        raise TargetError(f"{binary} is not installed")
    version = subprocess.run([path, "--version"], capture_output=True, text=True).stdout
    digest = hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()[:16]
    return f"{version.splitlines()[0].strip() if version else '?'} sha256:{digest}"


def machine_key(image, shape):
    """The state's cache key: the image and the machine's shape (a list of strings)."""
    return cache.content_key("state", image.overlay_key, image.arch, shape, WARM_UP, ZERO_FREE_MEMORY)


def entry_dir(root, image, shape):
    return pathlib.Path(root) / image.arch / "state" / machine_key(image, shape)


def check(entry, qemu, host_key):
    """The state file to resume from, or raises Unfit with the reason. `host_key` is the
    image's: a rebuilt image (same key, new SSH keys) cannot use a state of the old one."""
    entry = pathlib.Path(entry)
    if not entry.exists():
        raise Unfit("no saved state yet")
    problem = cache.problem(entry, (STATE_FILE,))
    if problem:
        raise Unfit(f"the saved state is broken ({problem})")
    manifest = cache.manifest(entry)
    if manifest.get("qemu") != qemu:
        raise Unfit(f"the saved state is from another QEMU ({manifest.get('qemu')!r}; this is {qemu!r})")
    if manifest.get("host_key") != host_key:
        raise Unfit("the saved state is of an earlier build of this image (other SSH keys)")
    cache.touch(entry)
    return entry / STATE_FILE


def save(qmp_socket, out_dir, timeout=120):
    """Pauses the guest, writes its state to out_dir/vmstate, resumes it. Returns seconds."""
    t0 = time.monotonic()
    path = pathlib.Path(out_dir) / STATE_FILE
    qmp.command(qmp_socket, "stop")
    try:
        qmp.command(qmp_socket, "migrate", uri=f"exec:cat > {shlex.quote(str(path))}")
        end = time.monotonic() + timeout
        while True:
            status = qmp.command(qmp_socket, "query-migrate").get("status")
            if status == "completed":
                break
            if status in ("failed", "cancelled") or time.monotonic() > end:
                raise TargetError(f"saving the target's state failed (migration {status or 'timed out'})")
            time.sleep(0.05)
    finally:
        qmp.command(qmp_socket, "cont")
    return time.monotonic() - t0


def forward_port(qmp_socket, host, port, netdev="n0"):
    """Adds the SSH port forward to a running machine; False when the host port is taken."""
    reply = qmp.command(qmp_socket, "human-monitor-command",
                        **{"command-line": f"hostfwd_add {netdev} tcp:{host}:{port}-:22"})
    return not (reply or "").strip()         # HMP prints a message only on failure


def wait_running(qmp_socket, alive, timeout):
    """Waits until the incoming state is loaded, then lets the guest run. False if QEMU exited.
    (The state was saved paused, and QEMU keeps a loaded state in its saved run state.)"""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if not alive():
            return False
        try:
            status = qmp.command(qmp_socket, "query-status", timeout=2).get("status")
        except (OSError, ValueError):
            status = None                      # the socket is not up yet
        if status == "running":
            return True
        if status in ("paused", "postmigrate"):
            qmp.command(qmp_socket, "cont")
            continue
        time.sleep(0.05)
    raise Unfit(f"the saved state did not load within {timeout:.0f}s")


def write_manifest(qemu, shape, seconds, overlay_key=None, host_key=None):
    return {"stage": "state", "qemu": qemu, "shape": shape, "save_s": round(seconds, 2),
            "saved_at": time.time(), "overlay_key": overlay_key, "host_key": host_key}


def renew_command():
    return RENEW.format(now=time.time())


def describe(manifest_path):
    try:
        return json.loads(pathlib.Path(manifest_path).read_text())
    except (OSError, ValueError):
        return {}

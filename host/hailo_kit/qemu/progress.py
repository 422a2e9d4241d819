"""Progress lines for long steps (package download, rootfs build, packing, boot), on stderr."""
import sys
import time

_start = time.monotonic()
quiet = False


def say(msg):
    if not quiet:
        print(f"[hailo-qemu {time.monotonic() - _start:6.1f}s] {msg}", file=sys.stderr, flush=True)

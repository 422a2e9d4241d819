"""The QEMU test target: a bootable Debian bookworm machine with our runtime and the simulated
Hailo device, built from Debian packages plus the files our layers install, then booted under
QEMU and reached over SSH (dropbear, key only).

The contract with the validation suite (`hailo_kit.validate`) and the tests::

    from hailo_kit.qemu import build_image, boot

    image = build_image()                 # cached; Image.base_cached / Image.overlay_cached
    with boot(image) as target:           # returns once SSH answers with the pinned host key
        target.host                       # "127.0.0.1"
        target.port                       # forwarded TCP port of the guest's port 22
        target.username                   # "root"
        target.key_path                   # pathlib.Path of the OpenSSH private key (ed25519)
        target.host_key                   # "ssh-ed25519 AAAA..." (OpenSSH public key line)
        target.host_key_fingerprint       # "SHA256:..." as ssh-keygen -l prints it
        target.known_hosts_line()         # "[127.0.0.1]:PORT ssh-ed25519 AAAA..."
        target.serial_log                 # pathlib.Path of the guest's serial console log
        target.alive()                    # is QEMU still running?
    # leaving the block calls target.stop(): QMP quit, then the process is reaped.

`target.stop()` is idempotent. A target is also stopped at interpreter exit, on SIGTERM/SIGINT,
and (via PR_SET_PDEATHSIG) when the process that started it dies, so no QEMU is orphaned.
(PR_SET_PDEATHSIG follows the starting *thread*: start a target from a thread that outlives it.)
`hailo-qemu boot --detach` is the one way to keep a machine running after its starter exits;
`hailo-qemu stop` ends it.

What the image holds (see docs/qemu-target.md): systemd as init, dropbear on port 22 (root,
key only), python3 + numpy + protobuf from Debian, the runtime wheel (`hailortcli`, `hailo`,
`hailort_service` in /usr/bin, `hailo_platform` importable with /usr/bin/python3), the layer's
`hailort.service` (enabled), `/etc/default/hailort_service`, `/etc/hailo/hailort-sim.conf`,
and sample HEFs in `/usr/share/hailo-models/` when the runtime has its sample generator.

Errors are `TargetError` with a message meant for a person (the CLI prints it, no traceback).
"""
from .errors import TargetError
from .image import Image, build_image
from .machine import QemuTarget, boot

__all__ = ["TargetError", "Image", "build_image", "QemuTarget", "boot"]

"""hailo-qemu: build, boot, inspect and stop the QEMU test target.

    hailo-qemu build                      build (or reuse) the image; prints what it is
    hailo-qemu boot                       boot, print how to connect, stop on Ctrl-C
    hailo-qemu boot --detach [--name N]   boot and leave it running (state in the cache)
    hailo-qemu ssh-info [--name N]        host, port, user, key, host key of a detached machine
    hailo-qemu run [--name N] -- CMD...   run a command on it over SSH
    hailo-qemu stop [--name N]            stop it (QMP quit, then reap)
    hailo-qemu clean [--all]              remove cache entries the current image does not use
                                          (--all: the whole cache, package downloads included)

The first boot of an image saves the running machine's state in the cache; later boots resume
it in seconds (--cold boots from scratch). Cache entries are checked (manifest, sizes, SHA-256)
before use; a broken one is rebuilt, with one line saying why.

environment:
  HAILO_KIT_QEMU_CACHE     the cache (default: $XDG_CACHE_HOME/hailo-kit/qemu, else
                           ~/.cache/hailo-kit/qemu): images, saved states, detached machines
  HAILO_KIT_DEBIAN_MIRROR  the Debian mirror (default: the one apt uses)
"""
import argparse
import json
import pathlib
import shlex
import shutil
import sys
import time

from . import config
from .errors import TargetError


def _state_path(name):
    return config.cache_root() / "runs" / f"{name}.json"


def _load(name):
    path = _state_path(name)
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise TargetError(f"no detached target named {name!r} ({path} is missing): start one "
                          f"with `hailo-qemu boot --detach --name {name}`") from None


def _ssh_info(t):
    return {"host": t.host, "port": t.port, "username": t.username, "key_path": str(t.key_path),
            "host_key": t.host_key, "host_key_fingerprint": t.host_key_fingerprint,
            "known_hosts_line": t.known_hosts_line(), "serial_log": str(t.serial_log),
            "pid": t.pid,
            "known_hosts_file": str(t.known_hosts_file), "ssh": t.ssh_command()}


def _print_info(info, as_json):
    if as_json:
        print(json.dumps(info, indent=2))
    else:
        for k, v in info.items():
            print(f"{k:22} {v}")


def cmd_build(args):
    from .image import build_image
    from .overlay import layer_files_of_image
    image = build_image(args.arch, mirror=args.mirror)
    layer_files = {f.path: str(f.source.resolve().relative_to(config.REPO_ROOT)) for f in layer_files_of_image()[0]}
    info = {"arch": image.arch, "kernel": str(image.kernel), "initrd": str(image.initrd),
            "key_path": str(image.key_path), "host_key": image.host_key,
            "base": f"{image.base_key} ({'cached' if image.base_cached else 'built'})",
            "overlay": f"{image.overlay_key} ({'cached' if image.overlay_cached else 'built'})",
            "layer_files": layer_files if args.json else ", ".join(layer_files)}
    _print_info(info, args.json)


def cmd_boot(args):
    from .image import build_image
    from .machine import QemuTarget, probe_kvm, write_state
    if args.detach and _state_path(args.name).exists():
        state = json.loads(_state_path(args.name).read_text())
        if QemuTarget.from_state(state).alive():
            raise TargetError(f"a target named {args.name!r} is already running on port "
                              f"{state['port']}: `hailo-qemu stop --name {args.name}` first")
    image = build_image(args.arch, mirror=args.mirror)
    if args.accel == "kvm":
        probe_kvm(image)
    target = QemuTarget(image, port=args.port, accel=args.accel, memory=args.memory,
                        detach=args.detach, timeout=args.timeout, resume=not args.cold)
    target.start()
    if args.detach:
        write_state(target, _state_path(args.name))
        _print_info(_ssh_info(target), args.json)
        return
    with target:
        _print_info(_ssh_info(target), args.json)
        print("running; Ctrl-C stops it", file=sys.stderr)
        while target.alive():
            time.sleep(0.5)
        raise TargetError(f"QEMU exited; serial log: {target.serial_log}")


def cmd_ssh_info(args):
    from .machine import QemuTarget
    t = QemuTarget.from_state(_load(args.name))
    if not t.alive():
        raise TargetError(f"target {args.name!r} is not running (stale state): "
                          f"`hailo-qemu stop --name {args.name}` clears it")
    _print_info(_ssh_info(t), args.json)


def cmd_run(args):
    from .machine import QemuTarget
    if not args.command:
        raise TargetError("nothing to run: `hailo-qemu run -- COMMAND...`")
    t = QemuTarget.from_state(_load(args.name))
    if not t.alive():
        raise TargetError(f"target {args.name!r} is not running")
    command = args.command[0] if len(args.command) == 1 else shlex.join(args.command)
    from .. import ssh
    try:
        result = t.run(command, timeout=args.timeout)
    except ssh.SSHError as e:
        raise TargetError(f"SSH to {t.host}:{t.port} failed: {e}") from None
    sys.stdout.write(result.out)
    sys.stderr.write(result.err)
    return result.exit_status if result.exit_status >= 0 else 255


def cmd_stop(args):
    from .machine import QemuTarget
    path = _state_path(args.name)
    state = _load(args.name)
    t = QemuTarget.from_state(state)
    was_alive = t.alive()
    t.stop()
    path.unlink(missing_ok=True)
    print(f"stopped {args.name}" if was_alive else f"{args.name} was not running; state cleared")


def cmd_clean(args):
    from . import cache, image
    root = config.cache_root()
    if not root.is_dir():
        print(f"nothing to clean: {root} does not exist")
        return
    if args.all:
        removed = [e for kind in ("base", "overlay", "state") for arch in config.ARCHES
                   for e in _entries(root / arch / kind)]
        for entry in removed:
            cache.remove(entry)
        shutil.rmtree(root, ignore_errors=True)
        print(f"removed {root} ({len(removed)} entries, package downloads, run states)")
        return
    removed = []
    for arch in config.ARCHES:
        base_key, overlay_key = image.keys_for(arch)
        keep = {"base": {base_key}, "overlay": {overlay_key}, "state": set()}
        for entry in _entries(root / arch / "state"):
            if cache.problem(entry) is None and cache.manifest(entry).get("overlay_key") == overlay_key:
                keep["state"].add(entry.name)
        for kind, names in keep.items():
            for entry in _entries(root / arch / kind):
                if entry.name not in names:
                    cache.remove(entry)
                    removed.append(f"{arch}/{kind}/{entry.name}")
    for leftover in root.glob("*/*/.*.tmp-*"):
        pid = leftover.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not pathlib.Path(f"/proc/{pid}").exists():   # its builder died
            shutil.rmtree(leftover, ignore_errors=True)
            removed.append(str(leftover.relative_to(root)))
    print("removed " + (", ".join(removed) if removed else "nothing") + f" from {root}")


def _entries(kind_dir):
    return sorted(e for e in kind_dir.iterdir() if e.is_dir() and not e.name.startswith(".")) \
        if kind_dir.is_dir() else []


EXIT_CODES = """exit status:
  0    done (run: the remote command's own status)
  1    the target could not be built, booted, reached or stopped (the message says why)
  64   usage error (unknown option, bad value)
  130  interrupted (Ctrl-C; the target is stopped)"""
EXIT_USAGE = 64


class _Parser(argparse.ArgumentParser):
    def error(self, message):   # 64 (EX_USAGE), as hailo-validate: 1 and 2 are taken
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _positive(kind):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not value > 0:
            raise argparse.ArgumentTypeError("must be more than 0")
        return value
    return parse


def parser():
    p = _Parser(prog="hailo-qemu", description=__doc__, epilog=EXIT_CODES,
                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    sub = p.add_subparsers(dest="cmd", required=True)

    def image_opts(sp):
        sp.add_argument("--arch", default="amd64", choices=sorted(config.ARCHES) + sorted(config.ARCH_ALIASES),
                        help="target architecture (arm64: ~6 min one-time build, needs qemu-user-static)")
        sp.add_argument("--mirror", help="Debian mirror (default: the one apt uses)")
        sp.add_argument("--json", action="store_true", help="print JSON")

    sp = sub.add_parser("build", help="build (or reuse) the image")
    image_opts(sp)
    sp.set_defaults(func=cmd_build)
    sp = sub.add_parser("boot", help="boot the target")
    image_opts(sp)
    sp.add_argument("--port", type=_positive(int), help="host port for SSH (default: a free one)")
    sp.add_argument("--accel", default="tcg", choices=["tcg", "kvm"],
                    help="tcg (default); kvm only after a probe boot succeeds")
    sp.add_argument("--memory", type=_positive(int), default=1536, help="MiB (default 1536)")
    sp.add_argument("--timeout", type=_positive(float), default=180, help="seconds until SSH answers")
    sp.add_argument("--detach", action="store_true", help="leave it running and exit")
    sp.add_argument("--cold", action="store_true",
                    help="boot from scratch instead of resuming the image's saved state")
    sp.add_argument("--name", default="default", help="name of a detached target")
    sp.set_defaults(func=cmd_boot)
    for name, func, helptext in (("ssh-info", cmd_ssh_info, "how to reach a detached target"),
                                 ("stop", cmd_stop, "stop a detached target")):
        sp = sub.add_parser(name, help=helptext)
        sp.add_argument("--name", default="default")
        sp.add_argument("--json", action="store_true")
        sp.set_defaults(func=func)
    sp = sub.add_parser("clean", help="remove cache entries the current image does not use")
    sp.add_argument("--all", action="store_true", help="remove the whole cache")
    sp.set_defaults(func=cmd_clean)
    sp = sub.add_parser("run", help="run a command on a detached target over SSH")
    sp.add_argument("--name", default="default")
    sp.add_argument("--timeout", type=_positive(float), default=300)
    sp.add_argument("command", nargs=argparse.REMAINDER)
    sp.set_defaults(func=cmd_run)
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    if getattr(args, "command", None) and args.command[:1] == ["--"]:
        args.command = args.command[1:]
    from . import progress
    progress.quiet = args.quiet
    try:
        return args.func(args) or 0
    except TargetError as e:
        print(f"hailo-qemu: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("hailo-qemu: interrupted; target stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

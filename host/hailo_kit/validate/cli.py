"""hailo-validate: validate a Hailo target over SSH, or build, boot and validate the QEMU target.

    hailo-validate qemu                                   # the main job (simulated profile)
    hailo-validate ssh root@board:22 --key ~/.ssh/id_ed25519 --profile hardware --hef model.hef
    hailo-validate ssh root@board1 root@board2 --targets farm.txt --junit all.xml   # many at once
    hailo-validate list                                   # the check table

Exit status: 0 validated, 1 a check failed, 2 the run could not finish (no connection, target
lost, deadline), 64 usage error.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import List, Optional

from . import report as reporting
from .. import ssh
from .checks import CHECKS, CHECKS_BY_ID, PROFILES
from .farm import DEFAULT_PARALLEL, validate_many
from .runner import DEFAULT_JOBS, Report, worst_exit_code

EXIT_USAGE = 64


class UsageError(Exception):
    pass


def parse_destination(text: str):
    """user@host[:port], user@[v6addr][:port] -> (user, host, port)."""
    m = re.fullmatch(r"(?:([^@\s]+)@)?(\[[0-9A-Fa-f:.]+\]|[^:@\s\[\]]+)(?::(\d{1,5}))?", text)
    if not m:
        raise UsageError(f"destination {text!r}: expected user@host[:port]")
    user, host, port = m.group(1) or "root", m.group(2).strip("[]"), int(m.group(3) or 22)
    if not 0 < port < 65536:
        raise UsageError(f"destination {text!r}: port {port} out of range")
    return user, host, port


def _jobs(text: str) -> int:
    n = int(text)
    if n < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return n


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0:  # also refuses nan
        raise argparse.ArgumentTypeError("must be more than 0 seconds")
    return value


def _select(only: Optional[str]):
    if not only:
        return list(CHECKS)
    ids = [x.strip() for x in only.split(",") if x.strip()]
    unknown = [x for x in ids if x not in CHECKS_BY_ID]
    if unknown:
        raise UsageError(f"unknown check(s) {', '.join(unknown)}; see 'hailo-validate list'")
    return [c for c in CHECKS if c.id in ids]


def _output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", metavar="FILE", help="write the report as JSON")
    p.add_argument("--junit", metavar="FILE", help="write the report as JUnit XML")
    p.add_argument("--only", metavar="ID,...", help="run only these checks (ids from 'list')")
    p.add_argument("--deadline", type=_seconds, default=600.0, metavar="S",
                   help="deadline of the whole run in seconds (default %(default)g)")
    p.add_argument("-j", "--jobs", type=_jobs, default=DEFAULT_JOBS, metavar="N",
                   help="checks run at once over one SSH connection (default %(default)s; "
                        "inferences still take the device one at a time)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines, only the report")


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # exit 64, keeping 2 for "the run could not finish"
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    ap = _Parser(prog="hailo-validate", description=__doc__.split("\n\n")[0],
                                 epilog=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)

    q = sub.add_parser("qemu", help="build or reuse and boot the QEMU target, validate it, stop it")
    q.add_argument("--arch", default="amd64", help="target architecture: amd64 (default) or arm64")
    q.add_argument("--boot-timeout", type=_seconds, default=180.0, metavar="S",
                   help="give up when the target has not booted to SSH after this long (default %(default)g)")
    _output_options(q)

    s = sub.add_parser("ssh", help="validate targets over SSH (one, or many at once)")
    s.add_argument("destinations", nargs="*", metavar="destination",
                   help="user@host[:port]; several are validated at once")
    s.add_argument("--targets", metavar="FILE", type=Path,
                   help="a file of destinations, one a line (# comments), added to those given")
    s.add_argument("--parallel", type=_jobs, default=DEFAULT_PARALLEL, metavar="N",
                   help="targets validated at once (default %(default)s)")
    s.add_argument("--report-dir", metavar="DIR", type=Path,
                   help="also write each target's report there (<target>.json, <target>.xml)")
    s.add_argument("--key", "-i", metavar="FILE", help="private key (default: your agent and ~/.ssh keys)")
    s.add_argument("--profile", choices=PROFILES, default="hardware",
                   help="hardware (a real Hailo device) or simulated (the hailort-sim runtime)")
    s.add_argument("--hef", metavar="FILE", type=Path,
                   help="a HEF compiled for the device, for parse-hef and inference (hardware profile)")
    keys = s.add_mutually_exclusive_group()
    keys.add_argument("--host-key", metavar="KEY|SHA256:FP",
                      help="pin the target's host key ('ssh-ed25519 AAAA...' or a SHA256 fingerprint)")
    keys.add_argument("--accept-new-host-key", action="store_true",
                      help="first contact: trust an unknown host key and add it to known_hosts "
                           "(a changed key is still refused)")
    s.add_argument("--known-hosts", metavar="FILE", help="default: ~/.ssh/known_hosts")
    s.add_argument("--connect-timeout", type=_seconds, default=30.0, metavar="S",
                   help="keep retrying the connection this long (default %(default)g)")
    _output_options(s)

    lp = sub.add_parser("list", help="print the check table")
    lp.add_argument("--profile", choices=PROFILES, default=None)
    return ap


def _check_outputs(args) -> None:
    """Before a run of minutes: the report files must be writable."""
    for flag, path in (("--json", args.json), ("--junit", args.junit)):
        if path:
            parent = Path(path).resolve().parent
            if not parent.is_dir():
                raise UsageError(f"{flag} {path}: directory {parent} does not exist")
            if Path(path).is_dir():
                raise UsageError(f"{flag} {path}: is a directory")


def _progress(quiet: bool, target: Optional[str] = None):
    if quiet:
        return None
    prefix = f"{target}: " if target else ""

    def show(record):
        print(f"  {prefix}{record.id:<18} {record.result.value:<7} {record.seconds:5.1f}s", file=sys.stderr,
              flush=True)
    return show


def _finish(rep: Report, args) -> int:
    print(reporting.format_table(rep))
    if args.json:
        with open(args.json, "w") as f:
            reporting.write_json(rep, f)
    if args.junit:
        reporting.write_junit(rep, args.junit)
    return rep.exit_code


def _file_name(target: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.@-]+", "_", target)


def _finish_many(reports: List[Report], seconds: float, args) -> int:
    for rep in reports:
        print(reporting.format_table(rep) + "\n")
    print(f"hailo-validate: {len(reports)} targets in {seconds:.1f} s")
    for rep in reports:
        verdict = "VALIDATED" if rep.passed else "NOT VALIDATED"
        print(f"  {rep.target}: {verdict} (exit {rep.exit_code})" + (f": {rep.error}" if rep.error else ""))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(reporting.to_json_many(reports, seconds), f, indent=2)
            f.write("\n")
    if args.junit:
        reporting.to_junit_many(reports).write(args.junit, encoding="utf-8", xml_declaration=True)
    if args.report_dir:
        for rep in reports:
            base = args.report_dir / _file_name(rep.target)
            with open(f"{base}.json", "w") as f:
                reporting.write_json(rep, f)
            reporting.write_junit(rep, f"{base}.xml")
    return worst_exit_code(reports)


def cmd_list(args) -> int:
    for c in CHECKS:
        profiles = [p for p in PROFILES if args.profile in (None, p)]
        where = "; ".join(f"{p}: SKIP ({c.skip[p]})" if p in c.skip else f"{p}: runs" for p in profiles)
        print(f"{c.id:<18} {c.title} [{c.source}] - {where}")
    return 0


def read_destinations(path: Path) -> List[str]:
    """A targets file: one destination a line; blank lines and # comments ignored."""
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"--targets {path}: {getattr(e, 'strerror', None) or e}") from None
    return [line.split("#", 1)[0].strip() for line in text.splitlines() if line.split("#", 1)[0].strip()]


def _destinations(args) -> List[str]:
    destinations = list(args.destinations) + (read_destinations(args.targets) if args.targets else [])
    if not destinations:
        raise UsageError("no target: give user@host[:port] (one or more) or --targets FILE")
    for d in destinations:
        parse_destination(d)
    duplicates = sorted({d for d in destinations if destinations.count(d) > 1})
    if duplicates:
        raise UsageError(f"target(s) given twice: {', '.join(duplicates)}")
    return destinations


def cmd_ssh(args) -> int:
    destinations = _destinations(args)
    checks = _select(args.only)
    _check_outputs(args)
    if args.report_dir is not None and not args.report_dir.is_dir():
        raise UsageError(f"--report-dir {args.report_dir}: no such directory")
    if args.hef is not None and not args.hef.is_file():
        raise UsageError(f"--hef {args.hef}: no such file")
    if args.key:
        try:
            ssh.check_private_key(args.key)
        except ssh.KeyFileError as e:
            raise UsageError(f"--key: {e}") from None
    targets = []
    for d in destinations:
        user, host, port = parse_destination(d)
        targets.append(ssh.Target(host, port, user, key_filename=args.key, host_key=args.host_key,
                                  known_hosts=args.known_hosts, accept_new_host_key=args.accept_new_host_key))
    many = len(targets) > 1
    with tempfile.TemporaryDirectory(prefix="hailo-validate-") as tmp:
        hefs, hef_problem = {}, None
        if args.profile == "simulated":
            from .samples import sample_hefs_or_reason
            hefs, hef_problem = sample_hefs_or_reason(Path(tmp))
        t0 = time.monotonic()
        reports = validate_many(
            targets, args.profile, parallel=args.parallel, checks=checks, hefs=hefs, hardware_hef=args.hef,
            hef_problem=hef_problem, deadline_s=args.deadline, jobs=args.jobs,
            connect_timeout_s=args.connect_timeout,
            progress_for=lambda t: _progress(args.quiet, t.display if many else None))
    if not many:
        return _finish(reports[0], args)
    return _finish_many(reports, time.monotonic() - t0, args)


def cmd_qemu(args) -> int:
    from .qemu import validate_qemu
    checks = _select(args.only)
    _check_outputs(args)
    say = (lambda msg: None) if args.quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    rep = validate_qemu(arch=args.arch, checks=checks, deadline_s=args.deadline, jobs=args.jobs,
                        boot_timeout_s=args.boot_timeout, say=say, progress=_progress(args.quiet))
    return _finish(rep, args)


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return {"list": cmd_list, "ssh": cmd_ssh, "qemu": cmd_qemu}[args.command](args)
    except UsageError as e:
        print(f"hailo-validate: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("hailo-validate: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

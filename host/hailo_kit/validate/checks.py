"""The check table: what "a working Hailo target" means, one row per check.

The first rows are the HailoRT guide's §10.6 table ("Validating the Integration's Success"),
then the checks users need beyond it (guide §3.5-3.6, runtime spec §14). A row names the check,
where its rule comes from, the profiles it does not apply to (with the reason: such a check is
reported as SKIP, never dropped), its deadline, and a probe. A probe runs commands through the
``Context`` and returns the PASS detail, or raises ``Failed`` (FAIL) or ``NotApplicable`` (SKIP).
To add a check: write a probe and add a row to ``CHECKS``.
"""
from __future__ import annotations

import dataclasses
import json
import re
import shlex
import threading
from pathlib import Path
from typing import Callable, Dict, Mapping, Optional, Tuple

import hailort_checks as table  # the §10.6 rows, shared with the layer's oeqa cases

from .. import layer

PROFILES = ("hardware", "simulated")
HAILORT_VERSION = table.HAILORT_VERSION
# What each profile's image installs from our layers (hailo-image-minimal's HAILO_RUNTIME_PROVIDER).
PACKAGEGROUPS = {"hardware": "packagegroup-hailo", "simulated": "packagegroup-hailo-sim"}
TARGET_SCRIPTS = Path(__file__).resolve().parent / "target_scripts"

# Models of the runtime's sample generator (python3 -m hailort_sim.hef.samples OUTDIR) and the
# simulated device's contract for them (runtime spec §17.3-4): the shortcut net is an identity.
IDENTITY_MODEL = "shortcut_net"
DETERMINISTIC_MODEL = "resnet_v1_18"


class Failed(Exception):
    """The check ran and the target does not meet it."""


class NotApplicable(Exception):
    """The check does not apply to this target or run (reported as SKIP with the reason)."""


@dataclasses.dataclass(frozen=True)
class Check:
    id: str
    title: str
    source: str                      # where the rule comes from
    probe: Callable[["Context"], str]
    skip: Mapping[str, str] = dataclasses.field(default_factory=dict)  # profile -> reason
    timeout_s: float = 60.0
    # Infers on the device: such checks never run at the same time as each other (a device
    # belongs to one VDevice at a time; a second one would fail with OUT_OF_PHYSICAL_DEVICES).
    uses_device: bool = False
    # Needs a Hailo device (or its driver): on a board without one, its FAIL says so first.
    needs_device: bool = False


class Context:
    """What a probe sees: the target (an ``ssh.Transport``, e.g. ``ssh.Session``), the
    profile, the local HEFs to copy, and a per-run memo so a command several checks need
    (``hailortcli --version``, identify) runs once. Safe to share between checks running in
    parallel threads; the deadline (``timeout_s``) is per thread."""

    def __init__(self, transport, profile: str, hefs: Optional[Dict[str, Path]] = None,
                 hardware_hef: Optional[Path] = None, hef_problem: Optional[str] = None):
        self.transport = transport
        self.profile = profile
        self.hefs = dict(hefs or {})          # model name -> local file
        self.hardware_hef = hardware_hef      # --hef: a HEF compiled for the real device
        self.hef_problem = hef_problem        # why there are no sample HEFs, if there are none
        self._memo: Dict[str, object] = {}
        self._memo_locks: Dict[str, threading.Lock] = {}
        self._lock = threading.Lock()          # guards _memo_locks
        self._files_lock = threading.Lock()    # the working directory and uploads (one SFTP)
        self._remote_dir: Optional[str] = None
        self._uploaded: Dict[Path, str] = {}
        self._local = threading.local()

    @property
    def timeout_s(self) -> float:
        """The running check's deadline for each command (set by the runner)."""
        return getattr(self._local, "timeout_s", 60.0)

    @timeout_s.setter
    def timeout_s(self, value: float) -> None:
        self._local.timeout_s = value

    def run(self, command, timeout_s: Optional[float] = None, memo: bool = False):
        """Run a command on the target (a string is a shell line, a list is quoted)."""
        from ..ssh import quote_command
        line = quote_command(command)
        timeout_s = min(timeout_s or self.timeout_s, self.timeout_s)
        if not memo:
            return self.transport.run(line, timeout_s=timeout_s)
        with self._lock:
            key_lock = self._memo_locks.setdefault(line, threading.Lock())
        with key_lock:  # a second check asking for the same command waits for the first's answer
            if line not in self._memo:
                self._memo[line] = self.transport.run(line, timeout_s=timeout_s)
            return self._memo[line]

    def must(self, command, what: str, memo: bool = False):
        """Run a command that has to succeed; a failure is the check's FAIL, with stderr."""
        r = self.run(command, memo=memo)
        if r.exit_status != 0:
            raise Failed(f"{what} failed (exit {r.exit_status}): {_tail(r.err or r.out)}")
        return r

    def remote_dir(self) -> str:
        with self._files_lock:
            return self._make_remote_dir()

    def _make_remote_dir(self) -> str:
        if self._remote_dir is None:
            r = self.run("mktemp -d /tmp/hailo-validate.XXXXXX")
            if r.exit_status != 0 or not r.out.strip():
                raise Failed(f"cannot make a working directory on the target: {_tail(r.err)}")
            self._remote_dir = r.out.strip()
        return self._remote_dir

    def upload(self, local: Path) -> str:
        """Copy a file to the target's working directory once; returns its remote path."""
        local = Path(local)
        with self._files_lock:
            if local not in self._uploaded:
                remote = f"{self._make_remote_dir()}/{local.name}"
                self.transport.put(local, remote, timeout_s=self.timeout_s)
                self._uploaded[local] = remote
            return self._uploaded[local]

    def cleanup(self, timeout_s: float = 10.0) -> None:
        if self._remote_dir is not None:
            self.transport.run(f"rm -rf {shlex.quote(self._remote_dir)}", timeout_s=timeout_s)

    def sample_hef(self, model: str) -> Path:
        if model not in self.hefs:
            if self.hef_problem:
                raise Failed(f"no sample HEF on the host: {self.hef_problem}")
            raise Failed(f"no sample HEF {model}.hef on the host (the runtime's sample generator "
                         f"made {', '.join(sorted(self.hefs)) or 'none'})")
        return self.hefs[model]


def _tail(text: str, limit: int = 300) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # A Python traceback's last line is the error; other tools' last lines are context.
    keep = 1 if any(line.startswith("Traceback (most recent") for line in lines) else 3
    tail = " | ".join(lines[-keep:]) if lines else "(no output)"
    return tail if len(tail) <= limit else "..." + tail[-limit:]


# ---------------------------------------------------------------------------------------------
# Probes. Each returns the PASS detail or raises Failed/NotApplicable. The §10.6 rows run the
# command of their row in hailort_checks and read its output with the row's reader.

def _row(ctx: Context, row_id: str, what: Optional[str] = None, memo: bool = False, **fields):
    """Run a §10.6 row's command (a shell line, its fields filled in); a failure is a FAIL."""
    row = table.ROWS_BY_ID[row_id]
    return ctx.must(row.command.format(**{k: shlex.quote(v) for k, v in fields.items()}),
                    what or row.command.split(" 2>")[0], memo=memo)


def _read(reader, *args):
    try:
        return reader(*args)
    except table.RowFailed as e:
        raise Failed(str(e)) from None


def layer_packages(profile: str) -> Tuple[str, ...]:
    """The packages an image of this profile gets from our layers (read from the recipes)."""
    return tuple(layer.packagegroup(PACKAGEGROUPS[profile]))


def _library_version(ctx: Context) -> Tuple[str, str]:
    """(version, where) of the HailoRT library: the file the libhailort package installs (its
    soname, libhailort.so.X.Y.Z; the unversioned link is libhailort-dev's) on hardware; the
    simulated runtime's library (hailort_sim, which plays libhailort's part) otherwise."""
    if ctx.profile == "hardware":
        paths = [f.path for f in layer.installed_files(["libhailort"])]
        if not paths:
            raise Failed("the layer's libhailort recipe names no library file (FILES:libhailort)")
        r = ctx.run(["ls", "-d", *paths], memo=True)
        missing = [p for p in paths if p not in r.out.split()]
        if missing:
            raise Failed(f"{', '.join(missing)} missing (the libhailort package installs it)")
        return _read(table.read_libhailort, paths[0]), paths[0]
    r = ctx.must(["python3", "-c", "import os, hailort_sim as m; "
                  "print(m.__version__, os.path.dirname(m.__file__))"],
                 "importing the runtime library (hailort_sim)", memo=True)
    version, _, where = r.out.strip().partition(" ")
    return version, where


def probe_libhailort(ctx: Context) -> str:
    version, where = _library_version(ctx)
    if version != HAILORT_VERSION:
        raise Failed(f"library version {version} at {where}, expected {HAILORT_VERSION}")
    return f"{where} (version {version})"


def probe_files(ctx: Context) -> str:
    files = layer.installed_files(layer_packages(ctx.profile))
    if not files:
        raise Failed(f"the layers' recipes name no file for {PACKAGEGROUPS[ctx.profile]}")
    # One command for all: it prints the paths that exist (a dangling link counts as missing).
    r = ctx.run("for f in " + " ".join(shlex.quote(f.path) for f in files) + '; do [ -e "$f" ] && echo "$f"; done')
    present = set(r.out.split())
    # Units and init scripts: the image keeps those of its init system only (one must be whole).
    init_files = {}
    for f in files:
        init_files.setdefault(layer.init_system(f.path), []).append(f)
    whole = any(all(f.path in present for f in group) for name, group in init_files.items() if name)
    missing = [f"{f.path} ({f.package})" for f in files if f.path not in present
               and not (whole and layer.init_system(f.path))]
    if missing:
        raise Failed(f"{len(missing)} of {len(files)} files of {PACKAGEGROUPS[ctx.profile]} missing: "
                     + ", ".join(missing))
    return f"{len(files)} files of {', '.join(sorted({f.package for f in files}))}"


def probe_hailortcli(ctx: Context) -> str:
    where = ctx.must("command -v hailortcli", "looking up hailortcli on PATH").out.strip()
    r = _row(ctx, "hailortcli", memo=True)
    return f"{where}: {_read(table.read_hailortcli, r.out)}"


def probe_pyhailort(ctx: Context) -> str:
    r = _row(ctx, "pyhailort", "importing hailo_platform")
    version, np_version, where = _read(table.read_pyhailort, r.out)
    return f"hailo_platform {version} (numpy {np_version}) at {where}"


def _identify(ctx: Context) -> Dict[str, str]:
    return _read(table.read_identify, _row(ctx, "identify", memo=True).out)


def probe_identify(ctx: Context) -> str:
    f = _identify(ctx)
    return (f"{f.get('Board Name', '?')}, {f['Device Architecture']}, firmware "
            f"{f['Firmware Version']}, serial {f.get('Serial Number', '?')}")


def probe_scan(ctx: Context) -> str:
    r = ctx.run(table.ROWS_BY_ID["scan"].command, memo=True)
    devices = _read(table.read_scan, r.out + r.err)
    return f"{len(devices)} device(s): {', '.join(devices)}"


def probe_firmware_version(ctx: Context) -> str:
    fw = table.version_of(_identify(ctx)["Firmware Version"])
    lib, where = _library_version(ctx)
    if fw != lib:
        # libhailort accepts only its own firmware/driver version (HAILO_INVALID_DRIVER_VERSION(76)).
        raise Failed(f"firmware {fw} != library {lib} ({where}): HailoRT needs the exact same "
                     "version (HAILO_INVALID_DRIVER_VERSION(76)); update the firmware or the library")
    return f"firmware {fw} == library {lib}"


def probe_gstreamer(ctx: Context) -> str:
    r = ctx.run(table.ROWS_BY_ID["gstreamer"].command)
    if r.exit_status != 0 and ctx.run("command -v gst-inspect-1.0").exit_status != 0:
        raise Failed("gst-inspect-1.0 not found (libgsthailo or python3-hailort-sim-gst pull GStreamer in)")
    return "hailo plugin: " + ", ".join(_read(table.read_gstreamer, r.out))


def probe_gst_pipeline(ctx: Context) -> str:
    local = _hef_for(ctx, IDENTITY_MODEL)
    r = _row(ctx, "gst_pipeline", f"videotestsrc ! hailonet hef-path={local.name} ! fakesink",
             hef=ctx.upload(local))
    frames = _read(table.read_gst_pipeline, r.out)
    return f"{local.name}: {frames} frames, each with its output tensors attached"


def probe_firmware_file(ctx: Context) -> str:
    return ", ".join(_read(table.read_firmware, ctx.run(table.ROWS_BY_ID["firmware"].command).out))


def probe_modinfo(ctx: Context) -> str:
    r = _row(ctx, "hailo_pci")
    lib, where = _library_version(ctx)
    info = _read(table.read_hailo_pci, r.out, lib)
    return f"{info['filename']} (version {info['version']}, as the library at {where})"


def no_device(ctx: Context) -> bool:
    """A hardware target without a Hailo device node (no board, or no driver bound to it)."""
    return ctx.profile == "hardware" and not _device_nodes(ctx)


def _device_nodes(ctx: Context):
    r = ctx.run("ls -l /dev/hailo* 2>/dev/null", memo=True)
    return re.findall(r"^(c\S+).*\s(/dev/hailo\S*)$", r.out, re.M)


def probe_device_nodes(ctx: Context) -> str:
    nodes = _device_nodes(ctx)
    if not nodes:
        raise Failed("no /dev/hailo* character device (is the hailo_pci driver loaded? lsmod | grep hailo_pci)")
    closed = [n for mode, n in nodes if mode[7:9] != "rw"]
    if closed:
        raise Failed(f"{', '.join(closed)} not read/write for all users (the udev rule sets MODE=\"0666\")")
    return ", ".join(n for _, n in nodes)


def probe_udev_rule(ctx: Context) -> str:
    paths = [f.path for f in layer.installed_files(["hailo-pci-udev"]) if f.path.endswith(".rules")]
    if not paths:
        raise Failed("the layer's hailo-pci recipe names no udev rule (FILES:hailo-pci-udev)")
    path = paths[0]
    r = ctx.run(["cat", path])
    if r.exit_status != 0:
        raise Failed(f"{path} is missing (the hailo-pci-udev package installs it)")
    if not re.search(r'SUBSYSTEM=="hailo_chardev".*MODE="0666"', r.out):
        raise Failed(f'{path} has no SUBSYSTEM=="hailo_chardev", MODE="0666" rule')
    return f"{path}: hailo_chardev MODE 0666"



def probe_sim_config(ctx: Context) -> str:
    # The simulated device's inventory plays the firmware's part: no valid file, no device.
    # The runtime reads HAILORT_SIM_CONFIG, else /etc/hailo/hailort-sim.conf (architecture.md).
    code = ("import configparser, os, sys; "
            "path = os.environ.get('HAILORT_SIM_CONFIG') or '/etc/hailo/hailort-sim.conf'; "
            "p = configparser.ConfigParser(); "
            "os.path.isfile(path) or sys.exit(path + ': no such file'); "
            "p.read(path); "
            "print(path, *(s + '=' + p[s].get('architecture', '?') for s in p.sections()))")
    r = ctx.run(["python3", "-c", code])
    if r.exit_status != 0:
        raise Failed(f"the simulated device inventory is unreadable: {_tail(r.err)}")
    path, *sections = r.out.split()
    devices = [d for d in sections if d.startswith("device")]
    if not devices:
        raise Failed(f"{path} declares no [deviceN] section: the simulated runtime sees no device")
    return f"{path}: {', '.join(devices)}"


def _hef_for(ctx: Context, model: str) -> Path:
    if ctx.profile == "hardware":
        if ctx.hardware_hef is None:
            raise NotApplicable("needs a HEF compiled for this device: give one with --hef")
        return ctx.hardware_hef
    return ctx.sample_hef(model)


def probe_parse_hef(ctx: Context) -> str:
    local = _hef_for(ctx, IDENTITY_MODEL)
    remote = ctx.upload(local)
    r = ctx.must(["hailortcli", "parse-hef", remote], f"hailortcli parse-hef {local.name}")
    groups = re.findall(r"^Network group name: ([^,\n]+)", r.out, re.M)
    streams = re.findall(r"^\s+(Input|Output) +(\S+) ", r.out, re.M)
    if not groups or not any(k == "Input" for k, _ in streams) or not any(k == "Output" for k, _ in streams):
        raise Failed(f"parse-hef shows no network group with inputs and outputs: {_tail(r.out)}")
    if ctx.profile == "simulated" and IDENTITY_MODEL not in groups:
        raise Failed(f"parse-hef of {local.name} shows network groups {groups}, not {IDENTITY_MODEL}")
    return (f"{local.name}: {', '.join(groups)}; "
            + ", ".join(f"{k.lower()} {n}" for k, n in streams))


def probe_run(ctx: Context) -> str:
    local = _hef_for(ctx, IDENTITY_MODEL)
    r = _row(ctx, "run", f"hailortcli run {local.name}", hef=ctx.upload(local))
    group, fps = _read(table.read_run, r.out)
    return f"{group}: {table.RUN_FRAMES} frames, FPS {fps}"


def _inferences(ctx: Context, service: bool):
    """(detail, results) of one part of target_scripts/infer_model.py's run: the direct
    InferModel models (``service`` False) or the identity model through the service from two
    processes. Both inference checks share one run (memo): one Python start with numpy on the
    target instead of two, seconds each under QEMU's TCG. Raises Failed."""
    script = ctx.upload(TARGET_SCRIPTS / "infer_model.py")

    def spec(model, contract):
        return f"{ctx.upload(_hef_for(ctx, model))}={'shape' if ctx.profile == 'hardware' else contract}"
    args = ["python3", script, spec(IDENTITY_MODEL, "identity")]
    if ctx.profile == "simulated":
        args.append(spec(DETERMINISTIC_MODEL, "deterministic"))
    try:
        _require_service_installed(ctx)
        args += ["--service", spec(IDENTITY_MODEL, "identity"), "--processes", "2"]
    except NotApplicable:
        pass
    r = ctx.run(args, memo=True)
    try:
        everything = json.loads(r.out.strip().splitlines()[-1])["results"]
        results = [x for x in everything if x["service"] == service]
    except (ValueError, IndexError, KeyError, TypeError):
        raise Failed(f"the inference script failed (exit {r.exit_status}): {_tail(r.err or r.out)}") from None
    bad = [f"{Path(x['hef']).name}: {x['detail']}" for x in results if not x["ok"]]
    if bad or not results:
        raise Failed("; ".join(bad) or f"the inference script reported nothing (exit {r.exit_status})")
    if r.exit_status != 0 and all(x["ok"] for x in everything):   # else the other part's failure
        raise Failed(f"exit {r.exit_status}: {_tail(r.err)}")
    return "; ".join(f"{Path(x['hef']).name}: {x['detail']}" for x in results[:2]), results


def probe_infer_model(ctx: Context) -> str:
    return _inferences(ctx, service=False)[0]


def _require_service_installed(ctx: Context) -> None:
    # On a board the service is optional (the hailort-service recipe); the simulated image
    # always ships it, so there its absence is a FAIL of the checks below.
    if ctx.profile == "hardware":
        installed = ctx.run("command -v hailort_service || test -e /lib/systemd/system/hailort.service",
                            memo=True)
        if installed.exit_status != 0:
            raise NotApplicable("the multi-process service is not installed (hailort-service)")


def probe_service_active(ctx: Context) -> str:
    _require_service_installed(ctx)
    r = ctx.run("systemctl is-active hailort.service")
    if r.out.strip() == "active":
        pid = ctx.run("systemctl show -p MainPID --value hailort.service").out.strip()
        return f"hailort.service active (pid {pid})"
    # systemd manages the service only where it booted the system (sd_booted(): this folder);
    # an image with systemctl installed but booted by sysvinit starts /etc/init.d/hailort.
    if ctx.run("test -d /run/systemd/system").exit_status == 0:
        status = ctx.run("systemctl status --no-pager -n 3 hailort.service 2>&1")
        raise Failed(f"hailort.service is {r.out.strip() or 'unknown'}: {_tail(status.out)} "
                     "(start it: systemctl enable --now hailort.service)")
    # No systemd: the init script (or the guide's way, running hailort_service directly) starts
    # it, and it writes this pid file.
    r = ctx.run('pid=$(cat /run/hailo/hailort_service.pid) && kill -0 "$pid" && echo "$pid"')
    if r.exit_status != 0:
        raise Failed("hailort_service is not running (no systemd; start it: /etc/init.d/hailort start, "
                     "or /usr/bin/hailort_service)")
    return f"hailort_service running (pid {r.out.strip()}, no systemd)"


def probe_service_inference(ctx: Context) -> str:
    _require_service_installed(ctx)
    detail, results = _inferences(ctx, service=True)
    pids = {x.get("pid") for x in results}
    if len(pids) != 2:
        raise Failed(f"expected two inferring processes, the script reports pids {sorted(map(str, pids))}")
    return "2 processes: " + detail


_SIM = "simulated"


def _hw_only(what: str) -> Dict[str, str]:
    return {_SIM: f"hardware only: the simulated device has no {what}"}


CHECKS = (
    Check("files", "the files our layers' packages install are present", "the layers' recipes", probe_files),
    Check("libhailort", "libhailort library present", "guide 10.6", probe_libhailort),
    Check("hailortcli", "hailortcli works from PATH", "guide 10.6", probe_hailortcli),
    Check("pyhailort", "hailo_platform importable with its dependencies", "guide 10.6", probe_pyhailort),
    Check("scan", "hailortcli scan lists a device", "guide 3.6, 7.1", probe_scan, needs_device=True),
    Check("identify", "hailo fw-control identify recognises the device", "guide 10.6", probe_identify,
          needs_device=True),
    Check("fw-version", "firmware version equals the library version", "guide 12.1 (status 76)",
          probe_firmware_version, needs_device=True),
    # the simulated profile's hailonet/hailodevicestats are python3-hailort-sim-gst's (docs/gstreamer.md)
    # (the first gst-inspect-1.0 on a target scans the plugins: slow under TCG)
    Check("gstreamer", "gst-inspect-1.0 lists hailonet and hailodevicestats", "guide 10.6", probe_gstreamer,
          timeout_s=120),
    Check("gst_pipeline", f"videotestsrc ! hailonet ! fakesink infers {table.GST_FRAMES} frames", "guide 11.1",
          probe_gst_pipeline, uses_device=True, needs_device=True, timeout_s=240),
    Check("firmware", "Hailo firmware file present", "guide 10.6", probe_firmware_file,
          skip=_hw_only("firmware to load (its device inventory is checked by sim-config)")),
    Check("hailo_pci", "modinfo hailo_pci succeeds, driver version = library version", "guide 10.6", probe_modinfo,
          skip=_hw_only("PCIe driver (no kernel module is involved)"), needs_device=True),
    Check("device-nodes", "/dev/hailo* present and usable", "runtime spec 14.2", probe_device_nodes,
          skip=_hw_only("device nodes"), needs_device=True),
    Check("udev-rule", "udev rule gives access to /dev/hailo*", "runtime spec 14.2", probe_udev_rule,
          skip=_hw_only("device nodes to set permissions on")),
    Check("sim-config", "simulated device inventory valid", "runtime spec 17.1", probe_sim_config,
          skip={"hardware": "simulated profile only: a hardware target has no simulated device"}),
    Check("parse-hef", "hailortcli parse-hef of a HEF copied to the target", "guide 7.2", probe_parse_hef),
    Check("run", "hailortcli run infers", "guide 7.3, 10.6", probe_run, uses_device=True, needs_device=True,
          timeout_s=90),
    Check("infer-model", "Python InferModel inference meets the device contract", "guide 5.3",
          probe_infer_model, uses_device=True, needs_device=True, timeout_s=120),
    Check("service", "hailort.service is active", "guide 6.12", probe_service_active),
    Check("service-inference", "two processes infer through the service", "guide 5.4, 6.12",
          probe_service_inference, uses_device=True, needs_device=True, timeout_s=120),
)
CHECKS_BY_ID = {c.id: c for c in CHECKS}
assert len(CHECKS_BY_ID) == len(CHECKS), "check ids must be unique"

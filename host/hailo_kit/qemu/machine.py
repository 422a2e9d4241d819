"""Booting and stopping the target: QEMU with user networking (guest port 22 forwarded to a
free port on 127.0.0.1), the serial console in a log file, a QMP socket to stop it. Ready means
the guest printed its marker on the console and then SSH answered with the pinned host key."""
import atexit
import ctypes
import json
import os
import pathlib
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

from .. import ssh
from . import cache, config, keys, preflight, qmp, snapshot
from .errors import TargetError
from .progress import say

_live = set()          # targets this process started and must stop
_lock = threading.Lock()
PR_SET_PDEATHSIG = 1


def _die_with_parent():
    # In the child before exec: QEMU gets SIGKILL when its starter dies, even by SIGKILL.
    # The kernel ties this to the *thread* that forked: start targets from a thread that
    # outlives them (the main thread, as pytest and the CLIs do).
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _stop_all():
    with _lock:
        targets = list(_live)
    for t in targets:
        t.stop()


def _on_signal(signum, frame):
    _stop_all()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _install_handlers():
    atexit.register(_stop_all)
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(sig) in (signal.SIG_DFL, None):
                signal.signal(sig, _on_signal)
    # SIGINT raises KeyboardInterrupt: context managers, fixture finalizers and atexit stop us.


_handlers_installed = False


def accel_args(accel):
    if accel == "tcg":
        return ["-accel", "tcg,thread=multi"]
    if accel == "kvm":
        return ["-accel", "kvm"]
    raise TargetError(f"unknown accelerator {accel!r}: use tcg (default) or kvm")


def tail(path, lines=25):
    try:
        text = pathlib.Path(path).read_text(errors="replace")
    except OSError:
        return "(no serial log)"
    return "\n".join(text.replace("\r", "").splitlines()[-lines:]) or "(serial log is empty)"


class QemuTarget:
    host = "127.0.0.1"
    username = "root"

    def __init__(self, image, port=None, accel="tcg", memory=1536, smp=2, detach=False,
                 timeout=180.0, resume=True, state_root=None):
        """resume: start from the image's saved state when one fits (and save one after a cold
        boot); state_root: where saved states live (default: the cache)."""
        self.image = image
        self.resume = resume
        self.state_root = pathlib.Path(state_root) if state_root else None
        self.resumed = False          # this boot resumed a saved state
        self.cold_reason = None       # why it booted cold although resume was asked
        self.arch = config.arch(image.arch)
        self.requested_port = port
        self.port = port
        self.accel = accel
        self.memory, self.smp = memory, smp
        self.detach = detach
        self.timeout = timeout
        self.key_path = pathlib.Path(image.key_path)
        self.host_key = image.host_key
        self.host_key_fingerprint = keys.fingerprint(image.host_key)
        self.run_dir = None
        self.proc = None
        self.pid = None
        self.boot_seconds = None

    # -- the contract ---------------------------------------------------------------------------
    @property
    def serial_log(self):
        return self.run_dir / "serial.log"

    @property
    def qmp_socket(self):
        return self.run_dir / "qmp.sock"

    @property
    def known_hosts_file(self):
        return self.run_dir / "known_hosts"

    def ssh_command(self):
        """An OpenSSH command line with the host key pinned (for people; tools use paramiko)."""
        return (f"ssh -p {self.port} -i {self.key_path} -o IdentitiesOnly=yes "
                f"-o UserKnownHostsFile={self.known_hosts_file} -o StrictHostKeyChecking=yes "
                f"{self.username}@{self.host}")

    def known_hosts_line(self):
        return f"[{self.host}]:{self.port} {self.host_key}"

    def ssh_target(self):
        """The target as the SSH layer sees it: root with the image's key, host key pinned."""
        return ssh.Target(self.host, self.port, self.username, key_filename=str(self.key_path),
                          host_key=self.host_key)

    def alive(self):
        if self.proc is not None:
            return self.proc.poll() is None
        return self.pid is not None and _pid_is_qemu(self.pid, self.run_dir)

    def __enter__(self):
        if self.proc is None:
            self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    # -- start ----------------------------------------------------------------------------------
    def command(self, forward=True):
        """QEMU's command line; forward=False leaves the SSH port forward to QMP (resume)."""
        a = self.arch
        # (No init_on_free: zeroing every freed page made each process's exit cost more under
        # TCG; snapshot.ZERO_FREE_MEMORY zeroes free memory once, before the state is saved.)
        append = f"console={a.console} quiet loglevel=3 rdinit=/sbin/init net.ifnames=0 panic=-1"
        machine = list(a.machine)
        if self.accel == "kvm" and a.name == "amd64":
            # -cpu host crashes on nested hypervisors without vmx (MSR 0x10a); drop that MSR.
            machine = ["-M", "q35", "-cpu", "host,arch-capabilities=off"]
        return [a.qemu, *machine, *accel_args(self.accel), "-smp", str(self.smp),
                "-m", str(self.memory), "-nodefaults", "-display", "none", "-no-reboot",
                "-kernel", str(self.image.kernel), "-initrd", str(self.image.initrd),
                "-append", append,
                "-netdev", "user,id=n0" + (f",hostfwd=tcp:{self.host}:{self.port}-:22" if forward else ""),
                "-device", "virtio-net-pci,netdev=n0", "-device", "virtio-rng-pci",
                "-serial", f"file:{self.serial_log}", "-monitor", "none",
                "-qmp", f"unix:{self.qmp_socket},server=on,wait=off",
                "-pidfile", str(self.run_dir / "qemu.pid")]

    def start(self):
        global _handlers_installed
        preflight.require_qemu(self.arch)
        for p in (self.image.kernel, self.image.initrd, self.key_path):
            if not pathlib.Path(p).is_file():
                raise TargetError(f"{p} is missing: rebuild the image with `hailo-qemu build`")
        if not _handlers_installed:
            _install_handlers()
            _handlers_installed = True
        self.run_dir = pathlib.Path(tempfile.mkdtemp(prefix="hailo-qemu-"))
        try:
            state = self._state_entry() if self.resume else None
            if state is not None and self._resume(state):
                return self
            self._boot()
            if state is not None:
                self._save(state)
            return self
        except BaseException:      # a failed or interrupted boot leaves no QEMU behind
            self.stop(keep_logs=True)
            raise

    # -- saved states (snapshot.py) -------------------------------------------------------------
    def shape(self):
        """The command line without what differs per run (run directory, port): part of the
        saved state's key, so another kernel, initrd, memory size or CPU model never fits."""
        return [w.replace(str(self.run_dir), "RUN") for w in self.command(forward=False)]

    def _state_entry(self):
        return snapshot.entry_dir(self.state_root or config.cache_root(), self.image, self.shape())

    def _resume(self, entry):
        """Resumes the saved state in `entry`; False (with one line why) when it cannot."""
        t0 = time.monotonic()
        qemu = snapshot.qemu_identity(self.arch.qemu)
        try:
            state = snapshot.check(entry, qemu, self.host_key)
        except snapshot.Unfit as e:
            self.cold_reason = str(e)
            say(f"boot: cold: {e}" + ("; saving one after this boot" if not entry.exists() else ""))
            return False
        try:
            self._spawn(incoming=state)
            if not snapshot.wait_running(self.qmp_socket, self.alive, timeout=min(60, self.timeout)):
                err = (self.run_dir / "qemu.stderr").read_text(errors="replace").strip().splitlines()
                raise snapshot.Unfit(f"QEMU could not load the saved state ({err[-1] if err else 'no message'})")
            loaded = time.monotonic() - t0
            self._forward_port()
            deadline = time.monotonic() + max(5.0, min(30.0, self.timeout))
            while not _banner(self.host, self.port, timeout=1.0):   # see _wait_ssh
                if time.monotonic() > deadline or not self.alive():
                    raise snapshot.Unfit("SSH did not answer after the resume")
                time.sleep(0.05)
            with self.session(deadline_s=max(1.0, deadline - time.monotonic())) as session:
                r = session.run(snapshot.renew_command(), timeout_s=30, stdin=os.urandom(64))
            if r.exit_status != 0:
                raise snapshot.Unfit(f"renewing the clock and random seed failed: {r.err.strip() or r.exit_status}")
        except (snapshot.Unfit, ssh.SSHError, OSError, ValueError) as e:
            self.cold_reason = f"resuming failed: {e}"
            say(f"boot: cold: {self.cold_reason}; the saved state is dropped")
            self.stop(keep_logs=True)
            cache.remove(entry)
            return False
        self.resumed = True
        self.boot_seconds = time.monotonic() - t0
        self.known_hosts_file.write_text(self.known_hosts_line() + "\n")
        say(f"boot: resumed a saved state, ready in {self.boot_seconds:.1f}s (state loaded in "
            f"{loaded:.1f}s): {self.ssh_command()}")
        return True

    def _forward_port(self):
        for _ in range(1 if self.requested_port else 5):
            self.port = self.requested_port or preflight.free_port()
            if snapshot.forward_port(self.qmp_socket, self.host, self.port):
                return
            if self.requested_port:
                raise TargetError(f"port {self.host}:{self.port} is in use: choose another "
                                  "with --port, or leave it out to pick a free one")
        raise TargetError("could not find a free port for SSH forwarding after 5 tries")

    def _save(self, entry):
        """Saves the freshly booted machine for later boots; a failure only costs them speed."""
        qemu = snapshot.qemu_identity(self.arch.qemu)

        def build(tmp):
            # a settled, warmed-up guest with no SSH connection open: nothing half-done is frozen
            with self.session() as session:
                session.run(f"systemctl is-system-running --wait >/dev/null; {snapshot.WARM_UP}; sync; "
                            f"{snapshot.ZERO_FREE_MEMORY}", timeout_s=120)
            time.sleep(0.2)
            seconds = snapshot.save(self.qmp_socket, tmp)
            return snapshot.write_manifest(qemu, self.shape(), seconds, self.image.overlay_key, self.host_key)

        if self.cold_reason and entry.exists():   # unfit, and the reason was said: replace it
            cache.remove(entry)
        try:
            entry, cached = cache.ensure(entry, build, (snapshot.STATE_FILE,), "saved state",
                                         expect={"qemu": qemu, "host_key": self.host_key})
        except (TargetError, ssh.SSHError, OSError, ValueError) as e:
            say(f"boot: could not save the state for later boots ({e}); they will boot cold")
            return
        if not cached:
            m = cache.manifest(entry)
            size = (entry / snapshot.STATE_FILE).stat().st_size
            say(f"boot: saved the running state for later boots ({size / 2**20:.0f} MiB in {m['save_s']:.1f}s)")
            cache.prune(entry.parent, keep=entry.name, newest=4)   # several work trees share a cache

    def _boot(self):
        t0 = time.monotonic()
        deadline = t0 + self.timeout
        for _ in range(1 if self.requested_port else 5):
            if self.requested_port:
                preflight.require_port_free(self.requested_port)
            else:
                self.port = preflight.free_port()
            self._spawn()
            try:
                self._wait_marker(deadline)
                break
            except _PortTaken:
                if self.requested_port:
                    raise TargetError(f"port {self.host}:{self.port} is in use: choose another "
                                      "with --port, or leave it out to pick a free one") from None
                say(f"boot: port {self.port} was taken meanwhile, retrying with another")
        else:
            raise TargetError("could not find a free port for SSH forwarding after 5 tries")
        self._wait_ssh(deadline)
        self.boot_seconds = time.monotonic() - t0
        self.known_hosts_file.write_text(self.known_hosts_line() + "\n")
        say(f"boot: ready in {self.boot_seconds:.1f}s: {self.ssh_command()}")
        return self

    def _spawn(self, incoming=None):
        cmd = self.command(forward=incoming is None)
        if incoming is not None:
            cmd += ["-incoming", "exec:cat " + shlex.quote(str(incoming))]
        self.serial_log.unlink(missing_ok=True)
        say(f"boot: {self.arch.qemu} ({self.accel}, {self.smp} cpus, {self.memory} MiB), "
            + ("resuming a saved state" if incoming else f"ssh on {self.host}:{self.port}")
            + f", serial log {self.serial_log}")
        stderr = open(self.run_dir / "qemu.stderr", "wb")
        try:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=stderr,
                                         stderr=stderr, start_new_session=True,
                                         preexec_fn=None if self.detach else _die_with_parent)
        finally:
            stderr.close()
        self.pid = self.proc.pid
        if not self.detach:
            with _lock:
                _live.add(self)

    def _failure(self, what):
        err = (self.run_dir / "qemu.stderr").read_text(errors="replace").strip()
        self.stop(keep_logs=True)
        return TargetError(f"{what}\nqemu: {err or '(no error output)'}\n"
                           f"serial log tail ({self.serial_log}):\n{tail(self.serial_log)}")

    def _wait_marker(self, deadline):
        say("boot: waiting for the guest (kernel, systemd, dropbear)")
        start = next_note = time.monotonic()
        while True:
            if time.monotonic() >= next_note + 10:
                next_note = time.monotonic()
                last = tail(self.serial_log, 1) if self.serial_log.exists() else ""
                say(f"boot: still booting after {next_note - start:.0f}s (TCG is slow on a busy "
                    "host)" + (f"; console: {last[:100]}" if last.strip("()") != "serial log is empty" else ""))
            if self.proc.poll() is not None:
                err = (self.run_dir / "qemu.stderr").read_text(errors="replace")
                if "hostfwd" in err or "host forwarding" in err:
                    self.proc = None
                    raise _PortTaken()
                raise self._failure(f"QEMU exited with status {self.proc.returncode} during boot")
            try:
                if config.READY_MARKER.encode() in self.serial_log.read_bytes():
                    say(f"boot: guest up after {time.monotonic() - start:.1f}s; connecting over SSH")
                    return
            except FileNotFoundError:
                pass
            if time.monotonic() > deadline:
                raise self._failure(f"boot timeout: no {config.READY_MARKER} on the serial "
                                    f"console within {self.timeout:.0f}s")
            time.sleep(0.2)

    def _wait_ssh(self, deadline):
        # The forwarded port accepts TCP before dropbear listens: short tries, one deadline.
        last = None
        while time.monotonic() < deadline:
            if not self.alive():
                raise self._failure("QEMU exited while waiting for SSH")
            # A raw banner probe first: paramiko's transport thread logs a traceback for
            # every attempt that QEMU's forwarder accepts before dropbear listens.
            if not _banner(self.host, self.port):
                time.sleep(0.3)
                continue
            try:
                self.session(deadline_s=max(1.0, min(10.0, deadline - time.monotonic()))).close()
                return
            except ssh.HostKeyError as e:
                raise self._failure(f"the target's SSH host key is not the image's: {e}") from None
            except ssh.KeyFileError as e:   # the image's client key is broken: no retry can help
                raise self._failure(f"the image's SSH key cannot be used: {e}; rebuild the image "
                                    "(hailo-qemu build)") from None
            except ssh.ConnectError as e:
                last = e
        raise self._failure(f"boot timeout: SSH on {self.host}:{self.port} did not answer "
                            f"within {self.timeout:.0f}s (last error: {last})")

    # -- use ----------------------------------------------------------------------------------
    def session(self, deadline_s=10.0):
        """An ssh.Session logged in as root, host key pinned; close it (or use `with`)."""
        return ssh.Session.connect(self.ssh_target(), deadline_s=deadline_s)

    def run(self, command, timeout=60):
        """Runs a command on a connection of its own: an ssh.CommandResult (exit_status, out,
        err); raises ssh.SSHError when the target cannot be reached or the deadline passes."""
        with self.session() as session:
            return session.run(command, timeout_s=timeout)

    # -- stop ---------------------------------------------------------------------------------
    def stop(self, keep_logs=False, timeout=10):
        """QMP quit, then reap (SIGKILL if QEMU does not go). Idempotent."""
        with _lock:
            _live.discard(self)
        if self.alive():
            try:
                qmp.command(self.qmp_socket, "quit")
            except (OSError, ValueError):
                pass      # it may close the socket before answering; the wait below decides
            if not self._wait_gone(timeout):
                try:
                    os.kill(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self._wait_gone(timeout)
        if self.proc is not None:
            self.proc.wait()
        if self.run_dir and not keep_logs:
            shutil.rmtree(self.run_dir, ignore_errors=True)

    def _wait_gone(self, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc is not None:
                try:
                    self.proc.wait(0.05)
                    return True
                except subprocess.TimeoutExpired:
                    continue
            if not _pid_is_qemu(self.pid, self.run_dir):
                return True
            time.sleep(0.05)
        return False

    # -- detached machines (hailo-qemu boot --detach / stop) ----------------------------------
    def state(self):
        return {"pid": self.pid, "port": self.port, "host": self.host, "username": self.username,
                "key_path": str(self.key_path), "host_key": self.host_key,
                "host_key_fingerprint": self.host_key_fingerprint, "run_dir": str(self.run_dir),
                "serial_log": str(self.serial_log), "arch": self.arch.name,
                "image": str(self.image.overlay_dir) if self.image else None}

    @classmethod
    def from_state(cls, state):
        """A handle on a detached machine another process started (for ssh-info, run, stop)."""
        t = cls.__new__(cls)
        t.image, t.arch, t.detach, t.proc = None, config.arch(state["arch"]), True, None
        t.requested_port = t.port = state["port"]
        t.key_path = pathlib.Path(state["key_path"])
        t.host_key, t.host_key_fingerprint = state["host_key"], state["host_key_fingerprint"]
        t.pid, t.run_dir = state["pid"], pathlib.Path(state["run_dir"])
        t.boot_seconds = None
        return t


def _banner(host, port, timeout=2.0):
    """Does an SSH server answer on host:port (its banner starts with "SSH-")?"""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            return sock.recv(4) == b"SSH-"
    except OSError:
        return False


class _PortTaken(Exception):
    pass


def _pid_is_qemu(pid, run_dir):
    """Is pid a live QEMU of this run (not a recycled pid)?"""
    try:
        cmdline = pathlib.Path(f"/proc/{pid}/cmdline").read_bytes()
        stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    if stat.rsplit(")", 1)[1].split()[0] == "Z":
        return False
    return b"qemu-system" in cmdline and (run_dir is None or str(run_dir).encode() in cmdline)


def boot(image, **kw):
    """Starts a target and waits until SSH answers; use it as a context manager."""
    return QemuTarget(image, **kw).start()


def probe_kvm(image, timeout=90):
    """KVM only after a probe boot proves it works here; raises TargetError otherwise."""
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        raise TargetError("--accel kvm: /dev/kvm is not usable here; use the default TCG")
    say("kvm: probe boot")
    try:
        with QemuTarget(image, accel="kvm", timeout=timeout, resume=False) as t:
            if t.run("true", timeout=20).exit_status != 0:
                raise TargetError("probe command failed")
    except (TargetError, ssh.SSHError) as e:
        raise TargetError(f"--accel kvm: the probe boot failed, so KVM is not used; the "
                          f"default TCG works without it.\n{e}") from None
    say("kvm: probe boot succeeded")


def write_state(target, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(target.state(), indent=2) + "\n")


"""The host tools' one SSH layer: a paramiko connection to a target, commands under a
deadline, SFTP upload. The QEMU target (``hailo_kit.qemu``) and the validation suite
(``hailo_kit.validate``) both reach targets through ``Session``; what the validation suite needs
from any way of reaching a target is the ``Transport`` protocol, which ``Session`` implements.

Rules (see docs/validation.md and the QEMU notes on paramiko):
- every command has a deadline; stdout and stderr are drained together while waiting, so
  outputs beyond paramiko's ~2 MiB window cannot deadlock (paramiko #448, #1778), and the
  exit status is never waited for with ``recv_exit_status()`` (ignores timeouts, #1815);
- only connecting is retried (short per-attempt timeouts under one overall deadline): a
  command is never re-run, since it may have had effects;
- host keys are checked: against a pinned key/fingerprint, or against known_hosts, where an
  unknown host is refused unless ``accept_new_host_key`` (first contact) is given; a changed
  key is always refused;
- commands given as argument lists are quoted with ``shlex.quote``;
- commands may run at once from several threads: on channels of the one connection, or, on a
  server whose channels must not overlap (an affected dropbear, see _DROPBEAR_CHANNEL_RACE_FIXED),
  each on a connection of its own, opened when the others are busy and kept for later commands.
"""
from __future__ import annotations

import dataclasses
import os
import re
import select
import shlex
import socket
import threading
import time
from pathlib import Path
from typing import Optional, Protocol, Sequence, Union, runtime_checkable

import paramiko

Command = Union[str, Sequence[str]]
EOF_GRACE_S = 1.0
SETTLE_S = 1.0
# Connections one Session opens at most to run commands at once on a server whose channels
# must not overlap (each dropbear connection is a process of its own on the target).
MAX_CONNECTIONS = 4


class SSHError(Exception):
    """Base of the SSH layer's errors; the message says what failed and what to do."""


class ConnectError(SSHError):
    """The target could not be reached or refused us within the connect deadline."""


class HostKeyError(ConnectError):
    """The target's host key is unknown or differs from the expected one (never retried)."""


class AuthError(ConnectError):
    """The target refused our key (never retried)."""


class KeyFileError(AuthError):
    """The private key file cannot be used (missing, not a key, encrypted): never retried."""


def check_private_key(path: Union[str, os.PathLike]) -> None:
    """Raise ``KeyFileError`` at once when ``path`` is not a private key paramiko can use:
    retrying the connection cannot fix the file (a .pub file, an empty or garbage one, a key
    with a passphrase)."""
    encrypted = (f"private key {path} is protected by a passphrase: load it into ssh-agent and leave "
                 "out the key option, or use a key without one")
    try:
        paramiko.PKey.from_path(path)
    except paramiko.PasswordRequiredException:
        raise KeyFileError(encrypted) from None
    except OSError as e:
        raise KeyFileError(f"private key {path}: {e.strerror or e}") from None
    except (paramiko.SSHException, ValueError, TypeError, UnicodeDecodeError) as e:
        if isinstance(e, TypeError) and "password" in str(e):   # paramiko 4+ over cryptography
            raise KeyFileError(encrypted) from None
        hint = "; that is the public key, give the file without .pub" if str(path).endswith(".pub") else ""
        raise KeyFileError(f"{path} is not a private key (OpenSSH or PEM format expected{hint})") from None


class TargetLost(SSHError):
    """The connection dropped while a command or upload was running."""


class CommandTimeout(SSHError):
    """A command did not finish within its deadline; carries what it printed so far."""

    def __init__(self, message: str, stdout: bytes = b"", stderr: bytes = b""):
        super().__init__(message)
        self.stdout = stdout
        self.stderr = stderr


@dataclasses.dataclass(frozen=True)
class Target:
    """Where and how to reach a target over SSH."""
    host: str
    port: int = 22
    username: str = "root"
    key_filename: Optional[str] = None
    # A pinned host key: an OpenSSH public key line ("ssh-ed25519 AAAA...") or a SHA256
    # fingerprint ("SHA256:..."). When set, known_hosts is not consulted.
    host_key: Optional[str] = None
    known_hosts: Optional[str] = None  # default: ~/.ssh/known_hosts
    accept_new_host_key: bool = False

    @property
    def display(self) -> str:
        return f"{self.username}@{self.host}:{self.port}"


@dataclasses.dataclass
class CommandResult:
    command: str
    exit_status: int  # -1 when the remote process ended without one (killed by a signal)
    stdout: bytes
    stderr: bytes
    seconds: float

    @property
    def ok(self) -> bool:
        return self.exit_status == 0

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8", "replace")

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8", "replace")


@runtime_checkable
class Transport(Protocol):
    """How the validation suite talks to a target (``Session``; tests use scripted fakes).

    ``run`` returns the command's result or raises ``CommandTimeout`` (deadline passed),
    ``TargetLost`` (the connection dropped) or another ``SSHError``; it never runs a command
    twice. ``put`` uploads one file. ``alive`` tells whether the connection still stands;
    ``concurrent_commands`` whether ``run`` may be called from several threads at once."""

    @property
    def alive(self) -> bool: ...

    @property
    def concurrent_commands(self) -> bool: ...

    def run(self, command: Command, timeout_s: float = 60.0,
            stdin: Optional[bytes] = None) -> CommandResult: ...

    def put(self, local: Union[str, os.PathLike], remote: str, timeout_s: float = 60.0) -> None: ...


def quote_command(command: Command) -> str:
    """A shell command line: strings are passed as written (already a shell command),
    argument lists are quoted word by word."""
    if isinstance(command, str):
        return command
    return " ".join(shlex.quote(str(word)) for word in command)


def host_key_line(key: paramiko.PKey) -> str:
    return f"{key.get_name()} {key.get_base64()}"


def _matches_pin(key: paramiko.PKey, pin: str) -> bool:
    pin = pin.strip()
    if pin.startswith("SHA256:"):
        return key.fingerprint.rstrip("=") == pin.rstrip("=")
    words = pin.split()
    if len(words) >= 2:
        return words[0] == key.get_name() and words[1] == key.get_base64()
    raise HostKeyError(f"pinned host key {pin!r} is neither 'SHA256:<base64>' nor "
                       "'<type> <base64>' (an OpenSSH public key line)")


class _PinnedKeyPolicy(paramiko.MissingHostKeyPolicy):
    def __init__(self, pin: str):
        self.pin = pin

    def missing_host_key(self, client, hostname, key):
        if not _matches_pin(key, self.pin):
            raise HostKeyError(
                f"host key mismatch for {hostname}: the target offered {key.get_name()} "
                f"{key.fingerprint}, expected {self.pin}. The target is not the one you meant "
                "(or it was rebuilt): check it, then pin its new key")


class _AcceptNewPolicy(paramiko.MissingHostKeyPolicy):
    """First contact: trust an unknown key and remember it (like StrictHostKeyChecking=accept-new)."""

    def __init__(self, known_hosts: Path):
        self.known_hosts = known_hosts

    def missing_host_key(self, client, hostname, key):
        client.get_host_keys().add(hostname, key.get_name(), key)
        self.known_hosts.parent.mkdir(parents=True, exist_ok=True)
        with open(self.known_hosts, "a") as f:
            f.write(f"{hostname} {host_key_line(key)}\n")


class _RejectUnknownPolicy(paramiko.MissingHostKeyPolicy):
    def __init__(self, known_hosts: Path):
        self.known_hosts = known_hosts

    def missing_host_key(self, client, hostname, key):
        raise HostKeyError(
            f"unknown host key for {hostname} ({key.get_name()} {key.fingerprint}), not in "
            f"{self.known_hosts}. Verify it, then pin it with --host-key, add it to known_hosts, "
            "or allow first contact with --accept-new-host-key")


# Errors worth another connect attempt: the target is not (yet) listening, or QEMU's user
# network accepted the TCP connection before the guest's sshd was up (banner errors).
_RETRYABLE = (OSError, EOFError, paramiko.SSHException)

# dropbear before 2024.86 can end a session channel that was just opened, before its exec
# request arrives, when another channel's command exits at that moment: its check_close counts
# a channel with no process yet as finished (fixed upstream by "Don't close channels when a PID
# hasn't started", mkj/dropbear#321). Debian bookworm and Yocto scarthgap ship 2022.83 and
# styhead 2024.85, so on those servers commands must not overlap.
_DROPBEAR_CHANNEL_RACE_FIXED = (2024, 86)


def dropbear_closes_new_channels(server_version: str) -> bool:
    """Is this server a dropbear with the channel race described at _DROPBEAR_CHANNEL_RACE_FIXED?"""
    m = re.match(r"SSH-2\.0-dropbear_(\d+)\.(\d+)", server_version)
    return bool(m) and (int(m[1]), int(m[2])) < _DROPBEAR_CHANNEL_RACE_FIXED


class Session:
    """An open SSH connection to a target. Use ``Session.connect(target, deadline_s)``."""

    def __init__(self, target: Target, client: paramiko.SSHClient):
        self.target = target
        self._client = client
        self._sftp: Optional[paramiko.SFTPClient] = None
        # One command per connection on a server with the channel race: the connections not
        # running one, and how many are open (the first one included).
        self._one_channel = dropbear_closes_new_channels(self.server_version)
        self._pool = threading.Condition()
        self._idle = [client]
        self._clients = [client]
        self._max_clients = MAX_CONNECTIONS   # lowered when the target refuses one more

    # -- connecting --------------------------------------------------------------------
    @classmethod
    def connect(cls, target: Target, deadline_s: float = 30.0, attempt_timeout_s: float = 2.0,
                banner_timeout_s: float = 3.0) -> "Session":
        """Connect, retrying transient failures until ``deadline_s`` has passed. A key file
        that is not a key, a refused key or a wrong host key fail at once."""
        if target.key_filename:
            check_private_key(target.key_filename)
        return cls(target, cls._connect_client(target, deadline_s, attempt_timeout_s, banner_timeout_s))

    @classmethod
    def _connect_client(cls, target: Target, deadline_s: float, attempt_timeout_s: float = 2.0,
                        banner_timeout_s: float = 3.0) -> paramiko.SSHClient:
        end = time.monotonic() + deadline_s
        last: Optional[BaseException] = None
        attempts = 0
        while True:
            attempts += 1
            client = cls._new_client(target)
            try:
                client.connect(
                    target.host, port=target.port, username=target.username,
                    key_filename=target.key_filename,
                    look_for_keys=target.key_filename is None,
                    allow_agent=target.key_filename is None,
                    timeout=attempt_timeout_s, banner_timeout=banner_timeout_s,
                    auth_timeout=max(5.0, attempt_timeout_s))
                transport = client.get_transport()
                transport.set_keepalive(5)
                return client
            except HostKeyError:
                client.close()
                raise
            except paramiko.BadHostKeyException as e:
                client.close()
                raise HostKeyError(
                    f"host key mismatch for {target.display}: known_hosts has "
                    f"{e.expected_key.get_name()} {e.expected_key.fingerprint}, the target offered "
                    f"{e.key.get_name()} {e.key.fingerprint}. If the target was rebuilt, remove its "
                    "old line from known_hosts (ssh-keygen -R); otherwise do not trust it") from None
            except paramiko.AuthenticationException as e:
                client.close()
                raise AuthError(f"{target.display} refused authentication as {target.username!r} "
                                f"({e}); check --key and the target's authorized_keys") from None
            except _RETRYABLE as e:
                client.close()
                last = e
            left = end - time.monotonic()
            if left <= 0:
                raise ConnectError(f"cannot connect to {target.display} within {deadline_s:.0f} s "
                                   f"({attempts} attempts; last error: {last or 'timeout'})")
            time.sleep(min(0.5, left))

    @staticmethod
    def _new_client(target: Target) -> paramiko.SSHClient:
        client = paramiko.SSHClient()
        if target.host_key:
            client.set_missing_host_key_policy(_PinnedKeyPolicy(target.host_key))
            return client
        known = Path(target.known_hosts or Path.home() / ".ssh" / "known_hosts")
        if known.exists():
            client.load_host_keys(str(known))
        client.set_missing_host_key_policy(
            _AcceptNewPolicy(known) if target.accept_new_host_key else _RejectUnknownPolicy(known))
        return client

    # -- state -------------------------------------------------------------------------
    @property
    def server_version(self) -> str:
        """The server's SSH identification string, e.g. 'SSH-2.0-dropbear_2022.83'."""
        transport = self._client.get_transport()
        return (transport.remote_version or "") if transport is not None else ""

    @property
    def concurrent_commands(self) -> bool:
        """Commands may run at once (on an affected dropbear, on connections of their own)."""
        return True

    @property
    def connections(self) -> int:
        """How many connections to the target are open (more than one only on a server whose
        channels must not overlap, after commands ran at once)."""
        with self._pool:
            return len(self._clients)

    @property
    def alive(self) -> bool:
        transport = self._client.get_transport()
        return transport is not None and transport.is_active()

    def close(self) -> None:
        if self._sftp is not None:
            try:
                self._sftp.close()
            except Exception:  # the connection may already be gone
                pass
        with self._pool:
            clients, self._clients, self._idle = self._clients, [], []
            self._pool.notify_all()
        for client in clients:          # the first connection among them
            if client is not None:
                client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- commands ----------------------------------------------------------------------
    def run(self, command: Command, timeout_s: float = 60.0, stdin: Optional[bytes] = None) -> CommandResult:
        """Run a command and return its status and outputs, or raise CommandTimeout/TargetLost."""
        line = quote_command(command)
        start = time.monotonic()
        end = start + timeout_s
        client = self._take(line, end, timeout_s)
        try:
            return self._run_on(client, line, stdin, start, end, timeout_s)
        finally:
            self._give_back(client)

    # -- connections ---------------------------------------------------------------------
    def _take(self, line: str, end: float, timeout_s: float, first: bool = False) -> paramiko.SSHClient:
        """The connection to run a command on: the first one, unless the server cannot overlap
        channels; then one that runs nothing, a new one while all are busy (up to
        MAX_CONNECTIONS), or the first to become free. ``first``: the first connection (its
        SFTP channel)."""
        if not self._one_channel:
            return self._client
        with self._pool:
            while True:
                if not self._clients:
                    raise TargetLost(f"connection to {self.target.display} is closed")
                free = [c for c in self._idle if not first or c is self._client]
                if free:
                    self._idle.remove(free[0])
                    return free[0]
                if not first and len(self._clients) < self._max_clients:
                    self._clients.append(None)   # a place for the one being opened
                    break
                left = end - time.monotonic()
                if left <= 0:
                    raise CommandTimeout(f"{line!r} did not start within {timeout_s:g} s: every "
                                         "connection to the target stayed busy")
                self._pool.wait(left)
        client = None
        try:
            client = self._connect_client(self.target, max(1.0, min(10.0, end - time.monotonic())))
        except ConnectError:
            pass
        with self._pool:
            if None not in self._clients:   # closed meanwhile
                if client is not None:
                    client.close()
                raise TargetLost(f"connection to {self.target.display} is closed")
            self._clients.remove(None)
            if client is not None:
                self._clients.append(client)
                return client
            # the target takes no more connections: wait for a busy one instead
            self._max_clients = max(1, len(self._clients))
        return self._take(line, end, timeout_s)

    def _give_back(self, client: paramiko.SSHClient) -> None:
        if not self._one_channel:
            return
        with self._pool:
            if client in self._clients:
                if client is self._client or (client.get_transport() and client.get_transport().is_active()):
                    self._idle.append(client)
                else:   # a second connection that died: the next command opens another
                    self._clients.remove(client)
                    client.close()
            self._pool.notify()

    def _run_on(self, client: paramiko.SSHClient, line: str, stdin: Optional[bytes], start: float,
                end: float, timeout_s: float) -> CommandResult:
        transport = client.get_transport()
        if transport is None or not transport.is_active():
            raise TargetLost(f"connection to {self.target.display} is closed")
        chan = self._start(transport, line, end)
        try:
            if stdin:
                chan.sendall(stdin)
            chan.shutdown_write()
        except (paramiko.SSHException, EOFError, OSError) as e:
            chan.close()
            if self._still_alive(transport):
                raise SSHError(f"sending input to {line!r} failed: {e}") from None
            raise self._lost(line, e) from None
        out, err = bytearray(), bytearray()
        status_seen = 0.0
        try:
            while True:
                moved = False
                while chan.recv_ready():
                    out += chan.recv(1 << 16)
                    moved = True
                while chan.recv_stderr_ready():
                    err += chan.recv_stderr(1 << 16)
                    moved = True
                if chan.exit_status_ready() and not chan.recv_ready() and not chan.recv_stderr_ready():
                    # Output can trail the exit status on some servers: wait for EOF too, briefly.
                    status_seen = status_seen or time.monotonic()
                    if chan.eof_received or chan.closed or time.monotonic() - status_seen > EOF_GRACE_S:
                        break
                if not transport.is_active():
                    raise self._lost(line, None)
                left = end - time.monotonic()
                if left <= 0:
                    raise CommandTimeout(f"{line!r} did not finish within {timeout_s:g} s",
                                         bytes(out), bytes(err))
                if not moved:
                    # The channel's pipe wakes us on stdout, stderr and close; the short cap
                    # only bounds the reaction time to a transport that died silently.
                    select.select([chan], [], [], min(left, 0.25))
        except (socket.error, EOFError) as e:
            raise self._lost(line, e) from None
        finally:
            try:
                chan.close()
            except (EOFError, OSError, paramiko.SSHException):
                pass  # a dead transport: the next command reports it as TargetLost
        if chan.exit_status == -1 and not self._still_alive(transport):
            raise self._lost(line, None)  # closed by a dying connection, not by the command
        return CommandResult(line, chan.exit_status, bytes(out), bytes(err), time.monotonic() - start)

    def _start(self, transport: paramiko.Transport, line: str, end: float) -> paramiko.Channel:
        """Open a session channel and start the command in it. Not retried: a refused or closed
        channel may still have started the command, and a command is never run twice."""
        try:
            chan = transport.open_session(timeout=max(0.1, min(end - time.monotonic(), 10.0)))
            chan.exec_command(line)
            return chan
        except (paramiko.SSHException, EOFError, OSError) as e:
            if not self._still_alive(transport):
                raise self._lost(line, e) from None
            raise SSHError(f"{self.target.display} did not start {line!r}: {e}") from None

    @staticmethod
    def _still_alive(transport: Optional[paramiko.Transport], settle_s: float = SETTLE_S) -> bool:
        """Is the connection alive? Asked after a channel ended without an exit status: paramiko
        closes the channels of a dying connection a moment before it marks the transport
        inactive, so wait that moment out."""
        end = time.monotonic() + settle_s
        while transport is not None and transport.is_active() and time.monotonic() < end:
            time.sleep(0.05)
        return transport is not None and transport.is_active()

    def _lost(self, line: str, cause: Optional[BaseException]) -> TargetLost:
        why = f": {cause}" if cause else ""
        return TargetLost(f"connection to {self.target.display} dropped while running {line!r}{why}")

    # -- files -------------------------------------------------------------------------
    def put(self, local: Union[str, os.PathLike], remote: str, timeout_s: float = 60.0) -> None:
        """Upload a file with SFTP (the target needs an sftp-server, e.g. dropbear + openssh-sftp-server).
        The SFTP channel lives on the first connection (held meanwhile on a one-channel server)."""
        what = f"sftp put {remote}"
        client = self._take(what, time.monotonic() + timeout_s, timeout_s, first=True)
        try:
            if self._sftp is None:
                self._sftp = client.open_sftp()
            self._sftp.get_channel().settimeout(timeout_s)
            self._sftp.put(os.fspath(local), remote)
        except socket.timeout:
            raise CommandTimeout(f"upload of {local} to {remote} did not finish within {timeout_s:g} s") from None
        except (EOFError, paramiko.SSHException, OSError) as e:
            if not self._still_alive(client.get_transport()):
                raise self._lost(what, e) from None
            raise SSHError(f"upload of {local} to {self.target.display}:{remote} failed: {e}") from None
        finally:
            self._give_back(client)

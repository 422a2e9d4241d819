"""A real SSH server on 127.0.0.1 for the SSH layer's tests: paramiko's server side in threads,
running exec requests in bash on this machine and serving SFTP from the local file system.

It speaks the real protocol (key exchange, host key, public key auth, channels, window
flow control), so the client code under test cannot tell it from dropbear. ``drop()`` cuts
every connection at once, the way a target that dies looks from the host.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading

import paramiko


class _Handle(paramiko.SFTPHandle):
    def stat(self):
        return paramiko.SFTPAttributes.from_stat(os.fstat(self.readfile.fileno()))


class _LocalSFTP(paramiko.SFTPServerInterface):
    def open(self, path, flags, attr):
        mode = "rb"
        if flags & os.O_WRONLY:
            mode = "ab" if flags & os.O_APPEND else "wb"
        elif flags & os.O_RDWR:
            mode = "r+b"
        try:
            fd = os.open(path, flags, 0o644)
            f = os.fdopen(fd, mode)
        except OSError as e:
            return paramiko.SFTPServer.convert_errno(e.errno)
        handle = _Handle(flags)
        handle.readfile = f
        handle.writefile = f
        handle.filename = path
        return handle

    def stat(self, path):
        try:
            return paramiko.SFTPAttributes.from_stat(os.stat(path))
        except OSError as e:
            return paramiko.SFTPServer.convert_errno(e.errno)

    lstat = stat

    def chattr(self, path, attr):
        return paramiko.SFTP_OK

    def remove(self, path):
        os.remove(path)
        return paramiko.SFTP_OK

    def mkdir(self, path, attr):
        os.mkdir(path)
        return paramiko.SFTP_OK


class _Server(paramiko.ServerInterface):
    def __init__(self, owner: "LocalSSHServer"):
        self.owner = owner

    def get_allowed_auths(self, username):
        return "publickey"

    def check_auth_publickey(self, username, key):
        if key.get_base64() == self.owner.client_key.get_base64():
            return paramiko.AUTH_SUCCESSFUL
        return paramiko.AUTH_FAILED

    def check_channel_request(self, kind, chanid):
        return paramiko.OPEN_SUCCEEDED if kind == "session" else paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def check_channel_exec_request(self, channel, command):
        if self.owner.refuse_exec > 0:  # like a loaded dropbear failing to start a command
            self.owner.refuse_exec -= 1
            return False
        threading.Thread(target=self.owner._exec, args=(channel, command.decode()), daemon=True).start()
        return True


class LocalSSHServer:
    """``with LocalSSHServer(tmp_path) as srv:`` -> srv.port, srv.key_path, srv.host_key."""

    def __init__(self, workdir, env=None, shell=("bash", "-c"), version=None):
        self.workdir = str(workdir)
        self.env = env
        self.shell = list(shell)  # argv that runs a command line (given as the last argument)
        self.version = version    # the identification string, e.g. "SSH-2.0-dropbear_2022.83"
        # most commands one connection ran at once (the SSH layer must not overlap them on an
        # old dropbear's connections)
        self.peak_commands = 0
        self._running = {}
        self._count_lock = threading.Lock()
        self.host_key = paramiko.Ed25519Key.from_private_key_file(self._keygen("host_key"))
        self.key_path = self._keygen("client_key")
        self.client_key = paramiko.Ed25519Key.from_private_key_file(self.key_path)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.transports: list[paramiko.Transport] = []
        self.procs: list[subprocess.Popen] = []
        self._stopping = False
        self.refuse_exec = 0  # how many exec requests to refuse before starting commands again
        threading.Thread(target=self._accept, daemon=True).start()

    def _keygen(self, name):
        path = os.path.join(self.workdir, name)
        if not os.path.exists(path):
            write_ed25519_key(path)
        return path

    def _accept(self):
        while not self._stopping:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            t = paramiko.Transport(conn)
            if self.version:
                t.local_version = self.version
            t.add_server_key(self.host_key)
            t.set_subsystem_handler("sftp", paramiko.SFTPServer, _LocalSFTP)
            self.transports.append(t)
            try:
                t.start_server(server=_Server(self))
            except (paramiko.SSHException, EOFError, OSError):
                continue

    def _exec(self, chan: paramiko.Channel, command: str):
        transport = chan.get_transport()
        with self._count_lock:
            self._running[transport] = self._running.get(transport, 0) + 1
            self.peak_commands = max(self.peak_commands, self._running[transport])
        try:
            self._run(chan, command)
        finally:
            with self._count_lock:
                self._running[transport] -= 1

    def _run(self, chan: paramiko.Channel, command: str):
        proc = subprocess.Popen([*self.shell, command], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=self.env, start_new_session=True)
        self.procs.append(proc)

        def pump(src, send):
            try:
                for block in iter(lambda: src.read1(1 << 16), b""):
                    send(block)
            except (OSError, EOFError, paramiko.SSHException):
                pass

        def feed():
            try:
                for block in iter(lambda: chan.recv(1 << 16), b""):
                    proc.stdin.write(block)
                proc.stdin.close()
            except (OSError, EOFError, socket.timeout):
                pass

        pumps = [threading.Thread(target=pump, args=(proc.stdout, chan.sendall), daemon=True),
                 threading.Thread(target=pump, args=(proc.stderr, chan.sendall_stderr), daemon=True),
                 threading.Thread(target=feed, daemon=True)]
        for p in pumps:
            p.start()
        while proc.poll() is None:
            if chan.closed or not chan.get_transport().is_active():
                _kill(proc)  # like sshd: the client went away, the session's processes go too
                return
            try:
                proc.wait(0.1)
            except subprocess.TimeoutExpired:
                pass
        pumps[0].join()
        pumps[1].join()
        try:
            chan.send_exit_status(proc.returncode if proc.returncode >= 0 else 128 - proc.returncode)
            chan.close()
        except (OSError, EOFError, paramiko.SSHException):
            pass

    def drop(self):
        """Cut every connection without a goodbye, like a target that dies."""
        for t in self.transports:
            try:
                t.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            t.close()

    def close(self):
        self._stopping = True
        self.sock.close()
        self.drop()
        for p in self.procs:
            _kill(p)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _kill(proc):
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def write_ed25519_key(path):
    """A new Ed25519 private key in OpenSSH format (paramiko cannot write this kind)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption())
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
        f.write(pem)

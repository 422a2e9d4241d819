"""Streaming vstreams in forked children (guide §5.5 "Streaming inference").

The tutorial configures a network group in the parent, forks send/recv processes that use
the parent's ``ConfiguredNetwork`` object, and activates it in the parent. A fork has none of
the parent's threads, so the device cannot run in the child: the owning process serves its
network groups' streaming sessions on a private Unix socket (started when a process that
owns configured network groups forks; in Linux's abstract namespace, elsewhere a 0600 file in
the per-user lock directory; both behind a random authkey) and a child's
session is a proxy to it. Frames cross as device-format numpy arrays; format conversion stays in the
child, as it would in the real per-process vstream pipeline.
"""
import atexit
import os
import secrets
import sys
import threading
import weakref
from multiprocessing.connection import Client, Listener

from hailort_sim.status import HailoRTException, HailoStatus, raise_status

_server = None
_server_lock = threading.Lock()


class _Server:
    def __init__(self):
        from hailort_sim.pipeline.vdevice import lock_dir
        self.pid = os.getpid()
        self.authkey = secrets.token_bytes(16)
        name = f"hailort-fork-link-{self.pid}-{secrets.token_hex(4)}"
        # Linux's abstract namespace: no path, so no length limit (a TMPDIR beyond the 107 bytes
        # of a socket path broke every fork) and nothing left by a killed process; the authkey
        # keeps other processes out, as the 0600 file does elsewhere.
        abstract = sys.platform.startswith("linux")
        self.address = "\0" + name if abstract else os.path.join(lock_dir(), name + ".sock")
        self.networks = weakref.WeakValueDictionary()
        self.listener = Listener(self.address, family="AF_UNIX", authkey=self.authkey)
        if not abstract:
            os.chmod(self.address, 0o600)
        self.thread = threading.Thread(target=self._accept, name="hailort-fork-link", daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn = self.listener.accept()
            except (OSError, EOFError):
                return
            except Exception:   # failed authentication: ignore the peer
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        with conn:
            while True:
                try:
                    op, network_id, args = conn.recv()
                except (EOFError, OSError):
                    return
                try:
                    network = self.networks.get(network_id)
                    if network is None:
                        raise_status(HailoStatus.HAILO_NOT_FOUND, "The configured network group was released")
                    result = getattr(network.session(), op)(*args)
                    conn.send((None, result))
                except HailoRTException as error:
                    conn.send((int(error.status), str(error)))
                except Exception as error:  # report, never kill the server thread
                    conn.send((int(HailoStatus.HAILO_INTERNAL_FAILURE), repr(error)))


_networks = weakref.WeakValueDictionary()    # id -> ConfiguredNetworkCore of this process
_owner_pid = os.getpid()


def serve(network) -> None:
    """Make a configured network group reachable from children forked later."""
    global _owner_pid
    with _server_lock:
        if _owner_pid != os.getpid():
            _networks.clear()
            _owner_pid = os.getpid()
        _networks[id(network)] = network


def parent_address():
    """(address, authkey) of the server of the process this one was forked from."""
    if _server is None or _server.pid == os.getpid():
        raise_status(HailoStatus.HAILO_INVALID_OPERATION,
                     "This network group belongs to another process that was not this process's parent")
    return (_server.address, _server.authkey)


def _before_fork():
    # The server starts only when a process that owns network groups forks: processes that
    # never fork pay no thread or socket for it.
    global _server
    with _server_lock:
        if _networks and _owner_pid == os.getpid() and (_server is None or _server.pid != os.getpid()):
            _server = _Server()
            _server.networks = _networks


def _cleanup():
    if _server is not None and _server.pid == os.getpid():
        try:
            _server.listener.close()
        except OSError:
            pass


os.register_at_fork(before=_before_fork)
atexit.register(_cleanup)


class RemoteSession:
    """A child's view of its parent's StreamSession (same methods)."""

    def __init__(self, network_id):
        address, authkey = parent_address()
        self.pid = os.getpid()
        self.network_id = network_id
        self._lock = threading.Lock()
        try:
            self._conn = Client(address, family="AF_UNIX", authkey=authkey)
        except OSError as error:
            raise_status(HailoStatus.HAILO_COMMUNICATION_CLOSED,
                         f"Cannot reach the process that configured the network group ({error})")

    def _call(self, op, *args):
        with self._lock:
            try:
                self._conn.send((op, self.network_id, args))
                status, result = self._conn.recv()
            except (EOFError, OSError):
                raise_status(HailoStatus.HAILO_COMMUNICATION_CLOSED,
                             "The process that configured the network group went away")
        if status is not None:
            raise_status(status, result)
        return result

    def send(self, name, frame, timeout_s):
        return self._call("send", name, frame, timeout_s)

    def recv(self, name, timeout_s):
        return self._call("recv", name, timeout_s)

    def flush(self, timeout_s):
        return self._call("flush", timeout_s)

    def clear(self):
        return self._call("clear")

    def wait_for_activation(self, timeout_s):
        return self._call("wait_for_activation", timeout_s)

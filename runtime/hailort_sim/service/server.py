"""The service side: accepts clients, runs their calls on the local backend, cleans up.

Each client connection gets three threads: a reader (answers pings and hands frames to the
backend at once, queues the calls), a worker (runs calls in order) and a writer (replies
and completions; the scheduler's threads never block on a slow socket). Objects a client
creates (VDevices, configured models) are owned by its connection: when the connection
ends, cleanly or because the client died, they are released, newest first (libhailort's
destruction order).

VDevices with the same ``group_id`` share one backend (one scheduler for every process),
which is the point of the service; it is released when its last client leaves
(``interface.acquire``/``release``: the pipeline's own VDevice logic, run here).
"""
import itertools
import os
import queue
import socket
import stat
import threading
import time

from .. import log
from ..status import HailoRTException, HailoStatus
from . import interface, protocol
from .address import Address
from .interface import REMOTE_METHODS, ServiceVDevice
from .shm import ServiceArena


def error_detail(error):
    """What failed, without the exception class's fixed head (the client re-adds it)."""
    text = str(error)
    status = HailoStatus(error.status)
    for head in (type(error).message,
                 "libhailort failed with error: {} ({})".format(int(status), status.name)):
        if head and (text == head or text.startswith(head + ": ")):
            return text[len(head) + 2:]
    return text


class _Connection:
    def __init__(self, server, sock, number):
        self.server = server
        self.sock = sock
        self.number = number
        self.pid = None
        self.arena = None
        self.objects = {}          # handle -> (kind, object, owner: the core op's ServiceVDevice)
        self._handles = itertools.count(1)
        self._work = queue.Queue()
        self._out = queue.Queue()
        self.closed = threading.Event()

    # --- threads -------------------------------------------------------------------
    def start(self):
        for target, name in ((self._read_loop, "reader"), (self._work_loop, "worker"),
                             (self._write_loop, "writer")):
            threading.Thread(target=target, name="hailort-service-{}-{}".format(
                self.number, name), daemon=True).start()

    def _read_loop(self):
        try:
            while True:
                fds = []
                header, buffers = protocol.recv_message(self.sock, fds)
                op = header.get("op")
                if op == protocol.PING:
                    self.send({"op": protocol.REPLY, "id": header.get("id"), "status": 0})
                elif op == protocol.SUBMIT and self.pid is not None:
                    # Frames go straight to the backend (it never blocks): no thread hop per
                    # frame. A submit only names objects whose creation the client has seen
                    # answered, so it cannot overtake the call that made them.
                    self._submit(header.get("id"), header, buffers)
                elif op == protocol.ARENA and fds:
                    if self.arena is None:   # one per connection
                        try:
                            self.arena = ServiceArena(fds.pop(0))
                        except (ValueError, OSError) as error:
                            log.warning("Client pid {}: shared memory refused: {}".format(
                                self.pid, error))
                else:
                    self._work.put((header, buffers))
                for fd in fds:
                    os.close(fd)
        except protocol.ConnectionClosed:
            pass
        except Exception as error:  # malformed input must not kill the service
            log.error("Service connection {} failed: {}".format(self.number, error))
        self._work.put(None)

    def _work_loop(self):
        while True:
            item = self._work.get()
            if item is None:
                break
            header, buffers = item
            self._handle(header, buffers)
        self._cleanup()
        self._out.put(None)

    def _write_loop(self):
        while True:
            item = self._out.get()
            if item is None:
                break
            header, buffers = item
            try:
                protocol.send_message(self.sock, header, buffers)
            except protocol.ConnectionClosed:
                self._shutdown_socket()
                # keep draining so producers never block
        self._shutdown_socket()
        try:
            self.sock.close()
        except OSError:
            pass
        self.closed.set()
        self.server._forget(self)

    def _shutdown_socket(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def send(self, header, buffers=()):
        self._out.put((header, list(buffers)))

    # --- requests ------------------------------------------------------------------
    def _reply_error(self, request_id, error):
        if isinstance(error, HailoRTException) and error.status is not None:
            status, message = int(error.status), error_detail(error)
        else:
            status, message = int(HailoStatus.HAILO_INTERNAL_FAILURE), "{}: {}".format(
                type(error).__name__, error)
            log.error("Service call failed: {}".format(message))
        self.send({"op": protocol.REPLY, "id": request_id, "status": status,
                   "message": message})

    def _handle(self, header, buffers):
        request_id = header.get("id")
        try:
            op = header.get("op")
            if op == protocol.HELLO:
                self._hello(request_id, header)
            elif self.pid is None:
                raise HailoRTException("hello expected first",
                                       status=HailoStatus.HAILO_RPC_FAILED)
            elif op == protocol.CALL:
                self._call(request_id, header, buffers)
            elif op == protocol.SUBMIT:
                self._submit(request_id, header, buffers)
            elif op == protocol.RELEASE:
                self._release(header.get("obj"))
                self.send({"op": protocol.REPLY, "id": request_id, "status": 0})
            else:
                raise HailoRTException("unknown request {!r}".format(op),
                                       status=HailoStatus.HAILO_RPC_FAILED)
        except Exception as error:
            self._reply_error(request_id, error)

    def _hello(self, request_id, header):
        self.pid = int(header.get("pid") or 0)
        log.info("Client pid {} connected (HailoRT {})".format(self.pid, header.get("version")))
        self.send({"op": protocol.REPLY, "id": request_id, "status": 0,
                   "version": self.server.version, "protocol": protocol.PROTOCOL_VERSION,
                   "pid": os.getpid()})

    def _unpack(self, header, buffers, key):
        get = self.arena.get if self.arena is not None else None
        return protocol.unpack_value(header.get(key, []), buffers, get, self._resolve)

    def _resolve(self, handle):
        entry = self.objects.get(handle)
        if entry is None:
            raise HailoRTException("unknown object {!r} (already released?)".format(handle),
                                   status=HailoStatus.HAILO_INVALID_OPERATION)
        return entry[1]

    def _object(self, handle, method):
        entry = self.objects.get(handle)
        if entry is None:
            raise HailoRTException("unknown object {!r} (already released?)".format(handle),
                                   status=HailoStatus.HAILO_INVALID_OPERATION)
        kind, obj, _group = entry
        methods = REMOTE_METHODS[kind]
        if method not in methods:
            raise HailoRTException("{} has no remote method {!r}".format(kind, method),
                                   status=HailoStatus.HAILO_INVALID_OPERATION)
        return obj, methods[method]

    def _register(self, kind, obj, owner=None):
        handle = next(self._handles)
        self.objects[handle] = (kind, obj, owner)
        return handle

    def _call(self, request_id, header, buffers):
        args = self._unpack(header, buffers, "args")
        kwargs = self._unpack(header, buffers, "kwargs") or {}
        out = []
        if header.get("obj") is None:  # the only root call: a VDevice
            vdevice = ServiceVDevice(interface.acquire(*args, **kwargs), self.pid)
            result = {"__obj__": self._register("vdevice", vdevice)}
        else:
            obj, returns = self._object(header["obj"], header.get("method"))
            value = getattr(obj, header["method"])(*args, **kwargs)
            if returns is not None:
                result = {"__obj__": self._register(returns, value, obj)}
            else:
                result = protocol.pack_value(value, out)
        self.send({"op": protocol.REPLY, "id": request_id, "status": 0, "result": result}, out)

    def _submit(self, request_id, header, buffers):
        """Frames for the backend; the answer is one COMPLETION (never a REPLY), carrying
        whatever the backend's ``done`` gets, or the error that prevented the submission."""
        def completion(*cb_args, **cb_kwargs):
            out = []
            try:
                packed = protocol.pack_value([list(cb_args), cb_kwargs], out)
            except Exception as error:
                self._complete_error(request_id, error)
                return
            self.send({"op": protocol.COMPLETION, "id": request_id, "status": 0,
                       "result": packed}, out)

        try:
            obj, _ = self._object(header["obj"], header.get("method"))
            args = self._unpack(header, buffers, "args")
            kwargs = self._unpack(header, buffers, "kwargs") or {}
            kwargs[header.get("callback", "callback")] = completion
            getattr(obj, header["method"])(*args, **kwargs)
        except Exception as error:
            self._complete_error(request_id, error)

    def _complete_error(self, request_id, error):
        if isinstance(error, HailoRTException):
            status, message = error.status, error_detail(error)
        else:
            status, message = HailoStatus.HAILO_INTERNAL_FAILURE, "{}: {}".format(
                type(error).__name__, error)
            log.error("Service submit failed: {}".format(message))
        self.send({"op": protocol.COMPLETION, "id": request_id, "status": int(status),
                   "message": message})

    def _release(self, handle):
        entry = self.objects.pop(handle, None)
        if entry is None:
            return
        kind, obj, owner = entry
        if kind == "vdevice":
            for other in [h for h, e in self.objects.items() if e[2] is obj]:
                self._release(other)  # its core ops first
            interface.release(obj.shared)
        else:
            owner.release_core_op(obj)

    def _cleanup(self):
        if self.pid is not None:
            log.info("Client pid {} disconnected{}".format(
                self.pid, ", releasing what it left" if self.objects else ""))
        for handle in sorted(self.objects, reverse=True):
            try:
                self._release(handle)
            except Exception as error:
                log.warning("Releasing resources of client pid {} failed: {}".format(
                    self.pid, error))
        if self.arena is not None:
            self.arena.close()
            self.arena = None


class Server:
    """Listen on ``address`` and serve clients until ``stop()``."""

    def __init__(self, address, version=None):
        from .. import HAILORT_VERSION
        self.address = address if isinstance(address, Address) else Address(address)
        self.version = version or HAILORT_VERSION
        self._listener = None
        self._connections = set()
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def bind(self):
        if self.address.is_unix:
            path = self.address.target
            if os.path.exists(path) and stat.S_ISSOCK(os.lstat(path).st_mode):
                os.unlink(path)  # stale socket from a service that died
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.bind(path)
            # S_IRUSR|S_IWUSR|S_IROTH|S_IWOTH, as the real service: any user may connect
            os.chmod(path, 0o606)
        else:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(self.address.target)
        sock.listen(64)
        self._listener = sock

    def serve_forever(self):
        log.info("HailoRT service listening on {}".format(self.address))
        while not self._stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except OSError as error:
                if self._stopping.is_set():
                    break
                # e.g. EMFILE: keep serving the clients we have, retry shortly
                log.error("hailort_service failed to accept a client: {}".format(error))
                time.sleep(0.1)
                continue
            conn = _Connection(self, sock, next(self._numbers))
            with self._lock:
                self._connections.add(conn)
            conn.start()

    def stop(self):
        """Stop accepting, drop every client (their calls fail with HAILO_RPC_FAILED)."""
        self._stopping.set()
        if self._listener is not None:
            try:
                self._listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._listener.close()
            if self.address.is_unix:
                try:
                    os.unlink(self.address.target)
                except OSError:
                    pass
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            conn._shutdown_socket()
        for conn in connections:
            conn.closed.wait(2)

    def _forget(self, conn):
        with self._lock:
            self._connections.discard(conn)

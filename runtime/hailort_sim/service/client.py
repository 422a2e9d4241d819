"""The client side: one connection to ``hailort_service`` per VDevice.

Calls block until the service replies; frame submissions return at once and their
completion callback runs later on the connection's callback thread (never on the socket
reader, so a callback may call the service again). When the service dies, every waiting
call and every pending completion fails with ``HAILO_RPC_FAILED`` as soon as the socket
closes (the kernel closes it when the process dies, even on ``kill -9``); a service that
stops answering is declared dead after ``KEEPALIVE_TIMEOUT_S``.
"""
import itertools
import os
import queue
import socket
import threading
import time
import weakref

from .. import log
from ..status import HailoStatus, exception_for, raise_status
from . import protocol
from .address import service_address
from .shm import ClientArena, shared_memory_enabled

KEEPALIVE_INTERVAL_S = 1.0
KEEPALIVE_TIMEOUT_S = 5.0
_CONNECT_HINT = ("Make sure hailort_service is running (sudo systemctl enable --now "
                 "hailort.service, or run `hailort_service standalone`) and that "
                 "HAILORT_SERVICE_ADDRESS matches its address.")


_connections = weakref.WeakSet()


def _after_fork_in_child():
    # The child must not keep the parent's connections open: the service would not see the
    # parent die while a forked child lives. Closing the child's copy leaves the parent's.
    for connection in list(_connections):
        try:
            connection.sock.close()
        except OSError:
            pass


os.register_at_fork(after_in_child=_after_fork_in_child)


class RemoteObject:
    """A service-side object (VDevice backend, configured model) owned by this client."""

    def __init__(self, connection, handle):
        self.connection = connection
        self.handle = handle

    @property
    def remote_handle(self):
        return self.handle  # how protocol.pack_value refers to it

    def call(self, method, *args, **kwargs):
        return self.connection.call(self.handle, method, args, kwargs)

    def submit(self, method, args, kwargs, on_done, callback_name="callback"):
        self.connection.submit(self.handle, method, args, kwargs, on_done, callback_name)

    def release(self):
        self.connection.release(self.handle)


class _Pending:
    __slots__ = ("event", "header", "buffers")

    def __init__(self):
        self.event = threading.Event()
        self.header = None
        self.buffers = None


class ServiceConnection:
    def __init__(self, address=None):
        self.address = address or service_address()
        self.pid = os.getpid()
        self._ids = itertools.count(1)
        self._send_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._calls = {}          # id -> _Pending
        self._completions = {}    # id -> (on_done, shm offsets)
        self._dead = None         # reason string once the connection is lost
        self._closing = False
        self._last_rx = time.monotonic()
        self._callbacks = queue.Queue()
        self._arena = None
        self._arena_sent = False
        self._use_shm = shared_memory_enabled(self.address.is_unix)
        self.sock = socket.socket(self.address.family, socket.SOCK_STREAM)
        try:
            self.sock.connect(self.address.target)
        except OSError as error:
            self.sock.close()
            raise_status(HailoStatus.HAILO_RPC_FAILED,
                         "Failed to connect to hailort_service at {} ({}). {}".format(
                             self.address, error.strerror or error, _CONNECT_HINT))
        _connections.add(self)
        self._threads = []
        for target, name in ((self._read_loop, "reader"), (self._callback_loop, "callbacks"),
                             (self._keepalive_loop, "keepalive")):
            thread = threading.Thread(target=target, name="hailort-client-" + name,
                                      daemon=True)
            thread.start()
            self._threads.append(thread)
        try:
            self._hello()
        except BaseException:
            self.close()
            raise

    def _hello(self):
        from .. import HAILORT_VERSION
        reply, _ = self._request({"op": protocol.HELLO, "version": HAILORT_VERSION,
                                  "protocol": protocol.PROTOCOL_VERSION, "pid": os.getpid()})
        version = reply.get("version")
        if version != HAILORT_VERSION or reply.get("protocol") != protocol.PROTOCOL_VERSION:
            raise_status(HailoStatus.HAILO_INVALID_SERVICE_VERSION,
                         "hailort_service version {} does not match libhailort version {}; "
                         "install the same HailoRT version for both and restart the service"
                         .format(version, HAILORT_VERSION))
        self.service_pid = reply.get("pid")

    # --- socket threads ---------------------------------------------------------------
    def _read_loop(self):
        reason = "connection closed by hailort_service"
        try:
            while True:
                header, buffers = protocol.recv_message(self.sock)
                self._last_rx = time.monotonic()
                op = header.get("op")
                request_id = header.get("id")
                if op == protocol.REPLY:
                    with self._state_lock:
                        pending = self._calls.pop(request_id, None)
                    if pending is not None:
                        pending.header, pending.buffers = header, buffers
                        pending.event.set()
                elif op == protocol.COMPLETION:
                    with self._state_lock:
                        entry = self._completions.pop(request_id, None)
                    if entry is not None:
                        self._callbacks.put((entry, header, buffers))
        except protocol.ConnectionClosed as error:
            if str(error) != "connection closed by peer":
                reason = "connection to hailort_service failed: {}".format(error)
        except Exception as error:  # a malformed frame: the connection is unusable
            reason = "bad message from hailort_service: {}".format(error)
        self._fail_all(reason)

    def _fail_all(self, reason):
        with self._state_lock:
            if self._dead is None:
                self._dead = reason
            calls, self._calls = self._calls, {}
            completions, self._completions = self._completions, {}
        if not self._closing:
            log.error("{} (HAILO_RPC_FAILED)".format(reason))
        for pending in calls.values():
            pending.event.set()
        for entry in completions.values():
            self._callbacks.put((entry, None, None))
        self._callbacks.put(None)
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _callback_loop(self):
        while True:
            item = self._callbacks.get()
            if item is None:
                # drain what the reader queued before dying
                while True:
                    try:
                        item = self._callbacks.get_nowait()
                    except queue.Empty:
                        return
                    if item is not None:
                        self._run_callback(*item)
            self._run_callback(*item)

    def flush_callbacks(self):
        """Wait until every completion received so far has run its callback."""
        if threading.current_thread() is self._threads[1] or self._dead is not None:
            return
        marker = threading.Event()
        no_result = {"status": 0, "result": [[], {"__map__": []}]}
        self._callbacks.put(((lambda *_: marker.set(), []), no_result, []))
        marker.wait(5)

    def _run_callback(self, entry, header, buffers):
        on_done, offsets = entry
        if self._arena is not None:
            for offset in offsets:
                self._arena.free(offset)
        try:
            if header is None:
                on_done(exception_for(HailoStatus.HAILO_RPC_FAILED, self._dead or ""), None)
            elif header.get("status"):
                on_done(exception_for(header["status"], header.get("message", "")), None)
            else:
                args, kwargs = protocol.unpack_value(header.get("result"), buffers)
                on_done(None, (args, kwargs))
        except Exception as error:  # a user callback must not kill the connection
            log.error("Inference completion callback raised {}: {}".format(
                type(error).__name__, error))

    def _keepalive_loop(self):
        ping = {"op": protocol.PING, "id": 0}
        while self._dead is None:
            time.sleep(KEEPALIVE_INTERVAL_S)
            if self._dead is not None:
                return
            busy = bool(self._calls or self._completions)
            if busy and time.monotonic() - self._last_rx > KEEPALIVE_TIMEOUT_S:
                self._fail_all("hailort_service did not answer for {:.0f} s".format(
                    KEEPALIVE_TIMEOUT_S))
                return
            try:
                protocol.send_message(self.sock, ping, lock=self._send_lock)
            except protocol.ConnectionClosed:
                pass  # the reader sees it too

    # --- requests ----------------------------------------------------------------------
    def _check_usable(self):
        if os.getpid() != self.pid:
            raise_status(HailoStatus.HAILO_RPC_FAILED,
                         "This VDevice was created by process {}; a VDevice connected to "
                         "hailort_service cannot be used after fork. Create a VDevice in each "
                         "process (same group_id).".format(self.pid))
        if self._dead is not None:
            raise_status(HailoStatus.HAILO_RPC_FAILED, "{}. {}".format(self._dead, _CONNECT_HINT))

    def _send(self, header, buffers=(), fds=()):
        try:
            protocol.send_message(self.sock, header, buffers, fds, lock=self._send_lock)
        except protocol.ConnectionClosed as error:
            self._fail_all("connection to hailort_service failed: {}".format(error))
            raise_status(HailoStatus.HAILO_RPC_FAILED, "{}. {}".format(self._dead, _CONNECT_HINT))

    def _request(self, header, buffers=()):
        self._check_usable()
        request_id = next(self._ids)
        header["id"] = request_id
        pending = _Pending()
        with self._state_lock:
            if self._dead is None:
                self._calls[request_id] = pending
        self._check_usable()
        self._send(header, buffers)
        pending.event.wait()
        if pending.header is None:
            raise_status(HailoStatus.HAILO_RPC_FAILED, "{}. {}".format(self._dead, _CONNECT_HINT))
        if pending.header.get("status"):
            raise exception_for(pending.header["status"], pending.header.get("message", ""))
        return pending.header, pending.buffers

    def _unwrap(self, value):
        if isinstance(value, dict) and "__obj__" in value:
            return RemoteObject(self, value["__obj__"])
        return value

    def create_vdevice(self, params):
        """The root object: a (possibly shared, by group_id) VDevice backend."""
        reply, _ = self._request({"op": protocol.CALL, "obj": None, "method": None,
                                  "args": protocol.pack_value([params], [])})
        return self._unwrap(reply.get("result"))

    def call(self, handle, method, args=(), kwargs=None):
        buffers = []
        header = {"op": protocol.CALL, "obj": handle, "method": method,
                  "args": protocol.pack_value(list(args), buffers),
                  "kwargs": protocol.pack_value(kwargs or {}, buffers)}
        reply, reply_buffers = self._request(header, buffers)
        result = reply.get("result")
        if isinstance(result, dict) and "__obj__" in result:
            return self._unwrap(result)
        return protocol.unpack_value(result, reply_buffers)

    def _shm_put(self, offsets):
        if not self._use_shm:
            return None
        if self._arena is None:
            with self._state_lock:
                if self._arena is None:
                    self._arena = ClientArena()

        def put(array):
            ref = self._arena.put(array)
            if ref is not None:
                offsets.append(ref[0])
            return ref
        return put

    def submit(self, handle, method, args, kwargs, on_done, callback_name="callback"):
        """Send frames; ``on_done(exception, (args, kwargs))`` runs at completion."""
        self._check_usable()
        offsets = []
        buffers = []
        header = {"op": protocol.SUBMIT, "obj": handle, "method": method,
                  "callback": callback_name}
        header["args"] = protocol.pack_value(list(args), buffers, self._shm_put(offsets))
        header["kwargs"] = protocol.pack_value(kwargs or {}, buffers, self._shm_put(offsets))
        if offsets and not self._arena_sent:
            with self._send_lock:
                if not self._arena_sent:
                    try:
                        protocol.send_message(self.sock, {"op": protocol.ARENA, "id": 0},
                                              fds=[self._arena.fd])
                    except protocol.ConnectionClosed:
                        pass
                    self._arena_sent = True
        request_id = next(self._ids)
        header["id"] = request_id
        with self._state_lock:
            if self._dead is None:
                self._completions[request_id] = (on_done, offsets)
        self._check_usable()
        self._send(header, buffers)

    def release(self, handle):
        if self._dead is not None or os.getpid() != self.pid:
            return  # the service already dropped everything of ours
        self._request({"op": protocol.RELEASE, "obj": handle})

    def close(self):
        if os.getpid() != self.pid:
            return
        self._closing = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        for thread in self._threads:
            if thread is not threading.current_thread() and thread.name != "hailort-client-keepalive":
                thread.join(2)
        self.sock.close()
        if self._arena is not None:
            self._arena.close()
            self._arena = None


def open_backend(config):
    """The pipeline's entry point (``pipeline.vdevice``): a ``RemoteBackend`` for a
    ``VDeviceConfig`` with ``multi_process_service=True``."""
    from .remote_backend import RemoteBackend
    return RemoteBackend({"device_count": config.device_count,
                          "device_ids": list(config.device_ids),
                          "scheduling_algorithm": int(config.scheduling_algorithm),
                          "group_id": config.group_id})

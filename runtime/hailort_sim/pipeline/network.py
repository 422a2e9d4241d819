"""The VStreams pipeline (guide §6.3): configured network groups, activation, blocking
``infer`` and streaming send/recv.

``StreamSession`` is the per-network-group streaming state: frames sent on the input
vstreams are matched by position (the k-th frame of every input makes request k), computed
by the backend, and queued per output vstream in device format until ``recv`` converts them
to the receiver's user format. A forked child reaches its parent's session through
``fork_link`` (real HailoRT supports the guide §5.5 send/recv-in-child-processes flow).
"""
import os
import threading
import time
from collections import deque
from typing import Dict, Optional

import numpy as np

from hailort_sim.hef.model import HefModel, NetworkGroup
from hailort_sim.pipeline import formats
from hailort_sim.pipeline.backend import SCHEDULING_NONE, queue_size_for
from hailort_sim.status import HailoStatus, raise_status

DEFAULT_VSTREAM_TIMEOUT_MS = 10000
DEFAULT_VSTREAM_QUEUE_SIZE = 2
# Frames that may be sent but not yet received before send() blocks (back-pressure).
STREAM_BACKLOG_FRAMES = 16


class StreamSession:
    """Streaming send/recv state of one configured network group (in the owning process)."""

    def __init__(self, network: "ConfiguredNetworkCore"):
        self.network = network
        group = network.group
        self.input_names = [v.name for v in group.input_vstreams]
        self.output_names = [v.name for v in group.output_vstreams]
        self._cv = threading.Condition()
        self._inputs = {n: deque() for n in self.input_names}
        self._outputs = {n: deque() for n in self.output_names}
        self._in_flight = 0
        self._failed = None

    def _backlog(self) -> int:
        return self._in_flight + max((len(q) for q in self._outputs.values()), default=0)

    def send(self, name: str, frame, timeout_s: float) -> None:
        """Queue one device-format frame ``(1, *shape)`` of input ``name``."""
        deadline = time.monotonic() + timeout_s
        with self._cv:
            while self._backlog() >= STREAM_BACKLOG_FRAMES:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise_status(HailoStatus.HAILO_TIMEOUT,
                                 f"send to '{name}' timed out after {timeout_s * 1000:.0f} ms: the outputs "
                                 "are not being read (or the network group is not activated)")
                self._cv.wait(left)
            self._inputs[name].append(frame)
            if not all(self._inputs[n] for n in self.input_names):
                return
            inputs = {n: self._inputs[n].popleft() for n in self.input_names}
            self._in_flight += 1
        self.network.backend.submit(self.network.core_op, inputs, 1, self._done)

    def _done(self, status, outputs) -> None:
        with self._cv:
            self._in_flight -= 1
            if status != HailoStatus.HAILO_SUCCESS:
                self._failed = status
            else:
                for name in self.output_names:
                    self._outputs[name].append(outputs[name][0])
            self._cv.notify_all()

    def recv(self, name: str, timeout_s: float):
        """The next device-format frame of output ``name`` (no batch axis)."""
        deadline = time.monotonic() + timeout_s
        with self._cv:
            queue = self._outputs[name]
            while not queue:
                if self._failed is not None:
                    raise_status(self._failed, f"recv from '{name}' failed")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise_status(HailoStatus.HAILO_TIMEOUT,
                                 f"recv from '{name}' timed out after {timeout_s * 1000:.0f} ms "
                                 "(fewer frames were sent than are being read?)")
                self._cv.wait(left)
            frame = queue.popleft()
            self._cv.notify_all()
            return frame

    def flush(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        with self._cv:
            while self._in_flight:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise_status(HailoStatus.HAILO_TIMEOUT, "flush timed out")
                self._cv.wait(left)

    def clear(self) -> None:
        with self._cv:
            for queue in list(self._inputs.values()) + list(self._outputs.values()):
                queue.clear()
            self._cv.notify_all()

    def wait_for_activation(self, timeout_s: float) -> None:
        self.network.backend.wait_for_activation(self.network.core_op, timeout_s)


class ConfiguredNetworkCore:
    """A network group configured on a VDevice through ``VDevice.configure``."""

    def __init__(self, vdevice, model: HefModel, group: NetworkGroup, batch_size: int = 0):
        self.vdevice = vdevice
        self.backend = vdevice.backend
        self.model = model
        self.group = group
        self.name = group.name
        self.batch_size = batch_size
        self.pid = os.getpid()
        self.core_op = self.backend.configure(group, batch_size)
        self._session = None
        self._session_lock = threading.Lock()
        self._remote = None
        from hailort_sim.pipeline import fork_link
        fork_link.serve(self)

    @property
    def scheduler_enabled(self) -> bool:
        return self.backend.scheduling_algorithm != SCHEDULING_NONE

    @property
    def in_owner(self) -> bool:
        return os.getpid() == self.pid

    def session(self):
        """The streaming session: local in the owning process, a proxy in a forked child."""
        if not self.in_owner:
            if self._remote is None or self._remote.pid != os.getpid():
                from hailort_sim.pipeline import fork_link
                self._remote = fork_link.RemoteSession(id(self))
            return self._remote
        with self._session_lock:
            if self._session is None:
                self._session = StreamSession(self)
            return self._session

    def activate(self) -> None:
        self.backend.activate(self.core_op)

    def deactivate(self) -> None:
        self.backend.deactivate(self.core_op)

    def is_active(self) -> bool:
        return self.backend.is_active(self.core_op)

    def wait_for_activation(self, timeout_ms: Optional[int]) -> None:
        timeout_s = 0x7FFFFFFF / 1000.0 if timeout_ms is None else timeout_ms / 1000.0
        if self.in_owner:
            self.backend.wait_for_activation(self.core_op, timeout_s)
        else:
            self.session().wait_for_activation(timeout_s)

    def set_scheduler_params(self, **params) -> None:
        self.backend.set_scheduler_params(self.core_op, **params)

    def release(self) -> None:
        if self.in_owner:
            self.backend.release_core_op(self.core_op)

    # --- blocking infer ----------------------------------------------------------------
    def infer(self, in_formats: Dict[str, formats.StreamFormat], out_formats: Dict[str, formats.StreamFormat],
              input_data: Dict[str, np.ndarray], timeout_s: float) -> Dict[str, object]:
        """Frames ``(N, *shape)`` per input -> per output ``(N, *shape)`` arrays in user format
        (NMS: a list per frame of per-class arrays). One request per frame, so other network
        groups can be scheduled between them; each frame must finish within ``timeout_s``."""
        if not self.in_owner:
            raise_status(HailoStatus.HAILO_INVALID_OPERATION,
                         "InferVStreams.infer must run in the process that configured the network group")
        if not self.is_active():
            raise_status(HailoStatus.HAILO_NETWORK_GROUP_NOT_ACTIVATED,
                         f"Network group {self.name} is not activated: use 'with network_group.activate(...)' "
                         "or a VDevice with a scheduling algorithm")
        n = next(iter(input_data.values())).shape[0]
        device_inputs = {name: formats.to_device(fmt, input_data[name]) for name, fmt in in_formats.items()}
        results = [None] * n
        cv = threading.Condition()
        state = {"done": 0, "failed": None}

        def make_done(index):
            def done(status, outputs):
                with cv:
                    if status != HailoStatus.HAILO_SUCCESS:
                        state["failed"] = status
                    else:
                        results[index] = outputs
                    state["done"] += 1
                    cv.notify_all()
            return done

        # At most a queue's worth of frames in flight (the core op's queue size, what the
        # monitor shows as its capacity), as libhailort's bounded stream queues.
        limit = queue_size_for(self.batch_size)
        for i in range(n):
            with cv:
                while i - state["done"] >= limit and state["failed"] is None:
                    if not cv.wait(timeout_s):
                        raise_status(HailoStatus.HAILO_TIMEOUT,
                                     f"infer timed out after {timeout_s * 1000:.0f} ms waiting for frame "
                                     f"{state['done']}")
            inputs = {name: value[i:i + 1] for name, value in device_inputs.items()}
            self.backend.submit(self.core_op, inputs, 1, make_done(i))
        with cv:
            seen = -1
            while state["done"] < n:
                if state["done"] != seen:
                    seen, deadline = state["done"], time.monotonic() + timeout_s
                left = deadline - time.monotonic()
                if left <= 0:
                    raise_status(HailoStatus.HAILO_TIMEOUT,
                                 f"infer timed out after {timeout_s * 1000:.0f} ms waiting for frame {seen}")
                cv.wait(left)
        if state["failed"] is not None:
            raise_status(state["failed"], f"infer on network group {self.name} failed")
        out = {}
        for name, fmt in out_formats.items():
            if fmt.is_nms:
                out[name] = [r[name][0] for r in results]
            else:
                batch = np.concatenate([r[name] for r in results]) if n > 1 else results[0][name]
                out[name] = formats.from_device(fmt, batch)
        return out

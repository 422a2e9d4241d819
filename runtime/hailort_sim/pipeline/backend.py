"""The seam between a VDevice and whatever runs its frames: the ``Backend`` interface and
``LocalBackend``, the in-process model scheduler over the simulated device.

A VDevice holds one backend. Everything above it (InferModel, vstreams) does the host-side
work (format conversion, queues, callbacks to the user) and hands the backend quantized
host-format frames; the backend decides *when* each network group runs (scheduler or manual
activation), computes the outputs through ``device_link`` and paces them with the device
timing model. The multi-process service implements the same interface remotely.

The interface is ``Backend`` below (a ``typing.Protocol``: ``LocalBackend`` here, the
service's ``RemoteBackend`` in ``hailort_sim.service.remote_backend``).
"""
import heapq
import itertools
import threading
import time
from collections import deque
from typing import Callable, Dict, List, Optional, Protocol, Sequence

from hailort_sim.hef.model import NetworkGroup
from hailort_sim.pipeline import device_link
from hailort_sim.status import HailoStatus, raise_status

SCHEDULING_NONE = 0
SCHEDULING_ROUND_ROBIN = 1
PRIORITY_MIN, PRIORITY_NORMAL, PRIORITY_MAX = 0, 16, 31
# The device's utilization (read by the power and temperature models) is its busy share of
# the last window.
UTILIZATION_WINDOW_S = 0.1
# Frames one scheduling decision may take when no other network group is waiting: merging
# small requests into one compute call keeps the host overhead per frame low.
UNCONTENDED_BURST_FRAMES = 1024
# Requests are merged into one compute call only while their inputs stay small.
MERGE_BYTES_LIMIT = 1 << 20
# How many frames may be in flight per configured model. libhailort sizes this from its
# pipeline buffer pools; a fixed depth with room for several bursts lets one thread keep the
# device busy (the async API's point) while bounding the memory a slow consumer can pin.
ASYNC_QUEUE_MIN_FRAMES = 32
ASYNC_QUEUE_BURSTS = 4


# Threads waiting for a completion (wait_for_async_ready, job.wait) are woken once per burst of
# completions the runtime thread delivers, not once per frame: woken mid-burst they only fight
# the delivering thread for the GIL, which on two CPUs broke the bursts into rounds of one or two
# frames, each paying thread switches. Within a long burst they are woken after the callback that
# ends BURST_WAKEUP_INTERVAL_S. A user callback that blocks (say, until the waiting thread
# drains a queue) would hold the wake-up back, so waiters also re-check their condition every
# WAITER_RECHECK_S; a late wake-up never turns into a timeout.
BURST_WAKEUP_INTERVAL_S = 0.001
WAITER_RECHECK_S = 0.01
_burst = threading.local()


def wake_after_burst(cond: threading.Condition) -> None:
    """``notify_all`` on ``cond`` (not held by the caller): after the completion burst being
    delivered when called from a runtime completion thread, else at once."""
    pending = getattr(_burst, "pending", None)
    if pending is None:
        with cond:
            cond.notify_all()
    else:
        pending[cond] = None


def _wake(pending: dict) -> None:
    for cond in pending:
        with cond:
            cond.notify_all()
    pending.clear()


def queue_size_for(batch_size: int) -> int:
    """Frames a core op's streams hold (the async queue size; the monitor's capacity)."""
    return max(ASYNC_QUEUE_MIN_FRAMES, ASYNC_QUEUE_BURSTS * max(1, batch_size))


class Backend(Protocol):
    """What runs a VDevice's frames. All methods are thread-safe."""

    devices: Sequence[device_link.PhysicalDevice]    # the physical devices it runs on
    device_ids: Sequence[str]                        # their ids
    scheduling_algorithm: int                        # SCHEDULING_NONE or SCHEDULING_ROUND_ROBIN

    def configure(self, group: NetworkGroup, batch_size: int = 0):
        """Load a network group; the returned core op handle is passed to every other call."""

    def submit(self, core_op, inputs: Dict[str, object], frames: int, done: Callable) -> None:
        """``inputs``: ``{input vstream name: ndarray (frames, *shape)}`` in the device type.
        ``done(status, outputs)`` is called exactly once, from a backend thread, with ``status``
        a ``HailoStatus`` and ``outputs`` ``{output vstream name: ndarray (frames, *shape)}``
        (NMS: a list per frame of per-class ``(n, 5)`` float32 arrays), or ``None`` when the
        status is not success. Never blocks (queue limits are the caller's)."""

    def set_scheduler_params(self, core_op, timeout_ms=None, threshold=None, priority=None) -> None:
        """HAILO_INVALID_OPERATION when the backend has no scheduler."""

    def activate(self, core_op) -> None:
        """Manual activation, only when the scheduler is NONE (also ``deactivate``)."""

    def deactivate(self, core_op) -> None: ...

    def is_active(self, core_op) -> bool: ...

    def wait_for_activation(self, core_op, timeout_s: float) -> None: ...

    def release_core_op(self, core_op) -> None:
        """Fail every not-yet-delivered frame of it with HAILO_STREAM_ABORT, wait until their
        ``done`` calls have returned (unless called from inside one), and unload it."""

    def release(self) -> None:
        """Release every core op and stop the backend's threads."""


def report_callback_error(what: str) -> None:
    """An exception escaped a user callback: to the HailoRT log (as libhailort reports a failed
    callback), never to the runtime thread that called it."""
    import traceback

    from hailort_sim import log
    log.error(f"{what} raised an exception:\n{traceback.format_exc().rstrip()}")


class CoreOp:
    """One configured network group inside a backend (``hailo_core_op``)."""
    _ids = itertools.count()

    def __init__(self, group: NetworkGroup, batch_size: int):
        self.id = next(self._ids)
        self.group = group
        self.name = group.name
        self.batch_size = batch_size
        self.burst = max(1, batch_size)
        self.queue_size = queue_size_for(batch_size)
        self.threshold = 0      # stored 0 = default, behaves as 1 (spec §19 #2)
        self.timeout_s = 0.0
        self.priority = PRIORITY_NORMAL
        self.pending = deque()
        self.pending_frames = 0
        self.undelivered = 0    # frames submitted whose done() has not returned yet
        self.last_run = time.monotonic()
        self.released = False
        self.active = False
        self.frames_done = 0    # monitor / tests: frames completed


class _Request:
    __slots__ = ("core_op", "inputs", "frames", "done", "arrival", "outputs", "status")

    def __init__(self, core_op, inputs, frames, done):
        self.core_op, self.inputs, self.frames, self.done = core_op, inputs, frames, done
        self.arrival = time.monotonic()
        self.outputs = None
        self.status = HailoStatus.HAILO_SUCCESS


class _Completions:
    """Delivers finished requests at their due time, in one runtime thread, in order."""

    def __init__(self, backend):
        self._backend = backend
        self._heap = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._stop = False
        self.thread = threading.Thread(target=self._run, name="hailort-completions", daemon=True)
        self.thread.start()

    def put(self, due: float, request: _Request) -> None:
        with self._cond:
            heapq.heappush(self._heap, (due, next(self._seq), request))
            self._cond.notify()

    def put_many(self, entries) -> None:
        with self._cond:
            for due, request in entries:
                heapq.heappush(self._heap, (due, next(self._seq), request))
            self._cond.notify()

    def expedite(self, core_op) -> None:
        """Make a released core op's scheduled completions due now (they will be aborted)."""
        with self._cond:
            heap = self._heap
            heap[:] = [(0.0 if r.core_op is core_op else due, seq, r) for due, seq, r in heap]
            heapq.heapify(heap)
            self._cond.notify()

    def stop(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify()
        if threading.current_thread() is not self.thread:
            self.thread.join()

    def _run(self):
        heap, cond = self._heap, self._cond
        while True:
            with cond:
                while True:
                    if heap:
                        wait = heap[0][0] - time.monotonic()
                        if wait <= 0 or self._stop or heap[0][2].core_op.released:
                            break
                        cond.wait(wait)
                    elif self._stop:
                        return
                    else:
                        cond.wait()
                # everything due now, in one go (fewer lock round trips at high frame rates)
                now = time.monotonic()
                due = [heapq.heappop(heap)[2]]
                while heap and (heap[0][0] <= now or self._stop or heap[0][2].core_op.released) and len(due) < 256:
                    due.append(heapq.heappop(heap)[2])
            pending = _burst.pending = {}
            wake_by = None
            try:
                for request in due:
                    if request.core_op.released and request.status == HailoStatus.HAILO_SUCCESS:
                        request.status, request.outputs = HailoStatus.HAILO_STREAM_ABORT, None
                    try:
                        request.done(request.status, request.outputs)
                    except Exception:   # a failing user callback must not kill the runtime thread
                        report_callback_error("An inference completion callback")
                    if pending:
                        now = time.monotonic()
                        if wake_by is None:
                            wake_by = now + BURST_WAKEUP_INTERVAL_S
                        elif now >= wake_by:
                            _wake(pending)
                            wake_by = None
            finally:
                _burst.pending = None
                _wake(pending)
                self._backend._delivered(due)
            due = request = None     # the user's buffers are theirs again: hold no reference


class LocalBackend:
    """The model scheduler of one (in-process) VDevice over its simulated physical devices.

    One worker thread per physical device runs the device timeline: it picks a network
    group (round-robin by priority with threshold/timeout, guide §6.10, or the manually
    activated one when the scheduler is NONE), computes a burst, and schedules each
    request's completion at ``start + frames * frame_time + latency - frame_time``, where
    ``start`` is when both the device was free and the frame had arrived. Completion times
    are computed on the simulated timeline, not from sleeps, so pacing is exact on average.
    """

    def __init__(self, devices: List[device_link.PhysicalDevice], scheduling_algorithm: int):
        self.devices = devices
        self.device_ids = [d.device_id for d in devices]
        self.scheduling_algorithm = int(scheduling_algorithm)
        self._cond = threading.Condition()
        self._core_ops: List[CoreOp] = []
        self._rr_next = 0
        self._stopped = False
        self._activation = threading.Condition(self._cond)
        self._completions = _Completions(self)
        self._workers = [threading.Thread(target=self._work, args=(dev,), name=f"hailort-device-{i}", daemon=True)
                         for i, dev in enumerate(devices)]
        for worker in self._workers:
            worker.start()

    # --- interface ---------------------------------------------------------------------
    def configure(self, group: NetworkGroup, batch_size: int = 0) -> CoreOp:
        core_op = CoreOp(group, batch_size)
        with self._cond:
            self._check_running()
            self._core_ops.append(core_op)
        return core_op

    def submit(self, core_op: CoreOp, inputs: Dict[str, object], frames: int, done: Callable) -> None:
        request = _Request(core_op, inputs, frames, done)
        with self._cond:
            if self._stopped:   # nothing would deliver the completion any more
                raise_status(HailoStatus.HAILO_INVALID_OPERATION,
                             "The VDevice was released; create a new one to run inference")
            core_op.undelivered += frames
            if core_op.released:
                request.status = HailoStatus.HAILO_STREAM_ABORT
                self._completions.put(0.0, request)
                return
            core_op.pending.append(request)
            core_op.pending_frames += frames
            self._cond.notify()

    def set_scheduler_params(self, core_op: CoreOp, timeout_ms=None, threshold=None, priority=None) -> None:
        if self.scheduling_algorithm == SCHEDULING_NONE:
            what = "timeout" if timeout_ms is not None else "threshold" if threshold is not None else "priority"
            raise_status(HailoStatus.HAILO_INVALID_OPERATION,
                         f"Cannot set scheduler {what} for core-op {core_op.name}, as it is configured on a "
                         "vdevice which does not have scheduling enabled")
        if priority is not None and not PRIORITY_MIN <= int(priority) <= PRIORITY_MAX:
            raise_status(HailoStatus.HAILO_INVALID_ARGUMENT,
                         f"Scheduler priority {priority} is out of range [{PRIORITY_MIN}, {PRIORITY_MAX}]")
        if threshold is not None and int(threshold) < 0 or timeout_ms is not None and int(timeout_ms) < 0:
            raise_status(HailoStatus.HAILO_INVALID_ARGUMENT, "Scheduler threshold/timeout must not be negative")
        with self._cond:
            if timeout_ms is not None:
                core_op.timeout_s = int(timeout_ms) / 1000.0
            if threshold is not None:
                core_op.threshold = int(threshold)
            if priority is not None:
                core_op.priority = int(priority)
            self._cond.notify_all()

    def activate(self, core_op: CoreOp) -> None:
        with self._cond:
            if self.scheduling_algorithm != SCHEDULING_NONE:
                raise_status(HailoStatus.HAILO_INVALID_OPERATION,
                             "Manually activate a core-op is not allowed when the core-op scheduler is active!")
            other = next((c for c in self._core_ops if c.active and c is not core_op), None)
            if other is not None:
                raise_status(HailoStatus.HAILO_INVALID_OPERATION,
                             f"Network group {other.name} is already activated; deactivate it before "
                             f"activating {core_op.name}")
            core_op.active = True
            self._cond.notify_all()

    def deactivate(self, core_op: CoreOp) -> None:
        with self._cond:
            core_op.active = False

    def is_active(self, core_op: CoreOp) -> bool:
        return core_op.active or self.scheduling_algorithm != SCHEDULING_NONE

    def wait_for_activation(self, core_op: CoreOp, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while not self.is_active(core_op):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise_status(HailoStatus.HAILO_TIMEOUT,
                                 f"Network group {core_op.name} was not activated within {timeout_s * 1000:.0f} ms")
                self._cond.wait(left)

    def release_core_op(self, core_op: CoreOp) -> None:
        with self._cond:
            if not core_op.released:
                core_op.released = True
                core_op.active = False
                aborted, core_op.pending, core_op.pending_frames = list(core_op.pending), deque(), 0
                for request in aborted:
                    request.status = HailoStatus.HAILO_STREAM_ABORT
                self._completions.put_many((0.0, r) for r in aborted)
                self._completions.expedite(core_op)
                if core_op in self._core_ops:
                    self._core_ops.remove(core_op)
                self._cond.notify_all()
            if threading.current_thread() is self._completions.thread:
                return      # called from a done() callback: the rest is delivered right after it
            while core_op.undelivered > 0:
                self._cond.wait(0.5)

    def release(self) -> None:
        with self._cond:
            core_ops = list(self._core_ops)
        for core_op in core_ops:
            self.release_core_op(core_op)
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        me = threading.current_thread()
        for worker in self._workers:
            if worker is not me:
                worker.join()
        self._completions.stop()

    # --- internals ---------------------------------------------------------------------
    def _check_running(self):
        if self._stopped:
            raise_status(HailoStatus.HAILO_INVALID_OPERATION, "The VDevice was released")

    def _delivered(self, requests) -> None:
        with self._cond:
            for request in requests:
                core_op = request.core_op
                core_op.undelivered -= request.frames
                if request.status == HailoStatus.HAILO_SUCCESS:
                    core_op.frames_done += request.frames
                if core_op.released and core_op.undelivered <= 0:
                    self._cond.notify_all()

    def _ready(self, core_op: CoreOp, now: float, strict: bool) -> bool:
        """Guide §6.10: ready when pending >= threshold, or the timeout passed with >= 1 frame.

        A threshold without a timeout (timeout 0) is honoured only while another network group
        is ready (``strict``); when the device would otherwise idle it is ignored, as the guide
        allows ("may be ignored to avoid idle time") - else frames below it would wait forever.
        """
        if core_op.pending_frames == 0:
            return False
        if core_op.pending_frames >= max(1, core_op.threshold):
            return True
        if core_op.timeout_s > 0:
            return now - core_op.last_run >= core_op.timeout_s
        return not strict

    def _pick(self, now: float) -> Optional[CoreOp]:
        ops = self._core_ops
        if not ops:
            return None
        if self.scheduling_algorithm == SCHEDULING_NONE:
            return next((c for c in ops if c.active and c.pending_frames), None)
        count = len(ops)
        order = [ops[(self._rr_next + i) % count] for i in range(count)]
        for strict in (True, False):
            ready = [c for c in order if self._ready(c, now, strict)]
            if ready:
                top = max(c.priority for c in ready)
                chosen = next(c for c in ready if c.priority == top)
                self._rr_next = (ops.index(chosen) + 1) % count
                return chosen
        return None

    def _next_timeout(self, now: float) -> Optional[float]:
        waits = [c.last_run + c.timeout_s - now for c in self._core_ops
                 if c.pending_frames and c.timeout_s > 0]
        return max(0.0, min(waits)) if waits else None

    def _take(self, core_op: CoreOp) -> List[_Request]:
        others_waiting = any(c.pending_frames for c in self._core_ops if c is not core_op)
        limit = core_op.burst if others_waiting else max(core_op.burst, UNCONTENDED_BURST_FRAMES)
        if len(self.devices) > 1:   # leave work for the other devices of a multi-device VDevice
            share = -(-core_op.pending_frames // len(self.devices))
            limit = max(core_op.burst, min(limit, share))
        taken, frames = [], 0
        pending = core_op.pending
        while pending and (frames == 0 or frames + pending[0].frames <= limit):
            request = pending.popleft()
            taken.append(request)
            frames += request.frames
        core_op.pending_frames -= frames
        return taken

    def _work(self, device: device_link.PhysicalDevice):
        import numpy as np
        free_at = window_start = time.monotonic()
        busy = 0.0
        last_op = None
        timings = {}
        cond = self._cond
        while True:
            with cond:
                while True:
                    if self._stopped:
                        return
                    now = time.monotonic()
                    if now < free_at:
                        cond.wait(free_at - now)
                        continue
                    core_op = self._pick(now)
                    if core_op is not None:
                        break
                    if now - window_start >= UTILIZATION_WINDOW_S:
                        device_link.set_utilization(device, busy / (now - window_start))
                        busy, window_start = 0.0, now
                    next_timeout = self._next_timeout(now)
                    cond.wait(UTILIZATION_WINDOW_S if next_timeout is None
                              else min(next_timeout, UTILIZATION_WINDOW_S))
                requests = self._take(core_op)
                core_op.last_run = now
            timing = timings.get(core_op.id)
            if timing is None:
                timing = timings[core_op.id] = device_link.timing(core_op.group, device)
            frames = sum(r.frames for r in requests)
            try:
                per_request = None
                if len(requests) == 1:
                    outputs = device_link.compute(core_op.group, requests[0].inputs, frames, device)
                elif sum(a.nbytes for a in requests[0].inputs.values()) * frames <= MERGE_BYTES_LIMIT:
                    inputs = {name: np.concatenate([r.inputs[name] for r in requests])
                              for name in requests[0].inputs}
                    outputs = device_link.compute(core_op.group, inputs, frames, device)
                else:   # large frames: merging would only add a copy
                    outputs = None
                    per_request = [device_link.compute(core_op.group, r.inputs, r.frames, device) for r in requests]
                status = HailoStatus.HAILO_SUCCESS
            except Exception as error:  # a device failure fails the requests, never the thread
                status = HailoStatus(getattr(error, "status", HailoStatus.HAILO_INTERNAL_FAILURE))
                outputs = per_request = None
            start = max(free_at, requests[0].arrival)
            if last_op is not core_op and last_op is not None:
                start += timing.switch_time
            last_op = core_op
            entries, offset = [], 0
            extra = timing.latency - timing.frame_time
            for index, request in enumerate(requests):
                if per_request is not None:
                    request.outputs = per_request[index]
                elif outputs is None:
                    request.status = status
                elif len(requests) == 1:
                    request.outputs = outputs
                else:
                    request.outputs = {name: value[offset:offset + request.frames]
                                       for name, value in outputs.items()}
                start = max(start, request.arrival)
                offset += request.frames
                start += request.frames * timing.frame_time
                entries.append((start + extra, request))
            busy += start - max(free_at, requests[0].arrival)
            free_at = start
            self._completions.put_many(entries)
            # hold none of the user's buffers (or views of them) while waiting for more work
            requests = entries = request = inputs = outputs = per_request = None
            if now - window_start >= UTILIZATION_WINDOW_S:
                device_link.set_utilization(device, busy / (now - window_start))
                busy, window_start = 0.0, now

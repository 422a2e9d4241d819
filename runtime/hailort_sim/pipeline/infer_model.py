"""The InferModel pipeline (guide §6.5): models, configured models, bindings and async jobs.

``hailo_platform``'s ``InferModel``/``ConfiguredInferModel``/``Bindings``/``AsyncInferJob``
wrap these. A job is one ``run_async`` call: its bindings (one per frame) are converted to
device frames, handed to the VDevice's backend as one request, and when the backend reports
completion the outputs are converted into the user's arrays, then the callback runs, then
the job is marked done - all on the backend's completion thread.
"""
import dataclasses
import os
import threading
import time
from typing import Callable, Dict, Optional

import numpy as np

from hailort_sim.hef.model import FormatOrder, FormatType, HefModel, NetworkGroup
from hailort_sim.pipeline import formats
from hailort_sim.pipeline.backend import SCHEDULING_NONE, WAITER_RECHECK_S, queue_size_for, wake_after_burst
from hailort_sim.status import HailoStatus, exception_for, raise_status

DEFAULT_BATCH_SIZE = 0
# This process's id, kept by a fork hook: checked twice per frame, where os.getpid() is a system call.
_process_id = os.getpid()


def _forked() -> None:
    global _process_id
    _process_id = os.getpid()


os.register_at_fork(after_in_child=_forked)


class InferStreamConfig:
    """Per-edge settings of an InferModel (``InferModel.InferStream``)."""

    def __init__(self, info, image_hw=None):
        self.info = info
        self.image_hw = image_hw
        self.type = FormatType.AUTO
        self.order = FormatOrder.AUTO
        self.nms_score_threshold = None
        self.nms_iou_threshold = None
        self.nms_max_proposals_per_class = None
        self.nms_max_accumulated_mask_size = None
        self._resolved = None

    @property
    def name(self) -> str:
        return self.info.name

    def resolved(self) -> formats.StreamFormat:
        if self._resolved is None:
            info = self.info
            if self.nms_max_accumulated_mask_size is not None:
                if info.format.order != FormatOrder.HAILO_NMS_WITH_BYTE_MASK:
                    raise_status(HailoStatus.HAILO_INVALID_OPERATION,
                                 f"max_accumulated_mask_size applies only to byte-mask NMS outputs, not "
                                 f"'{info.name}'")
                nms = dataclasses.replace(info.nms_info,
                                          max_accumulated_mask_size=int(self.nms_max_accumulated_mask_size))
                info = dataclasses.replace(info, nms_info=nms)
            self._resolved = formats.resolve(info, self.type, self.order, image_hw=self.image_hw)
        return self._resolved

    def nms_params(self) -> dict:
        """The host NMS parameters set on this output (only the ones set)."""
        values = {"score_threshold": self.nms_score_threshold, "iou_threshold": self.nms_iou_threshold,
                  "max_proposals_per_class": self.nms_max_proposals_per_class}
        return {k: v for k, v in values.items() if v is not None}

    def set_type(self, format_type) -> None:
        self.type = FormatType(int(format_type))
        self._resolved = None

    def set_order(self, order) -> None:
        self.order = FormatOrder(int(order))
        self._resolved = None


def _find(streams: Dict[str, InferStreamConfig], name: str, kind: str) -> InferStreamConfig:
    if not name:
        if len(streams) != 1:
            raise_status(HailoStatus.HAILO_INVALID_OPERATION,
                         f"Model has more than one {kind}! Pass a name, one of {list(streams)}")
        return next(iter(streams.values()))
    stream = streams.get(name)
    if stream is None:
        raise_status(HailoStatus.HAILO_NOT_FOUND,
                     f"{kind.capitalize()} {name} not found! The model's {kind}s are {list(streams)}")
    return stream


class InferModelCore:
    def __init__(self, vdevice, model: HefModel, name: str = ""):
        self.vdevice = vdevice          # SharedVDevice
        self.model = model
        self.group: NetworkGroup = model.network_group(name or None)
        self.inputs = {v.name: InferStreamConfig(v) for v in self.group.input_vstreams}
        image_hw = formats.image_hw_of(self.group)
        self.outputs = {v.name: InferStreamConfig(v, image_hw) for v in self.group.output_vstreams}
        self.batch_size = DEFAULT_BATCH_SIZE
        self.power_mode = 0

    def input(self, name: str = "") -> InferStreamConfig:
        return _find(self.inputs, name, "input")

    def output(self, name: str = "") -> InferStreamConfig:
        return _find(self.outputs, name, "output")

    def set_batch_size(self, batch_size: int) -> None:
        if int(batch_size) < 0 or int(batch_size) > 0xFFFF:
            raise_status(HailoStatus.HAILO_INVALID_ARGUMENT, f"Invalid batch size {batch_size}")
        self.batch_size = int(batch_size)

    def configure(self) -> "ConfiguredInferModelCore":
        for stream in self.outputs.values():
            if stream.nms_params() and formats.host_nms_op(self.group, stream.name) is None:
                raise_status(HailoStatus.HAILO_INVALID_OPERATION,
                             f"NMS parameters were set on output '{stream.name}', whose NMS does not run on "
                             "the host")
            formats.check_nms_params(stream.name, **stream.nms_params())
        return ConfiguredInferModelCore(self)


class BindingsCore:
    """One frame request: the user's buffer per stream name."""
    __slots__ = ("inputs", "outputs")

    def __init__(self, input_names, output_names):
        self.inputs = dict.fromkeys(input_names)
        self.outputs = dict.fromkeys(output_names)


class JobCore:
    """One run_async call. ``status`` is set before the callback runs; ``finished`` after it."""
    __slots__ = ("status", "finished", "_owner")

    def __init__(self, owner):
        self.status = None
        self.finished = False
        self._owner = owner

    def wait(self, timeout_ms: float) -> None:
        self._owner._wait_job(self, timeout_ms)
        if self.status != HailoStatus.HAILO_SUCCESS:
            raise exception_for(self.status, "Async inference job failed")


def _copy_frame(buffer: np.ndarray, frame: np.ndarray, fmt) -> None:
    """Write one host-format frame into the user's (C-contiguous) output buffer. numpy's copy
    releases the GIL for a large frame: the application's threads run meanwhile."""
    if buffer.dtype == frame.dtype:     # the sizes match: run/run_async checked the bytes
        np.copyto(buffer.reshape(frame.shape), frame)
    else:
        np.copyto(buffer.reshape(-1).view(fmt.dtype).reshape(frame.shape), frame, casting="unsafe")


class ConfiguredInferModelCore:
    def __init__(self, model: InferModelCore):
        self.model = model
        self.backend = model.vdevice.backend
        self.in_formats = {n: s.resolved() for n, s in model.inputs.items()}
        self.out_formats = {n: s.resolved() for n, s in model.outputs.items()}
        self.nms_params = {n: s.nms_params() for n, s in model.outputs.items() if s.nms_params()}
        self.input_names = list(self.in_formats)
        self.output_names = list(self.out_formats)
        self.batch_size = model.batch_size
        self.queue_size = queue_size_for(self.batch_size)
        self.pid = os.getpid()
        self._lock = threading.Lock()       # taken twice per frame: bare, not through the Condition
        self._cv = threading.Condition(self._lock)
        self._in_flight = 0
        self._waiters = 0
        self._shut = False
        self.core_op = self.backend.configure(model.group, self.batch_size)
        self._auto_activated = False
        if self.backend.scheduling_algorithm == SCHEDULING_NONE:
            # Without the scheduler the configured model is activated on creation, as libhailort
            # does; a second one on the same VDevice needs the first deactivated/shut down.
            try:
                self.backend.activate(self.core_op)
            except Exception:
                self.backend.release_core_op(self.core_op)
                raise
            self._auto_activated = True

    # --- bindings / validation ---------------------------------------------------------
    def create_bindings(self) -> BindingsCore:
        self._check_usable()
        return BindingsCore(self.input_names, self.output_names)

    def _validated(self, bindings_list):
        if not isinstance(bindings_list, (list, tuple)) or not bindings_list:
            raise_status(HailoStatus.HAILO_INVALID_ARGUMENT, "run/run_async expect a non-empty list of Bindings")
        for bindings in bindings_list:
            for kind, fmts, buffers in (("input", self.in_formats, bindings.inputs),
                                        ("output", self.out_formats, bindings.outputs)):
                for name, fmt in fmts.items():
                    buf = buffers.get(name)
                    if buf is None:
                        raise_status(HailoStatus.HAILO_NOT_FOUND,
                                     f"No buffer was set for {kind} '{name}' (expected shape {list(fmt.shape)}, "
                                     f"dtype {fmt.dtype.name})")
                    if buf.nbytes != fmt.frame_size:
                        raise_status(HailoStatus.HAILO_INVALID_OPERATION,
                                     f"{kind.capitalize()} buffer size {buf.nbytes} is different than expected "
                                     f"{fmt.frame_size} for {kind} '{name}' (expected shape {list(fmt.shape)}, "
                                     f"dtype {fmt.dtype.name})")

    def _device_inputs(self, bindings_list) -> Dict[str, np.ndarray]:
        n = len(bindings_list)
        inputs = {}
        for name, fmt in self.in_formats.items():
            if n == 1:
                buf = bindings_list[0].inputs[name]
                batch = buf[np.newaxis] if buf.dtype == fmt.dtype and buf.shape == fmt.shape \
                    else buf.reshape(-1).view(fmt.dtype).reshape((1,) + fmt.shape)
            else:
                batch = np.stack([b.inputs[name].reshape(-1).view(fmt.dtype).reshape(fmt.shape) for b in bindings_list])
            inputs[name] = formats.to_device(fmt, batch)
        return inputs

    # --- running -----------------------------------------------------------------------
    def run_async(self, bindings_list, callback: Optional[Callable] = None) -> JobCore:
        """``callback(status)`` runs on the runtime thread after the outputs are written."""
        self._check_usable()
        self._validated(bindings_list)
        n = len(bindings_list)
        with self._lock:
            if self._in_flight + n > self.queue_size:
                raise_status(HailoStatus.HAILO_QUEUE_IS_FULL,
                             f"The async queue is full ({self._in_flight} of {self.queue_size} frames in flight); "
                             "call wait_for_async_ready() before run_async()")
            self._in_flight += n
        job = JobCore(self)
        try:
            inputs = self._device_inputs(bindings_list)
        except BaseException:
            self._finish(job, n, HailoStatus.HAILO_INVALID_ARGUMENT)
            raise
        out_formats, nms_params = self.out_formats, self.nms_params

        def done(status, outputs):
            if status == HailoStatus.HAILO_SUCCESS:
                try:
                    for name, params in nms_params.items():
                        outputs = dict(outputs)
                        outputs[name] = [formats.nms_filter(frame, **params) for frame in outputs[name]]
                    self._write_outputs(bindings_list, outputs, out_formats)
                except Exception as error:
                    status = HailoStatus(getattr(error, "status", HailoStatus.HAILO_INTERNAL_FAILURE))
            job.status = status
            try:
                if callback is not None:
                    callback(status)
            finally:
                self._finish(job, n, status)

        try:
            self.backend.submit(self.core_op, inputs, n, done)
        except BaseException:
            self._finish(job, n, HailoStatus.HAILO_INVALID_OPERATION)
            raise
        return job

    @staticmethod
    def _write_outputs(bindings_list, outputs, out_formats):
        for name, fmt in out_formats.items():
            value = outputs[name]
            if fmt.is_nms:
                for i, bindings in enumerate(bindings_list):
                    buf = bindings.outputs[name].reshape(-1).view(fmt.dtype).reshape((1,) + fmt.shape)
                    formats.nms_to_host(fmt, value[i:i + 1], buf)
                continue
            host = formats.from_device(fmt, value)
            if len(bindings_list) == 1:
                _copy_frame(bindings_list[0].outputs[name], host, fmt)
            else:
                for i, bindings in enumerate(bindings_list):
                    _copy_frame(bindings.outputs[name], host[i], fmt)

    def _finish(self, job: JobCore, frames: int, status) -> None:
        with self._lock:
            job.status = status if job.status is None else job.status
            job.finished = True
            self._in_flight -= frames
            waiters = self._waiters
        if waiters:
            wake_after_burst(self._cv)

    def _wait_job(self, job: JobCore, timeout_ms: float) -> None:
        if job.finished:
            return
        deadline = time.monotonic() + timeout_ms / 1000.0
        with self._cv:
            self._waiters += 1
            try:
                while not job.finished:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise_status(HailoStatus.HAILO_TIMEOUT,
                                     f"Async inference job did not finish within {timeout_ms} ms")
                    self._cv.wait(min(left, WAITER_RECHECK_S))
            finally:
                self._waiters -= 1

    def run(self, bindings_list, timeout_ms: float) -> None:
        self.run_async(bindings_list).wait(timeout_ms)

    def wait_for_async_ready(self, timeout_ms: float = 1000, frames_count: int = 1) -> None:
        self._check_usable()
        if frames_count > self.queue_size:
            # Can never become ready: the real runtime times out (guide §12.1); do it now.
            time.sleep(min(timeout_ms, 50) / 1000.0)
            raise_status(HailoStatus.HAILO_TIMEOUT,
                         f"wait_for_async_ready: frames_count {frames_count} is larger than the async "
                         f"queue size {self.queue_size}")
        if self._in_flight + frames_count <= self.queue_size:
            return
        deadline = time.monotonic() + timeout_ms / 1000.0
        with self._cv:
            self._waiters += 1
            try:
                while self._in_flight + frames_count > self.queue_size:
                    if self._shut:
                        raise_status(HailoStatus.HAILO_STREAM_ABORT, "The configured infer model was shut down")
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise_status(HailoStatus.HAILO_TIMEOUT,
                                     f"wait_for_async_ready timed out after {timeout_ms} ms "
                                     f"({self._in_flight} of {self.queue_size} frames in flight)")
                    self._cv.wait(min(left, WAITER_RECHECK_S))
            finally:
                self._waiters -= 1

    # --- scheduler / activation --------------------------------------------------------
    def set_scheduler_timeout(self, timeout_ms: int) -> None:
        self.backend.set_scheduler_params(self.core_op, timeout_ms=timeout_ms)

    def set_scheduler_threshold(self, threshold: int) -> None:
        self.backend.set_scheduler_params(self.core_op, threshold=threshold)

    def set_scheduler_priority(self, priority: int) -> None:
        self.backend.set_scheduler_params(self.core_op, priority=priority)

    def activate(self) -> None:
        self._check_usable()
        self.backend.activate(self.core_op)

    def deactivate(self) -> None:
        self._check_usable()
        if self.backend.scheduling_algorithm != SCHEDULING_NONE:
            raise_status(HailoStatus.HAILO_INVALID_OPERATION,
                         "Manually deactivate a core-op is not allowed when the core-op scheduler is active!")
        self.backend.deactivate(self.core_op)

    def _check_usable(self) -> None:
        if self._shut:
            raise_status(HailoStatus.HAILO_INVALID_OPERATION,
                         "The ConfiguredInferModel was shut down (or its 'with' block ended)")
        if _process_id != self.pid:
            raise_status(HailoStatus.HAILO_INVALID_OPERATION,
                         "A ConfiguredInferModel can be used only in the process that created it")

    def shutdown(self) -> None:
        """Abort what is in flight (HAILO_STREAM_ABORT), deliver every callback, unload."""
        if self._shut or _process_id != self.pid:
            return
        self._shut = True
        self.backend.release_core_op(self.core_op)
        with self._cv:
            self._cv.notify_all()

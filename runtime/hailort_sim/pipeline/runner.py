"""Streaming a HEF's network groups with generated (or file) data and measuring them: the
engine behind ``hailortcli run``, ``run2`` and ``benchmark``.

Modes (guide §7.3, §12.2): ``streaming``/``full`` goes through the whole host pipeline
(format conversion, quantization, async jobs); ``hw_only``/``raw`` hands device-format frames
straight to the backend (no host pre/post). Each network group has one driver thread that
keeps its queue full (or sends one frame at a time when measuring latency, as run2 does).
"""
import threading
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import numpy as np

from hailort_sim.hef.model import FormatOrder, FormatType, HefModel, NetworkGroup
from hailort_sim.pipeline import device_control, device_link, formats
from hailort_sim.pipeline.backend import SCHEDULING_NONE
from hailort_sim.pipeline.infer_model import InferModelCore
from hailort_sim.status import HailoStatus, raise_status

RAW_QUEUE_FRAMES = 32


@dataclass
class NetSpec:
    """One network group to run, with its per-network settings."""
    model: HefModel
    hef_path: str
    group: NetworkGroup
    batch_size: int = 0
    user_type: FormatType = FormatType.AUTO
    input_files: Dict[str, str] = field(default_factory=dict)
    user_orders: Dict[str, FormatOrder] = field(default_factory=dict)    # per vstream name (run2 --order)
    scheduler_threshold: int = 0
    scheduler_timeout_ms: int = 0
    scheduler_priority: int = 16
    framerate: float = 0.0


@dataclass
class NetResult:
    name: str
    network_name: str
    frames: int = 0
    fps: float = 0.0
    send_bytes_per_frame: int = 0
    recv_bytes_per_frame: int = 0
    hw_latency_ms: Optional[float] = None
    overall_latency_ms: Optional[float] = None
    status: int = 0
    fps_samples: List[float] = field(default_factory=list)      # per 100 ms window
    queue_samples: List[int] = field(default_factory=list)      # frames in flight per submission
    latency_samples: List[float] = field(default_factory=list)  # submit to completion per frame, s
    hw_latency_s: float = 0.0                                   # device share of one frame, s


@dataclass
class DeviceMeasurement:
    device_id: str
    power: Optional[tuple] = None          # (min, avg, max) W
    current: Optional[tuple] = None        # (min, avg, max) mA
    temperature: Optional[tuple] = None    # (min, avg, max) C


def parse_input_files(pairs) -> Dict[str, str]:
    result = {}
    for pair in pairs or ():
        if "=" not in pair:
            raise_status(HailoStatus.HAILO_INVALID_ARGUMENT,
                         f"--input-files expects <input name>=<file>, got '{pair}'")
        name, path = pair.split("=", 1)
        result[name] = path
    return result


def _input_frames(spec: NetSpec, fmt: formats.StreamFormat, hw: bool) -> np.ndarray:
    """Frames ``(n, *shape)`` for one input: from --input-files (raw frames, host format, cycled)
    or random data; in the device format when ``hw``."""
    path = spec.input_files.get(fmt.name) or spec.input_files.get(fmt.name.split("/")[-1])
    dtype, shape = (formats.DTYPE_BY_TYPE[formats.device_type(fmt.info)], tuple(fmt.info.shape)) if hw \
        else (fmt.dtype, fmt.shape)
    frame_bytes = int(np.prod(shape)) * np.dtype(dtype).itemsize
    if path:
        try:
            raw = np.fromfile(path, dtype=np.uint8)
        except OSError as error:
            raise_status(HailoStatus.HAILO_OPEN_FILE_FAILURE, f"Failed to open input file {path}: {error}")
        if raw.size == 0 or raw.size % frame_bytes:
            raise_status(HailoStatus.HAILO_INVALID_ARGUMENT,
                         f"Input file {path} size {raw.size} is not a multiple of the frame size {frame_bytes} "
                         f"of input '{fmt.name}'")
        return raw.view(dtype).reshape((-1,) + shape)
    rng = np.random.default_rng(0)
    if np.dtype(dtype).kind == "f":
        return rng.uniform(0, 1, (4,) + shape).astype(dtype)
    return rng.integers(0, np.iinfo(dtype).max, (4,) + shape, dtype=dtype)


class _Driver:
    """Keeps one network group busy until stopped or ``frames`` frames are done."""

    def __init__(self, vdevice, spec: NetSpec, hw_only: bool, frames: int, latency: bool, deadline: float,
                 serial: bool = False):
        self.spec, self.hw_only, self.target, self.latency, self.deadline = spec, hw_only, frames, latency, deadline
        self.serial = serial
        self.stamps: List[float] = []      # completion times (pipeline statistics)
        self.depths: List[int] = []        # frames in flight at each submission
        self.done = 0
        self.failed = None
        self.latencies: List[float] = []
        self.cv = threading.Condition()
        self.stop = threading.Event()
        self.started = self.finished = 0.0
        model = InferModelCore(vdevice, spec.model, spec.group.name)
        model.set_batch_size(spec.batch_size)
        for stream in list(model.inputs.values()) + list(model.outputs.values()):
            if not stream.info.is_nms or spec.user_type in (FormatType.AUTO, FormatType.FLOAT32):
                stream.set_type(spec.user_type)
            if stream.name in spec.user_orders:
                stream.set_order(spec.user_orders[stream.name])
        self.configured = model.configure()
        backend = self.configured.backend
        if backend.scheduling_algorithm != SCHEDULING_NONE:
            self.configured.set_scheduler_threshold(spec.scheduler_threshold)
            self.configured.set_scheduler_timeout(spec.scheduler_timeout_ms)
            self.configured.set_scheduler_priority(spec.scheduler_priority)
        self.in_formats = self.configured.in_formats
        self.out_formats = self.configured.out_formats
        self.inputs = {n: _input_frames(spec, f, hw_only) for n, f in self.in_formats.items()}
        self.thread = threading.Thread(target=self._run, daemon=True)

    @property
    def network_name(self):
        return self.spec.group.networks[0] if self.spec.group.networks else self.spec.group.name

    def frame_bytes(self):
        send = sum(f.frame_size for f in self.in_formats.values())
        recv = sum(f.frame_size for f in self.out_formats.values())
        return send, recv

    def _complete(self, status, started):
        with self.cv:
            if status != HailoStatus.HAILO_SUCCESS and self.failed is None:
                self.failed = status
            self.done += 1
            self.stamps.append(time.perf_counter())
            self.latencies.append(time.perf_counter() - started)
            self.cv.notify_all()

    def _in_flight_limit(self):
        return 1 if self.serial else (RAW_QUEUE_FRAMES if self.hw_only else self.configured.queue_size)

    def _run(self):
        cim = self.configured
        bindings_pool = []
        if not self.hw_only:
            for k in range(4):
                b = cim.create_bindings()
                for name, frames in self.inputs.items():
                    b.inputs[name] = frames[k % len(frames)]
                for name, fmt in self.out_formats.items():
                    b.outputs[name] = np.empty(fmt.shape, fmt.dtype)
                bindings_pool.append(b)
        submitted = 0
        interval = 1.0 / self.spec.framerate if self.spec.framerate else 0.0
        self.started = time.perf_counter()
        next_send = self.started
        try:
            while not self.stop.is_set() and self.failed is None:
                if self.target and submitted >= self.target:
                    break
                if time.perf_counter() >= self.deadline:
                    break
                with self.cv:
                    while submitted - self.done >= self._in_flight_limit() and not self.stop.is_set():
                        self.cv.wait(0.1)
                if interval:
                    next_send += interval
                    delay = next_send - time.perf_counter()
                    if delay > 0:
                        time.sleep(delay)
                started = time.perf_counter()
                self.depths.append(submitted - self.done)
                if self.hw_only:
                    k = submitted % 4
                    frames = {n: f[k % len(f)][np.newaxis] for n, f in self.inputs.items()}
                    cim.backend.submit(cim.core_op, frames, 1,
                                       lambda status, outputs, s=started: self._complete(status, s))
                else:
                    b = bindings_pool[submitted % len(bindings_pool)]
                    cim.run_async([b], lambda status, s=started: self._complete(status, s))
                submitted += 1
            with self.cv:
                while self.done < submitted and self.failed is None:
                    self.cv.wait(0.1)
        except Exception as error:
            self.failed = getattr(error, "status", HailoStatus.HAILO_INTERNAL_FAILURE)
        self.finished = time.perf_counter()

    def result(self) -> NetResult:
        elapsed = max(self.finished - self.started, 1e-9)
        send, recv = self.frame_bytes()
        res = NetResult(self.spec.group.name, self.network_name, self.done, self.done / elapsed, send, recv)
        if self.latency and self.latencies:
            res.overall_latency_ms = 1000.0 * float(np.mean(self.latencies))
            res.hw_latency_ms = 1000.0 * self._hw_latency()
        res.status = int(self.failed or 0)
        return res

    def fps_samples(self, window_s: float = 0.1) -> List[float]:
        """Frames per second over consecutive windows of the run (pipeline statistics)."""
        if len(self.stamps) < 2:
            return []
        stamps = np.asarray(self.stamps)
        edges = np.arange(stamps[0], stamps[-1], window_s)
        if len(edges) < 2:
            return [(len(stamps) - 1) / max(stamps[-1] - stamps[0], 1e-9)]
        counts, _ = np.histogram(stamps, bins=edges)
        return list(counts / window_s)

    def _hw_latency(self) -> float:
        """The device-side latency of one frame (the timing model's figure, as the driver's
        timestamps would measure it), falling back to the overall latency over the service."""
        devices = getattr(self.configured.backend, "devices", None) or []
        if devices and isinstance(devices[0], device_link.PhysicalDevice):
            return device_link.timing(self.spec.group, devices[0]).latency
        return float(np.mean(self.latencies))


class _Sampler:
    """Samples power/current/temperature of the VDevice's devices while inference runs."""

    def __init__(self, devices, power: bool, current: bool, temperature: bool, interval_s: float):
        self.devices, self.power, self.current, self.temperature = devices, power, current, temperature
        self.interval = interval_s
        self.samples = {d.device_id: {"power": [], "current": [], "temperature": []} for d in devices}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while True:
            for device in self.devices:
                s = self.samples[device.device_id]
                sensor = device_control.PowerSensor.of(device)
                if self.power:
                    s["power"].append(sensor.value(2))
                if self.current:
                    s["current"].append(sensor.value(3))
                if self.temperature:
                    s["temperature"].append(device_control.temperature(device)[0])
            if self.stop.wait(self.interval):
                return

    def results(self) -> List[DeviceMeasurement]:
        out = []
        for device in self.devices:
            s = self.samples[device.device_id]
            stats = {k: (min(v), sum(v) / len(v), max(v)) if v else None for k, v in s.items()}
            out.append(DeviceMeasurement(device.device_id, stats["power"], stats["current"], stats["temperature"]))
        return out


def check_measurable(devices, power: bool, current: bool) -> None:
    """Power/current need the INA231 (Hailo-8 family modules); fail before running otherwise."""
    if power or current:
        for device in devices:
            device_control.PowerSensor.of(device)._check_supported()


def run(vdevice, specs: List[NetSpec], hw_only=False, frames=0, seconds=5.0, latency=False,
        power=False, current=False, temperature=False, sampling_interval_s=0.2, progress=None, serial=False):
    """Run every spec concurrently; returns ([NetResult], [DeviceMeasurement]).

    ``serial``: one frame in flight per network group (run2's latency measurement)."""
    devices = list(getattr(vdevice, "devices", []) or [])
    check_measurable(devices, power, current)
    deadline = float("inf") if frames else time.perf_counter() + seconds
    drivers = [_Driver(vdevice, spec, hw_only, frames, latency, deadline, serial) for spec in specs]
    sampler = _Sampler(devices, power, current, temperature, sampling_interval_s) \
        if (power or current or temperature) else None
    try:
        if sampler:
            sampler.thread.start()
        start = time.perf_counter()
        for driver in drivers:
            driver.thread.start()
        while any(d.thread.is_alive() for d in drivers):
            for d in drivers:
                d.thread.join(0.2)
            if progress:
                progress(drivers, time.perf_counter() - start)
    except KeyboardInterrupt:
        for driver in drivers:
            driver.stop.set()
        raise
    finally:
        for driver in drivers:
            driver.stop.set()
            driver.thread.join()
            driver.configured.shutdown()
        if sampler:
            sampler.stop.set()
            sampler.thread.join()
    results = [d.result() for d in drivers]
    for result, driver in zip(results, drivers):
        result.fps_samples = driver.fps_samples()
        result.queue_samples = list(driver.depths)
        result.latency_samples = list(driver.latencies)
        if driver.latencies:
            result.hw_latency_s = driver._hw_latency()
    failed = next((r.status for r in results if r.status), 0)
    if failed:
        raise_status(failed, f"Inference failed on network group "
                             f"{next(r.name for r in results if r.status)}")
    return results, (sampler.results() if sampler else [])


def net_specs(model: HefModel, hef_path: str, **settings) -> List[NetSpec]:
    return [NetSpec(model, hef_path, group, **settings) for group in model.network_groups]


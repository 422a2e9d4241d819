"""The scheduler monitor: what ``HAILO_MONITOR=1`` publishes and ``hailortcli monitor`` reads.

Producer side (guide §7.5): a process whose environment has ``HAILO_MONITOR=1`` (an
application, or ``hailort_service`` through ``/etc/default/hailort_service``) publishes, every
``HAILO_MONITOR_TIME_INTERVAL`` milliseconds (default 1000), one file
``/tmp/hmon_files/<pid>`` (as libhailort's SCHEDULER_MON_TMP_DIR; the format here is JSON,
read only by our ``hailortcli monitor``) with three tables:

* devices: id, utilization (% of the interval the scheduler kept it busy), architecture;
* models (network groups): name, utilization (%), FPS, PID of the process that owns it
  (with the service: the client's PID);
* stream frame queues, per device stream: H2D = frames waiting for the device, D2H = frames
  computed and not yet taken by the application; avg/max/min over the interval (sampled
  every ``SAMPLE_PERIOD_S``) and the capacity (the core op's ``queue_size`` when it has one,
  else its batch size - the scheduler's burst).

Utilization is computed from the device timing model: frames done x device time per frame.

The one call for the runtime: ``monitor.track(backend)`` when a backend (a
``pipeline.backend.LocalBackend``) is created; it does nothing unless ``HAILO_MONITOR=1``.
``HAILORT_SIM_MONITOR_DIR`` (simulator-only) moves the directory, for tests.
"""
import json
import os
import threading
import time
import weakref

DEFAULT_DIR = "/tmp/hmon_files"
DEFAULT_INTERVAL_MS = 1000
SAMPLE_PERIOD_S = 0.1
FRESHNESS_S = 1.5     # libhailort's monitor reads files updated within this window


def monitor_dir():
    return os.environ.get("HAILORT_SIM_MONITOR_DIR") or DEFAULT_DIR


def enabled():
    return os.environ.get("HAILO_MONITOR", "0") == "1"


def interval_s():
    text = os.environ.get("HAILO_MONITOR_TIME_INTERVAL", "").strip()
    try:
        value = int(text) if text else DEFAULT_INTERVAL_MS
    except ValueError:
        value = DEFAULT_INTERVAL_MS
    return max(value, 1) / 1000.0


class _Producer:
    def __init__(self):
        self.backends = weakref.WeakSet()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.interval = interval_s()
        self.path = os.path.join(monitor_dir(), str(os.getpid()))
        self._last = {}          # core op id -> (frames_done, time)
        self._samples = {}       # (core op id, stream, direction) -> [values]
        self.thread = threading.Thread(target=self._run, name="hailort-monitor", daemon=True)
        self.thread.start()

    def _core_ops(self):
        with self.lock:
            backends = list(self.backends)
        for backend in backends:
            for core_op in list(getattr(backend, "_core_ops", ())):
                yield backend, core_op

    def _sample(self):
        for _backend, core_op in self._core_ops():
            pending = core_op.pending_frames
            delivered_wait = max(0, core_op.undelivered - pending)
            for stream in core_op.group.input_streams:
                self._samples.setdefault((core_op.id, stream.name, "H2D"), []).append(pending)
            for stream in core_op.group.output_streams:
                self._samples.setdefault((core_op.id, stream.name, "D2H"), []).append(delivered_wait)

    def _frame_time(self, core_op, device):
        from .pipeline import device_link
        try:
            return device_link.timing(core_op.group, device).frame_time
        except Exception:
            return 0.0

    def snapshot(self):
        now = time.monotonic()
        devices, models, streams = {}, [], []
        for backend, core_op in self._core_ops():
            devs = list(getattr(backend, "devices", ()))
            done = core_op.frames_done
            last_done, last_time = self._last.get(core_op.id, (done, now - self.interval))
            self._last[core_op.id] = (done, now)
            elapsed = max(now - last_time, 1e-6)
            fps = max(0, done - last_done) / elapsed
            frame_time = self._frame_time(core_op, devs[0]) if devs else 0.0
            utilization = min(100.0, 100.0 * fps * frame_time / max(1, len(devs)))
            for device in devs:
                entry = devices.setdefault(device.device_id, {
                    "id": device.device_id, "utilization": 0.0,
                    "architecture": getattr(device.architecture, "name", str(device.architecture))})
                entry["utilization"] = min(100.0, entry["utilization"] + utilization)
            models.append({"name": core_op.name, "utilization": utilization, "fps": fps,
                           "pid": getattr(core_op, "client_pid", None) or os.getpid()})
            capacity = getattr(core_op, "queue_size", None) or max(1, core_op.batch_size)
            for infos, direction in ((core_op.group.input_streams, "H2D"),
                                     (core_op.group.output_streams, "D2H")):
                for stream in infos:
                    values = self._samples.pop((core_op.id, stream.name, direction), [])
                    streams.append({
                        "model": core_op.name, "stream": stream.name, "direction": direction,
                        "avg": sum(values) / len(values) if values else None,
                        "max": max(values) if values else None,
                        "min": min(values) if values else None,
                        "capacity": capacity})
        self._samples.clear()
        return {"pid": os.getpid(), "interval_ms": int(self.interval * 1000),
                "devices": list(devices.values()), "models": models, "streams": streams}

    def _write(self, data):
        directory = os.path.dirname(self.path)
        try:
            os.makedirs(directory, exist_ok=True)
            os.chmod(directory, 0o1777)  # every user's applications publish here (sticky, as /tmp)
        except OSError:
            pass
        tmp = "{}.tmp".format(self.path)
        try:
            with open(tmp, "w") as handle:
                json.dump(data, handle)
            os.replace(tmp, self.path)
        except OSError:
            pass  # the monitor is best effort; inference must never fail because of it

    def _run(self):
        next_publish = time.monotonic() + self.interval
        while not self.stop.wait(min(SAMPLE_PERIOD_S, self.interval)):
            self._sample()
            if time.monotonic() >= next_publish:
                next_publish += self.interval
                self._write(self.snapshot())
        self.remove_file()

    def remove_file(self):
        try:
            os.unlink(self.path)
        except OSError:
            pass


_producer = None
_producer_lock = threading.Lock()


def track(backend):
    """Publish ``backend``'s devices and models while it lives (only with HAILO_MONITOR=1)."""
    global _producer
    if not enabled():
        return
    with _producer_lock:
        if _producer is None:
            import atexit
            _producer = _Producer()
            atexit.register(_shutdown)
        with _producer.lock:
            _producer.backends.add(backend)


def _shutdown():
    producer = _producer
    if producer is not None:
        producer.stop.set()
        producer.thread.join(2)
        producer.remove_file()


def _after_fork_in_child():
    global _producer, _producer_lock
    _producer = None          # the parent's thread and backends are not ours
    _producer_lock = threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)


# --- reader side (hailortcli monitor) ------------------------------------------------------

def read_all(directory=None, now=None):
    """Merge the fresh files of every producer -> dict with devices, models, streams and the
    smallest interval (seconds), or None when there is no data."""
    directory = directory or monitor_dir()
    now = time.time() if now is None else now
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return None
    devices, models, streams, intervals = {}, [], [], []
    for name in names:
        if not name.isdigit():
            continue
        path = os.path.join(directory, name)
        try:
            mtime = os.stat(path).st_mtime
            with open(path) as handle:
                data = json.load(handle)
        except (OSError, ValueError):
            continue
        interval = max(1, int(data.get("interval_ms") or DEFAULT_INTERVAL_MS)) / 1000.0
        if now - mtime > max(FRESHNESS_S, 1.5 * interval):
            continue  # its process is gone (or stopped publishing)
        intervals.append(interval)
        for device in data.get("devices", []):
            entry = devices.setdefault(device["id"], dict(device, utilization=0.0))
            entry["utilization"] = min(100.0, entry["utilization"] + float(device["utilization"]))
        models.extend(data.get("models", []))
        streams.extend(data.get("streams", []))
    if not intervals:
        return None
    return {"devices": list(devices.values()), "models": models, "streams": streams,
            "interval": min(intervals)}


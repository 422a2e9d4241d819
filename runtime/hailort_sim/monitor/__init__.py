"""The scheduler monitor: what ``HAILO_MONITOR=1`` publishes and ``hailortcli monitor`` reads.

Both sides use libhailort 4.21.0's file format and places (``MonitorHandler``), so our
``hailortcli monitor`` shows a real application's data and the real tool shows ours:

* a process whose environment has ``HAILO_MONITOR=1`` (an application, or ``hailort_service``
  through ``/etc/default/hailort_service``) creates ``/tmp/hmon_files/<pid>XXXXXX`` (mkstemp)
  and ``/tmp/nnc_utilization/nnc_utilizationXXXXXX``; every ``HAILO_MONITOR_TIME_INTERVAL``
  ms (default 1000; not an integer: the default, with libhailort's warning) it rewrites the
  first in place (open for writing, ``flock(LOCK_EX | LOCK_NB)``, one serialized ``ProtoMon``
  of ``scheduler_mon.proto``) and writes each device's utilization to the second as
  ``"%f\\n"``; both files are removed when the process exits. The PID is the writing
  process's (with the service: the service's, as in libhailort).
* ``read_all()`` takes the regular files of the directory modified within the last 1.5 s
  (libhailort compares whole seconds), each read under the same lock, and returns their
  ``ProtoMon`` messages.

What goes in a ``ProtoMon``: per device, the share of the interval the device was busy (frames
done x device time per frame, from the timing model), in percent; per network group, FPS over
the interval and its utilization; per device stream, its frame queue: capacity (the core op's
queue size x devices), the frames in it now (H2D: submitted and not yet taken by the device;
D2H: done and not yet delivered to the application) and min/max/mean of samples taken every
``sample_period`` during the interval (-1 when none).

The one call for the runtime: ``monitor.track(backend)`` when a backend (a
``pipeline.backend.LocalBackend``) is created; it does nothing unless ``HAILO_MONITOR=1``.
``HAILORT_SIM_MONITOR_DIR`` (simulator-only, for tests) moves ``/tmp/hmon_files``; the
utilization directory is its sibling ``nnc_utilization``.
"""
import errno
import fcntl
import os
import threading
import time
import weakref

DEFAULT_DIR = "/tmp/hmon_files"
NNC_UTILIZATION_DIR_NAME = "nnc_utilization"
NNC_UTILIZATION_FILE_NAME = "nnc_utilization"
DEFAULT_INTERVAL_MS = 1000
SAMPLE_PERIOD_S = 0.1
FRESHNESS_MS = 1500   # hailortcli monitor: DEFAULT_SCHEDULER_MON_INTERVAL + EPSILON_TIME
NAN_VALUE = -1        # SCHEDULER_MON_NAN_VAL
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"   # mkstemp's XXXXXX


def monitor_dir():
    return os.environ.get("HAILORT_SIM_MONITOR_DIR") or DEFAULT_DIR


def nnc_utilization_dir():
    return os.path.join(os.path.dirname(os.path.normpath(monitor_dir())), NNC_UTILIZATION_DIR_NAME)


def enabled():
    return os.environ.get("HAILO_MONITOR") == "1"


def interval_s():
    """HAILO_MONITOR_TIME_INTERVAL in seconds (libhailort reads it as an int of milliseconds)."""
    text = os.environ.get("HAILO_MONITOR_TIME_INTERVAL")
    if text is None:
        return DEFAULT_INTERVAL_MS / 1000.0
    try:
        value = int(text)
    except ValueError:
        from hailort_sim import log
        log.warning("Failed to convert HAILO_MONITOR_TIME_INTERVAL env var to int, using default value 1 sec")
        return DEFAULT_INTERVAL_MS / 1000.0
    return max(value, 1) / 1000.0


def make_temp_file(directory, prefix):
    """``mkstemp(<directory>/<prefix>XXXXXX)`` as libhailort's TempFile::create: the directory
    is created (mode 0777 less the umask), the file with mode 0600 and six random letters or
    digits. Returns the path."""
    os.makedirs(directory, mode=0o777, exist_ok=True)
    for _ in range(100):
        path = os.path.join(directory, prefix + "".join(_LETTERS[b % len(_LETTERS)] for b in os.urandom(6)))
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        os.close(fd)
        return path
    raise FileExistsError(errno.EEXIST, "no unique name", os.path.join(directory, prefix + "XXXXXX"))


def _locked_write(path, data: bytes) -> None:
    """LockedFile::create(path, "w") and one write, as libhailort's dump_state."""
    from hailort_sim import log
    try:
        handle = open(path, "wb")
    except OSError as error:
        log.error(f"Failed opening file: {path}, with errno: {error.errno}")
        return
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            log.error(f"Failed to flock file: {path}, with errno: {error.errno}")
            return
        handle.write(data)


class _Stream:
    """The frame queue of one device stream of a core op, for one interval."""
    __slots__ = ("name", "direction", "samples")

    def __init__(self, name, direction):
        self.name, self.direction, self.samples = name, direction, []


class _Producer:
    def __init__(self):
        self.backends = weakref.WeakSet()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.interval = interval_s()
        self.sample_period = min(SAMPLE_PERIOD_S, self.interval / 5)
        self.path = make_temp_file(monitor_dir(), str(os.getpid()))
        self.nnc_path = make_temp_file(nnc_utilization_dir(), NNC_UTILIZATION_FILE_NAME)
        self._last_time = time.monotonic()
        self._last_done = {}     # core op id -> frames_done at the last dump
        self._streams = {}       # core op id -> [_Stream]
        self.thread = threading.Thread(target=self._run, name="hailort-monitor", daemon=True)
        self.thread.start()

    def _core_ops(self):
        with self.lock:
            backends = list(self.backends)
        for backend in backends:
            for core_op in list(getattr(backend, "_core_ops", ())):
                yield backend, core_op

    @staticmethod
    def _pending(core_op, direction):
        pending = core_op.pending_frames
        return pending if direction == "H2D" else max(0, core_op.undelivered - pending)

    def _streams_of(self, core_op):
        streams = self._streams.get(core_op.id)
        if streams is None:
            streams = self._streams[core_op.id] = (
                [_Stream(s.name, "H2D") for s in core_op.group.input_streams]
                + [_Stream(s.name, "D2H") for s in core_op.group.output_streams])
        return streams

    def _sample(self):
        for _backend, core_op in self._core_ops():
            for stream in self._streams_of(core_op):
                stream.samples.append(self._pending(core_op, stream.direction))

    @staticmethod
    def _frame_time(core_op, device):
        from hailort_sim.pipeline import device_link
        try:
            return device_link.timing(core_op.group, device).frame_time
        except Exception:
            return 0.0

    def snapshot(self):
        """The ``ProtoMon`` of the interval that ends now (and the devices' utilization)."""
        from hailort_sim.monitor.proto import DEVICE_TO_HOST, HOST_TO_DEVICE, ProtoMon
        now = time.monotonic()
        elapsed = max(now - self._last_time, 1e-6)
        self._last_time = now
        mon = ProtoMon(pid=str(os.getpid()))
        devices = {}
        live = set()
        for backend, core_op in self._core_ops():
            live.add(core_op.id)
            devs = list(getattr(backend, "devices", ()))
            done = core_op.frames_done
            fps = max(0, done - self._last_done.get(core_op.id, done)) / elapsed
            self._last_done[core_op.id] = done
            frame_time = self._frame_time(core_op, devs[0]) if devs else 0.0
            utilization = min(100.0, 100.0 * fps * frame_time / max(1, len(devs)))
            for device in devs:
                entry = devices.setdefault(device.device_id, [0.0, device.architecture.name])
                entry[0] = min(100.0, entry[0] + utilization)
            mon.networks_infos.add(network_name=core_op.name, fps=fps, utilization=utilization)
            frames = mon.net_frames_infos.add(network_name=core_op.name)
            for stream in self._streams_of(core_op):
                samples, stream.samples = stream.samples, []
                frames.streams_frames_infos.add(
                    stream_name=stream.name,
                    stream_direction=HOST_TO_DEVICE if stream.direction == "H2D" else DEVICE_TO_HOST,
                    buffer_frames_size=core_op.queue_size * max(1, len(devs)),
                    pending_frames_count=self._pending(core_op, stream.direction),
                    min_pending_frames_count=min(samples) if samples else NAN_VALUE,
                    max_pending_frames_count=max(samples) if samples else NAN_VALUE,
                    avg_pending_frames_count=sum(samples) / len(samples) if samples else NAN_VALUE)
        for stale in set(self._streams) - live:
            del self._streams[stale]
            self._last_done.pop(stale, None)
        for device_id, (utilization, arch) in devices.items():
            mon.device_infos.add(device_id=device_id, utilization=utilization, device_arch=arch)
        return mon

    def dump(self):
        mon = self.snapshot()
        for device in mon.device_infos:        # one file: the last device's figure, as libhailort
            _locked_write(self.nnc_path, ("%f\n" % device.utilization).encode())
        _locked_write(self.path, mon.SerializeToString())

    def _run(self):
        next_dump = time.monotonic() + self.interval
        while not self.stop.wait(max(0.0, min(self.sample_period, next_dump - time.monotonic()))):
            if time.monotonic() >= next_dump:
                next_dump += self.interval
                self.dump()
            else:
                self._sample()
        self.remove_files()

    def remove_files(self):
        for path in (self.path, self.nnc_path):
            try:
                os.unlink(path)
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
            try:
                _producer = _Producer()
            except OSError as error:       # the monitor is best effort: inference goes on
                from hailort_sim import log
                log.error(f"Failed to create tmp file {error.filename}, with errno {error.errno}")
                return
            atexit.register(_shutdown)
        with _producer.lock:
            _producer.backends.add(backend)


def _shutdown():
    producer = _producer
    if producer is not None:
        producer.stop.set()
        producer.thread.join(2)
        producer.remove_files()


def _after_fork_in_child():
    global _producer, _producer_lock
    _producer = None          # the parent's thread, files and backends are not ours
    _producer_lock = threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)


# --- reader side (hailortcli monitor) ------------------------------------------------------

def fresh_files(directory=None, now=None):
    """The regular files of ``directory`` modified within FRESHNESS_MS (whole seconds, as
    libhailort's Filesystem::get_latest_files_in_dir_flat), sorted; None if it is no directory."""
    directory = directory or monitor_dir()
    if not os.path.isdir(directory):
        return None
    now = int(time.time() if now is None else now)
    files = []
    for entry in sorted(os.scandir(directory), key=lambda e: e.name):
        try:
            if entry.is_file(follow_symlinks=False) and \
                    (now - int(entry.stat().st_mtime)) * 1000 <= FRESHNESS_MS:
                files.append(entry.path)
        except OSError:
            continue
    return files


def read_file(path):
    """One monitor file -> ``ProtoMon``, read under the writer's lock; None (and libhailort's
    log line) when it is locked or not a ProtoMon."""
    from google.protobuf.message import DecodeError

    from hailort_sim import log
    from hailort_sim.monitor.proto import ProtoMon
    try:
        with open(path, "rb") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as error:
                log.error(f"Failed to flock file: {path}, with errno: {error.errno}")
                log.error(f"Failed to open and lock file {path}, with status: HAILO_FILE_OPERATION_FAILURE(14)")
                return None
            data = handle.read()
    except OSError as error:
        log.error(f"Failed opening file: {path}, with errno: {error.errno}")
        return None
    try:
        return ProtoMon.FromString(data)
    except DecodeError:
        log.warning(f"Failed to ParseFromFileDescriptor monitor file {path} with errno 0")
        return None


def read_all(directory=None, now=None):
    """The ``ProtoMon`` of every fresh file (an empty list when there are none), or None when
    the directory does not exist."""
    files = fresh_files(directory, now)
    if files is None:
        return None
    return [mon for mon in map(read_file, files) if mon is not None]

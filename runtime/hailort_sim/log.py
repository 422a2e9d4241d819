"""HailoRT logging: the ``hailort.log`` file and the ``[HailoRT] [level] msg`` console lines.

Usage (the whole API)::

    from hailort_sim import log
    log.error("Failed to open HEF: file not found")   # also debug, info, warning, critical

Environment, read once at the first message (``log.reconfigure()`` reads it again, e.g.
after the service daemonizes or on SIGHUP), as the HailoRT guide §6.7 defines it:

* ``HAILORT_LOGGER_PATH``: directory of ``hailort.log``. Unset or empty: the current
  directory. ``NONE``: no log file. The file gets every level from ``info`` up, one line per
  message, ``[date time.ms] [pid] [tid] [HailoRT] [level] msg``; a missing directory is
  created; it rotates at 1 MiB into
  ``hailort.1.log`` (one spare), like libhailort's rotating sink. A directory that cannot be
  written is reported once on stderr and the file log is off.
* ``HAILORT_CONSOLE_LOGGER_LEVEL``: ``info``, ``warning`` (default), ``error`` or
  ``critical``; messages at or above it go to stderr as ``[HailoRT] [level] msg``.

The file is opened lazily, at the first message, so importing the runtime (or running
``hailortcli scan``) leaves no file behind. Safe across threads and ``fork()``.
"""
import datetime
import os
import sys
import threading

LEVELS = {"debug": 10, "info": 20, "warning": 30, "error": 40, "critical": 50}
_DEFAULT_CONSOLE_LEVEL = "warning"
_FILE_LEVEL = "info"
LOG_FILE_NAME = "hailort.log"
_ROTATED_FILE_NAME = "hailort.1.log"
_MAX_FILE_SIZE = 1024 * 1024

_lock = threading.RLock()
_state = None  # (console level number, file path or None); None until the first message
_file = None
_file_pid = None


def _read_environment():
    level_name = os.environ.get("HAILORT_CONSOLE_LOGGER_LEVEL", "").strip().lower()
    bad_level = bool(level_name) and level_name not in LEVELS
    if not level_name or bad_level:
        level_name = _DEFAULT_CONSOLE_LEVEL
    path = os.environ.get("HAILORT_LOGGER_PATH", "")
    file_path = None if path == "NONE" else os.path.join(path or os.getcwd(), LOG_FILE_NAME)
    return (LEVELS[level_name], file_path), bad_level


def reconfigure():
    """Re-read the environment and reopen the log file (service start, SIGHUP)."""
    global _state, _file
    with _lock:
        if _file is not None:
            _file.close()
            _file = None
        _state, bad_level = _read_environment()
    if bad_level:
        warning("Invalid HAILORT_CONSOLE_LOGGER_LEVEL {!r}; expected info, warning, error or "
                "critical. Using warning.".format(os.environ.get("HAILORT_CONSOLE_LOGGER_LEVEL")))


def close():
    """Close the log file (it reopens at the next message)."""
    global _file
    with _lock:
        if _file is not None:
            _file.close()
            _file = None


def log_file_path():
    """The path of the current ``hailort.log``, or None when the file log is off."""
    with _lock:
        if _state is None:
            reconfigure()
        return _state[1]


def _open_file(path):
    global _file, _file_pid, _state
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)  # as spdlog's file sink does
        _file = open(path, "a", encoding="utf-8")
        _file_pid = os.getpid()
    except OSError as error:
        _state = (_state[0], None)
        sys.stderr.write("[HailoRT] [warning] Cannot open log file {}: {}. File logging is "
                         "disabled; set HAILORT_LOGGER_PATH to a writable directory.\n"
                         .format(path, error.strerror))


def _rotate(path):
    global _file
    _file.close()
    _file = None
    try:
        os.replace(path, os.path.join(os.path.dirname(path), _ROTATED_FILE_NAME))
    except OSError:
        pass
    _open_file(path)


def _emit(level_name, message):
    level = LEVELS[level_name]
    with _lock:
        if _state is None:
            reconfigure()
        console_level, path = _state
        if level >= console_level:
            try:
                sys.stderr.write("[HailoRT] [{}] {}\n".format(level_name, message))
                sys.stderr.flush()
            except (OSError, ValueError):
                pass  # stderr closed (daemon): the file still gets the message
        if path is None or level < LEVELS[_FILE_LEVEL]:
            return
        if _file is None:
            _open_file(path)
            if _file is None:
                return
        now = datetime.datetime.now()
        _file.write("[{}.{:03d}] [{}] [{}] [HailoRT] [{}] {}\n".format(
            now.strftime("%Y-%m-%d %H:%M:%S"), now.microsecond // 1000, os.getpid(),
            threading.get_native_id() if hasattr(threading, "get_native_id") else 0,
            level_name, message))
        _file.flush()
        if _file.tell() >= _MAX_FILE_SIZE:
            _rotate(path)


def _after_fork_in_child():
    # Another thread may have held the lock at fork time; the child gets its own file handle.
    global _lock, _file
    _lock = threading.RLock()
    if _file is not None and _file_pid != os.getpid():
        try:
            _file.close()
        except OSError:
            pass
        _file = None


os.register_at_fork(after_in_child=_after_fork_in_child)


def debug(message):
    _emit("debug", message)


def info(message):
    _emit("info", message)


def warning(message):
    _emit("warning", message)


def error(message):
    _emit("error", message)


def critical(message):
    _emit("critical", message)

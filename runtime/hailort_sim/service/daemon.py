"""``hailort_service``: the executable systemd starts (``hailort.service``).

    hailort_service              # daemonize (fork; the parent exits once the child serves)
    hailort_service standalone   # stay in the foreground (no systemd, containers, tests)

As the real service: it listens on ``HAILORT_SERVICE_ADDRESS`` (default
``unix:///tmp/hailort_uds.sock``, mode 0606, a stale socket is removed), writes its PID to
``/run/hailo/hailort_service.pid`` and logs to ``HAILORT_LOGGER_PATH`` (``/var/log/hailo``
from ``/etc/default/hailort_service``; that directory too when the variable is unset).
SIGTERM/SIGINT stop it (socket and pidfile removed, clients get HAILO_RPC_FAILED);
SIGHUP (``systemctl reload``) reopens the log file. ``HAILO_MONITOR=1`` in its
environment publishes the models of every client to ``hailortcli monitor``.

Unlike ``daemon(0, 0)``, the parent exits only after the child has bound the socket and
written the pidfile, so ``Type=forking`` never sees a service that is not ready yet.
``HAILORT_SIM_SERVICE_PIDFILE`` (simulator-only) moves the pidfile, for tests.
"""
import os
import signal
import socket
import sys
import threading

from .. import log
from ..status import HailoRTException
from .address import service_address

DEFAULT_PIDFILE = "/run/hailo/hailort_service.pid"
SERVICE_LOG_DIR = "/var/log/hailo"
_USAGE = "usage: hailort_service [standalone]\n"


def pidfile_path():
    return os.environ.get("HAILORT_SIM_SERVICE_PIDFILE") or DEFAULT_PIDFILE


def _already_running(address):
    """True if a live service answers on ``address`` (then its socket is not stale)."""
    if address.is_unix and not os.path.exists(address.target):
        return False
    probe = socket.socket(address.family, socket.SOCK_STREAM)
    probe.settimeout(1.0)
    try:
        probe.connect(address.target)
        return True
    except OSError:
        return False
    finally:
        probe.close()


def _write_pidfile(path):
    try:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        tmp = path + ".tmp"
        with open(tmp, "w") as handle:
            handle.write("{}\n".format(os.getpid()))
        os.replace(tmp, path)
        return True
    except OSError as error:
        log.error("Failed to write pid file {}: {}".format(path, error.strerror))
        return False


def _remove_pidfile(path):
    try:
        with open(path) as handle:
            if handle.read().strip() != str(os.getpid()):
                return  # a newer service owns it
        os.unlink(path)
    except OSError:
        pass


def _daemonize():
    """Fork; the parent waits for the child's ready byte and exits with its verdict."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write_end)
        verdict = os.read(read_end, 1)
        os._exit(0 if verdict == b"1" else 1)
    os.close(read_end)
    os.setsid()
    os.chdir("/")
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    if devnull > 2:
        os.close(devnull)
    return write_end


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv in (["-h"], ["--help"]):
        sys.stdout.write(_USAGE + "Runs in the foreground with 'standalone'; see the "
                         "hailort.service unit and /etc/default/hailort_service.\n")
        return 0
    if argv not in ([], ["standalone"]):
        sys.stderr.write(_USAGE)
        return 2
    standalone = argv == ["standalone"]
    os.environ.setdefault("HAILORT_LOGGER_PATH", SERVICE_LOG_DIR)
    log.reconfigure()
    from .server import Server  # after the environment is settled
    try:
        address = service_address()
        if _already_running(address):
            log.error("hailort_service is already running on {}".format(address))
            return 1
        server = Server(address)
        server.bind()
    except HailoRTException as error:
        log.error(str(error))
        return int(error.status or 1)
    except OSError as error:
        log.error("Failed to listen on {}: {}".format(address, error.strerror or error))
        return 1

    ready_fd = None if standalone else _daemonize()
    log.reconfigure()  # reopen the log in the daemon (new pid)
    pidfile = pidfile_path()
    _write_pidfile(pidfile)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGHUP, lambda *_: log.reconfigure())
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)

    thread = threading.Thread(target=server.serve_forever, name="hailort-service-accept",
                              daemon=True)
    thread.start()
    log.info("hailort_service (pid {}) started on {}".format(os.getpid(), address))
    if ready_fd is not None:
        os.write(ready_fd, b"1")
        os.close(ready_fd)
    while not stop.wait(0.5) and thread.is_alive():
        pass
    failed = not stop.is_set()   # the accept thread died: let systemd restart us
    log.info("hailort_service (pid {}) stopping".format(os.getpid()))
    server.stop()
    _remove_pidfile(pidfile)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

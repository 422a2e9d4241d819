"""Fixtures for the multi-process service tests: a simulated-device config, a private
service address (never /tmp/hailort_uds.sock), a service started in the background and
always stopped, and hand-built network groups (the contract the backend works on)."""
import os
import signal
import subprocess
import sys
import time

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUNTIME = os.path.join(REPO, "runtime")
if RUNTIME not in sys.path:
    sys.path.insert(0, RUNTIME)

from hailort_sim.hef.model import (Direction, Format, FormatFlags, FormatOrder,  # noqa: E402
                                   FormatType, NetworkGroup, QuantInfo, StreamInfo, VStreamInfo)

DEVICE_CONFIG = """\
[device0]
architecture = HAILO8
"""


def make_group(name, shape=(8, 8, 3), out_shape=None, fps=0.0):
    """A one-input one-output network group (uint8 NHWC in, uint8 NHWC out)."""
    out_shape = out_shape or shape
    fmt = Format(FormatType.UINT8, FormatOrder.NHWC, FormatFlags.NONE)
    qi = QuantInfo(0.0, 1.0, 0.0, 255.0)
    size = shape[0] * shape[1] * shape[2]
    in_stream = StreamInfo("{}/input_layer1".format(name), Direction.H2D, fmt, shape, shape, size,
                           0, qi, network_name="{}/{}".format(name, name))
    out_size = out_shape[0] * out_shape[1] * out_shape[2]
    out_stream = StreamInfo("{}/output_layer1".format(name), Direction.D2H, fmt, out_shape,
                            out_shape, out_size, 1, qi, network_name="{}/{}".format(name, name))
    in_vs = VStreamInfo("{}/input_layer1".format(name), "{}/{}".format(name, name), Direction.H2D,
                        fmt, shape, qi, stream_names=(in_stream.name,))
    out_vs = VStreamInfo("{}/output_layer1".format(name), "{}/{}".format(name, name),
                         Direction.D2H, fmt, out_shape, qi, stream_names=(out_stream.name,))
    return NetworkGroup(name, ("{}/{}".format(name, name),), (in_stream,), (out_stream,),
                        (in_vs,), (out_vs,), bottleneck_fps=fps)


@pytest.fixture
def sim_env(tmp_path, monkeypatch):
    """Environment for this process and any child: device config, private socket, pidfile,
    log and monitor directories, all under tmp_path."""
    config = tmp_path / "hailort-sim.conf"
    config.write_text(DEVICE_CONFIG)
    env = {
        "HAILORT_SIM_CONFIG": str(config),
        "HAILORT_SERVICE_ADDRESS": "unix://{}".format(tmp_path / "hailort_uds.sock"),
        "HAILORT_SIM_SERVICE_PIDFILE": str(tmp_path / "run" / "hailort_service.pid"),
        "HAILORT_LOGGER_PATH": str(tmp_path / "log"),
        "HAILORT_SIM_MONITOR_DIR": str(tmp_path / "hmon_files"),
        "TMPDIR": str(tmp_path),   # device claim lock files
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    env["PYTHONPATH"] = RUNTIME + os.pathsep + os.environ.get("PYTHONPATH", "")
    monkeypatch.setenv("PYTHONPATH", env["PYTHONPATH"])
    return dict(os.environ)


def socket_path(env):
    return env["HAILORT_SERVICE_ADDRESS"][len("unix://"):]


def wait_for_socket(path, proc=None, timeout=10.0):
    import socket
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        probe = socket.socket(socket.AF_UNIX)
        try:
            probe.connect(path)
            return          # a service accepts (the file alone may be a stale socket)
        except OSError:
            pass
        finally:
            probe.close()
        if proc is not None and proc.poll() is not None:
            raise AssertionError("service exited with {}: {}".format(
                proc.returncode, proc.stderr.read().decode() if proc.stderr else ""))
        time.sleep(0.02)
    raise AssertionError("service socket {} did not appear".format(path))


class ServiceProcess:
    """``hailort_service standalone`` in a child process; stopped (SIGKILL at worst) at
    teardown so no test leaves a service behind."""

    def __init__(self, env, extra_env=None):
        self.env = dict(env, **(extra_env or {}))
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "hailort_sim.service.daemon", "standalone"],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_for_socket(socket_path(self.env), self.proc)
        return self

    def kill(self, sig=signal.SIGKILL):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(10)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if self.proc is not None and self.proc.stderr:
            self.proc.stderr.close()


@pytest.fixture
def service(sim_env):
    started = []

    def start(extra_env=None):
        svc = ServiceProcess(sim_env, extra_env).start()
        started.append(svc)
        return svc
    yield start
    for svc in started:
        svc.stop()

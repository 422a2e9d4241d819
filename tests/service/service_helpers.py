"""Helpers for the service tests (a module of its own: every test area has a
``conftest``, so test modules must not import from ``conftest``)."""
import os
import signal
import subprocess
import sys
import time

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

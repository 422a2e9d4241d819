"""Fixtures for the multi-process service tests: a simulated-device config, a private
service address (never /tmp/hailort_uds.sock), a service started in the background and
always stopped. Helpers live in ``service_helpers``."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from service_helpers import DEVICE_CONFIG, RUNTIME, ServiceProcess  # noqa: E402


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

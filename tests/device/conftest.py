"""Fixtures for the simulated device: isolated config files and logging."""
import pytest

from hailort_sim import log


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    """No test reads /etc/hailo or writes hailort.log into the working directory."""
    empty = tmp_path / "empty.conf"
    empty.write_text("")
    monkeypatch.setenv("HAILORT_SIM_CONFIG", str(empty))
    monkeypatch.setenv("HAILORT_LOGGER_PATH", "NONE")
    log.reconfigure()


@pytest.fixture
def sim_config(tmp_path, monkeypatch):
    """Write a config file, point HAILORT_SIM_CONFIG at it, return its path."""
    def write(text):
        path = tmp_path / "hailort-sim.conf"
        path.write_text(text)
        monkeypatch.setenv("HAILORT_SIM_CONFIG", str(path))
        return str(path)
    return write

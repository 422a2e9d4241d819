"""Fixtures for the inference tests: an isolated simulated device and small HEF models."""
import pytest

from hailort_sim import log
from hailort_sim.pipeline import device_link

from inference_models import ONE_DEVICE, hef_bytes


@pytest.fixture(autouse=True)
def sim_device(tmp_path, monkeypatch):
    """One simulated Hailo-8; no hailort.log in the working directory; private lock files."""
    path = tmp_path / "hailort-sim.conf"
    path.write_text(ONE_DEVICE)
    monkeypatch.setenv("HAILORT_SIM_CONFIG", str(path))
    monkeypatch.setenv("HAILORT_LOGGER_PATH", "NONE")
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    log.reconfigure()
    yield path
    device_link.set_timing_override(None)


@pytest.fixture
def sim_config(sim_device):
    def write(text):
        sim_device.write_text(text)
        return str(sim_device)
    return write


@pytest.fixture
def write_model(tmp_path):
    """Write a HEF with the given network groups; returns its path."""
    def write(*groups, name="model.hef", arch="HAILO8"):
        path = tmp_path / name
        path.write_bytes(hef_bytes(*groups, arch=arch))
        return str(path)
    return write



"""Fixtures for the inference tests: an isolated simulated device and small HEF models."""
import os

import pytest

from hailort_sim import log
from hailort_sim.hef.model import QuantInfo
from hailort_sim.hef.reader import read_hef
from hailort_sim.hef.writer import HefSpec, LayerSpec, NetworkGroupSpec, OnChipNms, write_hef
from hailort_sim.pipeline import device_link

ONE_DEVICE = "[device0]\narchitecture = HAILO8\n"


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


def qp(zp, scale, bits=8):
    top = (1 << bits) - 1
    return QuantInfo(qp_zp=zp, qp_scale=scale, limvals_min=(0 - zp) * scale, limvals_max=(top - zp) * scale)


IDENTITY_QP = QuantInfo(0.0, 1.0, 0.0, 255.0)


def hef_bytes(*groups, arch="HAILO8"):
    return write_hef(HefSpec(list(groups), arch=arch))


def shortcut(name="shortcut", shape=(4, 6, 3), fps=0.0, quant=IDENTITY_QP, order="NHWC", type="UINT8"):
    return NetworkGroupSpec(name, inputs=[LayerSpec("input_layer1", shape, order=order, quant=quant, type=type)],
                            outputs=[LayerSpec("output_layer1", shape, order=order, quant=quant, type=type)],
                            bottleneck_fps=fps)


def classifier(name="classifier", fps=0.0):
    return NetworkGroupSpec(name, inputs=[LayerSpec("input_layer1", (8, 8, 3), order="NHWC", quant=qp(118.0, 0.0186))],
                            outputs=[LayerSpec("fc1", (10,), quant=qp(62.0, 0.127))], bottleneck_fps=fps)


def two_inputs(name="two_in"):
    return NetworkGroupSpec(name, inputs=[LayerSpec("in_a", (2, 2, 3), quant=IDENTITY_QP),
                                          LayerSpec("in_b", (3, 3, 1), quant=IDENTITY_QP)],
                            outputs=[LayerSpec("out_a", (2, 2, 3), quant=IDENTITY_QP),
                                     LayerSpec("out_b", (3, 3, 1), quant=IDENTITY_QP)])


def nms_model(name="detector", classes=3, max_boxes=4):
    return NetworkGroupSpec(name, inputs=[LayerSpec("input_layer1", (16, 16, 3), quant=qp(0.0, 1 / 255))],
                            outputs=[LayerSpec("nms1", quant=qp(0.0, 1 / 65535, 16), type="UINT16",
                                               nms=OnChipNms(classes=classes, max_bboxes_per_class=max_boxes))])


@pytest.fixture
def write_model(tmp_path):
    """Write a HEF with the given network groups; returns its path."""
    def write(*groups, name="model.hef", arch="HAILO8"):
        path = tmp_path / name
        path.write_bytes(hef_bytes(*groups, arch=arch))
        return str(path)
    return write


def model_of(*groups):
    return read_hef(hef_bytes(*groups))

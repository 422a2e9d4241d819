"""The compute contract on models read from generated sample HEFs (reader + writer + device)."""
import numpy as np
import pytest

samples = pytest.importorskip("hailort_sim.hef.samples", reason="the HEF sample generator is not there")
from hailort_sim.hef.reader import read_hef  # noqa: E402
from hailort_sim.device import SimDevice  # noqa: E402
from hailort_sim.device.compute import compute  # noqa: E402


def model(name):
    return read_hef(samples.sample_bytes(name))


def test_shortcut_net_is_identity():
    group = model("shortcut_net").network_group()
    (inp,), (out,) = group.input_vstreams, group.output_vstreams
    data = np.random.default_rng(1).integers(0, 255, (2,) + tuple(inp.shape), dtype=np.uint8)
    assert np.array_equal(compute(group, {inp.name: data})[out.name], data)


def test_yolov8n_nms_on_a_640x640_frame():
    group = model("yolov8n").network_group()
    (inp,), (out,) = group.input_vstreams, group.output_vstreams
    assert out.is_nms and tuple(inp.shape) == (640, 640, 3)
    frame = np.random.default_rng(2).integers(0, 255, (1, 640, 640, 3), dtype=np.uint8)
    (detections,) = compute(group, {inp.name: frame})[out.name]
    assert len(detections) == out.nms_info.number_of_classes
    assert all(len(boxes) <= out.nms_info.max_bboxes_per_class for boxes in detections)


@pytest.mark.parametrize("device_arch, sample, ok", [("HAILO8", "resnet_v1_18", True),
                                                      ("HAILO8", "resnet_v1_18_hailo8l", True),
                                                      ("HAILO8L", "resnet_v1_18", False),
                                                      ("HAILO15H", "resnet_v1_18_hailo15m", True),
                                                      ("HAILO10H", "resnet_v1_18_hailo8", False)])
def test_sample_compatibility(sim_config, device_arch, sample, ok):
    from hailort_sim.status import HailoRTHEFNotCompatibleWithDevice
    sim_config("[device0]\narchitecture = {}\n".format(device_arch))
    device = SimDevice.open()
    if ok:
        device.check_compatible(model(sample))
    else:
        with pytest.raises(HailoRTHEFNotCompatibleWithDevice):
            device.check_compatible(model(sample))


def test_timing_uses_the_hef_figures(sim_config):
    sim_config("[device0]\n")
    timing = SimDevice.open().timing(model("resnet_v1_18").network_group())
    assert timing.fps == pytest.approx(1331.5) and timing.latency_s == pytest.approx(0.0029)

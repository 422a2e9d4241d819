"""Replay of recorded outputs."""
import numpy as np
import pytest

from hailort_sim.device import SimDevice
from hailort_sim.device.compute import compute
from hailort_sim.device.replay import Replay, record
from hailort_sim.hef.model import Direction, FormatOrder
from hailort_sim.status import HailoRTException, HailoStatus

from sim_models import group, nms_vstream, vstream

DET = group("det", [vstream("det/in", (8, 8, 3))],
            [vstream("det/logits", (10,), order=FormatOrder.NC, direction=Direction.D2H),
             nms_vstream("det/nms", classes=3, per_class=4)])


def image(seed):
    return np.random.default_rng(seed).integers(0, 255, size=(1, 8, 8, 3), dtype=np.uint8)


def recorded(seed):
    logits = np.full((1, 10), seed, np.uint8)
    boxes = [np.zeros((0, 5), np.float32), np.array([[0.1, 0.2, 0.3, 0.4, 0.5], [0.0, 0.0, 1.0, 1.0, 0.9]], np.float32),
             np.zeros((0, 5), np.float32)]
    return {"det/logits": logits, "det/nms": [boxes]}


def test_by_hash_round_trip(tmp_path):
    for seed in (1, 2):
        record(str(tmp_path), DET, {"det/in": image(seed)}, recorded(seed))
    replay = Replay(str(tmp_path))
    out = replay.outputs(DET, {"det/in": np.concatenate([image(2), image(1)])}, first_index=0)
    assert out["det/logits"].tolist() == [[2] * 10, [1] * 10]
    nms = out["det/nms"][0]
    assert [len(b) for b in nms] == [0, 2, 0]
    assert nms[1][:, 4].tolist() == pytest.approx([0.9, 0.5])    # re-sorted by score
    with pytest.raises(HailoRTException) as error:
        replay.outputs(DET, {"det/in": image(3)}, first_index=0)
    assert error.value.status == HailoStatus.HAILO_NOT_FOUND and "input digest" in str(error.value)


def test_by_index_cycles_and_device_counts_frames(tmp_path, sim_config):
    for index in (0, 1):
        record(str(tmp_path), DET, {"det/in": image(9)}, recorded(10 + index), by="index", first_index=index)
    sim_config("[device0]\nreplay = {}\n".format(tmp_path))
    device = SimDevice.open()
    seen = [int(device.infer(DET, {"det/in": image(s)})["det/logits"][0, 0]) for s in range(5)]
    assert seen == [10, 11, 10, 11, 10]
    assert int(device.infer(DET, {"det/in": image(0)}, frame_index=1)["det/logits"][0, 0]) == 11


def test_flat_nms_by_class_buffer_as_recorded_from_hardware(tmp_path):
    flat = np.zeros(3 * (1 + 5 * 4), np.float32).reshape(3, 21)
    flat[2, 0] = 1
    flat[2, 1:6] = [0.5, 0.5, 0.6, 0.7, 0.8]
    (tmp_path / "by-index" / "0" / "det").mkdir(parents=True)
    np.save(tmp_path / "by-index" / "0" / "det" / "nms.npy", flat.ravel())
    np.save(tmp_path / "by-index" / "0" / "det" / "logits.npy", np.arange(10, dtype=np.uint8))
    out = Replay(str(tmp_path)).outputs(DET, {"det/in": image(0)}, 0)
    assert [len(b) for b in out["det/nms"][0]] == [0, 0, 1]
    assert out["det/nms"][0][2].tolist() == [pytest.approx([0.5, 0.5, 0.6, 0.7, 0.8])]
    assert out["det/logits"].tolist() == [list(range(10))]


def test_network_group_section_selects_replay_and_generated_otherwise(tmp_path, sim_config):
    record(str(tmp_path), DET, {"det/in": image(4)}, recorded(4))
    sim_config("[device0]\n[network_group det]\nreplay = {}\n".format(tmp_path))
    device = SimDevice.open()
    assert device.infer(DET, {"det/in": image(4)})["det/logits"].tolist() == [[4] * 10]
    other = group("other", DET.input_vstreams, DET.output_vstreams)
    generated = device.infer(other, {"det/in": image(4)})["det/logits"]
    assert np.array_equal(generated, compute(other, {"det/in": image(4)})["det/logits"])


@pytest.mark.parametrize("array", [np.zeros((10,), np.uint16), np.zeros((11,), np.uint8)])
def test_wrong_recorded_array_is_reported(tmp_path, array):
    (tmp_path / "by-index" / "0" / "det").mkdir(parents=True)
    np.save(tmp_path / "by-index" / "0" / "det" / "logits.npy", array)
    with pytest.raises(HailoRTException) as error:
        Replay(str(tmp_path)).outputs(DET, {"det/in": image(0)}, 0)
    assert error.value.status == HailoStatus.HAILO_INVALID_ARGUMENT and "logits.npy" in str(error.value)


def test_missing_replay_directory(tmp_path):
    with pytest.raises(HailoRTException) as error:
        Replay(str(tmp_path / "nope"))
    assert error.value.status == HailoStatus.HAILO_OPEN_FILE_FAILURE

"""The compute contract: identity, determinism, NMS validity."""
import numpy as np
import pytest

from hailort_sim.device import SimDevice
from hailort_sim.device.compute import compute, frame_digests
from hailort_sim.hef.model import Direction, FormatType, FormatOrder
from hailort_sim.status import HailoRTException, HailoStatus

from sim_models import group, nms_vstream, vstream


def frames(shape, batch=2, dtype=np.uint8, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, np.iinfo(dtype).max, size=(batch,) + shape, dtype=dtype, endpoint=True)


SHORTCUT = group("shortcut_net", [vstream("shortcut_net/input_layer1", (8, 8, 3))],
                 [vstream("shortcut_net/output_layer1", (8, 8, 3), direction=Direction.D2H)])
CLASSIFIER = group("resnet", [vstream("resnet/input_layer1", (16, 16, 3))],
                   [vstream("resnet/fc1", (1000,), order=FormatOrder.NC, direction=Direction.D2H)])


def test_identity_when_shapes_and_types_match():
    data = frames((8, 8, 3))
    out = compute(SHORTCUT, {"shortcut_net/input_layer1": data})
    assert np.array_equal(out["shortcut_net/output_layer1"], data)
    assert out["shortcut_net/output_layer1"] is not data


def test_identity_pairs_inputs_and_outputs_in_order():
    g = group("two", [vstream("two/a", (4, 4, 3)), vstream("two/b", (4, 4, 3)), vstream("two/c", (2, 2, 1), FormatType.UINT16)],
              [vstream("two/x", (4, 4, 3), direction=Direction.D2H), vstream("two/y", (2, 2, 1), FormatType.UINT16,
                                                                          direction=Direction.D2H),
               vstream("two/z", (4, 4, 3), direction=Direction.D2H), vstream("two/w", (4, 4, 3), direction=Direction.D2H)])
    a, b, c = frames((4, 4, 3), seed=1), frames((4, 4, 3), seed=2), frames((2, 2, 1), dtype=np.uint16, seed=3)
    out = compute(g, {"two/a": a, "two/b": b, "two/c": c})
    assert np.array_equal(out["two/x"], a) and np.array_equal(out["two/z"], b)
    assert np.array_equal(out["two/y"], c) and out["two/y"].dtype == np.uint16
    assert not np.array_equal(out["two/w"], a) and not np.array_equal(out["two/w"], b)   # no input left: generated


def test_generated_output_is_deterministic_typed_and_input_dependent():
    data = frames((16, 16, 3), batch=3)
    first = compute(CLASSIFIER, {"resnet/input_layer1": data})["resnet/fc1"]
    again = compute(CLASSIFIER, {"resnet/input_layer1": data.copy()})["resnet/fc1"]
    assert first.dtype == np.uint8 and first.shape == (3, 1000)
    assert np.array_equal(first, again)
    assert not np.array_equal(first[0], first[1])          # different frames, different outputs
    assert len(np.unique(first)) > 100                     # not a constant
    # a frame's output does not depend on the batch it came in
    alone = compute(CLASSIFIER, {"resnet/input_layer1": data[1:2]})["resnet/fc1"]
    assert np.array_equal(alone[0], first[1])
    changed = data.copy()
    changed[0, 0, 0, 0] ^= 1
    assert not np.array_equal(compute(CLASSIFIER, {"resnet/input_layer1": changed})["resnet/fc1"][0], first[0])


def test_uint16_and_float32_outputs():
    g = group("g", [vstream("g/in", (4, 4, 1))],
              [vstream("g/u16", (3, 3, 2), FormatType.UINT16, direction=Direction.D2H),
               vstream("g/f32", (5,), FormatType.FLOAT32, FormatOrder.NC, direction=Direction.D2H)])
    out = compute(g, {"g/in": frames((4, 4, 1))})
    assert out["g/u16"].dtype == np.uint16 and out["g/u16"].shape == (2, 3, 3, 2) and out["g/u16"].max() > 255
    assert out["g/f32"].dtype == np.float32 and out["g/f32"].shape == (2, 5)


@pytest.mark.parametrize("classes, per_class, total", [(80, 100, 0), (3, 1, 0), (80, 100, 2), (1, 5, 0)])
def test_nms_outputs_are_valid(classes, per_class, total):
    g = group("det", [vstream("det/in", (32, 32, 3))], [nms_vstream("det/nms", classes, per_class, total)])
    seen_boxes = 0
    for seed in range(40):
        data = frames((32, 32, 3), batch=2, seed=seed)
        out = compute(g, {"det/in": data})["det/nms"]
        assert len(out) == 2
        for frame in out:
            assert len(frame) == classes
            count = 0
            for boxes in frame:
                assert boxes.dtype == np.float32 and boxes.ndim == 2 and boxes.shape[1] == 5
                assert len(boxes) <= per_class
                count += len(boxes)
                if len(boxes):
                    assert np.all((boxes[:, :4] >= 0) & (boxes[:, :4] <= 1))
                    assert np.all(boxes[:, 0] <= boxes[:, 2]) and np.all(boxes[:, 1] <= boxes[:, 3])
                    assert np.all(np.diff(boxes[:, 4]) <= 0)           # sorted by score, descending
                    assert np.all((boxes[:, 4] > 0) & (boxes[:, 4] <= 1))
            if total:
                assert count <= total
            seen_boxes += count
        again = compute(g, {"det/in": data.copy()})["det/nms"]
        for a, b in zip(out, again):
            assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert seen_boxes > 0


@pytest.mark.parametrize("inputs, status", [
    ({"resnet/other": np.zeros((1, 16, 16, 3), np.uint8)}, HailoStatus.HAILO_NOT_FOUND),
    ({}, HailoStatus.HAILO_INVALID_ARGUMENT),
    ({"resnet/input_layer1": np.zeros((1, 16, 16, 3), np.float32)}, HailoStatus.HAILO_INVALID_ARGUMENT),
    ({"resnet/input_layer1": np.zeros((1, 16, 3), np.uint8)}, HailoStatus.HAILO_INVALID_ARGUMENT),
    ({"resnet/input_layer1": [[1, 2, 3]]}, HailoStatus.HAILO_INVALID_ARGUMENT),
])
def test_bad_inputs(inputs, status):
    with pytest.raises(HailoRTException) as error:
        compute(CLASSIFIER, inputs)
    assert error.value.status == status


def test_frame_digest_covers_every_input():
    g = group("g", [vstream("g/a", (2, 2, 1)), vstream("g/b", (2, 2, 1))], [])
    a, b = frames((2, 2, 1), batch=1), frames((2, 2, 1), batch=1, seed=5)
    assert frame_digests(g, {"g/a": a, "g/b": b}, 1) != frame_digests(g, {"g/a": a, "g/b": a}, 1)


def test_device_infer_uses_the_contract(sim_config):
    sim_config("[device0]\n")
    device = SimDevice.open()
    data = frames((8, 8, 3))
    assert np.array_equal(device.infer(SHORTCUT, {"shortcut_net/input_layer1": data})["shortcut_net/output_layer1"], data)

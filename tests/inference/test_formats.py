"""Format conversions against plain numpy references (spec §7)."""
import numpy as np
import pytest

from hailort_sim.hef.model import FormatOrder, FormatType, QuantInfo
from hailort_sim.pipeline import formats
from hailort_sim.status import (HailoRTInvalidArgumentException, HailoRTInvalidHEFException,
                                HailoRTInvalidOperationException)

from inference_models import IDENTITY_QP, classifier, model_of, nms_model, qp, reference_quantize, shortcut

QP = QuantInfo(qp_zp=118.0, qp_scale=0.0186, limvals_min=-2.1948, limvals_max=2.5482)


def test_quantize_matches_reference_on_random_values():
    x = np.random.default_rng(1).uniform(-4, 4, size=10000).astype(np.float32)
    assert np.array_equal(formats.quantize(x, QP, np.uint8), reference_quantize(x, QP, np.uint8))


def test_quantize_rounds_half_to_even_and_clips():
    half = QuantInfo(0.0, 1.0, 0.0, 255.0)
    assert formats.quantize(np.array([0.5, 1.5, 2.5, 3.5, -0.4]), half, np.uint8).tolist() == [0, 2, 2, 4, 0]
    q = QuantInfo(10.0, 0.5, 0.0, 20.0)
    # 25 clips to limvals_max 20 -> 20/0.5+10 = 50; -3 clips to 0 -> 10; 1.25/0.5+10 = 12.5 -> 12 (even)
    assert formats.quantize(np.array([25.0, -3.0, 1.25, 1.75]), q, np.uint8).tolist() == [50, 10, 12, 14]


def test_identity_qp_rounds_without_clipping():
    # limvals say [0, 255] but an identity QP only rounds (spec §7.4)
    assert formats.quantize(np.array([300.4, 1000.5]), IDENTITY_QP, np.uint16).tolist() == [300, 1000]
    assert formats.quantize(np.array([300.4]), IDENTITY_QP, np.uint8).tolist() == [255]   # saturates


def test_dequantize_matches_reference():
    q = np.arange(256, dtype=np.uint8)
    expected = (q.astype(np.float32) - np.float32(QP.qp_zp)) * np.float32(QP.qp_scale)
    assert np.array_equal(formats.dequantize(q, QP), expected)
    assert formats.dequantize(q, IDENTITY_QP).dtype == np.float32


def test_invalid_qp_cannot_quantize():
    with pytest.raises(HailoRTInvalidOperationException, match="multiple quant_infos"):
        formats.quantize(np.zeros(3), QuantInfo(0, 0, 0, 0), np.uint8)


def test_per_feature_dequantize():
    qis = (QuantInfo(1, 2, 0, 1), QuantInfo(3, 4, 0, 1))
    q = np.array([[[5, 5]]], dtype=np.uint8)
    out = formats.dequantize(q, QuantInfo(0, 0, 0, 0), qis)
    assert out.tolist() == [[[8.0, 8.0]]]


@pytest.fixture
def image_info():
    return model_of(shortcut(shape=(4, 6, 3))).network_groups[0].input_vstreams[0]


@pytest.mark.parametrize("order,transpose", [(FormatOrder.NHWC, (0, 1, 2, 3)), (FormatOrder.NCHW, (0, 3, 1, 2)),
                                             (FormatOrder.NHCW, (0, 1, 3, 2))])
def test_orders_against_numpy_transpose(image_info, order, transpose):
    fmt = formats.resolve(image_info, FormatType.UINT8, order)
    canonical = np.random.default_rng(2).integers(0, 255, (5, 4, 6, 3), dtype=np.uint8)
    user = np.ascontiguousarray(canonical.transpose(transpose))
    assert fmt.shape == user.shape[1:]
    assert fmt.frame_size == 4 * 6 * 3
    assert np.array_equal(formats.to_device(fmt, user), canonical)
    assert np.array_equal(formats.from_device(fmt, canonical), user)


def test_float32_round_trip_through_device(image_info):
    info = model_of(shortcut(quant=qp(10.0, 0.5))).network_groups[0].input_vstreams[0]
    fmt = formats.resolve(info, FormatType.FLOAT32, FormatOrder.NCHW)
    x = np.random.default_rng(3).uniform(-10, 130, (2, 3, 4, 6)).astype(np.float32)
    device = formats.to_device(fmt, x)
    expected = reference_quantize(x.transpose(0, 2, 3, 1), info.quant_info, np.uint8)
    assert np.array_equal(device, expected)
    back = formats.from_device(fmt, device)
    assert back.shape == x.shape and back.dtype == np.float32
    assert np.allclose(back, (expected.transpose(0, 3, 1, 2).astype(np.float32) - 10) * 0.5)


def test_nc_and_nhw_shapes():
    info = model_of(classifier()).network_groups[0].output_vstreams[0]
    assert formats.resolve(info).shape == (10,)
    assert formats.resolve(info).order == FormatOrder.NC
    assert formats.resolve(info, user_order=FormatOrder.NHWC).shape == (1, 1, 10)
    single = model_of(shortcut(shape=(5, 7, 1))).network_groups[0].input_vstreams[0]
    fmt = formats.resolve(single, user_order=FormatOrder.NHW)
    assert fmt.shape == (5, 7)
    data = np.arange(70, dtype=np.uint8).reshape(2, 5, 7)
    assert np.array_equal(formats.to_device(fmt, data), data.reshape(2, 5, 7, 1))


def test_unsupported_conversions_name_the_stream(image_info):
    with pytest.raises(HailoRTInvalidArgumentException, match="NC needs a 1x1xC stream; 'shortcut/input_layer1'"):
        formats.resolve(image_info, user_order=FormatOrder.NC)
    with pytest.raises(HailoRTInvalidArgumentException, match="BAYER_RGB is not supported for 'shortcut/input_layer1'"):
        formats.resolve(image_info, user_order=FormatOrder.BAYER_RGB)
    nms = model_of(nms_model()).network_groups[0].output_vstreams[0]
    with pytest.raises(HailoRTInvalidArgumentException, match="only FLOAT32"):
        formats.resolve(nms, FormatType.UINT8)


def boxes():
    return [np.array([[0.1, 0.2, 0.3, 0.4, 0.9], [0.2, 0.2, 0.5, 0.5, 0.5]], np.float32),
            np.zeros((0, 5), np.float32),
            np.array([[0.0, 0.0, 1.0, 1.0, 0.7]], np.float32)]


def test_nms_by_class_layout_against_reference():
    info = model_of(nms_model(classes=3, max_boxes=4)).network_groups[0].output_vstreams[0]
    fmt = formats.resolve(info)
    assert fmt.order == FormatOrder.HAILO_NMS_BY_CLASS and fmt.shape == (3 * (1 + 5 * 4),)
    assert fmt.frame_size == 3 * (1 + 5 * 4) * 4
    flat = formats.nms_by_class_encode(boxes(), info.nms_info)
    # reference: count, boxes, per class, packed; the rest zero
    reference = np.zeros(fmt.shape, np.float32)
    packed = [2, *boxes()[0].ravel(), 0, 1, *boxes()[2].ravel()]
    reference[:len(packed)] = packed
    assert np.array_equal(flat, reference)
    decoded = formats.nms_by_class_decode(flat, 3)
    assert [d.shape for d in decoded] == [(2, 5), (0, 5), (1, 5)]
    assert all(np.array_equal(a, b) for a, b in zip(decoded, boxes()))


def test_nms_tf_format_is_padded_with_dequantized_zero():
    info = model_of(nms_model(classes=3, max_boxes=4)).network_groups[0].output_vstreams[0]
    q = QuantInfo(2.0, 0.5, 0.0, 1.0)
    tf = formats.nms_by_class_to_tf(boxes(), info.nms_info, q)
    assert tf.shape == (3, 5, 4)
    assert np.array_equal(tf[0, :, :2], boxes()[0].T)
    assert np.all(tf[0, :, 2:] == -1.0) and np.all(tf[1] == -1.0)    # (0 - 2) * 0.5


def test_nms_by_score_layout():
    info = model_of(nms_model(classes=3, max_boxes=4)).network_groups[0].output_vstreams[0]
    fmt = formats.resolve(info, user_order=FormatOrder.HAILO_NMS_BY_SCORE)
    assert fmt.dtype == np.uint8 and fmt.frame_size == 2 + 12 * 22
    raw = formats.nms_by_score_encode(boxes(), info.nms_info)
    assert int.from_bytes(raw[:2].tobytes(), "little") == 3
    first = np.frombuffer(raw[2:24].tobytes(), dtype=np.float32, count=5)
    assert np.allclose(first, [0.1, 0.2, 0.3, 0.4, 0.9])
    assert int.from_bytes(raw[22:24].tobytes(), "little") == 0          # class_id of the best box
    dets = formats.nms_by_score_decode(raw)
    assert dets["score"].tolist() == pytest.approx([0.9, 0.7, 0.5])
    assert dets["class_id"].tolist() == [0, 2, 0]


def byte_mask_info():
    import dataclasses
    from hailort_sim.hef.model import Format, NmsInfo
    info = model_of(nms_model(classes=3, max_boxes=4)).network_groups[0].output_vstreams[0]
    return dataclasses.replace(info, format=Format(FormatType.FLOAT32, FormatOrder.HAILO_NMS_WITH_BYTE_MASK),
                               shape=(), nms_info=NmsInfo(3, 4, max_bboxes_total=5))


def test_nms_byte_mask_layout():
    info = byte_mask_info()
    image = (20, 10)
    fmt = formats.resolve(info, image_hw=image)
    assert fmt.order == FormatOrder.HAILO_NMS_WITH_BYTE_MASK and fmt.dtype == np.uint8
    assert fmt.frame_size == 2 + 5 * 40 + 2 * 20 * 10        # count, 5 records, 2 x image of masks
    raw = formats.nms_byte_mask_encode(boxes(), info.nms_info, image)
    assert int.from_bytes(raw[:2].tobytes(), "little") == 3
    first = raw[2:42]
    assert np.allclose(np.frombuffer(first[:20].tobytes(), np.float32), [0.1, 0.2, 0.3, 0.4, 0.9])
    assert int.from_bytes(first[20:22].tobytes(), "little") == 0                 # class_id
    mask_size = int.from_bytes(first[24:32].tobytes(), "little")
    mask_offset = int.from_bytes(first[32:40].tobytes(), "little")
    # rows = ceil((y_max - y_min) * H), columns = ceil((x_max - x_min) * W), in float32 like the C code
    f = np.float32
    rows, cols = int(np.ceil((f(0.3) - f(0.1)) * f(20))), int(np.ceil((f(0.4) - f(0.2)) * f(10)))
    assert (mask_size, mask_offset) == (rows * cols, 2 + 5 * 40)
    decoded = formats.nms_byte_mask_decode(raw, image)
    assert [round(float(r["score"]), 3) for r, _ in decoded] == [0.9, 0.7, 0.5]
    record, mask = decoded[0]
    assert mask.shape == (rows, cols) and set(np.unique(mask)) <= {0, 1}
    assert np.array_equal(mask, formats.box_mask(boxes()[0][0], image))
    tf = formats.nms_byte_mask_to_tf(decoded, 5, image)
    assert tf.shape == (1, 20 * 10 + 6, 5)
    assert np.allclose(tf[0, :6, 1], [0.0, 0.0, 1.0, 1.0, 0.7, 2.0])
    full = tf[0, 6:, 0].reshape(20, 10)
    assert np.array_equal(full[2:2 + rows, 2:2 + cols], mask) and full.sum() == mask.sum()


def test_nms_byte_mask_needs_single_input_and_its_order():
    info = byte_mask_info()
    with pytest.raises(HailoRTInvalidHEFException):
        formats.resolve(info)
    with pytest.raises(HailoRTInvalidArgumentException, match="HAILO_NMS_WITH_BYTE_MASK"):
        formats.resolve(info, user_order=FormatOrder.HAILO_NMS_BY_CLASS, image_hw=(4, 4))

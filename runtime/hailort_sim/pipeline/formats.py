"""User (host) formats: quantization, orders, frame sizes and the NMS host layouts.

The simulated device works on *quantized host-format* arrays of shape
``(batch, *VStreamInfo.shape)`` in the device type (uint8/uint16); NMS outputs come from
it as, per frame, a list (one per class) of float32 ``(n, 5)`` arrays. This module turns
the user's buffers into that and back (spec §7):

* types: UINT8 / UINT16 / FLOAT32 / AUTO (AUTO = device type; NMS: FLOAT32);
* orders: NHWC, NCHW, NHCW, FCR, F8CR (host F8CR/FCR buffers are NHWC-shaped, §7.2),
  NC, NHW; the NMS orders HAILO_NMS_BY_CLASS (default) and HAILO_NMS_BY_SCORE;
* quantization exactly as §7.4: ``rint(clip(x, min, max) / scale + zp)`` in float32 with
  round-half-even, identity QP only rounds; de-quantization ``(q - zp) * scale``.

Everything is vectorized over the batch axis; a conversion that needs nothing (same
type, NHWC) returns its input unchanged, so the zero-copy path stays zero-copy.
"""
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import numpy as np

from hailort_sim.hef.model import (Direction, FormatFlags, FormatOrder, FormatType, NmsInfo,
                                   QuantInfo, VStreamInfo)
from hailort_sim.status import HailoStatus, raise_status

BBOX_PARAMS = 5
DETECTION_COUNT_SIZE = 2
HW_DATA_ALIGNMENT = 8

DTYPE_BY_TYPE = {FormatType.UINT8: np.dtype(np.uint8), FormatType.UINT16: np.dtype(np.uint16),
                 FormatType.FLOAT32: np.dtype(np.float32)}

# hailo_detection_t as laid out in a HAILO_NMS_BY_SCORE buffer. The guide's §6.2.7 text puts
# class_id before score; the C struct (score, then class_id) wins (spec §19 #11). The
# struct is packed: 5 float32 + uint16 = 22 bytes, right after the uint16 count.
DETECTION_DTYPE = np.dtype([("y_min", "<f4"), ("x_min", "<f4"), ("y_max", "<f4"), ("x_max", "<f4"),
                            ("score", "<f4"), ("class_id", "<u2")])

# Default host order for each device order (spec §7.3).
_DEFAULT_HOST_ORDER = {
    FormatOrder.NHCW: FormatOrder.NHWC, FormatOrder.RGB888: FormatOrder.NHWC,
    FormatOrder.HAILO_YYUV: FormatOrder.NV12, FormatOrder.HAILO_YYVU: FormatOrder.NV21,
    FormatOrder.HAILO_YYYYUV: FormatOrder.I420, FormatOrder.HAILO_NMS_ON_CHIP: FormatOrder.HAILO_NMS_BY_CLASS,
}
NMS_ORDERS = (FormatOrder.HAILO_NMS_BY_CLASS, FormatOrder.HAILO_NMS_BY_SCORE,
              FormatOrder.HAILO_NMS_WITH_BYTE_MASK)
# Image orders whose host buffer is a permutation of the canonical (H, W, C) array.
# Axes: where each of H, W, C sits in the user frame.
_IMAGE_AXES = {
    FormatOrder.NHWC: (0, 1, 2), FormatOrder.FCR: (0, 1, 2), FormatOrder.F8CR: (0, 1, 2),
    FormatOrder.NCHW: (1, 2, 0), FormatOrder.NHCW: (0, 2, 1),
}


def default_host_order(device_order: FormatOrder) -> FormatOrder:
    return _DEFAULT_HOST_ORDER.get(FormatOrder(device_order), FormatOrder(device_order))


def device_type(info: VStreamInfo) -> FormatType:
    """The type the device produces/consumes for a vstream (NMS vstreams: FLOAT32 boxes)."""
    if info.is_nms:
        return FormatType.FLOAT32
    return FormatType.UINT8 if info.format.type == FormatType.AUTO else FormatType(info.format.type)


def canonical_hwc(info: VStreamInfo) -> Tuple[int, int, int]:
    """(H, W, C) of a non-NMS vstream whatever its default order."""
    shape = tuple(info.shape)
    if len(shape) == 1:
        return (1, 1, shape[0])
    if len(shape) == 2:
        return (shape[0], shape[1], 1)
    return shape[:3]


def nms_max_total(nms: NmsInfo) -> int:
    return nms.max_bboxes_total or nms.number_of_classes * nms.max_bboxes_per_class


@dataclass(frozen=True)
class StreamFormat:
    """One vstream's resolved user format: what the user binds and how it maps to the device."""
    info: VStreamInfo
    type: FormatType
    order: FormatOrder
    flags: FormatFlags
    dtype: np.dtype
    shape: Tuple[int, ...]          # the user frame's numpy shape (no batch axis)
    frame_size: int                 # bytes per user frame

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def is_nms(self) -> bool:
        return self.info.is_nms

    @property
    def is_identity(self) -> bool:
        """No conversion at all between the user frame and the device frame."""
        return (not self.is_nms and self.type == device_type(self.info)
                and self.shape == tuple(self.info.shape))


def resolve(info: VStreamInfo, user_type: FormatType = FormatType.AUTO,
            user_order: FormatOrder = FormatOrder.AUTO, flags: FormatFlags = FormatFlags.NONE) -> StreamFormat:
    """Resolve AUTO type/order and check the transformation is one the runtime can do.

    Raises HAILO_INVALID_ARGUMENT naming the stream, as configure()/vstream creation does.
    """
    user_type, user_order = FormatType(user_type), FormatOrder(user_order)
    name = info.name
    if info.is_nms:
        if user_type == FormatType.AUTO:
            user_type = FormatType.FLOAT32
        if user_order == FormatOrder.AUTO:
            user_order = FormatOrder.HAILO_NMS_BY_CLASS
        if user_type != FormatType.FLOAT32:
            raise_status(HailoStatus.HAILO_INVALID_ARGUMENT,
                         f"NMS output '{name}' supports only FLOAT32 user format type, got {user_type.name}")
        if user_order not in (FormatOrder.HAILO_NMS_BY_CLASS, FormatOrder.HAILO_NMS_BY_SCORE):
            raise_status(HailoStatus.HAILO_INVALID_ARGUMENT,
                         f"Format order {user_order.name} is not supported for NMS output '{name}' "
                         "(use HAILO_NMS_BY_CLASS or HAILO_NMS_BY_SCORE)")
        nms = info.nms_info
        if user_order == FormatOrder.HAILO_NMS_BY_CLASS:
            elements = nms.number_of_classes * (1 + BBOX_PARAMS * nms.max_bboxes_per_class)
            return StreamFormat(info, user_type, user_order, flags, DTYPE_BY_TYPE[user_type], (elements,),
                                elements * 4)
        size = DETECTION_COUNT_SIZE + nms_max_total(nms) * DETECTION_DTYPE.itemsize
        return StreamFormat(info, user_type, user_order, flags, np.dtype(np.uint8), (size,), size)

    hw_type = device_type(info)
    if user_type == FormatType.AUTO:
        user_type = hw_type
    if user_order == FormatOrder.AUTO:
        user_order = default_host_order(info.format.order)
    if user_order in NMS_ORDERS:
        raise_status(HailoStatus.HAILO_INVALID_ARGUMENT,
                     f"Format order {user_order.name} is only valid for NMS outputs, not for '{name}'")
    # Narrowing integer casts are not a transformation the runtime offers; widening is.
    if user_type != FormatType.FLOAT32 and user_type != hw_type and not (
            user_type == FormatType.UINT16 and hw_type == FormatType.UINT8):
        raise_status(HailoStatus.HAILO_INVALID_ARGUMENT,
                     f"Unsupported format type {user_type.name} for '{name}' (device type {hw_type.name})")
    h, w, c = canonical_hwc(info)
    if user_order in _IMAGE_AXES:
        axes = _IMAGE_AXES[user_order]
        shape = [0, 0, 0]
        for dim, pos in zip((h, w, c), axes):
            shape[pos] = dim
        shape = tuple(shape)
    elif user_order == FormatOrder.NC:
        if h != 1 or w != 1:
            raise_status(HailoStatus.HAILO_INVALID_ARGUMENT,
                         f"Format order NC needs a 1x1xC stream; '{name}' is {h}x{w}x{c}")
        shape = (c,)
    elif user_order == FormatOrder.NHW:
        if c != 1:
            raise_status(HailoStatus.HAILO_INVALID_ARGUMENT,
                         f"Format order NHW needs a single-feature stream; '{name}' has {c} features")
        shape = (h, w)
    else:
        raise_status(HailoStatus.HAILO_INVALID_ARGUMENT,
                     f"Format order {user_order.name} is not supported for '{name}' "
                     f"(device order {FormatOrder(info.format.order).name})")
    dtype = DTYPE_BY_TYPE[user_type]
    return StreamFormat(info, user_type, user_order, flags, dtype, shape, int(np.prod(shape)) * dtype.itemsize)


def infer_stream_shape(fmt: StreamFormat) -> List[int]:
    """``InferModel.InferStream.shape``: the user frame shape as a list (spec §3.10)."""
    return list(fmt.shape)


def vstream_info_shape(info: VStreamInfo, order: Optional[FormatOrder] = None) -> Tuple[int, ...]:
    """``VStreamInfo.shape`` (spec §3.15): (H,W,C), (C,) for NC, (H,W) for NHW,
    (classes, 5, max_bboxes_per_class) for NMS BY_CLASS."""
    if info.is_nms:
        nms = info.nms_info
        return (nms.number_of_classes, BBOX_PARAMS, nms.max_bboxes_per_class)
    return tuple(info.shape)


# --- quantization (spec §7.4) -------------------------------------------------------------

def _is_identity(qi: QuantInfo) -> bool:
    return qi.qp_scale == 1.0 and qi.qp_zp == 0.0


def _qp_arrays(qi: QuantInfo, qis: Sequence[QuantInfo]):
    if qi.is_valid or not qis:
        return np.float32(qi.qp_zp), np.float32(qi.qp_scale)
    return (np.array([q.qp_zp for q in qis], dtype=np.float32),
            np.array([q.qp_scale for q in qis], dtype=np.float32))


def quantize(x: np.ndarray, qi: QuantInfo, dtype) -> np.ndarray:
    """float -> uint8/uint16: ``rint(clip(x, limvals) / scale + zp)`` in float32.

    ``np.rint`` rounds half to even, like ``rintf`` in the default rounding mode. An
    identity QP (scale 1, zp 0) only rounds. Values outside the integer range saturate
    (the C++ cast is undefined there; saturating is the deterministic choice).
    """
    if not qi.is_valid:
        raise_status(HailoStatus.HAILO_INVALID_OPERATION,
                     "quant_info is invalid as the model was compiled with multiple quant_infos. "
                     "Please compile again or provide a list of quant_infos.")
    dtype = np.dtype(dtype)
    x = np.asarray(x, dtype=np.float32)
    if _is_identity(qi):
        q = np.rint(x)
    else:
        q = np.clip(x, np.float32(qi.limvals_min), np.float32(qi.limvals_max))
        q = np.rint(q / np.float32(qi.qp_scale) + np.float32(qi.qp_zp))
    info = np.iinfo(dtype)
    return np.clip(q, info.min, info.max).astype(dtype)


def dequantize(q: np.ndarray, qi: QuantInfo, qis: Sequence[QuantInfo] = ()) -> np.ndarray:
    """uint -> float32: ``(q - zp) * scale`` (per feature, along the last axis, when the model
    has per-feature QPs); identity QP is a plain cast."""
    if qi.is_valid and _is_identity(qi):
        return np.asarray(q, dtype=np.float32)
    if not qi.is_valid and not qis:
        raise_status(HailoStatus.HAILO_INVALID_OPERATION,
                     "quant_info is invalid as the model was compiled with multiple quant_infos. "
                     "Please compile again or provide a list of quant_infos.")
    zp, scale = _qp_arrays(qi, qis)
    return (np.asarray(q, dtype=np.float32) - zp) * scale


# --- whole-batch conversions ---------------------------------------------------------------

def to_device(fmt: StreamFormat, batch: np.ndarray) -> np.ndarray:
    """User batch ``(N, *fmt.shape)`` of ``fmt.dtype`` -> device batch ``(N, *info.shape)``."""
    info = fmt.info
    if fmt.is_identity:
        return batch
    n = batch.shape[0]
    if fmt.order in _IMAGE_AXES and fmt.order not in (FormatOrder.NHWC, FormatOrder.FCR, FormatOrder.F8CR):
        axes = _IMAGE_AXES[fmt.order]
        batch = batch.transpose((0,) + tuple(a + 1 for a in axes))
    batch = batch.reshape((n,) + tuple(info.shape))
    hw_dtype = DTYPE_BY_TYPE[device_type(info)]
    if fmt.type == FormatType.FLOAT32:
        return quantize(batch, info.quant_info, hw_dtype)
    return np.ascontiguousarray(batch, dtype=hw_dtype)


def from_device(fmt: StreamFormat, batch: np.ndarray) -> np.ndarray:
    """Device batch ``(N, *info.shape)`` -> user batch ``(N, *fmt.shape)`` of ``fmt.dtype``."""
    info = fmt.info
    if fmt.is_identity:
        return batch
    n = batch.shape[0]
    if fmt.type == FormatType.FLOAT32:
        batch = dequantize(batch, info.quant_info, info.quant_infos)
    else:
        batch = batch.astype(fmt.dtype, copy=False)
    if fmt.order in _IMAGE_AXES:
        h, w, c = canonical_hwc(info)
        batch = batch.reshape(n, h, w, c)
        axes = _IMAGE_AXES[fmt.order]
        inverse = [0, 0, 0]
        for canonical_axis, pos in enumerate(axes):
            inverse[pos] = canonical_axis
        batch = batch.transpose((0,) + tuple(a + 1 for a in inverse))
    return batch.reshape((n,) + fmt.shape)


# --- NMS host layouts (spec §7.5, §7.6) ----------------------------------------------------

def nms_by_class_encode(frame: Sequence[np.ndarray], nms: NmsInfo, out: Optional[np.ndarray] = None) -> np.ndarray:
    """Per-class boxes -> the packed HAILO_NMS_BY_CLASS float32 frame: for each class a count
    then that many ``[y_min, x_min, y_max, x_max, score]``; the tail stays zero."""
    size = nms.number_of_classes * (1 + BBOX_PARAMS * nms.max_bboxes_per_class)
    if out is None:
        out = np.zeros(size, dtype=np.float32)
    else:
        out[:] = 0
    pos = 0
    for boxes in frame:
        boxes = np.asarray(boxes, dtype=np.float32).reshape(-1, BBOX_PARAMS)[:nms.max_bboxes_per_class]
        out[pos] = len(boxes)
        out[pos + 1:pos + 1 + boxes.size] = boxes.ravel()
        pos += 1 + boxes.size
    return out


def nms_by_class_decode(flat: np.ndarray, number_of_classes: int) -> List[np.ndarray]:
    """Packed BY_CLASS frame -> list (one per class) of ``(n, 5)`` float32 arrays (hailo format)."""
    flat = np.asarray(flat, dtype=np.float32).ravel()
    result, pos = [], 0
    for _ in range(number_of_classes):
        count = int(flat[pos])
        result.append(flat[pos + 1:pos + 1 + count * BBOX_PARAMS].reshape(count, BBOX_PARAMS).copy())
        pos += 1 + count * BBOX_PARAMS
    return result


def nms_empty_value(qi: QuantInfo) -> float:
    """The "empty bbox" value that pads tf-format NMS output: zero de-quantized with the QP."""
    if not qi.is_valid or _is_identity(qi):
        return 0.0
    return float((np.float32(0) - np.float32(qi.qp_zp)) * np.float32(qi.qp_scale))


def nms_by_class_to_tf(per_class: Sequence[np.ndarray], nms: NmsInfo, qi: QuantInfo) -> np.ndarray:
    """hailo format -> tf format ``[classes, 5, max_bboxes_per_class]``, padded with empty boxes."""
    out = np.full((nms.number_of_classes, BBOX_PARAMS, nms.max_bboxes_per_class), nms_empty_value(qi),
                  dtype=np.float32)
    for c, boxes in enumerate(per_class):
        n = min(len(boxes), nms.max_bboxes_per_class)
        out[c, :, :n] = np.asarray(boxes[:n], dtype=np.float32).T
    return out


def nms_by_score_encode(frame: Sequence[np.ndarray], nms: NmsInfo, out: Optional[np.ndarray] = None) -> np.ndarray:
    """Per-class boxes -> HAILO_NMS_BY_SCORE bytes: uint16 count + packed detections by score."""
    total = nms_max_total(nms)
    size = DETECTION_COUNT_SIZE + total * DETECTION_DTYPE.itemsize
    if out is None:
        out = np.zeros(size, dtype=np.uint8)
    else:
        out[:] = 0
    dets = np.zeros(sum(len(b) for b in frame), dtype=DETECTION_DTYPE)
    pos = 0
    for class_id, boxes in enumerate(frame):
        boxes = np.asarray(boxes, dtype=np.float32).reshape(-1, BBOX_PARAMS)
        for i, field in enumerate(("y_min", "x_min", "y_max", "x_max", "score")):
            dets[field][pos:pos + len(boxes)] = boxes[:, i]
        dets["class_id"][pos:pos + len(boxes)] = class_id
        pos += len(boxes)
    dets = dets[np.argsort(-dets["score"], kind="stable")][:total]
    out[:2] = np.frombuffer(np.uint16(len(dets)).tobytes(), dtype=np.uint8)
    out[2:2 + dets.nbytes] = np.frombuffer(dets.tobytes(), dtype=np.uint8)
    return out


def nms_by_score_decode(raw: np.ndarray) -> np.ndarray:
    """HAILO_NMS_BY_SCORE bytes -> structured array of detections (DETECTION_DTYPE)."""
    raw = np.asarray(raw).view(np.uint8).ravel()
    count = int(raw[:2].view(np.uint16)[0])
    return raw[2:2 + count * DETECTION_DTYPE.itemsize].view(DETECTION_DTYPE).copy()


def nms_to_host(fmt: StreamFormat, frames: Sequence[Sequence[np.ndarray]], out: np.ndarray) -> None:
    """Write the device's NMS results for ``len(frames)`` frames into ``out`` (N, *fmt.shape)."""
    encode = nms_by_class_encode if fmt.order == FormatOrder.HAILO_NMS_BY_CLASS else nms_by_score_encode
    for i, frame in enumerate(frames):
        encode(frame, fmt.info.nms_info, out[i])


def check_direction(info: VStreamInfo, direction: Direction) -> None:
    if info.direction != direction:
        raise_status(HailoStatus.HAILO_INVALID_ARGUMENT, f"'{info.name}' is not an {direction.name} vstream")

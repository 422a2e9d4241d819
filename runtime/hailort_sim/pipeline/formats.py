"""User (host) formats: quantization, orders, frame sizes and the NMS host layouts.

The simulated device works on *quantized host-format* arrays of shape
``(batch, *VStreamInfo.shape)`` in the device type (uint8/uint16); NMS outputs come from
it as, per frame, a list (one per class) of float32 ``(n, 5)`` arrays. This module turns
the user's buffers into that and back (spec §7):

* types: UINT8 / UINT16 / FLOAT32 / AUTO (AUTO = device type; NMS: FLOAT32);
* orders: NHWC, NCHW, NHCW, FCR, F8CR (host F8CR/FCR buffers are NHWC-shaped, §7.2),
  NC, NHW; RGB4 and the YUV orders NV12, NV21, I420, YUY2 (see ``_YUV_ORDERS``); the NMS
  orders HAILO_NMS_BY_CLASS (default) and HAILO_NMS_BY_SCORE;
* quantization exactly as §7.4: ``rint(clip(x, min, max) / scale + zp)`` in float32 with
  round-half-even, identity QP only rounds; de-quantization ``(q - zp) * scale``.

Everything is vectorized over the batch axis; a conversion that needs nothing (same
type, NHWC) returns its input unchanged, so the zero-copy path stays zero-copy.
"""
from dataclasses import dataclass
from functools import cached_property
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


# YUV host orders of a 3-channel image stream (guide §6.2.4-6.2.6, §13.10). The guide defines
# each as the per-pixel [Y, U, V] ([Y, V, U] for NV21) triples it "represents", so the
# simulated device's (H, W, 3) tensor for such a stream is exactly that: chroma shared by a
# 2x2 block (4:2:0) or a horizontal pixel pair (YUY2). Host -> device replicates the chroma,
# device -> host takes it from the block's top-left pixel: host -> device -> host is exact.
# Value: the chroma block (rows, cols) one U and one V sample cover.
_YUV_ORDERS = {FormatOrder.NV12: (2, 2), FormatOrder.NV21: (2, 2), FormatOrder.I420: (2, 2),
               FormatOrder.YUY2: (1, 2)}
RGB4_ROW_ALIGNMENT = 4


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
    image_hw: Tuple[int, int] = (0, 0)   # the model's input image (H, W): byte-mask NMS only

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def is_nms(self) -> bool:
        return self.info.is_nms

    @cached_property
    def is_identity(self) -> bool:
        """No conversion at all between the user frame and the device frame (asked per frame)."""
        return (not self.is_nms and self.type == device_type(self.info)
                and self.shape == tuple(self.info.shape))


def resolve(info: VStreamInfo, user_type: FormatType = FormatType.AUTO,
            user_order: FormatOrder = FormatOrder.AUTO, flags: FormatFlags = FormatFlags.NONE,
            image_hw: Optional[Tuple[int, int]] = None) -> StreamFormat:
    """Resolve AUTO type/order and check the transformation is one the runtime can do.

    Raises HAILO_INVALID_ARGUMENT naming the stream, as configure()/vstream creation does.
    ``image_hw`` (the single input's height and width) is needed by byte-mask NMS outputs.
    """
    user_type, user_order = FormatType(user_type), FormatOrder(user_order)
    name = info.name
    if info.is_nms:
        if user_type == FormatType.AUTO:
            user_type = FormatType.FLOAT32
        byte_mask = info.format.order == FormatOrder.HAILO_NMS_WITH_BYTE_MASK
        if user_order == FormatOrder.AUTO:
            user_order = FormatOrder.HAILO_NMS_WITH_BYTE_MASK if byte_mask else FormatOrder.HAILO_NMS_BY_CLASS
        if byte_mask != (user_order == FormatOrder.HAILO_NMS_WITH_BYTE_MASK):
            raise_status(HailoStatus.HAILO_INVALID_ARGUMENT,
                         f"Format order {user_order.name} is not supported for NMS output '{name}' "
                         f"(its NMS order is {FormatOrder(info.format.order).name})")
        if user_type != FormatType.FLOAT32:
            raise_status(HailoStatus.HAILO_INVALID_ARGUMENT,
                         f"NMS output '{name}' supports only FLOAT32 user format type, got {user_type.name}")
        if user_order not in NMS_ORDERS:
            raise_status(HailoStatus.HAILO_INVALID_ARGUMENT,
                         f"Format order {user_order.name} is not supported for NMS output '{name}' "
                         "(use HAILO_NMS_BY_CLASS or HAILO_NMS_BY_SCORE)")
        nms = info.nms_info
        if user_order == FormatOrder.HAILO_NMS_BY_CLASS:
            elements = nms.number_of_classes * (1 + BBOX_PARAMS * nms.max_bboxes_per_class)
            return StreamFormat(info, user_type, user_order, flags, DTYPE_BY_TYPE[user_type], (elements,),
                                elements * 4)
        if user_order == FormatOrder.HAILO_NMS_WITH_BYTE_MASK:
            if not image_hw:
                raise_status(HailoStatus.HAILO_INVALID_HEF,
                             f"NMS output '{name}' with byte masks needs a model with exactly one image input")
            size = byte_mask_frame_size(nms, image_hw)
        else:
            size = DETECTION_COUNT_SIZE + nms_max_total(nms) * DETECTION_DTYPE.itemsize
        return StreamFormat(info, user_type, user_order, flags, np.dtype(np.uint8), (size,), size,
                            tuple(image_hw or (0, 0)))

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
    elif user_order in _YUV_ORDERS or user_order == FormatOrder.RGB4:
        return _resolve_packed(info, user_type, user_order, flags, (h, w, c))
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


def _resolve_packed(info: VStreamInfo, user_type: FormatType, user_order: FormatOrder, flags: FormatFlags,
                    hwc: Tuple[int, int, int]) -> StreamFormat:
    """RGB4 and the YUV orders. Their user frame is one contiguous buffer of the frame size
    (spec §7.5), so its numpy shape is flat, ``(frame_size // itemsize,)``; any C-contiguous
    array of that many bytes (e.g. NV12 as ``(H * 3 // 2, W)``) binds, as elsewhere."""
    name, (h, w, c) = info.name, hwc
    if user_order == FormatOrder.RGB4:
        dtype = DTYPE_BY_TYPE[user_type]
        elements = h * _align(w * c, RGB4_ROW_ALIGNMENT)
        return StreamFormat(info, user_type, user_order, flags, dtype, (elements,), elements * dtype.itemsize)
    block_h, block_w = _YUV_ORDERS[user_order]
    if user_type != FormatType.UINT8:
        raise_status(HailoStatus.HAILO_INVALID_ARGUMENT,
                     f"Format order {user_order.name} needs user format type UINT8; '{name}' got {user_type.name}")
    if c != 3 or h % block_h or w % block_w:
        raise_status(HailoStatus.HAILO_INVALID_ARGUMENT,
                     f"Format order {user_order.name} needs a 3-channel image with height a multiple of {block_h} "
                     f"and width a multiple of {block_w}; '{name}' is {h}x{w}x{c}")
    size = h * w + 2 * (h // block_h) * (w // block_w)     # Y plane + one U and one V per block
    return StreamFormat(info, user_type, user_order, flags, np.dtype(np.uint8), (size,), size)


def _align(value: int, to: int) -> int:
    return -(-value // to) * to


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
    if fmt.order in _YUV_ORDERS:
        return yuv_to_yuv444(fmt.order, batch, canonical_hwc(info)[:2]).reshape((n,) + tuple(info.shape))
    if fmt.order == FormatOrder.RGB4:
        batch = rgb4_unpad(batch, canonical_hwc(info))
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
    if fmt.order in _YUV_ORDERS:
        h, w, _ = canonical_hwc(info)
        return yuv444_to_yuv(fmt.order, np.asarray(batch, np.uint8).reshape(n, h, w, 3))
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
    if fmt.order == FormatOrder.RGB4:
        return rgb4_pad(batch.reshape((n,) + canonical_hwc(info)))
    return batch.reshape((n,) + fmt.shape)


# --- RGB4 and YUV host layouts (spec §7.2, §7.5; guide §6.2.4-6.2.6, §13.10) -----------------

def rgb4_pad(batch: np.ndarray) -> np.ndarray:
    """(N, H, W, C) -> (N, H * align(W * C, 4)) RGB4 frames; the row padding is zero."""
    n, h, w, c = batch.shape
    out = np.zeros((n, h, _align(w * c, RGB4_ROW_ALIGNMENT)), dtype=batch.dtype)
    out[:, :, :w * c] = batch.reshape(n, h, w * c)
    return out.reshape(n, -1)


def rgb4_unpad(batch: np.ndarray, hwc: Tuple[int, int, int]) -> np.ndarray:
    """RGB4 frames (N, H * padded_row) -> (N, H, W, C); the row padding is ignored."""
    h, w, c = hwc
    n = batch.shape[0]
    return batch.reshape(n, h, -1)[:, :, :w * c].reshape(n, h, w, c)


def _yuv_planes(order: FormatOrder, batch: np.ndarray, hw: Tuple[int, int]):
    """Host YUV frames (N, frame_size) -> Y (N, H, W), first and second chroma (N, H/bh, W/bw)
    in the order the format's pixels are represented ([Y, V, U] for NV21)."""
    h, w = hw
    n = batch.shape[0]
    if order == FormatOrder.YUY2:
        pairs = batch.reshape(n, h, w // 2, 4)          # Y0 U0 Y1 V0
        return pairs[..., (0, 2)].reshape(n, h, w), pairs[..., 1], pairs[..., 3]
    y = batch[:, :h * w].reshape(n, h, w)
    chroma = batch[:, h * w:]
    if order == FormatOrder.I420:
        u, v = chroma.reshape(n, 2, h // 2, w // 2).transpose(1, 0, 2, 3)
        return y, u, v
    pairs = chroma.reshape(n, h // 2, w // 2, 2)         # NV12: U V; NV21: V U
    return y, pairs[..., 0], pairs[..., 1]


def yuv_to_yuv444(order: FormatOrder, batch: np.ndarray, hw: Tuple[int, int]) -> np.ndarray:
    """Host YUV frames (N, frame_size) uint8 -> (N, H, W, 3) per-pixel triples, chroma replicated."""
    block_h, block_w = _YUV_ORDERS[order]
    y, first, second = _yuv_planes(order, np.asarray(batch, np.uint8).reshape(batch.shape[0], -1), hw)
    out = np.empty(y.shape + (3,), dtype=np.uint8)
    out[..., 0] = y
    for channel, plane in ((1, first), (2, second)):
        out[..., channel] = plane.repeat(block_h, axis=1).repeat(block_w, axis=2)
    return out


def yuv444_to_yuv(order: FormatOrder, batch: np.ndarray) -> np.ndarray:
    """(N, H, W, 3) per-pixel triples -> host YUV frames (N, frame_size); each block's chroma is
    its top-left pixel's."""
    block_h, block_w = _YUV_ORDERS[order]
    n, h, w, _ = batch.shape
    y = batch[..., 0]
    first, second = batch[:, ::block_h, ::block_w, 1], batch[:, ::block_h, ::block_w, 2]
    if order == FormatOrder.YUY2:
        pairs = np.stack([y[:, :, 0::2], first, y[:, :, 1::2], second], axis=-1)
        return pairs.reshape(n, -1)
    if order == FormatOrder.I420:
        chroma = np.concatenate([first.reshape(n, -1), second.reshape(n, -1)], axis=1)
    else:
        chroma = np.stack([first, second], axis=-1).reshape(n, -1)
    return np.concatenate([y.reshape(n, -1), chroma], axis=1)


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


# --- HAILO_NMS_WITH_BYTE_MASK ---------------------------------------------------------------
# ``uint16 count`` then ``count`` hailo_detection_with_byte_mask_t records (natural C layout:
# box 4 x f32, score f32, class_id u16, 2 pad bytes, size_t mask_size, uint8_t *mask = 40 bytes),
# from offset 2 (packed after the count, like BY_SCORE), room for max_bboxes_total of them, then
# the masks back to back. A host pointer means nothing to a Python reader of the buffer, so the
# ``mask`` field holds the mask's byte offset in the frame instead (the one deviation).
BYTE_MASK_DETECTION_DTYPE = np.dtype([("y_min", "<f4"), ("x_min", "<f4"), ("y_max", "<f4"), ("x_max", "<f4"),
                                      ("score", "<f4"), ("class_id", "<u2"), ("pad", "<u2"),
                                      ("mask_size", "<u8"), ("mask", "<u8")])


def byte_mask_accumulated(nms: NmsInfo, image_hw: Tuple[int, int] = (0, 0)) -> int:
    """max_accumulated_mask_size, default: twice the input image (guide §13.10)."""
    return nms.max_accumulated_mask_size or 2 * image_hw[0] * image_hw[1]


def byte_mask_frame_size(nms: NmsInfo, image_hw: Tuple[int, int] = (0, 0)) -> int:
    return (DETECTION_COUNT_SIZE + nms_max_total(nms) * BYTE_MASK_DETECTION_DTYPE.itemsize
            + byte_mask_accumulated(nms, image_hw))


def _mask_extent(low, high, pixels: int) -> int:
    """ceil((high - low) * pixels) in float32, as the C code computes it (at least 1)."""
    f = np.float32
    return max(int(np.ceil((f(high) - f(low)) * f(pixels))), 1)


def box_mask(box: np.ndarray, image_hw: Tuple[int, int]) -> np.ndarray:
    """The simulated instance mask of a box: the ellipse inscribed in it, at image resolution,
    ``ceil(h * H) x ceil(w * W)`` bytes (1 = object), first pixel at (x_min * W, y_min * H)."""
    height, width = image_hw
    rows = _mask_extent(box[0], box[2], height)
    cols = _mask_extent(box[1], box[3], width)
    y = (np.arange(rows) + 0.5) / rows * 2 - 1
    x = (np.arange(cols) + 0.5) / cols * 2 - 1
    return (y[:, None] ** 2 + x[None, :] ** 2 <= 1.0).astype(np.uint8)


def nms_byte_mask_encode(frame: Sequence[np.ndarray], nms: NmsInfo, image_hw: Tuple[int, int],
                         out: Optional[np.ndarray] = None) -> np.ndarray:
    """Per-class boxes -> a HAILO_NMS_WITH_BYTE_MASK frame (detections by score, then masks);
    detections whose mask no longer fits max_accumulated_mask_size are dropped."""
    size = byte_mask_frame_size(nms, image_hw)
    if out is None:
        out = np.zeros(size, dtype=np.uint8)
    else:
        out[:] = 0
    rows = [(float(b[4]), class_id, b) for class_id, boxes in enumerate(frame)
            for b in np.asarray(boxes, np.float32).reshape(-1, BBOX_PARAMS)]
    rows.sort(key=lambda r: -r[0])
    dets = np.zeros(nms_max_total(nms), dtype=BYTE_MASK_DETECTION_DTYPE)
    mask_base = DETECTION_COUNT_SIZE + len(dets) * BYTE_MASK_DETECTION_DTYPE.itemsize
    offset, count = mask_base, 0
    for score, class_id, box in rows[:len(dets)]:
        mask = box_mask(box, image_hw)
        if offset + mask.size > size:
            break
        out[offset:offset + mask.size] = mask.ravel()
        dets[count] = (box[0], box[1], box[2], box[3], score, class_id, 0, mask.size, offset)
        offset += mask.size
        count += 1
    out[:2] = np.frombuffer(np.uint16(count).tobytes(), dtype=np.uint8)
    out[2:mask_base] = np.frombuffer(dets.tobytes(), dtype=np.uint8)
    return out


def nms_byte_mask_decode(raw: np.ndarray, image_hw: Tuple[int, int]):
    """HAILO_NMS_WITH_BYTE_MASK frame -> [(record, mask (rows, cols) uint8)] by decreasing score."""
    raw = np.asarray(raw).view(np.uint8).ravel()
    count = int(raw[:2].view(np.uint16)[0])
    records = raw[2:2 + count * BYTE_MASK_DETECTION_DTYPE.itemsize].view(BYTE_MASK_DETECTION_DTYPE)
    result = []
    for record in records:
        rows = _mask_extent(record["y_min"], record["y_max"], image_hw[0])
        start, size = int(record["mask"]), int(record["mask_size"])
        result.append((record.copy(), raw[start:start + size].reshape(rows, -1).copy()))
    return result


def nms_byte_mask_to_tf(detections, max_bboxes: int, image_hw: Tuple[int, int]) -> np.ndarray:
    """tf format ``[1, H*W + 6, max_bboxes]``: per column the box, score, class_id and the
    detection's mask pasted into a full-image binary mask."""
    height, width = image_hw
    out = np.zeros((1, height * width + 6, max_bboxes), dtype=np.float32)
    for k, (record, mask) in enumerate(detections[:max_bboxes]):
        out[0, :6, k] = [record["y_min"], record["x_min"], record["y_max"], record["x_max"], record["score"],
                         record["class_id"]]
        full = np.zeros((height, width), dtype=np.float32)
        top, left = int(record["y_min"] * height), int(record["x_min"] * width)
        piece = mask[:max(height - top, 0), :max(width - left, 0)]
        full[top:top + piece.shape[0], left:left + piece.shape[1]] = piece
        out[0, 6:, k] = full.ravel()
    return out


def nms_to_host(fmt: StreamFormat, frames: Sequence[Sequence[np.ndarray]], out: np.ndarray) -> None:
    """Write the device's NMS results for ``len(frames)`` frames into ``out`` (N, *fmt.shape)."""
    for i, frame in enumerate(frames):
        if fmt.order == FormatOrder.HAILO_NMS_BY_CLASS:
            nms_by_class_encode(frame, fmt.info.nms_info, out[i])
        elif fmt.order == FormatOrder.HAILO_NMS_BY_SCORE:
            nms_by_score_encode(frame, fmt.info.nms_info, out[i])
        else:
            nms_byte_mask_encode(frame, fmt.info.nms_info, fmt.image_hw, out[i])


def check_direction(info: VStreamInfo, direction: Direction) -> None:
    if info.direction != direction:
        raise_status(HailoStatus.HAILO_INVALID_ARGUMENT, f"'{info.name}' is not an {direction.name} vstream")


def image_hw_of(group) -> Optional[Tuple[int, int]]:
    """(H, W) of a network group's single input, None when it has several."""
    if len(group.input_vstreams) != 1:
        return None
    return canonical_hwc(group.input_vstreams[0])[:2]


# --- host NMS parameters -------------------------------------------------------------------
NMS_OP_TYPES = ("YOLOV5", "YOLOV8", "YOLOX", "SSD", "YOLOV5SEG", "IOU")


def host_nms_op(group, vstream_name: str):
    """The net-flow NMS op that produces ``vstream_name`` on the host, or None (on-chip NMS)."""
    return next((op for op in getattr(group, "ops", ()) if op.output_name == vstream_name
                 and op.type in NMS_OP_TYPES and not op.bbox_only), None)


def check_nms_params(name: str, score_threshold=None, iou_threshold=None, max_proposals_per_class=None) -> None:
    for what, value in (("score threshold", score_threshold), ("IoU threshold", iou_threshold)):
        if value is not None and not 0.0 <= value <= 1.0:
            raise_status(HailoStatus.HAILO_INVALID_ARGUMENT, f"NMS {what} {value} of '{name}' is not in [0, 1]")
    if max_proposals_per_class is not None and max_proposals_per_class <= 0:
        raise_status(HailoStatus.HAILO_INVALID_ARGUMENT,
                     f"NMS max proposals per class of '{name}' must be positive, got {max_proposals_per_class}")


def _iou(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    y0, x0 = np.maximum(box[0], others[:, 0]), np.maximum(box[1], others[:, 1])
    y1, x1 = np.minimum(box[2], others[:, 2]), np.minimum(box[3], others[:, 3])
    inter = np.clip(y1 - y0, 0, None) * np.clip(x1 - x0, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (others[:, 2] - others[:, 0]) * (others[:, 3] - others[:, 1])
    return inter / np.maximum(area + areas - inter, 1e-12)


def nms_filter(frame: Sequence[np.ndarray], score_threshold=None, iou_threshold=None,
               max_proposals_per_class=None) -> List[np.ndarray]:
    """The host NMS parameters applied to one frame's per-class boxes: drop boxes under the
    score threshold, suppress (greedily, by score) boxes overlapping a kept one above the IoU
    threshold, keep at most max_proposals_per_class. The simulated device already returns
    final detections, so these can only remove boxes."""
    result = []
    for boxes in frame:
        b = np.asarray(boxes, dtype=np.float32).reshape(-1, BBOX_PARAMS)
        if score_threshold is not None:
            b = b[b[:, 4] >= np.float32(score_threshold)]
        b = b[np.argsort(-b[:, 4], kind="stable")]
        if iou_threshold is not None and len(b) > 1:
            keep = []
            for i in range(len(b)):
                if not keep or np.all(_iou(b[i], b[keep]) <= iou_threshold):
                    keep.append(i)
            b = b[keep]
        if max_proposals_per_class is not None:
            b = b[:max_proposals_per_class]
        result.append(b)
    return result

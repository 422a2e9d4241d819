"""Output tensors on GStreamer buffers, laid out as the real ``hailonet`` lays them out.

libgsthailo 4.21.0 (``gsthailonet.cpp``, ``metadata/tensor_meta.*``) puts each output tensor
in a buffer of its own, marks that buffer with a ``GstHailoTensorMeta`` (API
``GstHailoTensorMetaAPI``, tag ``tensor_meta``; a ``GstMeta`` followed by the output's
``hailo_vstream_info_t``) and attaches it to the frame with a ``GstParentBufferMeta``.
Downstream C code (TAPPAS ``hailofilter``, ``hailocropper``...) finds the tensors by
iterating the frame's parent-buffer metas and reading ``GST_TENSOR_META_GET(...)->info``.

PyGObject cannot register a ``GstMeta`` with a C struct, so this module registers the same
API and implementation names with the same struct layout through ``ctypes`` (libgstreamer is
loaded anyway). A C reader built against ``tensor_meta.hpp`` therefore reads our metas as it
reads the real ones; Python readers use ``output_tensors(buffer)``, which reads either plugin's
buffers. (``Gst.Meta.register_custom`` would be easier to read from Python but gives a
``GstCustomMeta`` whose struct is not ``GstHailoTensorMeta``, so C readers would break.)
"""
import ctypes
import threading
from typing import Dict, NamedTuple

import numpy as np

HAILO_MAX_STREAM_NAME_SIZE = 128
HAILO_MAX_NETWORK_NAME_SIZE = 128 + 1 + 128
TENSOR_META_API_NAME = b"GstHailoTensorMetaAPI"
TENSOR_META_IMPL_NAME = b"GstHailoTensorMeta"
TENSOR_META_TAG = b"tensor_meta"

# hailort.h enums this module needs
HAILO_D2H_STREAM = 1
_DTYPES = {0: None, 1: np.uint8, 2: np.uint16, 3: np.float32}   # hailo_format_type_t
NMS_ORDERS = {9, 20, 21, 22, 23}   # HAILO_NMS, _WITH_BYTE_MASK, _ON_CHIP, _BY_CLASS, _BY_SCORE


class HailoFormat(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("order", ctypes.c_int), ("flags", ctypes.c_int)]


class Hailo3dImageShape(ctypes.Structure):
    _fields_ = [("height", ctypes.c_uint32), ("width", ctypes.c_uint32), ("features", ctypes.c_uint32)]


class HailoNmsShape(ctypes.Structure):
    _fields_ = [("number_of_classes", ctypes.c_uint32), ("max_bboxes_per_class", ctypes.c_uint32),
                ("max_bboxes_total", ctypes.c_uint32), ("max_accumulated_mask_size", ctypes.c_uint32)]


class _Shape(ctypes.Union):
    _fields_ = [("shape", Hailo3dImageShape), ("nms_shape", HailoNmsShape)]


class HailoQuantInfo(ctypes.Structure):
    _fields_ = [("qp_zp", ctypes.c_float), ("qp_scale", ctypes.c_float),
                ("limvals_min", ctypes.c_float), ("limvals_max", ctypes.c_float)]


class HailoVStreamInfo(ctypes.Structure):
    """``hailo_vstream_info_t`` (hailort.h 4.21.0)."""
    _anonymous_ = ("u",)
    _fields_ = [("name", ctypes.c_char * HAILO_MAX_STREAM_NAME_SIZE),
                ("network_name", ctypes.c_char * HAILO_MAX_NETWORK_NAME_SIZE),
                ("direction", ctypes.c_int), ("format", HailoFormat), ("u", _Shape),
                ("quant_info", HailoQuantInfo)]


class GstMeta(ctypes.Structure):
    _fields_ = [("flags", ctypes.c_uint), ("info", ctypes.c_void_p)]


class GstHailoTensorMeta(ctypes.Structure):
    _fields_ = [("meta", GstMeta), ("info", HailoVStreamInfo)]


class GstParentBufferMeta(ctypes.Structure):
    _fields_ = [("parent", GstMeta), ("buffer", ctypes.c_void_p)]


class GstMapInfo(ctypes.Structure):
    _fields_ = [("memory", ctypes.c_void_p), ("flags", ctypes.c_int), ("data", ctypes.c_void_p),
                ("size", ctypes.c_size_t), ("maxsize", ctypes.c_size_t),
                ("user_data", ctypes.c_void_p * 4), ("_gst_reserved", ctypes.c_void_p * 4)]


_INIT = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)
_FREE = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p)
_TRANSFORM = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p,
                              ctypes.c_uint32, ctypes.c_void_p)


class _Gst:
    """The few libgstreamer calls PyGObject does not offer for metas, bound once."""

    def __init__(self):
        from gi.repository import Gst
        Gst.init(None)
        lib = ctypes.CDLL("libgstreamer-1.0.so.0")
        vp, sz = ctypes.c_void_p, ctypes.c_size_t
        sigs = {
            "gst_meta_api_type_register": (sz, [ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p)]),
            "gst_meta_register": (vp, [sz, ctypes.c_char_p, sz, _INIT, _FREE, _TRANSFORM]),
            "gst_meta_get_info": (vp, [ctypes.c_char_p]),
            "gst_buffer_add_meta": (vp, [vp, vp, vp]),
            "gst_buffer_get_meta": (vp, [vp, sz]),
            "gst_buffer_iterate_meta_filtered": (vp, [vp, ctypes.POINTER(vp), sz]),
            "gst_buffer_add_parent_buffer_meta": (vp, [vp, vp]),
            "gst_parent_buffer_meta_api_get_type": (sz, []),
            "gst_buffer_map": (ctypes.c_int, [vp, ctypes.POINTER(GstMapInfo), ctypes.c_int]),
            "gst_buffer_unmap": (None, [vp, ctypes.POINTER(GstMapInfo)]),
            "gst_mini_object_is_writable": (ctypes.c_int, [vp]),
        }
        for name, (restype, argtypes) in sigs.items():
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = restype, argtypes
            setattr(self, name[4:], fn)
        self.parent_api = self.parent_buffer_meta_api_get_type()
        gobject = ctypes.CDLL("libgobject-2.0.so.0")
        gobject.g_type_from_name.restype, gobject.g_type_from_name.argtypes = sz, [ctypes.c_char_p]
        tags = (ctypes.c_char_p * 2)(TENSOR_META_TAG, None)
        self.tensor_api = (gobject.g_type_from_name(TENSOR_META_API_NAME)
                           or self.meta_api_type_register(TENSOR_META_API_NAME, tags))
        # Registered by libgsthailo in this process already? Then it is the same struct: reuse it.
        info = self.meta_get_info(TENSOR_META_IMPL_NAME)
        if not info:
            # the real init/free do nothing; the callbacks stay alive with this object
            self._callbacks = (_INIT(lambda meta, params, buffer: 1), _FREE(lambda meta, buffer: None),
                               _TRANSFORM(self._copy_tensor_meta))
            info = self.meta_register(self.tensor_api, TENSOR_META_IMPL_NAME,
                                      ctypes.sizeof(GstHailoTensorMeta), *self._callbacks)
        self.tensor_info = info

    def _copy_tensor_meta(self, dest, src_meta, src_buf, type_quark, data):
        """``gst_tensor_meta_transform``: a copied buffer keeps its vstream info."""
        if not self.mini_object_is_writable(dest):
            return 0
        dst = self.buffer_add_meta(dest, self.tensor_info, None)
        GstHailoTensorMeta.from_address(dst).info = GstHailoTensorMeta.from_address(src_meta).info
        return 1


_lib = None
_lock = threading.Lock()


def gst() -> _Gst:
    global _lib
    if _lib is None:        # registered once per process; the lock only guards the first call
        with _lock:
            if _lib is None:
                _lib = _Gst()
    return _lib


def pointer(buffer) -> int:
    """The ``GstBuffer*`` of a PyGObject ``Gst.Buffer`` (PyGBoxed: the pointer after the object head)."""
    return ctypes.c_void_p.from_address(id(buffer) + object.__basicsize__).value


def vstream_info(name: str, network_name: str, fmt, shape, quant, nms_shape=None) -> HailoVStreamInfo:
    """A ``hailo_vstream_info_t`` of an output: ``fmt`` (type, order, flags) ints, ``shape`` the
    (height, width, features) image shape, ``nms_shape`` the four NMS figures for NMS orders."""
    info = HailoVStreamInfo()
    info.name = name.encode()[:HAILO_MAX_STREAM_NAME_SIZE - 1]
    info.network_name = network_name.encode()[:HAILO_MAX_NETWORK_NAME_SIZE - 1]
    info.direction = HAILO_D2H_STREAM
    info.format = HailoFormat(*fmt)
    if nms_shape is not None:
        info.nms_shape = HailoNmsShape(*nms_shape)
    else:
        info.shape = Hailo3dImageShape(*shape)
    info.quant_info = HailoQuantInfo(*quant)
    return info


# A memoryview over the mapped memory: 20x cheaper than a ctypes array type per frame size.
_memory_view = ctypes.pythonapi.PyMemoryView_FromMemory
_memory_view.restype, _memory_view.argtypes = ctypes.py_object, [ctypes.c_void_p, ctypes.c_ssize_t, ctypes.c_int]
_PyBUF_READ, _PyBUF_WRITE = 0x100, 0x200


class Mapping:
    """A buffer mapped through libgstreamer as a numpy uint8 array (no copy); ``unmap()`` once."""

    def __init__(self, buffer, write: bool = False):
        self._lib, self._ptr, self._info = gst(), pointer(buffer), GstMapInfo()
        if not self._lib.buffer_map(self._ptr, ctypes.byref(self._info), 2 if write else 1):
            raise RuntimeError("gst_buffer_map failed")
        self._buffer = buffer   # keeps the wrapper (and its reference) while mapped
        size = self._info.size
        self.array = (np.frombuffer(_memory_view(self._info.data, size, _PyBUF_WRITE if write else _PyBUF_READ),
                                    np.uint8) if size else np.empty(0, np.uint8))

    def unmap(self) -> None:
        if self._buffer is not None:
            self.array = None
            self._lib.buffer_unmap(self._ptr, ctypes.byref(self._info))
            self._buffer = None


def is_writable(buffer) -> bool:
    return bool(gst().mini_object_is_writable(pointer(buffer)))


def attach(frame, tensor, info: HailoVStreamInfo) -> None:
    """Mark ``tensor`` (a Gst.Buffer holding one output) with ``info`` and attach it to ``frame``,
    as the real element's completion callback does. ``frame`` must be writable."""
    lib = gst()
    meta = lib.buffer_add_meta(pointer(tensor), lib.tensor_info, None)
    if not meta:
        raise RuntimeError("could not add GstHailoTensorMeta to the output buffer")
    GstHailoTensorMeta.from_address(meta).info = info
    if not lib.buffer_add_parent_buffer_meta(pointer(frame), pointer(tensor)):
        raise RuntimeError("could not add GstParentBufferMeta: the frame buffer is not writable")


class Tensor(NamedTuple):
    info: HailoVStreamInfo
    data: bytes

    @property
    def name(self) -> str:
        return self.info.name.decode()

    def array(self, dtype=None) -> np.ndarray:
        """The tensor as numpy: NMS outputs flat (float32 by default), others (height, width,
        features) of the vstream's format type, unless ``dtype`` says otherwise (e.g. the
        element's ``output-format-type``, which the vstream info does not record)."""
        order = self.info.format.order
        dtype = np.dtype(dtype or (np.float32 if order in NMS_ORDERS else _DTYPES.get(self.info.format.type)))
        flat = np.frombuffer(self.data, dtype=dtype)
        if order in NMS_ORDERS:
            return flat
        s = self.info.shape
        return flat.reshape(s.height, s.width, s.features) if flat.size == s.height * s.width * s.features else flat


def output_tensors(frame) -> Dict[str, Tensor]:
    """The output tensors attached to a frame by ``hailonet`` (ours or libgsthailo's):
    ``{vstream name: Tensor(info, bytes)}`` in attachment order."""
    lib = gst()
    tensors = {}
    state = ctypes.c_void_p()
    while True:
        meta = lib.buffer_iterate_meta_filtered(pointer(frame), ctypes.byref(state), lib.parent_api)
        if not meta:
            return tensors
        parent = GstParentBufferMeta.from_address(meta).buffer
        tensor_meta = lib.buffer_get_meta(parent, lib.tensor_api)
        if not tensor_meta:
            continue    # a parent buffer that is not a tensor
        info = HailoVStreamInfo.from_buffer_copy(GstHailoTensorMeta.from_address(tensor_meta).info)
        map_info = GstMapInfo()
        if not lib.buffer_map(parent, ctypes.byref(map_info), 1):     # GST_MAP_READ
            continue
        try:
            data = ctypes.string_at(map_info.data, map_info.size)
        finally:
            lib.buffer_unmap(parent, ctypes.byref(map_info))
        tensors[info.name.decode()] = Tensor(info, data)

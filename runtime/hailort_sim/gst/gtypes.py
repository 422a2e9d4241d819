"""The GEnum types of libgsthailo's properties, registered under their real names.

PyGObject cannot define a new GEnum type, so it is registered with ``g_enum_register_static``
through ctypes, with the real value names and nicks (``common.cpp``), so that gst-inspect
shows the same enum and ``gst-launch`` accepts the same words
(``scheduling-algorithm=HAILO_SCHEDULING_ALGORITHM_NONE`` or ``=0``).
"""
import ctypes

from gi.repository import GLib, GObject


class _GEnumValue(ctypes.Structure):
    _fields_ = [("value", ctypes.c_int), ("value_name", ctypes.c_char_p), ("value_nick", ctypes.c_char_p)]


_gobject = ctypes.CDLL("libgobject-2.0.so.0")
_gobject.g_enum_register_static.restype = ctypes.c_size_t
_gobject.g_enum_register_static.argtypes = [ctypes.c_char_p, ctypes.POINTER(_GEnumValue)]
_kept = []  # g_enum_register_static keeps pointers to these arrays for the life of the process


def _enum(type_name: str, values) -> GObject.GType:
    try:
        return GObject.GType.from_name(type_name)
    except RuntimeError:
        pass
    array = (_GEnumValue * (len(values) + 1))(*[_GEnumValue(v, n.encode(), k.encode()) for v, n, k in values])
    _kept.append(array)
    _gobject.g_enum_register_static(type_name.encode(), array)
    return GObject.GType.from_name(type_name)


SCHEDULING_ALGORITHM = _enum("GstHailoSchedulingAlgorithms", [
    (0, "Scheduler is not active", "HAILO_SCHEDULING_ALGORITHM_NONE"),
    (1, "Round robin", "HAILO_SCHEDULING_ALGORITHM_ROUND_ROBIN"),
])
FORMAT_TYPE = _enum("GstHailoFormatTypes", [
    (0, "auto", "HAILO_FORMAT_TYPE_AUTO"),
    (1, "uint8", "HAILO_FORMAT_TYPE_UINT8"),
    (2, "uint16", "HAILO_FORMAT_TYPE_UINT16"),
    (3, "float32", "HAILO_FORMAT_TYPE_FLOAT32"),
])


# GStreamer 1.22 warns "The created element should be floating, this is probably caused by
# faulty bindings" for every element written in Python: PyGObject (< 3.44) sinks the floating
# reference when it wraps the new instance. The element works; only that one message is dropped.
_FLOATING = "The created element should be floating"


def _log_handler(domain, level, message, _data):
    if not message.startswith(_FLOATING):
        GLib.log_default_handler(domain, level, message, None)


GLib.log_set_handler("GStreamer", GLib.LogLevelFlags.LEVEL_CRITICAL, _log_handler, None)

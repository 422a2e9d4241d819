"""The elements of the plugin ``hailo`` (libgsthailo.so, built from runtime/gst-plugin/):
its plugin_init calls ``register`` with its GstPlugin, as libgsthailo's registers its own.

The registration goes through ctypes (``gst_element_register`` on the plugin's address):
PyGObject cannot wrap a GstPlugin pointer handed over from C. A failure is said in one line on
stderr (the plugin then fails to load, and GStreamer says so), never as a traceback.
"""
import ctypes
import sys

ELEMENTS = ("hailonet", "hailodevicestats")


def register(plugin: int, registered: int) -> None:
    """Registers the elements on the GstPlugin at ``plugin``; sets the gint at ``registered``
    to 1 when all are."""
    try:
        import gi
        gi.require_version("Gst", "1.0")
        from gi.repository import Gst

        from .hailodevicestats import HailoDeviceStats
        from .hailonet import HailoNet
    except Exception as e:  # any import failure: the plugin is unusable, say why
        sys.stderr.write(f"hailo plugin: cannot load hailort_sim.gst ({type(e).__name__}: {e})\n")
        return
    gobject = ctypes.CDLL("libgobject-2.0.so.0")
    gobject.g_type_from_name.restype = ctypes.c_size_t
    gobject.g_type_from_name.argtypes = [ctypes.c_char_p]
    gst = ctypes.CDLL("libgstreamer-1.0.so.0")
    gst.gst_element_register.restype = ctypes.c_int
    gst.gst_element_register.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_uint, ctypes.c_size_t]
    classes = {"hailonet": HailoNet, "hailodevicestats": HailoDeviceStats}
    ok = all(gst.gst_element_register(plugin, name.encode(), int(Gst.Rank.PRIMARY),
                                      gobject.g_type_from_name(classes[name].__gtype__.name.encode()))
             for name in ELEMENTS)
    ctypes.c_int.from_address(registered).value = int(ok)

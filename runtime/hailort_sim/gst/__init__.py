"""GStreamer elements over the simulated device: libgsthailo 4.21.0's ``hailonet`` and
``hailodevicestats`` written with GStreamer's Python bindings (docs/gstreamer.md).

They belong to the plugin ``hailo``, libgsthailo.so, built from ``runtime/gst-plugin`` (its
plugin_init calls ``plugin.register``). ``output_tensors(buffer)`` reads the output tensors
hailonet attaches to a frame.
"""
from .tensor_meta import Tensor, output_tensors

__all__ = ["Tensor", "output_tensors"]

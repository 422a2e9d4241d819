"""GStreamer elements over the simulated device: libgsthailo 4.21.0's ``hailonet`` and
``hailodevicestats`` written with gst-python (docs/gstreamer.md).

The gst-python loader finds them in ``plugin/python/`` (point GST_PLUGIN_PATH at ``plugin``,
or install the two files into ``<libdir>/gstreamer-1.0/python/``). ``output_tensors(buffer)``
reads the output tensors hailonet attaches to a frame.
"""
from .tensor_meta import Tensor, output_tensors

__all__ = ["Tensor", "output_tensors"]

"""gst-python loader entry for ``hailodevicestats`` (GST_PLUGIN_PATH=<this directory's parent>)."""
from gi.repository import Gst

from hailort_sim.gst.hailodevicestats import HailoDeviceStats

__gstelementfactory__ = ("hailodevicestats", Gst.Rank.PRIMARY, HailoDeviceStats)

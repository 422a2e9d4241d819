"""gst-python loader entry for ``hailonet`` (GST_PLUGIN_PATH=<this directory's parent>)."""
from gi.repository import Gst

from hailort_sim.gst.hailonet import HailoNet

__gstelementfactory__ = ("hailonet", Gst.Rank.PRIMARY, HailoNet)

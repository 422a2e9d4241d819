"""``hailodevicestats``: libgsthailo 4.21.0's device statistics element on the simulated device.

As ``gsthailodevicestats.cpp``: no pads; from READY to PAUSED it opens the device
(``device-id``, or the only PCIe device), starts power measurement and, every ``interval``
seconds until PLAYING to PAUSED, reads the average power and the chip temperature (mean of
ts0 and ts1), stores them in the readable ``power-measurement`` and ``temperature``
properties and posts an element message ``HailoDeviceStatsMessage`` (``device_id``,
``temperature``, ``power``) from its parent. The simulated figures follow the device's
utilisation by inference in this process (docs/inference.md, "Power and temperature").
"""
import threading

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, GObject, Gst  # noqa: E402

from . import gtypes  # noqa: E402,F401  (the log filter for Python-written elements)
from .hailonet import PLUGIN_AUTHOR, _status_text  # noqa: E402

RW, RO = GObject.ParamFlags.READWRITE, GObject.ParamFlags.READABLE
FLT_MAX = 3.4028234663852886e38
MESSAGE_NAME = "HailoDeviceStatsMessage"

PROPERTIES = {
    "interval": (GObject.TYPE_UINT, "Sampling Interval", "Time period between samples, in seconds",
                 0, 0xFFFFFFFF, 1, RW),
    "device-id": (GObject.TYPE_STRING, "Device ID",
                  "Device ID ([<domain>]:<bus>:<device>.<func>, same as in lspci command)", None, RW),
    "silent": (GObject.TYPE_BOOLEAN, "Silent flag", "Should print statistics", False, RW),
    "power-measurement": (GObject.TYPE_FLOAT, "Power Measurement", "Current power measurement of device",
                          0.0, FLT_MAX, 0.0, RO),
    "temperature": (GObject.TYPE_FLOAT, "Temperature", "Current temperature of device", 0.0, FLT_MAX, 0.0, RO),
}


class HailoDeviceStats(Gst.Element):
    __gtype_name__ = "GstHailoDeviceStats"
    __gstmetadata__ = ("hailodevicestats element", "Hailo/Device", "Log Hailo8 device statistics", PLUGIN_AUTHOR)
    __gproperties__ = PROPERTIES

    def __init__(self):
        super().__init__()
        self._props = {name: spec[-2] for name, spec in PROPERTIES.items()}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = None
        self._device = None
        self._configured = False

    def do_get_property(self, pspec):
        with self._lock:
            return self._props[pspec.name]

    def do_set_property(self, pspec, value):
        if pspec.name == "device-id" and self._configured:
            Gst.warning("hailodevicestats: The device was already configured so changing the device ID will not "
                        "take place!")
            return
        with self._lock:
            self._props[pspec.name] = value

    def _error(self, what, error):
        text = f"{what}: {_status_text(error)}"
        self.post_message(Gst.Message.new_error(self, GLib.Error.new_literal(
            Gst.ResourceError.quark(), text, int(Gst.ResourceError.FAILED)), text))

    def _start(self):
        from hailo_platform import Device
        device_id = self._props["device-id"]
        if device_id is None:
            ids = Device.scan()
            if len(ids) != 1:
                from hailort_sim.status import HailoStatus, exception_for
                raise exception_for(HailoStatus.HAILO_INVALID_OPERATION, "Expected only 1 PCIe device")
            device_id = ids[0]
        self._device = Device(device_id)
        control = self._device.control
        control.get_chip_temperature()    # the sensors answer before the thread starts, so that
        control.stop_power_measurement()  # a device without them fails the state change here
        control.set_power_measurement()
        control.start_power_measurement()
        self._configured = True
        self._stop.clear()
        self._thread = threading.Thread(target=self._measure_loop, args=(device_id,), name="hailodevicestats",
                                        daemon=True)
        self._thread.start()

    def _measure_loop(self, device_id):
        control = self._device.control
        try:
            while not self._stop.is_set():
                power = control.get_power_measurement(should_clear=True).average_value
                temp = control.get_chip_temperature()
                average = (temp.ts0_temperature + temp.ts1_temperature) / 2
                if not self._props["silent"]:
                    Gst.debug(f"[{device_id}] Power measurement: {power:f}")
                    Gst.debug(f"[{device_id}] Temperature = {average:f}")
                with self._lock:
                    self._props["power-measurement"], self._props["temperature"] = power, average
                parent = self.get_parent()
                if parent is not None:
                    structure = Gst.Structure.new_empty(MESSAGE_NAME)
                    structure.set_value("device_id", device_id)
                    structure.set_value("temperature", GObject.Value(GObject.TYPE_FLOAT, average))
                    structure.set_value("power", GObject.Value(GObject.TYPE_FLOAT, power))
                    parent.post_message(Gst.Message.new_custom(Gst.MessageType.ELEMENT, parent, structure))
                self._stop.wait(self._props["interval"])
            control.stop_power_measurement()
        except Exception as e:
            self._error("Measuring the device failed", e)

    def _join(self):
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None

    def do_change_state(self, transition):
        if transition == Gst.StateChange.READY_TO_PAUSED:
            try:
                self._start()
            except Exception as e:
                self._error("Creating device failed", e)
                return Gst.StateChangeReturn.FAILURE
        result = Gst.Element.do_change_state(self, transition)
        if transition == Gst.StateChange.PLAYING_TO_PAUSED:
            self._join()
        elif transition in (Gst.StateChange.PAUSED_TO_READY, Gst.StateChange.READY_TO_NULL):
            self._join()
            if self._device is not None:
                self._device.release()
                self._device = None
            self._configured = False
        return result

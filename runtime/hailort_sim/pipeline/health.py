"""The simulated firmware's health monitor: temperature and overcurrent alarms as notifications.

While a notification callback is registered on a device (``Control.set_notification_callback``),
a thread samples the device's thermal and power model (``device_control``) every
``PERIOD_S`` and, like the firmware, notifies on zone changes:

* HEALTH_MONITOR_TEMPERATURE_ALARM when the temperature zone changes (green -> orange above
  ``temperature_orange_threshold``, orange -> red above ``temperature_red_threshold``, back
  below the hysteresis thresholds; guide §9.1, defaults 104/99/120/116 C);
* HEALTH_MONITOR_OVERCURRENT_ALARM when the current crosses ``overcurrent_monitoring_red_threshold``
  (mA; default 1100) either way.

Thresholds come from the device's stored user config (``system`` category) when it sets them,
read when the monitor starts (the firmware reads its config at boot).
"""
import threading
from dataclasses import dataclass
from typing import Callable, Dict, Optional

from hailort_sim.pipeline import device_control, device_link

PERIOD_S = 0.05
TEMPERATURE_ALARM, OVERCURRENT_ALARM = 1, 3         # hailo_notification_id_t
GREEN, ORANGE, RED = 0, 1, 2                        # temperature zones; overcurrent: GREEN, RED(1)
DEFAULT_THRESHOLDS = {"temperature_orange_threshold": 104, "temperature_orange_hysteresis_threshold": 99,
                      "temperature_red_threshold": 120, "temperature_red_hysteresis_threshold": 116,
                      "overcurrent_monitoring_red_threshold": 1100}


@dataclass
class TemperatureAlarm:
    temperature_zone: int
    alarm_ts_id: int
    ts0_temperature: float
    ts1_temperature: float


@dataclass
class OvercurrentAlert:
    overcurrent_zone: int
    exceeded_alert_threshold: bool
    is_last_overcurrent_violation_reached: bool


def thresholds(device: device_link.PhysicalDevice) -> Dict[str, float]:
    values = dict(DEFAULT_THRESHOLDS)
    try:
        stored = device_control.parse_user_config(device_control.read_user_config(device)).get("system", {})
    except Exception:      # no user config stored: the firmware defaults
        stored = {}
    values.update({k: v for k, v in stored.items() if k in values and v is not None})
    return values


def temperature_zone(zone: int, celsius: float, limits: Dict[str, float]) -> int:
    """The next zone from the current one, with the guide's hysteresis."""
    if celsius > limits["temperature_red_threshold"]:
        return RED
    if zone == RED and celsius >= limits["temperature_red_hysteresis_threshold"]:
        return RED
    if celsius > limits["temperature_orange_threshold"] or zone != GREEN and \
            celsius >= limits["temperature_orange_hysteresis_threshold"]:
        return ORANGE
    return GREEN


class HealthMonitor:
    """One device's monitor: ``callbacks`` {notification id: function(notification id, body)}."""
    _monitors: Dict[str, "HealthMonitor"] = {}
    _lock = threading.Lock()

    def __init__(self, device: device_link.PhysicalDevice):
        self.device = device
        self.callbacks: Dict[int, Callable] = {}
        self.limits = thresholds(device)
        self.zone = GREEN
        self.overcurrent = False
        self.stop = threading.Event()
        self.thread: Optional[threading.Thread] = None

    @classmethod
    def of(cls, device: device_link.PhysicalDevice) -> "HealthMonitor":
        with cls._lock:
            monitor = cls._monitors.get(device.device_id)
            if monitor is None:
                monitor = cls._monitors[device.device_id] = cls(device)
            return monitor

    def set_callback(self, notification_id: int, callback: Callable) -> None:
        with self._lock:
            self.callbacks[int(notification_id)] = callback
            if self.thread is None:
                self.stop.clear()
                self.thread = threading.Thread(target=self._run, name="hailort-health-monitor", daemon=True)
                self.thread.start()

    def remove_callback(self, notification_id: int) -> None:
        with self._lock:
            self.callbacks.pop(int(notification_id), None)
            thread = self.thread if not self.callbacks else None
            if thread is not None:
                self.thread = None
                self.stop.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def _notify(self, notification_id: int, body) -> None:
        callback = self.callbacks.get(notification_id)
        if callback is None:
            return
        try:
            callback(notification_id, body)
        except Exception:
            from hailort_sim.pipeline.backend import report_callback_error
            report_callback_error("A notification callback")

    def sample(self) -> None:
        ts0, ts1, _ = device_control.temperature(self.device)
        zone = temperature_zone(self.zone, max(ts0, ts1), self.limits)
        if zone != self.zone:
            self.zone = zone
            self._notify(TEMPERATURE_ALARM, TemperatureAlarm(zone, 0 if ts0 >= ts1 else 1, ts0, ts1))
        try:
            milliamps = device_control.PowerSensor.of(self.device).value(3)
        except Exception:      # no current sensor on this architecture
            return
        over = milliamps > self.limits["overcurrent_monitoring_red_threshold"]
        if over != self.overcurrent:
            self.overcurrent = over
            self._notify(OVERCURRENT_ALARM, OvercurrentAlert(1 if over else 0, over, False))

    def _run(self) -> None:
        while not self.stop.wait(PERIOD_S):
            self.sample()

"""Device control for the simulated devices: identity, power measurement and temperature.

Control handles never claim a device (spec §3.1): power can be read while inference runs.
Power and temperature follow the device's utilization in this process (its busy share over
the scheduler's last 100 ms window, ``SimDevice.set_utilization``): power = idle + (active - idle) * load with +-2 % deterministic noise;
temperature = ambient + 15 C * load. Measurement buffers 0-3 keep min/max/average of the
sensor values produced every ``2 * sampling_period * averaging_factor`` (guide §15.2 formula,
periods in microseconds, spec §19 #18).
"""
import math
import threading
import time
from dataclasses import dataclass
from typing import Dict

from hailort_sim.hef.model import Architecture
from hailort_sim.pipeline import device_link
from hailort_sim.status import HailoStatus, raise_status

_IDLE_ACTIVE_W = {Architecture.HAILO8: (1.05, 2.45), Architecture.HAILO8L: (0.85, 1.6),
                  Architecture.HAILO10H: (1.6, 3.4)}
_AMBIENT_C = 38.0
AUTO = 2147483647
_VOLTAGE_MV = 3300.0


def load(device_id: str) -> float:
    return device_link.utilization(device_id)


def find_device(device_id=None) -> device_link.PhysicalDevice:
    devices = device_link.scan()
    if not devices:
        raise_status(HailoStatus.HAILO_NOT_FOUND, "HailoRT device not found in the system")
    if device_id is None:
        return devices[0]
    from hailort_sim.pipeline.vdevice import _normalize_id
    wanted = _normalize_id(str(device_id))
    for device in devices:
        if device.device_id == wanted:
            return device
    raise_status(HailoStatus.HAILO_INVALID_ARGUMENT, f"Invalid device id {device_id}")


def identity(device: device_link.PhysicalDevice):
    """(Identity, ExtendedInfo or None when the firmware does not support the control)."""
    dev = device_link.sim(device)
    try:
        extended = dev.extended_info()
    except Exception:
        extended = None
    return dev.identify(), extended


@dataclass
class _Buffer:
    dvm: int = AUTO
    measurement_type: int = AUTO
    since: float = 0.0
    count: int = 0
    total: float = 0.0
    low: float = math.inf
    high: float = -math.inf


class PowerSensor:
    """The INA231 model of one device (shared by every Control of it in this process)."""
    _sensors: Dict[str, "PowerSensor"] = {}
    _lock = threading.Lock()

    def __init__(self, device: device_link.PhysicalDevice):
        self.device = device
        self.buffers = {i: _Buffer() for i in range(4)}
        self.running = False
        self.interval_s = 2 * 1100 * 256 / 1e6
        self.started = 0.0
        self._samples = 0

    @classmethod
    def of(cls, device) -> "PowerSensor":
        with cls._lock:
            sensor = cls._sensors.get(device.device_id)
            if sensor is None:
                sensor = cls._sensors[device.device_id] = cls(device)
            return sensor

    def _check_supported(self):
        if self.device.architecture not in _IDLE_ACTIVE_W:
            raise_status(HailoStatus.HAILO_NOT_SUPPORTED,
                         f"Power measurement is not supported on {self.device.architecture.name} "
                         "(no INA231 on this platform)")

    def value(self, measurement_type: int = AUTO, phase: float = 0.0) -> float:
        self._check_supported()
        idle, active = _IDLE_ACTIVE_W[self.device.architecture]
        watts = idle + (active - idle) * load(self.device.device_id)
        watts *= 1.0 + 0.02 * math.sin(phase * 1.7 + time.monotonic() * 3.1)
        measurement_type = int(measurement_type)
        if measurement_type in (AUTO, 2):
            return watts
        if measurement_type == 3:
            return watts / _VOLTAGE_MV * 1e6          # mA
        if measurement_type == 1:
            return _VOLTAGE_MV
        return watts / _VOLTAGE_MV * 1e3 * 0.1         # shunt voltage, mV over a 0.1 ohm shunt

    def check_dvm(self, dvm: int, measurement_type: int) -> None:
        # DVM AUTO on a module sums rails (OVERCURRENT_PROTECTION): only power is defined there.
        if int(dvm) == AUTO and int(measurement_type) not in (AUTO, 2):
            raise_status(HailoStatus.HAILO_INVALID_ARGUMENT,
                         "The default DVM supports only power measurement (PowerMeasurementTypes.POWER)")

    def start(self, averaging: int, period_us: int) -> None:
        self._check_supported()
        with self._lock:
            self.interval_s = 2 * period_us * averaging / 1e6
            self.running = True
            self.started = time.monotonic()
            for buf in self.buffers.values():
                buf.since, buf.count, buf.total, buf.low, buf.high = self.started, 0, 0.0, math.inf, -math.inf

    def _accumulate(self, buf: _Buffer) -> None:
        now = time.monotonic()
        due = int((now - buf.since) / self.interval_s)
        for k in range(due - buf.count):
            v = self.value(buf.measurement_type, phase=buf.count + k)
            buf.total += v
            buf.low, buf.high = min(buf.low, v), max(buf.high, v)
        buf.count = max(buf.count, due)

    def get(self, index: int, should_clear: bool):
        with self._lock:
            if index not in self.buffers:
                raise_status(HailoStatus.HAILO_INVALID_ARGUMENT, f"Invalid measurement buffer index {index}")
            buf = self.buffers[index]
            if self.running:
                self._accumulate(buf)
            count = buf.count
            result = (buf.total / count if count else 0.0, self.interval_s * 1000.0,
                      buf.low if count else 0.0, buf.high if count else 0.0, count)
            if should_clear and self.running:
                buf.since, buf.count, buf.total = time.monotonic(), 0, 0.0
                buf.low, buf.high = math.inf, -math.inf
            return result

    def set_buffer(self, index: int, dvm: int, measurement_type: int) -> None:
        self._check_supported()
        self.check_dvm(dvm, measurement_type)
        with self._lock:
            if index not in self.buffers:
                raise_status(HailoStatus.HAILO_INVALID_ARGUMENT, f"Invalid measurement buffer index {index}")
            buf = self.buffers[index]
            buf.dvm, buf.measurement_type = int(dvm), int(measurement_type)

    def stop(self) -> None:
        with self._lock:
            self.running = False
            self.buffers = {i: _Buffer() for i in range(4)}
            self.interval_s = 2 * 1100 * 256 / 1e6


_temperature_samples: Dict[str, int] = {}
# Temperature and overcurrent throttling, enabled by default (guide §9.1), per device id.
THROTTLING: Dict[str, bool] = {}


def temperature(device: device_link.PhysicalDevice):
    """(ts0, ts1, sample_count): ambient + 15 C under load; the count is a 16-bit running counter."""
    count = (_temperature_samples.get(device.device_id, 0) + 1) & 0xFFFF
    _temperature_samples[device.device_id] = count
    base = _AMBIENT_C + 15.0 * load(device.device_id) + 0.4 * math.sin(time.monotonic())
    return base, base + 0.35, count


# --- user config (spec §12.8, §15.2): kept per device in a JSON file under the simulator's state
# directory, so it outlives the process as flash would. The config's binary form on a real board is a
# firmware struct; the simulated device's is the UTF-8 JSON document itself (what fw-config reads).
USER_CONFIG_FIELDS = {
    "network": ("should_use_dhcp", "mac_address", "static_ip_address", "static_gw_address", "static_netmask",
                "rx_pause_frames_enable"),
    "system": ("name", "app_watchdog_enable", "app_watchdog_cycles", "core_watchdog_enable",
               "core_watchdog_cycles", "watchdog_mode", "max_neural_network_core_clock_rate",
               "supported_aspm_states", "bus_0_i2c_speed", "bus_1_i2c_speed", "bus_2_i2c_speed",
               "bus_3_i2c_speed", "supported_aspm_l1_substates", "overcurrent_parameters_source",
               "overcurrent_monitoring_red_threshold", "overcurrent_conversion_time_microseconds",
               "temperature_parameters_source", "temperature_red_threshold",
               "temperature_red_hysteresis_threshold", "temperature_orange_threshold",
               "temperature_orange_hysteresis_threshold", "temperature_throttling_enable",
               "overcurrent_throttling_enable"),
    "control": ("udp_port",),
    "d2h_event": ("host_udp_port", "src_udp_port", "host_ip_address", "connection_type"),
    "logger": ("send_via_pci", "send_via_uart", "logger_level"),
}
_NAME_MAX = 32


def _user_config_path(device: device_link.PhysicalDevice) -> str:
    import os
    from hailort_sim.pipeline.vdevice import lock_dir
    return os.path.join(lock_dir(), "user-config-{}.json".format(device.device_id.replace(":", "_")))


def parse_user_config(data: bytes) -> dict:
    """The config document in ``data``; HAILO_INVALID_ARGUMENT naming what is wrong."""
    import json
    try:
        doc = json.loads(bytes(data).decode("utf-8"))
    except (TypeError, ValueError) as error:
        raise_status(HailoStatus.HAILO_INVALID_ARGUMENT,
                     f"The user config is not a JSON document ({error}); the simulated device stores it as JSON")
    if not isinstance(doc, dict):
        raise_status(HailoStatus.HAILO_INVALID_ARGUMENT, "The user config must be a JSON object of categories")
    for category, fields in doc.items():
        if category not in USER_CONFIG_FIELDS:
            raise_status(HailoStatus.HAILO_INVALID_ARGUMENT,
                         f"Unknown user config category '{category}' (known: {', '.join(USER_CONFIG_FIELDS)})")
        if not isinstance(fields, dict):
            raise_status(HailoStatus.HAILO_INVALID_ARGUMENT, f"User config category '{category}' must be an object")
        for name in fields:
            if name not in USER_CONFIG_FIELDS[category]:
                raise_status(HailoStatus.HAILO_INVALID_ARGUMENT, f"Unknown user config field '{category}.{name}'")
    name = doc.get("system", {}).get("name")
    if name is not None and (not isinstance(name, str) or len(name) > _NAME_MAX):
        raise_status(HailoStatus.HAILO_INVALID_ARGUMENT, f"system.name must be a string of at most {_NAME_MAX} "
                                                         "characters")
    return doc


def read_user_config(device: device_link.PhysicalDevice) -> bytes:
    try:
        with open(_user_config_path(device), "rb") as stored:
            return stored.read()
    except FileNotFoundError:
        raise_status(HailoStatus.HAILO_FW_CONTROL_FAILURE,
                     f"No user config is loaded on device {device.device_id}; write one first "
                     "(Control.write_user_config or 'hailortcli fw-config write')")


def write_user_config(device: device_link.PhysicalDevice, data: bytes) -> None:
    """Validates and stores ``data``; like flash, it takes effect only after a device restart."""
    import json
    import os
    doc = parse_user_config(data)
    path = _user_config_path(device)
    scratch = "{}.{}.tmp".format(path, os.getpid())
    with open(scratch, "w") as out:
        json.dump(doc, out, indent=4)
    os.replace(scratch, path)

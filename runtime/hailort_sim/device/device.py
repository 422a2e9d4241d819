"""A simulated Hailo device: presence, identity, controls, compute and timing.

``scan()`` and ``SimDevice.open()`` behave like libhailort's ``Device::scan()`` and
``Device::create()``; the rest is what the pipeline, ``hailo_platform`` and the CLI need.
Nothing here sleeps or reads the clock: the pipeline paces frames with ``timing()``.
"""
import _thread   # the lock primitive alone: `threading` costs start-up time on small targets

from .errors import fail
from .identity import FW_VERSION, INTEGRATED_DEVICE_ID
from .inventory import TimingOverrides, load_inventory, parse_bdf

_DRIVER_MISSING = ("Can't find hailort driver class. Can happen if the driver is not installed, if the kernel "
                   "was updated or on some driver failure (then read driver dmesg log)")


# Utilisation per device id, set by the scheduler and read by power/temperature readouts.
_utilization = {}
_utilization_lock = _thread.allocate_lock()


def present_inventory(inventory=None):
    """The inventory, or HAILO_DRIVER_NOT_INSTALLED when the config says the driver is missing."""
    inventory = inventory or load_inventory()
    if not inventory.driver_installed:
        fail("HAILO_DRIVER_NOT_INSTALLED", _DRIVER_MISSING)
    return inventory


def scan(inventory=None):
    """Device ids, as ``hailortcli scan`` lists them (``0000:01:00.0``, ``[integrated]``)."""
    return [device.device_id for device in present_inventory(inventory).devices]


def _same_id(requested, device_id):
    if requested == INTEGRATED_DEVICE_ID or device_id == INTEGRATED_DEVICE_ID:
        return requested == device_id
    return parse_bdf(requested) == device_id


class SimDevice:
    """One simulated device (a libhailort ``Device``)."""

    def __init__(self, config, inventory):
        self.config = config
        self._inventory = inventory
        self._frame_counters = {}
        self._replays = {}
        self._lock = _thread.allocate_lock()

    @classmethod
    def open(cls, device_id=None, inventory=None):
        """``Device::create``: the first scanned device, or the one with ``device_id``."""
        inventory = present_inventory(inventory)
        if device_id is None:
            if not inventory.devices:
                fail("HAILO_INVALID_OPERATION", "There is no hailo device on the system")
            config = inventory.devices[0]
        else:
            if device_id != INTEGRATED_DEVICE_ID and parse_bdf(device_id) is None:
                fail("HAILO_INVALID_ARGUMENT", "Invalid device id {}".format(device_id))
            config = next((d for d in inventory.devices if _same_id(device_id, d.device_id)), None)
            if config is None:
                fail("HAILO_INVALID_ARGUMENT", "Requested device not found")
        device = cls(config, inventory)
        if not device.fw_supported:
            from hailort_sim import log
            identity = device.identify()
            major, minor, revision = identity.fw_version
            log.warning("Unsupported firmware operation. Host: {}.{}.{}, Device: {}.{}.{}{}".format(
                *FW_VERSION, major, minor, revision, "" if identity.is_release else " (dev)"))
        return device

    # --- identity and controls ---------------------------------------------------------------
    @property
    def device_id(self):
        return self.config.device_id

    @property
    def architecture(self):
        """The ``hef.model.Architecture``."""
        return self.config.architecture

    @property
    def fw_supported(self):
        """The host (4.21) talks to this firmware: same major and minor version."""
        return tuple(self.identify().fw_version[:2]) == FW_VERSION[:2]

    def identify(self):
        """The identify control (allowed whatever the firmware version, as in libhailort): the
        configured identity, with the firmware a ``fw-update`` flashed once the device reset."""
        from .flash import running_firmware
        flashed = running_firmware(self.device_id)
        if flashed is None:
            return self.config.identity
        version, is_release = flashed
        return self.config.identity._replace(fw_version=version, is_release=is_release)

    def require_control(self, operation):
        """Controls other than identify fail against a firmware of another version."""
        if not self.fw_supported:
            fail("HAILO_UNSUPPORTED_FW_VERSION",
                 "Operation {} is not allowed when FW version in not supported. Host supported FW version "
                 "is {}.{}.{}".format(operation, *FW_VERSION))

    def extended_info(self):
        self.require_control("get_extended_device_information")
        return self.config.extended

    def check_fault(self, operation):
        """Raise the configured fault (``fault = ...`` in the config) for device operations."""
        fault = self.config.fault
        if fault == "in_use" and operation == "open":
            fail("HAILO_DEVICE_IN_USE", "Device {} is already in use".format(self.device_id))
        if fault == "driver_operation_failed" and operation == "infer":
            fail("HAILO_DRIVER_OPERATION_FAILED",
                 "Driver operation failed on device {} (injected fault)".format(self.device_id))
        if fault == "timeout" and operation == "infer":
            fail("HAILO_TIMEOUT", "Device {} did not complete the transfer (injected timeout)".format(
                self.device_id))

    def claim(self):
        """Taking the device for inference (VDevice creation): the ``in_use`` fault fires here."""
        self.check_fault("open")

    # --- HEFs -------------------------------------------------------------------------------
    def check_compatible(self, hef):
        """Configure-time check: the firmware must be supported and the HEF's architecture match."""
        self.require_control("configure")
        from .compat import check_compatible
        check_compatible(self.architecture, hef)

    def timing(self, group):
        """The ``timing.Timing`` of a hef.model.NetworkGroup on this device."""
        from .timing import timing_for
        section = self._inventory.network_groups.get(group.name)
        return timing_for(self.architecture, group, self.config.timing,
                          section.timing if section else TimingOverrides())

    def replay_directory(self, group):
        section = self._inventory.network_groups.get(group.name)
        return (section.replay if section else None) or self.config.replay

    def infer(self, group, inputs, frame_index=None):
        """Run one batch through the compute contract (or the replay directory, when configured).

        ``frame_index`` is the index of the batch's first frame for by-index replay; by default
        the device counts the frames it ran per network group.
        """
        self.check_fault("infer")
        directory = self.replay_directory(group)
        if directory is None:
            from .compute import compute
            outputs = compute(group, inputs)
        else:
            from .replay import Replay
            with self._lock:
                replay = self._replays.get(directory)
                if replay is None:
                    replay = self._replays[directory] = Replay(directory)
            first = self._frame_counters.get(group.name, 0) if frame_index is None else frame_index
            outputs = replay.outputs(group, inputs, first)
        batch = len(next(iter(outputs.values()))) if outputs else 0
        with self._lock:
            self._frame_counters[group.name] = self._frame_counters.get(group.name, 0) + batch
        return outputs

    # --- utilisation (power and temperature models read it) ---------------------------------
    @property
    def utilization(self):
        return utilization_of(self.device_id)

    def set_utilization(self, fraction):
        with _utilization_lock:
            _utilization[self.device_id] = min(max(float(fraction), 0.0), 1.0)


def utilization_of(device_id):
    """The last utilisation (0..1) the scheduler reported for ``device_id`` in this process."""
    with _utilization_lock:
        return _utilization.get(device_id, 0.0)

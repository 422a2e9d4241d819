"""The simulated Hailo device (docs/simulated-device.md).

* ``scan()``, ``SimDevice.open(device_id)``: presence, from ``/etc/hailo/hailort-sim.conf``
  or ``$HAILORT_SIM_CONFIG`` (``inventory``);
* ``SimDevice.identify()`` / ``extended_info()``: what ``fw-control identify`` shows (``identity``);
* ``SimDevice.check_compatible(hef)`` / ``check_compatible(arch, hef)``: HEF architecture check;
* ``SimDevice.infer(group, inputs)``: the compute contract (``compute``, ``replay``);
* ``SimDevice.timing(group)``: latency and frame rate for the scheduler (``timing``);
* ``SimDevice.set_utilization()`` / ``utilization_of(id)``: for the power and temperature models.

Importing this package, and scanning, loads neither numpy nor the HEF model's dataclasses
(``hailortcli scan`` must start fast); the names below are imported on first use.
"""
from .device import SimDevice, present_inventory, scan, utilization_of

_LAZY = {"check_compatible": "compat", "hef_arch_name": "compat", "Identity": "identity",
         "ExtendedInfo": "identity", "DeviceConfig": "inventory", "Inventory": "inventory",
         "load_inventory": "inventory", "Timing": "timing"}

__all__ = ["SimDevice", "scan", "present_inventory", "utilization_of"] + sorted(_LAZY)  # noqa: PLE0605


def __getattr__(name):
    if name in _LAZY:
        import importlib
        return getattr(importlib.import_module("." + _LAZY[name], __name__), name)
    raise AttributeError("module {!r} has no attribute {!r}".format(__name__, name))

"""The simulated Hailo device (docs/simulated-device.md).

* ``scan()``, ``SimDevice.open(device_id)``: presence, from ``/etc/hailo/hailort-sim.conf``
  or ``$HAILORT_SIM_CONFIG`` (``inventory``);
* ``SimDevice.identify()`` / ``extended_info()``: what ``fw-control identify`` shows (``identity``);
* ``SimDevice.check_compatible(hef)`` / ``check_compatible(arch, hef)``: HEF architecture check;
* ``SimDevice.infer(group, inputs)``: the compute contract (``compute``, ``replay``);
* ``SimDevice.timing(group)``: latency and frame rate for the scheduler (``timing``);
* ``SimDevice.set_utilization()`` / ``utilization_of(id)``: for the power and temperature models.

Importing this package does not import numpy (``hailortcli scan`` must start fast).
"""
from .compat import check_compatible, hef_arch_name
from .device import SimDevice, scan, utilization_of
from .identity import Identity, ExtendedInfo
from .inventory import DeviceConfig, Inventory, load_inventory
from .timing import Timing

__all__ = ["SimDevice", "scan", "check_compatible", "hef_arch_name", "utilization_of", "Identity",
           "ExtendedInfo", "DeviceConfig", "Inventory", "load_inventory", "Timing"]

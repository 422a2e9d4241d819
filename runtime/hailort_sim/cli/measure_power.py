"""``hailortcli measure-power`` (spec §12.6): a single reading, or statistics over a duration."""
import time

from .common import UsageError, add_device_options, run_on_devices
from .run import AVERAGING_FACTORS, SAMPLING_PERIODS

DVMS = ("AUTO", "VDD_CORE", "VDD_IO", "MIPI_AVDD", "MIPI_AVDD_H", "USB_AVDD_IO", "VDD_TOP", "USB_AVDD_IO_HV",
        "AVDD_H", "SDIO_VDD_IO", "OVERCURRENT_PROTECTION")
TYPES = ("AUTO", "SHUNT_VOLTAGE", "BUS_VOLTAGE", "POWER", "CURRENT")
_DVM_VALUES = dict(zip(DVMS[1:], range(10)), AUTO=2147483647)
_TYPE_VALUES = {"AUTO": 2147483647, "SHUNT_VOLTAGE": 0, "BUS_VOLTAGE": 1, "POWER": 2, "CURRENT": 3}
_UNITS = {"AUTO": "W", "POWER": "W", "CURRENT": "mA", "SHUNT_VOLTAGE": "mV", "BUS_VOLTAGE": "mV"}
_NAMES = {"AUTO": "power consumption", "POWER": "power consumption", "CURRENT": "current",
          "SHUNT_VOLTAGE": "shunt voltage", "BUS_VOLTAGE": "bus voltage"}
_AVERAGE_INDEX = {str(v): i for i, v in enumerate((1, 4, 16, 64, 128, 256, 512, 1024))}


def register(subparsers):
    parser = subparsers.add_parser("measure-power", help="Measures power consumption")
    add_device_options(parser)
    parser.add_argument("--duration", type=int, help="The duration in seconds to measure power consumption")
    parser.add_argument("--sampling-period", choices=SAMPLING_PERIODS, help="Sampling Period [us]")
    parser.add_argument("--averaging-factor", choices=AVERAGING_FACTORS, help="Averaging Factor")
    parser.add_argument("--dvm", choices=DVMS, default="AUTO", help="DVM type")
    parser.add_argument("--type", choices=TYPES, default="AUTO", dest="measurement_type", help="Power measurement type")
    parser.set_defaults(execute=execute)


def _g(value):
    return "{:g}".format(value)


def measure(device, args):
    from hailort_sim.pipeline import device_control, device_link
    phys = device_link.PhysicalDevice(device.device_id, device.architecture)
    device.require_control("power_measurement")
    sensor = device_control.PowerSensor.of(phys)
    dvm, kind = _DVM_VALUES[args.dvm], _TYPE_VALUES[args.measurement_type]
    sensor.check_dvm(dvm, kind)
    unit, name = _UNITS[args.measurement_type], _NAMES[args.measurement_type]
    if not args.duration:
        print("Current {} ({}): {}".format(name, unit, _g(sensor.value(kind))))
        return 0
    sensor.set_buffer(0, dvm, kind)
    sensor.start(int(args.averaging_factor or 256), int(args.sampling_period or 1100))
    try:
        print("Measuring {} over {} seconds:".format(name, args.duration))
        time.sleep(args.duration)
        average, interval_ms, low, high, count = sensor.get(0, True)
    finally:
        sensor.stop()
    print("Total samples: {}".format(count))
    print("Max value ({}): {}".format(unit, _g(high)))
    print("Min value ({}): {}".format(unit, _g(low)))
    print("Average value ({}): {}".format(unit, _g(average)))
    print("Average time per sample (ms): {}".format(_g(interval_ms)))
    return 0


def execute(args):
    if (args.sampling_period or args.averaging_factor) and not args.duration:
        raise UsageError("--sampling-period/--averaging-factor require --duration", 107)
    if args.duration is not None and args.duration <= 0:
        raise UsageError("--duration: Value {} not in range [1 - 4294967295]".format(args.duration))
    return run_on_devices(args, measure)

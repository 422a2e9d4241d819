"""``hailortcli fw-config read|write`` (guide §7.7.1, spec §12.8): the device's user config as JSON.

The simulated device keeps its user config as the JSON document itself
(``pipeline.device_control``), so ``serialize`` (JSON to the firmware's binary struct) is not offered.
"""
import sys

from .common import UsageError, add_device_options, add_subcommands, open_devices


def register(subparsers):
    commands = add_subcommands(subparsers, "fw-config", "User configuration of the device's firmware (flash)")
    read = commands.add_parser("read", help="Read the user configuration from the device")
    read.add_argument("--output-file", help="File to write the configuration to (default: print it)")
    add_device_options(read, support_asterisk=False)
    read.set_defaults(execute=execute_read)
    write = commands.add_parser("write", help="Write a user configuration to the device (takes effect after a "
                                              "restart)")
    write.add_argument("file", help="JSON user configuration file")
    add_device_options(write, support_asterisk=False)
    write.set_defaults(execute=execute_write)


def _single_device(args):
    devices = open_devices(args)
    if not devices:
        from hailort_sim.status import HailoStatus, raise_status
        raise_status(HailoStatus.HAILO_NOT_FOUND, "HailoRT device not found in the system")
    if len(devices) > 1:
        raise UsageError("fw-config needs a single device: choose one with -s,--device-id")
    return devices[0]


def execute_read(args):
    from hailort_sim.pipeline import device_control
    data = device_control.read_user_config(_single_device(args))
    if args.output_file:
        with open(args.output_file, "wb") as out:
            out.write(data)
        print("Firmware configuration written to '{}'".format(args.output_file))
    else:
        sys.stdout.write(data.decode("utf-8").rstrip("\n") + "\n")
    return 0


def execute_write(args):
    from hailort_sim.pipeline import device_control
    try:
        with open(args.file, "rb") as config:
            data = config.read()
    except OSError as error:
        raise UsageError("file: cannot read {} ({})".format(args.file, error.strerror)) from None
    device_control.write_user_config(_single_device(args), data)
    print("Firmware configuration written to the device; restart it for the change to take effect")
    return 0

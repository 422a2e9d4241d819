"""``hailortcli fw-control identify`` (fw_control_command.cpp)."""
import sys

from .common import add_device_options, add_subcommands, run_on_devices

NOT_CONFIGURED = "<N/A>"
_ARCH_NAMES = ("HAILO8", "HAILO8L", "HAILO15H", "HAILO15L", "HAILO15M", "HAILO10H")


def register(subparsers):
    commands = add_subcommands(subparsers, "fw-control", "Useful firmware control operations")
    identify = commands.add_parser("identify", help="Displays general information about the device")
    identify.add_argument("--extended", action="store_true", help="Print device extended information")
    add_device_options(identify)
    identify.set_defaults(execute=execute_identify)
    reset = commands.add_parser("reset", help="Resets the device")
    reset.add_argument("--reset-type", required=True, type=_reset_type, help="Reset type")
    add_device_options(reset)
    reset.set_defaults(execute=execute_reset)


RESET_TYPES = ("chip", "nn_core", "soft", "forced_soft")     # hailo_reset_device_mode_t


def _reset_type(value):
    from .common import UsageError
    if value not in RESET_TYPES:
        raise UsageError("--reset-type: {} not in {{{}}}".format(value, ",".join(RESET_TYPES)))
    return value


def reset_device(device, args):
    """A reset: a firmware flashed with ``fw-update --skip-reset`` starts running."""
    from hailort_sim.device import flash
    device.require_control("reset")
    flash.reset(device.device_id)
    print("Board has been reset successfully")
    return 0


def execute_reset(args):
    return run_on_devices(args, reset_device)


def _attr(value):
    return value if value else NOT_CONFIGURED


def identity_lines(identity):
    """The lines identify prints for a ``device.Identity``."""
    from hailort_sim.device.identity import fw_version_string
    arch = identity.architecture_name if identity.architecture_name in _ARCH_NAMES else "Unknown"
    return ["Control Protocol Version: {}".format(identity.protocol_version),
            "Firmware Version: " + fw_version_string(identity),
            "Logger Version: {}".format(identity.logger_version),
            "Board Name: " + identity.board_name,
            "Device Architecture: " + arch,
            "Serial Number: " + _attr(identity.serial_number),
            "Part Number: " + _attr(identity.part_number),
            "Product Name: " + _attr(identity.product_name)]


def extended_lines(info):
    from hailort_sim.device.identity import FEATURE_LABELS, FEATURE_NAMES
    boot = {1: "PCIE", 2: "FLASH"}.get(info.boot_source, "Unknown")
    lines = ["Boot source: " + boot,
             "Neural Network Core Clock Rate: {}MHz".format(info.neural_network_core_clock_rate // 1000000)]
    features = [FEATURE_LABELS[name] for name in FEATURE_NAMES if name in info.supported_features]
    if features:
        lines.append("Device supported features: " + ", ".join(features))
    lines.append("LCS: {}".format(info.lcs if info.lcs else NOT_CONFIGURED))
    for label, value, separator in (("SoC ID", info.soc_id, ""), ("MAC Address", info.eth_mac_address, ":"),
                                    ("ULT ID", info.unit_level_tracking_id, ""),
                                    ("PM Values", info.soc_pm_values, "")):
        if any(value):
            lines.append("{}: {}".format(label, separator.join("{:02X}".format(b) for b in value)))
    if info.gpio_mask:
        lines.append("GPIO Mask: {:04x}".format(info.gpio_mask))
    return lines


def identify_device(device, args):
    identity = device.identify()
    lines = ["Identifying board"] + identity_lines(identity)
    if args.extended:
        sys.stdout.write("\n".join(lines) + "\n")
        lines = extended_lines(device.extended_info())
    sys.stdout.write("\n".join(lines) + "\n\n")
    return 0


def execute_identify(args):
    return run_on_devices(args, identify_device)


# `hailortcli fw-control identify` without options runs without argparse.
NO_ARGUMENTS = {("identify",): {"subcommand": "identify", "extended": False, "device_ids": None, "bdfs": None,
                                "ips": None, "support_asterisk": True, "execute": execute_identify}}

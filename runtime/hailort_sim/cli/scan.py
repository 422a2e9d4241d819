"""``hailortcli scan``: list the devices (scan_command.cpp)."""
import sys

from .common import UsageError, EXIT_EXCLUDES_ERROR


def register(subparsers):
    parser = subparsers.add_parser("scan", help="Shows all available devices")
    group = parser.add_argument_group("Ethernet Device Options")
    group.add_argument("--interface-ip", default="", help="Interface IP address to scan")
    group.add_argument("--interface", default="", help="Interface name to scan")
    parser.set_defaults(execute=execute)


def execute(args):
    if args.interface and args.interface_ip:
        raise UsageError("--interface excludes --interface-ip", EXIT_EXCLUDES_ERROR)
    if args.interface or args.interface_ip:
        # The simulated devices sit on PCIe (or are integrated): an Ethernet scan finds none.
        sys.stdout.write("Hailo Ethernet Devices:\n")
        return 0
    from hailort_sim.device import scan
    device_ids = scan()
    if not device_ids:
        sys.stdout.write("Hailo devices not found\n")
    else:
        sys.stdout.write("Hailo Devices:\n" + "".join("[-] Device: {}\n".format(i) for i in device_ids))
    return 0


NO_ARGUMENTS = {(): {"interface": "", "interface_ip": "", "execute": execute}}   # `hailortcli scan`: no argparse

"""What every hailortcli command shares: the parser, logging, errors and device options.

hailortcli is CLI11-based: a usage error prints CLI11's message and ``Run with --help for
more information.`` on stderr and exits with CLI11's code (105 validation, 106 required,
108 excludes, 109 unexpected arguments, 111 invalid). A failing command exits with its
``hailo_status``; its cause is logged as ``[HailoRT] [error] ...`` by the runtime and the
CLI adds ``[HailoRT CLI] [error] CHECK_SUCCESS failed with status=NAME(code)``.
No argparse here (see ``parser.py``): this module is on the start-up path.
"""
import os
import sys

EXIT_VALIDATION_ERROR = 105
EXIT_REQUIRED_ERROR = 106
EXIT_EXCLUDES_ERROR = 108
EXIT_EXTRAS_ERROR = 109
EXIT_INVALID_ERROR = 111


class UsageError(Exception):
    """A CLI11 parse error: message and exit code."""

    def __init__(self, message, code=EXIT_VALIDATION_ERROR):
        super().__init__(message)
        self.code = code


def __getattr__(name):
    # ``Parser`` (argparse) lives in parser.py so that the argument-free fast paths of the
    # dispatcher (`hailortcli scan`, `--version`) never import argparse.
    if name == "Parser":
        from .parser import Parser
        return Parser
    raise AttributeError("module {!r} has no attribute {!r}".format(__name__, name))


def cli_log(level, message):
    """A line of the CLI's own logger (spdlog pattern ``[%n] [%l] %v``, name "HailoRT CLI")."""
    sys.stderr.write("[HailoRT CLI] [{}] {}\n".format(level, message))


def error_detail(error):
    """The ``what failed`` part of a HailoRTException (its text after the class's fixed head)."""
    from hailort_sim.status import HailoStatus
    text = str(error)
    status = HailoStatus(error.status)
    for head in (type(error).message, "libhailort failed with error: {} ({})".format(int(status), status.name)):
        if head and text.startswith(head + ": "):
            return text[len(head) + 2:]
        if head and text == head:
            return ""
    return text


def with_context(message, call, *args):
    """``TRY(var, call(args), message)``: a failure's CLI line ends with `` - <message>``."""
    from hailort_sim.status import HailoRTException
    try:
        return call(*args)
    except HailoRTException as error:
        error.cli_context = message
        raise


def report_failure(error):
    """Log a failed runtime call the way the real CLI does; returns the status to exit with."""
    from hailort_sim import log
    from hailort_sim.status import format_status
    detail = error_detail(error)
    if detail and not getattr(error, "logged", False):
        log.error(detail)
    context = getattr(error, "cli_context", "")
    cli_log("error", "CHECK_SUCCESS failed with status={}{}".format(format_status(error.status),
                                                                    " - " + context if context else ""))
    return int(error.status)


# --- device options (DeviceCommand) ----------------------------------------------------------
def add_subcommands(subparsers, name, help_text):
    """``hailortcli <name> SUBCOMMAND``: the command's parser, whose subcommand is required (as
    CLI11's is); returns the subparsers to add the subcommands to."""
    parser = subparsers.add_parser(name, help=help_text)
    commands = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", parser_class=type(parser))
    commands.required = True
    return commands


def add_device_options(parser, support_asterisk=True):
    group = parser.add_argument_group("Device Options")
    group.add_argument("-s", "--device-id", nargs="+", metavar="ID", dest="device_ids",
                       help="Device id, same as returned from `hailortcli scan` command. For multiple devices, "
                            "use space as separator." + (" In order to run on all devices connected to the "
                                                         "machine one-by-one, use '*' (instead of device id)."
                                                         if support_asterisk else ""))
    group.add_argument("--bdf", nargs="+", metavar="BDF", dest="bdfs",
                       help="Device bdf ([<domain>]:<bus>:<device>.<func>, same as in lspci command). "
                            "For multiple BDFs, use space as separator.")
    group.add_argument("--ip", nargs="+", metavar="IP", dest="ips", help="IP address of the target")
    parser.set_defaults(support_asterisk=support_asterisk)


def requested_device_ids(args):
    """The ids given with -s/--bdf/--ip (validated as CLI11 does), or None for all devices."""
    from hailort_sim.device.inventory import parse_bdf
    given = [option for option in (args.device_ids, args.bdfs, args.ips) if option]
    if len(given) > 1:
        raise UsageError("Only one of -s,--device-id, --bdf, --ip Can bet set", EXIT_INVALID_ERROR)
    for bdf in args.bdfs or ():
        if not (bdf == "*" and args.support_asterisk) and parse_bdf(bdf) is None:
            raise UsageError("--bdf: Invalid PCIe BDF " + bdf, EXIT_VALIDATION_ERROR)
    for ip in args.ips or ():
        parts = ip.split(".")
        if len(parts) != 4 or not all(p.isdigit() and int(p) < 256 for p in parts):
            raise UsageError("--ip: Invalid IPV4 address must have four parts ({})".format(ip),
                             EXIT_VALIDATION_ERROR)
    ids = given[0] if given else None
    if ids and "*" in ids:
        if not args.support_asterisk:
            raise UsageError("Passing * is not allowed in this command", EXIT_INVALID_ERROR)
        if len(ids) != 1:
            raise UsageError("passing '*' in combination with other device ids is not allowed", EXIT_INVALID_ERROR)
        return None
    return ids


def open_devices(args):
    """``create_devices``: every scanned device, or the requested ones (a HailoRTException if one fails)."""
    from hailort_sim.device import SimDevice, scan
    from hailort_sim.device.device import present_inventory
    inventory = present_inventory()
    ids = requested_device_ids(args)
    if ids is None:
        ids = scan(inventory)
    devices = []
    for device_id in ids:
        if args.ips and device_id in args.ips:
            from hailort_sim.device.errors import fail
            from hailort_sim.status import HailoStatus
            fail(HailoStatus.HAILO_TIMEOUT, "No Hailo Ethernet device answered at {} (the simulated devices "
                                            "are on PCIe or integrated)".format(device_id))
        devices.append(SimDevice.open(device_id, inventory))
    return devices


def run_on_devices(args, execute_on_device, announce=True):
    """``DeviceCommand::execute``: run on each device, best effort; returns the last failure's status.
    ``announce=False`` (``m_show_stdout = false``) leaves stdout to the command's own data."""
    status = 0
    for device in open_devices(args):
        if announce:
            sys.stdout.write("Executing on device: {}\n".format(device.device_id))
        try:
            result = execute_on_device(device, args) or 0
        except Exception as error:
            from hailort_sim.status import HailoRTException   # not on the success path
            if not isinstance(error, HailoRTException):
                raise
            result = report_failure(error)
        if result:
            from hailort_sim.status import format_status
            sys.stdout.flush()
            sys.stderr.write("Failed to execute on device: {}. status= {}\n".format(
                device.device_id, format_status(result)))
            status = result
    return status


def existing_path(name):
    """An argparse ``type`` doing CLI11's ``ExistingFile | ExistingDirectory`` check on ``name``."""
    def check(value):
        if os.path.exists(value):
            return value
        raise UsageError("{0}: (File does not exist: {1}) OR (Directory does not exist: {1})".format(name, value))
    return check

"""``hailortcli``: the dispatcher. Each command is a module of this package, imported only
when that command runs (``hailortcli scan`` must start fast: no numpy, no protobuf).

Adding a command is one line in ``COMMANDS``: (name, module, help). The module exposes
``register(subparsers)`` (or ``module:function`` names another function of it, for modules
holding several related commands), which calls ``subparsers.add_parser(<name>, help=...)``
(``subparsers`` makes ``parser.Parser``s: argparse with CLI11's errors), adds its
options and sets ``parser.set_defaults(execute=<function(args) -> hailo_status int>)``.
A module may also define ``NO_ARGUMENTS``: ``{(subcommand words...): {dest: value}}``, the
complete parse result (``execute`` included) of ``<name> <words>`` without options. Those
invocations skip argparse, which costs as much as Python's own start-up (``hailortcli scan``
must stay within 2x of ``python3 -c pass``); tests/cli check them against the parser.
A command raises HailoRTException (or returns a status) to fail; the dispatcher logs it
and exits with the status. Anything else that escapes becomes HAILO_INTERNAL_FAILURE,
never a traceback.
"""
import sys

from hailort_sim import HAILORT_VERSION

COMMANDS = (
    ("scan", "scan", "Shows all available devices"),
    ("fw-control", "fw_control", "Useful firmware control operations"),
    ("fw-config", "fw_config", "User configuration of the device's firmware (flash)"),
    ("parse-hef", "parse_hef", "Parse HEF to get information about its components"),
    ("monitor", "monitor", "Monitor of networks - Presents information about the running networks"),
    ("run", "run", "Run a compiled network"),
    ("run2", "run2", "Run networks (preview)"),
    ("benchmark", "benchmark", "Measure basic performance on compiled network"),
    ("measure-power", "measure_power", "Measures power consumption"),
    ("sensor-config", "flash_commands:register_sensor_config", "Config sensor attached to the Hailo chip"),
    ("board-config", "flash_commands:register_board_config", "Board configuration tool"),
    ("fw-logger", "flash_commands:register_fw_logger", "Download fw logs to a file"),
    ("fw-update", "flash_commands:register_fw_update", "Firmware update tool (only for flash based devices)"),
    ("ssb-update", "flash_commands:register_ssb_update",
     "Second stage boot update command (only for flash based devices)"),
    ("udp-rate-limiter", "udp_rate_limiter", "Limit the UDP rate"),
)


def _requested_command(argv):
    names = {name for name, _, _ in COMMANDS}
    for token in argv:
        if token in names:
            return token
        if not token.startswith("-"):
            return None
    return None


def _command_module(module):
    return __import__("hailort_sim.cli." + module.partition(":")[0], fromlist=["register"])


def _register(module):
    return getattr(_command_module(module), module.partition(":")[2] or "register")


class _Arguments:
    """What argparse's Namespace would hold for a command run without arguments."""

    def __init__(self, **values):
        self.__dict__.update(values)


def _without_parser(argv):
    """The parsed arguments of an option-free invocation a command declares, else None."""
    for name, module, _ in COMMANDS:
        if argv and argv[0] == name:
            values = getattr(_command_module(module), "NO_ARGUMENTS", {}).get(tuple(argv[1:]))
            return None if values is None else _Arguments(command=name, **values)
    return None


def build_parser(argv):
    from .parser import Parser
    parser = Parser(prog="hailortcli", description="HailoRT CLI")
    parser.add_argument("-v", "--version", action="version", version="HailoRT-CLI version " + HAILORT_VERSION)
    subparsers = parser.add_subparsers(dest="command", metavar="SUBCOMMAND", parser_class=Parser)
    subparsers.required = True
    requested = _requested_command(argv)
    for name, module, help_text in COMMANDS:
        if name == requested:
            _register(module)(subparsers)
        else:
            subparsers.add_parser(name, help=help_text)   # listed in --help, not imported
    return parser


def run(argv):
    """Parse and execute; returns the exit status (the hailo_status, or CLI11's usage codes)."""
    from .common import UsageError, cli_log, report_failure
    try:
        if argv in (["-v"], ["--version"]):
            sys.stdout.write("HailoRT-CLI version {}\n".format(HAILORT_VERSION))
            return 0
        if argv and argv[0] == "help":      # the guide's `hailortcli help`
            argv = ["--help"]
        args = _without_parser(argv) or build_parser(argv).parse_args(argv)
        return int(args.execute(args) or 0)
    except UsageError as error:
        sys.stderr.write("{}\nRun with --help for more information.\n".format(error))
        return error.code
    except SystemExit as done:           # argparse --help / --version
        return done.code if isinstance(done.code, int) else 0
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        from hailort_sim.status import HailoStatus
        return int(HailoStatus.HAILO_INTERRUPTED_BY_SIGNAL)
    except Exception as error:  # the CLI never shows a traceback
        from hailort_sim.status import HailoRTException, HailoStatus, format_status   # not on the success path
        if isinstance(error, HailoRTException):
            return report_failure(error)
        cli_log("error", "Unexpected internal failure: {}: {}".format(type(error).__name__, error))
        cli_log("error", "CHECK_SUCCESS failed with status={}".format(format_status(HailoStatus.HAILO_INTERNAL_FAILURE)))
        return int(HailoStatus.HAILO_INTERNAL_FAILURE)


def main(argv=None):
    status = run(sys.argv[1:] if argv is None else list(argv))
    try:
        sys.stdout.flush()
    except BrokenPipeError:   # `hailortcli scan | head -0`
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(status & 0xFF)


if __name__ == "__main__":
    main()

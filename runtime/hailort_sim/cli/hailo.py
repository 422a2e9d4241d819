"""``hailo``: pyHailoRT's command line (``hailo_platform.tools.hailocli.main``).

Every command but ``help`` and ``tutorial`` forwards its arguments verbatim to
``hailortcli <command> ...`` and exits with its status, after logging
``(hailo) Running command '<command>' with 'hailortcli'``.
"""
import os
import shutil
import subprocess
import sys

from hailort_sim import HAILORT_VERSION

# (name, help) in the real tool's order; all but tutorial and help forward to hailortcli.
COMMANDS = (
    ("fw-update", "Firmware update tool"),
    ("ssb-update", "Second stage boot update tool"),
    ("fw-config", "Firmware configuration tool"),
    ("udp-rate-limiter", "Limit the UDP rate"),
    ("fw-control", "Useful firmware control operations"),
    ("fw-logger", "Download fw logs to a file"),
    ("scan", "Scans for devices (Ethernet or PCIE)"),
    ("sensor-config", "Sensor configuration tool"),
    ("run", "Run a compiled network"),
    ("benchmark", "Measure basic performance on compiled network"),
    ("monitor", "Monitor of networks - Presents information about the running networks. To enable monitor, "
                "set in the application process the environment variable 'HAILO_MONITOR' to 1."),
    ("parse-hef", " Parse HEF to get information about its components"),
    ("measure-power", "Measures power consumption"),
    ("tutorial", "Runs the tutorials in jupyter notebook"),
    ("help", "show the list of commands"),
)
_LOCAL = ("tutorial", "help")


def _parser():
    import argparse
    parser = argparse.ArgumentParser(prog="hailo", description="Hailo Command Line Utility")
    parser.add_argument("--version", action="store_true", help="Print program version and exit")
    commands = parser.add_subparsers(dest="command", metavar="{" + ",".join(n for n, _ in COMMANDS) + "}")
    for name, help_text in COMMANDS:
        sub = commands.add_parser(name, help=help_text, add_help=name in _LOCAL)
        if name == "tutorial":
            sub.add_argument("--ip", help="the ip parameter passed to jupyter-notebook")
            sub.add_argument("--port", help="the port parameter passed to jupyter-notebook")
    return parser


def hailortcli_path():
    """``hailortcli`` on PATH, else the one installed next to this ``hailo`` (an unactivated venv)."""
    found = shutil.which("hailortcli")
    if found:
        return found
    for directory in (os.path.dirname(os.path.abspath(sys.argv[0])), os.path.dirname(sys.executable)):
        candidate = os.path.join(directory, "hailortcli")
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def forward(command, argv):
    sys.stdout.write("(hailo) Running command '{}' with 'hailortcli'\n".format(command))
    sys.stdout.flush()
    executable = hailortcli_path()
    if executable is None:
        sys.stderr.write("hailo: 'hailortcli' was not found on PATH; install HailoRT (hailort-sim) or add "
                         "its bin directory to PATH\n")
        return 127
    process = subprocess.Popen([executable, command] + list(argv))
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.wait()
        sys.stdout.write("hailo has been interrupted by the user\n")
        return 1


def tutorial(args):
    if shutil.which("jupyter-notebook") is None:
        sys.stderr.write("hailo tutorial needs Jupyter: run `pip install jupyter matplotlib`\n")
        return 1
    sys.stderr.write("hailo tutorial: the HailoRT tutorial notebooks are not part of hailort-sim; "
                     "see the HailoRT user guide, chapter 5\n")
    return 1


def run(argv):
    names = [name for name, _ in COMMANDS]
    if argv and argv[0] in names and argv[0] not in _LOCAL:
        return forward(argv[0], argv[1:])
    parser = _parser()
    if not argv:
        parser.print_help()
        return 1
    args = parser.parse_args(argv)
    if args.version:
        sys.stdout.write("HailoRT v{}\n".format(HAILORT_VERSION))
        return 0
    if args.command == "help":
        sys.stdout.write("".join("{} - {}\n".format(name, help_text) for name, help_text in COMMANDS))
        return 0
    if args.command == "tutorial":
        return tutorial(args)
    parser.print_help()
    return 1


def main(argv=None):
    try:
        status = run(sys.argv[1:] if argv is None else list(argv))
    except KeyboardInterrupt:
        sys.stdout.write("hailo has been interrupted by the user\n")
        status = 1
    sys.exit(status & 0xFF if status >= 0 else 1)


if __name__ == "__main__":
    main()

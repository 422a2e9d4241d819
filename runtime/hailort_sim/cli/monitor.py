"""``hailortcli monitor``: the three tables of guide §7.5, refreshed until Ctrl-C.

Data comes from the files that processes with ``HAILO_MONITOR=1`` publish
(``hailort_sim.monitor``). The layout is libhailort's: on a terminal, an alternate screen
redrawn from the top (``ESC[H ESC[J``) each refresh; left-aligned columns (Device ID 60,
Utilization 25, Architecture 60; Model 60, Utilization 25, FPS 15, PID 15; Model 60,
Stream 60, Direction 15, Avg/Max/Min/Capacity 8), dashed separators, 1-decimal numbers,
``NaN`` for an unknown queue figure, and two blank lines between tables.
"""
import shutil
import sys
import time

ESC = "\x1b["
NO_DATA = ("Monitor did not retrieve any files. This occurs when there is no application "
           "currently running.\nIf this is not the case, verify that environment variable "
           "'HAILO_MONITOR' is set to 1.\n")
NAME_WIDTH = 60


def _name(text):
    text = str(text)
    return text if len(text) <= NAME_WIDTH else text[:NAME_WIDTH - 5] + "...  "


def _num(value, decimals=1):
    return "NaN" if value is None else "{:.{}f}".format(float(value), decimals)


def render(data, width=None):
    """The text of one refresh for merged monitor data (``monitor.read_all``), or the
    no-data message (green on a terminal is added by the caller)."""
    if data is None:
        return NO_DATA
    width = width or shutil.get_terminal_size((160, 24)).columns
    blank = " " * width + "\n"
    out = []
    out.append("{:<60}{:<25}{:<60}\n".format("Device ID", "Utilization (%)", "Architecture"))
    out.append("-" * 160 + "\n")
    for device in data["devices"]:
        out.append("{:<60}{:<25}{:<60}\n".format(_name(device["id"]), _num(device["utilization"]),
                                                  device["architecture"]))
    out.append(blank * 2)
    out.append("{:<60}{:<25}{:<15}{:<15}\n".format("Model", "Utilization (%) ", "FPS", "PID"))
    out.append("-" * 160 + "\n")
    for model in data["models"]:
        out.append("{:<60}{:<25}{:<15}{:<15}\n".format(_name(model["name"]), _num(model["utilization"]),
                                                        _num(model["fps"]), model["pid"]))
    out.append(blank * 2)
    out.append("{:<60}{:<60}{:<15}{:<8}{:<8}{:<8}{:<8}\n".format(
        "Model", "Stream", "Direction", "Avg", "Max", "Min", "Capacity"))
    out.append("-" * 175 + "\n")
    for stream in data["streams"]:
        out.append("{:<60}{:<60}{:<15}{:<8}{:<8}{:<8}{:<8}\n".format(
            _name(stream["model"]), _name(stream["stream"]), stream["direction"],
            _num(stream["avg"], 2), _num(stream["max"]), _num(stream["min"]),
            _num(stream["capacity"])))
    return "".join(out)


def execute(args):
    from hailort_sim import monitor
    from hailort_sim.status import HailoStatus
    if sys.platform.startswith("win"):
        from .common import cli_log
        cli_log("error", "Monitor is not supported on Windows")
        return int(HailoStatus.HAILO_NOT_IMPLEMENTED)
    tty = sys.stdout.isatty()
    if tty:
        sys.stdout.write(ESC + "?1049h")     # alternate screen, restored on exit
    try:
        while True:
            data = monitor.read_all()
            text = render(data)
            if tty:
                text = ESC + "H" + ESC + "J" + (ESC + "32m" + text + ESC + "0m" if data is None else text)
            sys.stdout.write(text)
            sys.stdout.flush()
            time.sleep(data["interval"] if data else monitor.DEFAULT_INTERVAL_MS / 1000.0)
    except KeyboardInterrupt:
        pass
    finally:
        if tty:
            sys.stdout.write(ESC + "?1049l")
            sys.stdout.flush()
    return 0


def register(subparsers):
    parser = subparsers.add_parser(
        "monitor", help="Monitor of networks - Presents information about the running networks. "
                        "To enable monitor, set in the application process the environment "
                        "variable 'HAILO_MONITOR' to 1.")
    parser.set_defaults(execute=execute)
    return parser

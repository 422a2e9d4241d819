"""``hailortcli monitor``: libhailort 4.21.0's MonCommand over the ``ProtoMon`` files of
``/tmp/hmon_files`` (``hailort_sim.monitor``), refreshed every second until Ctrl-C.

As the real tool: the alternate screen, each refresh redrawn from the top (``ESC[H ESC[J``),
the three tables with every file's rows (no merging; the PID is the file's), blank lines as
wide as the terminal (``TIOCGWINSZ`` of stdin, else 80), 1-decimal utilization and FPS,
integer queue figures, ``NaN`` for an unknown queue, and the no-files warning in bold green
after the (empty) tables.
"""
import sys
import time

ESC = "\x1b["
RESET_CURSOR = ESC + "H" + ESC + "J"
ENTER_ALTERNATIVE, EXIT_ALTERNATIVE = ESC + "?1049h", ESC + "?1049l"
GREEN, NORMAL = "\x1b[1;32m", "\x1b[0m"
NO_FILES = ("Monitor did not retrieve any files. This occurs when there is no application "
            "currently running.\nIf this is not the case, verify that environment variable "
            "'HAILO_MONITOR' is set to 1.\n")
STRING_WIDTH, UTILIZATION_WIDTH, NUMBER_WIDTH, FRAME_VALUE_WIDTH = 60, 25, 15, 8
LINE_LENGTH = 2 * STRING_WIDTH + UTILIZATION_WIDTH + NUMBER_WIDTH       # 160
TERMINAL_DEFAULT_WIDTH = 80
REFRESH_S = 1.0           # DEFAULT_SCHEDULER_MON_INTERVAL
NAN_VALUE = -1


def truncate(text, width=STRING_WIDTH):
    return text if len(text) <= width else text[:width - 5] + "...  "


def terminal_width():
    import fcntl
    import struct
    import termios
    try:
        packed = fcntl.ioctl(0, termios.TIOCGWINSZ, b"\0" * 8)
    except OSError:
        return TERMINAL_DEFAULT_WIDTH
    return struct.unpack("HHHH", packed)[1]


def _devices(messages):
    rest = " " * (LINE_LENGTH - (NUMBER_WIDTH + 2 * STRING_WIDTH))
    out = ["{:<60}{:<25}{:<60}\n".format("Device ID", "Utilization (%)", "Architecture"), "-" * LINE_LENGTH + "\n"]
    for mon in messages:
        for device in mon.device_infos:
            out.append("{:<60}{:<25.1f}{:<60}{}\n".format(device.device_id, device.utilization,
                                                           device.device_arch, rest))
    return out


def _networks(messages):
    rest = " " * (LINE_LENGTH - (3 * NUMBER_WIDTH + STRING_WIDTH))
    out = ["{:<60}{:<25}{:<15}{:<15}\n".format("Model", "Utilization (%) ", "FPS", "PID"), "-" * LINE_LENGTH + "\n"]
    for mon in messages:
        for net in mon.networks_infos:
            out.append("{:<60}{:<25.1f}{:<15.1f}{:<15}{}\n".format(truncate(net.network_name), net.utilization,
                                                                   net.fps, mon.pid, rest))
    return out


def _frames(messages):
    from hailort_sim.monitor.proto import HOST_TO_DEVICE
    out = ["{:<60}{:<60}{:<15}{:>22}\n".format("Model", "Stream", "Direction", "Frames Queue"),
           "{:<60}{:<60}{:<15}{:<8}{:<8}{:<8}{:<8}\n".format("", "", "", "Avg", "Max", "Min", "Capacity"),
           "-" * (LINE_LENGTH + NUMBER_WIDTH) + "\n"]
    for mon in messages:
        for net in mon.net_frames_infos:
            for stream in net.streams_frames_infos:
                if NAN_VALUE in (stream.buffer_frames_size, stream.pending_frames_count):
                    avg = maximum = minimum = capacity = "NaN"
                else:
                    avg = "NaN" if stream.avg_pending_frames_count == NAN_VALUE else \
                        "{:.2f}".format(stream.avg_pending_frames_count)
                    maximum, minimum = str(stream.max_pending_frames_count), str(stream.min_pending_frames_count)
                    capacity = str(stream.buffer_frames_size)
                direction = "H2D" if stream.stream_direction == HOST_TO_DEVICE else "D2H"
                out.append("{:<60}{:<60}{:<15}{:<8}{:<8}{:<8}{:<8}\n".format(
                    truncate(net.network_name), truncate(stream.stream_name), direction, avg, maximum, minimum,
                    capacity))
    return out


def render(messages, width=TERMINAL_DEFAULT_WIDTH):
    """One refresh (without the cursor reset) for a list of ``ProtoMon`` messages."""
    blank = " " * width + "\n"
    return "".join(_devices(messages) + [blank, blank] + _networks(messages) + [blank, blank] + _frames(messages))


def execute(args):
    from hailort_sim import monitor
    from hailort_sim.status import HailoStatus
    if sys.platform.startswith("win"):
        from .common import cli_log
        cli_log("error", "hailortcli `monitor` command is not supported on Windows")
        return int(HailoStatus.HAILO_NOT_IMPLEMENTED)
    import signal
    # As the real tool (signal(SIGINT, ...)): Ctrl-C ends it even when started with SIGINT
    # ignored (e.g. from a non-interactive shell's background job), where Python would not map it.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    width = terminal_width()
    sys.stdout.write(ENTER_ALTERNATIVE)
    try:
        while True:
            files = monitor.fresh_files() or []
            messages = [mon for mon in map(monitor.read_file, files) if mon is not None]
            text = RESET_CURSOR + render(messages, width)
            if not files:
                text += GREEN + NO_FILES + NORMAL
            sys.stdout.write(text)
            sys.stdout.flush()
            time.sleep(REFRESH_S)
    except KeyboardInterrupt:
        pass
    finally:
        sys.stdout.write(EXIT_ALTERNATIVE)
        sys.stdout.flush()
    return 0


def register(subparsers):
    parser = subparsers.add_parser(
        "monitor", help="Monitor of networks - Presents information about the running networks. "
                        "To enable monitor, set in the application process the environment "
                        "variable 'HAILO_MONITOR' to 1.")
    parser.set_defaults(execute=execute)
    return parser

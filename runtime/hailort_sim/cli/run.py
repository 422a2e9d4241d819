"""``hailortcli run`` (guide §7.3, spec §12.3): stream a HEF and print FPS and measurements.

Also holds what ``run2`` and ``benchmark`` share with it: the VDevice options and opening the
VDevice they describe.
"""
import argparse
import os
import sys
import time

from .common import (EXIT_EXCLUDES_ERROR, Parser, UsageError, add_device_options, existing_path,
                     requested_device_ids, with_context)

SAMPLING_PERIODS = ("140", "204", "332", "588", "1100", "2116", "4156", "8244")
AVERAGING_FACTORS = ("1", "4", "16", "64", "128", "256", "512", "1024")
EXIT_REQUIRES_ERROR = 107
CSV_HEADER = ("net_name,status,status_description,fps,num_of_frames,send_rate,recv_rate,hw_latency,"
              "overall_latency,min_power,average_power,max_power,min_current,average_current,max_current,"
              "min_temp,average_temp,max_temp")


def add_vdevice_options(parser):
    add_device_options(parser, support_asterisk=False)
    group = parser.add_argument_group("VDevice Options")
    group.add_argument("--device-count", type=int, help="VDevice device count")
    group.add_argument("--multi-process-service", action="store_true",
                       help="VDevice multi process service")
    group.add_argument("--group-id", default="UNIQUE", help="VDevice group id")


def open_vdevice(args, scheduling_algorithm=1):
    """The underlying VDevice these options describe (pipeline.vdevice)."""
    from hailort_sim.pipeline import vdevice
    ids = requested_device_ids(args)
    if ids and args.device_count:
        raise UsageError("--device-count excludes -s,--device-id", EXIT_EXCLUDES_ERROR)
    if args.device_count is not None and args.device_count <= 0:
        raise UsageError("--device-count: Value {} not in range [1 - 65535]".format(args.device_count))
    config = vdevice.VDeviceConfig(device_count=args.device_count or len(ids or ()) or 1,
                                   device_ids=list(ids or ()), scheduling_algorithm=scheduling_algorithm,
                                   group_id=args.group_id, multi_process_service=args.multi_process_service)
    return vdevice.acquire(config)


def add_measurement_options(parser):
    group = parser.add_argument_group("Measurement Options")
    exclusive = group.add_mutually_exclusive_group()
    exclusive.add_argument("--measure-power", action="store_true", help="Measure power consumption")
    exclusive.add_argument("--measure-current", action="store_true", help="Measure current")
    group.add_argument("--sampling-period", choices=SAMPLING_PERIODS, help="Sampling Period [us]")
    group.add_argument("--averaging-factor", choices=AVERAGING_FACTORS, help="Averaging Factor")
    group.add_argument("--measure-temp", action="store_true", help="Measure chip temperature")


def sampling_interval(args) -> float:
    period = int(getattr(args, "sampling_period", None) or 1100)
    factor = int(getattr(args, "averaging_factor", None) or 256)
    return min(max(2 * period * factor / 1e6, 0.01), 0.5)


def register(subparsers):
    parser = subparsers.add_parser("run", help="Run a compiled network")
    parser.add_argument("hef", type=existing_path("hef"), nargs="?", help="An existing HEF file/directory path")
    add_vdevice_options(parser)
    frames = parser.add_mutually_exclusive_group()
    frames.add_argument("-c", "--frames-count", type=int, default=0,
                        help="Frames count to run (must be divisible by --batch-size)")
    frames.add_argument("-t", "--time-to-run", type=int, help="Time to run (seconds)")
    parser.add_argument("--batch-size", type=int, default=0,
                        help="Inference batch (should be a divisor of --frames-count if provided)")
    parser.add_argument("--net-batch-size", action="append", default=[], metavar="NET=BATCH",
                        help="Inference batch per network (network names can be found using parse-hef command)")
    parser.add_argument("--power-mode", choices=("performance", "ultra_performance"), default="performance",
                        help="Core power mode (PCIE only; ignored otherwise)")
    parser.add_argument("-m", "--mode", choices=("streaming", "hw_only"), default="streaming", help="Inference mode")
    parser.add_argument("--csv", help="If set print the output as csv to the specified path")
    parser.add_argument("--input-files", nargs="+", action="extend", default=[], metavar="INPUT=FILE",
                        help="Input file path(s), given as <input name>=<file>")
    parser.add_argument("--measure-latency", action="store_true", help="Measure network latency")
    parser.add_argument("--measure-overall-latency", action="store_true",
                        help="Include overall latency measurement (requires --measure-latency)")
    parser.add_argument("--dot", help="If set print the pipeline graph as a .dot file at the specified path")
    add_measurement_options(parser)
    progress = parser.add_mutually_exclusive_group()
    progress.add_argument("--show-progress", dest="show_progress", action="store_true", default=True,
                          help="Show inference progress")
    progress.add_argument("--dont-show-progress", dest="show_progress", action="store_false",
                          help="Don't show inference progress")
    parser.add_argument("--quantized", default=None, help="deprecated")
    parser.add_argument("--user-format-type", choices=("auto", "uint8", "uint16", "float32"), default="auto",
                        help="User data type")
    parser.set_defaults(execute=execute, run_subcommand=None, elem_fps=False, elem_queue_size=False,
                        elem_latency=False, vstream_latency=False, output_path="pipeline_stats.csv",
                        batch_to_measure="2")
    parser.epilog = "Subcommands:\n  measure-stats  Pipeline Statistics Measurements (--elem-fps, --elem-queue-size, " \
                    "--output-path)\n  collect-runtime-data  Collect runtime data to be used by the Profiler " \
                    "(--output-path, --batch-to-measure)"
    parser.__class__ = _RunParser


def _stats_parser(parent_class):
    stats = parent_class(prog="hailortcli run measure-stats", description="Pipeline Statistics Measurements")
    stats.add_argument("--elem-fps", action="store_true", help="Measure the fps of each pipeline element separately")
    stats.add_argument("--elem-queue-size", action="store_true",
                       help="Measure the queue size of each pipeline element separately")
    # hidden in the real CLI too
    stats.add_argument("--elem-latency", action="store_true", help=argparse.SUPPRESS)
    stats.add_argument("--vstream-latency", action="store_true", help=argparse.SUPPRESS)
    stats.add_argument("--output-path", default="pipeline_stats.csv", help="Path to a csv file")
    return stats


def _batch_to_measure(value):
    if value != "last" and not value.isdigit():
        raise argparse.ArgumentTypeError("Value {} is not a non-negative integer or 'last'".format(value))
    return value


def _runtime_data_parser(parent_class):
    data = parent_class(prog="hailortcli run collect-runtime-data",
                        description="Collect runtime data to be used by the Profiler")
    data.add_argument("--output-path", dest="runtime_data_path", default="runtime_data_<hef>.json",
                      help="Runtime data output file path ('<hef>' is replaced with the running HEF's name; with "
                           "several devices, '<device-id>_' prefixes each file)")
    data.add_argument("--batch-to-measure", type=_batch_to_measure, default="2",
                      help="Batch to be measured (non-negative integer); 'last' measures the last batch")
    return data


_SUBCOMMANDS = {"measure-stats": _stats_parser, "collect-runtime-data": _runtime_data_parser}


class _RunParser(Parser):
    """``run``'s parser: its subcommands follow the run options (CLI11 style), which argparse
    cannot combine with the optional ``hef`` positional; split them off here."""

    def parse_known_args(self, args=None, namespace=None):
        args = list(args or [])
        at = next((i for i, a in enumerate(args) if a in _SUBCOMMANDS), None)
        if at is None:
            return super().parse_known_args(args, namespace)
        namespace, extras = super().parse_known_args(args[:at], namespace)
        _SUBCOMMANDS[args[at]](Parser).parse_args(args[at + 1:], namespace)
        namespace.run_subcommand = args[at]
        return namespace, extras


def _validate(args):
    if args.hef is None:
        raise UsageError("hef is required", 106)
    if args.measure_overall_latency and not args.measure_latency:
        raise UsageError("--measure-overall-latency requires --measure-latency", EXIT_REQUIRES_ERROR)
    if (args.sampling_period or args.averaging_factor) and not (args.measure_power or args.measure_current):
        raise UsageError("--sampling-period/--averaging-factor require --measure-power or --measure-current",
                         EXIT_REQUIRES_ERROR)
    if args.net_batch_size and (args.batch_size or args.frames_count):
        raise UsageError("--net-batch-size excludes --batch-size and --frames-count", EXIT_EXCLUDES_ERROR)
    if args.multi_process_service:
        if args.measure_power or args.measure_current or args.measure_temp or args.mode == "hw_only":
            raise UsageError("--multi-process-service excludes power/current/temperature measurement and "
                             "hw_only mode", EXIT_EXCLUDES_ERROR)
    if args.frames_count < 0 or args.batch_size < 0:
        raise UsageError("--frames-count and --batch-size must not be negative")
    if args.run_subcommand == "measure-stats":
        if not (args.elem_fps or args.elem_queue_size or args.elem_latency or args.vstream_latency):
            raise UsageError("No measurement flags provided; Run 'hailortcli run measure-stats --help' for options")
        if args.multi_process_service:
            raise UsageError("--multi-process-service excludes measure-stats", EXIT_EXCLUDES_ERROR)
    if args.run_subcommand == "collect-runtime-data":
        if args.multi_process_service:
            raise UsageError("Passing runtime data is not supported for multi process service")
        if not args.runtime_data_path.endswith(".json"):
            raise UsageError("--output-path: File {} does not end with '.json'".format(args.runtime_data_path))
        if args.batch_to_measure != "last" and args.frames_count and args.frames_count < int(args.batch_to_measure):
            from hailort_sim import log
            log.warning("--frames-count ({}) is smaller than --batch-to-measure ({}), hence timestamps will not be "
                        "updated in runtime data".format(args.frames_count, args.batch_to_measure))
    if args.frames_count and args.batch_size and args.frames_count % args.batch_size:
        from hailort_sim.status import HailoStatus, raise_status
        raise_status(HailoStatus.HAILO_INVALID_ARGUMENT,
                     "Batch size {} should be a divisor of frames count {}".format(args.batch_size,
                                                                                    args.frames_count))


def hef_paths(path):
    if os.path.isdir(path):
        return sorted(os.path.join(path, n) for n in os.listdir(path)
                      if n.endswith(".hef") and os.path.isfile(os.path.join(path, n)))
    return [path]


def hms(seconds):
    seconds = max(int(round(seconds)), 0)
    return "{:02d}:{:02d}:{:02d}".format(seconds // 3600, seconds // 60 % 60, seconds % 60)


class Progress:
    """The live ``Network <name>: pct% | count | FPS: x | ETA: hh:mm:ss`` line, redrawn in place."""

    def __init__(self, frames, seconds, latency, enabled):
        self.frames, self.seconds, self.latency, self.enabled = frames, seconds, latency, enabled
        self._last = 0.0

    def __call__(self, drivers, elapsed, final=False):
        if not self.enabled or (not final and elapsed - self._last < 1.0):
            return
        self._last = elapsed
        parts = []
        for d in drivers:
            done = d.done
            if self.frames:
                pct = 100 * done // max(self.frames, 1)
                count = "{}/{}".format(done, self.frames)
                eta = (self.frames - done) / (done / elapsed) if done else 0
            else:
                pct = min(100, int(100 * elapsed / self.seconds))
                count = str(done)
                eta = self.seconds - elapsed
            rate = "FPS: {:.2f}".format(done / elapsed if elapsed else 0.0)
            if self.latency:
                rate = "HW Latency: {:.2f} ms".format(1000 * d._hw_latency()) if d.latencies else "HW Latency: NaN"
            parts.append("Network {}: {}% | {} | {} | ETA: {}".format(d.network_name, pct, count, rate, hms(eta)))
        sys.stdout.write("\r" + " ".join(parts))
        sys.stdout.flush()


def _rate(fps, frame_bytes):
    return "{:.2f} Mbit/s".format(fps * frame_bytes * 8 / 1e6)


def result_lines(result, frames_mode, duration, networks=None):
    """The result block of one network group. ``networks``: for a multi-network group,
    ``[(network name, send bytes, recv bytes)]``, printed per network plus the total bandwidth."""
    def element(indent, send, recv):
        block = [indent + ("Duration: " + hms(duration) if frames_mode else "Frames count: {}".format(result.frames)),
                 indent + "FPS: {:.2f}".format(result.fps),
                 indent + "Send Rate: " + _rate(result.fps, send), indent + "Recv Rate: " + _rate(result.fps, recv)]
        if result.hw_latency_ms is not None:
            block.append(indent + "HW Latency: {:.2f} ms".format(result.hw_latency_ms))
        if result.overall_latency_ms is not None:
            block.append(indent + "Overall Latency: {:.2f} ms".format(result.overall_latency_ms))
        return block

    lines = [" Network group: " + result.name]
    if not networks or len(networks) < 2:
        return lines + element("    ", result.send_bytes_per_frame, result.recv_bytes_per_frame)
    for name, send, recv in networks:
        lines.append("  Network: " + name)
        lines += element("    ", send, recv)
    lines += ["  Total bandwidth: ", "    Send Rate: " + _rate(result.fps, result.send_bytes_per_frame),
              "    Recv Rate: " + _rate(result.fps, result.recv_bytes_per_frame), ""]
    return lines


def network_bandwidths(group, user_type):
    """[(network, send bytes per frame, recv bytes per frame)] in the user format."""
    from hailort_sim.pipeline import formats
    result = []
    for network in group.networks:
        sizes = []
        for infos in (group.input_vstreams, group.output_vstreams):
            total = 0
            for info in infos:
                if info.network_name == network:
                    keep = info.is_nms and user_type not in (0, 3)
                    total += formats.resolve(info, 0 if keep else user_type,
                                             image_hw=formats.image_hw_of(group)).frame_size
            sizes.append(total)
        result.append((network, sizes[0], sizes[1]))
    return result


def measurement_lines(measurements):
    lines = []
    for m in measurements:
        lines.append("  Device: " + m.device_id)
        for values, what, unit in ((m.power, "power consumption", " W"), (m.current, "current consumption", " mA"),
                                   (m.temperature, "chip temperature", "C")):
            if values:
                for label, value in zip(("Minimum", "Average", "Maximum"), values):
                    lines.append("    {} {}: {:.2f}{}".format(label, what, value, unit))
    return lines


def _csv_row(result, measurements, overall):
    def fmt(v):
        return "" if v is None else "{:.6f}".format(v)
    m = measurements[0] if measurements else None
    power = (m.power if m else None) or (None,) * 3
    current = (m.current if m else None) or (None,) * 3
    temp = (m.temperature if m else None) or (None,) * 3
    rates = (result.fps * result.send_bytes_per_frame * 8 / 1e6, result.fps * result.recv_bytes_per_frame * 8 / 1e6)
    return ",".join([result.name, str(result.status), "HAILO_SUCCESS" if not result.status else "",
                     fmt(result.fps), str(result.frames), fmt(rates[0]), fmt(rates[1]), fmt(result.hw_latency_ms),
                     fmt(result.overall_latency_ms if overall else None)] + [fmt(v) for v in power + current + temp])


STATS_HEADER = "net_name,vstream_name,param_type,element,mean,min,max,var,sd,mean_sd,index"


def stats_rows(args, spec, result):
    """Pipeline statistics: every element of a vstream's pipeline passes every frame, so its FPS
    samples are the pipeline's (per 100 ms window); the queue elements' sizes are the frames in
    flight, sampled at each submission. Latencies (ms, per frame): a vstream's is its frame's
    submit-to-completion time; of its elements, the HW element holds the timing model's device
    latency and the queue element the rest (queueing and host transforms)."""
    import numpy as np
    rows = []

    def row(vstream, param, element, samples, index):
        values = np.asarray(samples, dtype=np.float64)
        if values.size == 0:
            return
        sd = float(values.std())
        rows.append("{},{},{},{},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},{}".format(
            spec.group.name, vstream, param, element, values.mean(), values.min(), values.max(), values.var(), sd,
            sd / np.sqrt(values.size), index))

    total_ms = 1000.0 * np.asarray(result.latency_samples, dtype=np.float64)
    hw_ms = np.minimum(total_ms, 1000.0 * result.hw_latency_s)
    host_ms = total_ms - hw_ms
    for infos, elements, queue, hw_element in (
            (spec.group.input_vstreams, ("PreInferElement", "PushQueueElement", "HwWriteElement"),
             "PushQueueElement", "HwWriteElement"),
            (spec.group.output_vstreams, ("HwReadElement", "PullQueueElement", "PostInferElement"),
             "PullQueueElement", "HwReadElement")):
        for info in infos:
            for index, element in enumerate(elements):
                if args.elem_fps:
                    row(info.name, "fps", element + info.name, result.fps_samples, index)
                if args.elem_queue_size and element == queue:
                    row(info.name, "queue_size", element + info.name, result.queue_samples, index)
                if args.elem_latency and element in (queue, hw_element):
                    row(info.name, "latency", element + info.name,
                        hw_ms if element == hw_element else host_ms, index)
            if args.vstream_latency:
                row(info.name, "latency", info.name, total_ms, 0)
    return rows


def write_runtime_data(args, path, shared, specs, results):
    """``collect-runtime-data``: per device, what the simulated firmware did for the measured
    batch of each network group (the real file feeds the DFC's profiler and is undocumented):
    its index, the group's batches and frames, and the timing model's batch/frame/switch
    times. A batch index past the run's last batch is reported with ``"measured": false``."""
    import json
    from hailort_sim.pipeline import device_link
    devices = list(shared.devices)
    base = os.path.splitext(os.path.basename(path))[0]
    for device in devices:
        groups = []
        for spec, result in zip(specs, results):
            batch = spec.batch_size or 1
            batches = result.frames // batch
            index = batches - 1 if args.batch_to_measure == "last" else int(args.batch_to_measure)
            timing = device_link.timing(spec.group, device)
            groups.append({"network_group_name": spec.group.name, "batch_size": batch, "batches": batches,
                           "frames": result.frames, "fps": result.fps, "contexts": spec.group.contexts_count,
                           "batch_to_measure": index, "measured": 0 <= index < batches,
                           "batch_time_ms": 1000.0 * (timing.latency + (batch - 1) * timing.frame_time),
                           "frame_time_ms": 1000.0 * timing.frame_time,
                           "switch_time_ms": 1000.0 * timing.switch_time})
        out_path = args.runtime_data_path.replace("<hef>", base)
        if len(devices) > 1:
            head, tail = os.path.split(out_path)
            out_path = os.path.join(head, "{}_{}".format(device.device_id, tail))
        with open(out_path, "w") as out:
            json.dump({"hef_path": os.path.abspath(path), "device_id": device.device_id,
                       "inference_mode": args.mode, "network_groups": groups}, out, indent=4)
        print("> Runtime data written to '{}'".format(out_path))


def write_dot(path, model):
    lines = ["digraph pipeline {"]
    for group in model.network_groups:
        for v in group.input_vstreams:
            lines.append('  "{0}" -> "PreInferElement {0}" -> "HwWriteElement {0}" -> "{1}";'.format(v.name,
                                                                                                        group.name))
        for v in group.output_vstreams:
            lines.append('  "{1}" -> "HwReadElement {0}" -> "PostInferElement {0}" -> "{0}";'.format(v.name,
                                                                                                      group.name))
    lines.append("}")
    with open(path, "w") as out:
        out.write("\n".join(lines) + "\n")


def run_hef(args, path, shared, report=True):
    """Run one HEF; ``report``: print the "Running ..." header and the "> Inference result:"
    block (``run``), which ``benchmark`` does not (its InferStatsPrinter prints neither)."""
    from hailort_sim.hef.model import FormatType
    from hailort_sim.pipeline import device_link, runner
    model = with_context("Failed reading hef file {}".format(path), device_link.load_hef, path)
    device_link.check_compatible(model, shared.devices)
    user_type = FormatType[args.user_format_type.upper()]
    input_files = runner.parse_input_files(args.input_files)
    net_batches = dict(p.split("=", 1) for p in args.net_batch_size if "=" in p)
    specs = []
    for group in model.network_groups:
        batch = args.batch_size or int(net_batches.get(group.networks[0], net_batches.get(group.name, 0)) or 0)
        specs.append(runner.NetSpec(model, path, group, batch_size=batch, user_type=user_type,
                                    input_files=input_files))
    hw_only = args.mode == "hw_only"
    transform = not hw_only or bool(input_files)
    if report:
        print("Running {} inference ({}):".format(args.mode, path))
        print("  Transform data: " + ("true" if transform else "false"))
        if transform:
            print("    Type:      " + args.user_format_type)
            print("    Quantized: true")
    if args.dot and not hw_only:
        write_dot(args.dot, model)
    seconds = 5 if (args.time_to_run is None and not args.frames_count) else (args.time_to_run or 0)
    progress = Progress(args.frames_count, seconds, args.measure_latency, args.show_progress)
    start = time.perf_counter()
    results, measurements = runner.run(
        shared, specs, hw_only=hw_only, frames=args.frames_count, seconds=seconds, latency=args.measure_latency,
        power=args.measure_power, current=args.measure_current, temperature=args.measure_temp,
        sampling_interval_s=sampling_interval(args), progress=progress)
    duration = time.perf_counter() - start
    if not args.measure_overall_latency:
        for result in results:
            result.overall_latency_ms = None
    if not report:
        return results, measurements
    lines = ["\x1b[2K\r> Inference result:" if args.show_progress else "> Inference result:"]
    for result, spec in zip(results, specs):
        lines += result_lines(result, bool(args.frames_count), duration,
                              network_bandwidths(spec.group, user_type) if len(spec.group.networks) > 1 else None)
    lines += measurement_lines(measurements)
    print("\n".join(lines))
    if args.run_subcommand == "measure-stats":
        rows = [r for result, spec in zip(results, specs) for r in stats_rows(args, spec, result)]
        sys.stdout.write("> Writing pipeline statistics to '{}'... ".format(args.output_path))
        with open(args.output_path, "w") as out:
            out.write(STATS_HEADER + "\n" + "".join(r + "\n" for r in rows))
        print("done.")
    if args.run_subcommand == "collect-runtime-data":
        write_runtime_data(args, path, shared, specs, results)
    return results, measurements


def execute(args):
    _validate(args)
    if args.quantized is not None:
        from hailort_sim import log
        log.warning("'--quantized' is deprecated")
    from hailort_sim.pipeline import vdevice
    directory = os.path.isdir(args.hef)
    paths = hef_paths(args.hef)
    if not paths:   # run_command_hefs_dir: a plain line on stderr, not a CHECK
        sys.stderr.write("No HEF files were found in the directory: {}\n".format(args.hef))
        from hailort_sim.status import HailoStatus
        return int(HailoStatus.HAILO_INVALID_ARGUMENT)
    shared = open_vdevice(args)
    rows = []
    status = 0
    try:
        for path in paths:
            if not directory:
                results, measurements = run_hef(args, path, shared)
            else:
                # Like the real tool: a header names each HEF, a failed one does not stop the
                # others, and the run exits with the last failure's status.
                print("*" * 80 + "\nInferring {}:".format(path))
                from hailort_sim.status import HailoRTException
                from .common import report_failure
                try:
                    results, measurements = run_hef(args, path, shared)
                except HailoRTException as error:
                    status = report_failure(error)
                    continue
            rows += [_csv_row(r, measurements, args.measure_overall_latency) for r in results]
    finally:
        vdevice.release(shared)
    if args.csv:
        sys.stdout.write("> Writing inference results to '{}'... ".format(args.csv))
        with open(args.csv, "w") as out:
            out.write(CSV_HEADER + "\n" + "\n".join(rows) + "\n")
        print("done.")
    return status

"""``hailortcli run2`` (guide §7.3.1, spec §12.4): several networks at once under the scheduler,
each with its own ``set-net`` parameters.

``set-net`` is repeatable and carries its own options (and nested ``set-vstream``), which
argparse cannot express as subcommands: everything from the first ``set-net`` on is split at
each ``set-net`` and parsed with the per-network parser.
"""
import argparse
import json
import sys
import time

from .common import Parser, UsageError, add_device_options, cli_log, existing_path, requested_device_ids
from .run import add_measurement_options, hms, sampling_interval

MODES = ("full_sync", "full_async", "raw_sync", "raw_async")
DEPRECATED_MODES = {"full": "full_sync", "raw": "raw_sync", "raw_async_single_thread": "raw_async"}
BAR_WIDTH = 20


def register(subparsers):
    parser = subparsers.add_parser("run2", help="Run networks (preview)")
    parser.add_argument("-t", "--time-to-run", type=int, default=5, help="Time to run (seconds)")
    parser.add_argument("-m", "--mode", default="full_sync", choices=MODES + tuple(DEPRECATED_MODES),
                        metavar="{" + ",".join(MODES) + "}", help="Inference mode")
    parser.add_argument("-j", "--json", default="", help="If set save statistics as json to the specified path")
    parser.add_argument("--scheduling-algorithm", choices=("round_robin", "none"), default="round_robin",
                        help="Scheduling algorithm")
    add_device_options(parser, support_asterisk=False)
    parser.add_argument("--device-count", type=int, help="VDevice device count")
    parser.add_argument("--group-id", default="UNIQUE", help="VDevice group id")
    parser.add_argument("--multi-process-service", action="store_true", help="VDevice multi process service")
    add_measurement_options(parser)
    parser.add_argument("--measure-latency", action="store_true", help="Measure network latency on the NN core")
    parser.add_argument("--measure-overall-latency", action="store_true", help="Measure overall latency")
    parser.add_argument("nets", nargs=argparse.REMAINDER, help="set-net <hef> [options] ... (one per network)")
    parser.set_defaults(execute=execute)


def _net_parser():
    net = Parser(prog="hailortcli run2 set-net", add_help=False)
    net.add_argument("hef", type=existing_path("hef"))
    net.add_argument("--name", default="", help="Network group name (default: the first one)")
    net.add_argument("--batch-size", type=int, default=0)
    net.add_argument("--scheduler-threshold", type=int, default=0)
    net.add_argument("--scheduler-timeout", type=int, default=0)
    net.add_argument("--scheduler-priority", type=int, default=16)
    net.add_argument("--framerate", type=float, default=0.0)
    return net


def _vstream_parser():
    vstream = Parser(prog="set-vstream", add_help=False)
    vstream.add_argument("name")
    vstream.add_argument("--input-file")
    vstream.add_argument("--type", choices=("auto", "uint8", "uint16", "float32"), default="auto")
    vstream.add_argument("--order", choices=tuple(ORDERS), default="auto", help="Format order")
    return vstream


# --order values (run2_command.cpp) -> hailo_format_order_t names (hef.model.FormatOrder)
ORDERS = {"auto": "AUTO", "nhwc": "NHWC", "nhcw": "NHCW", "fcr": "FCR", "f8cr": "F8CR", "nhw": "NHW", "nc": "NC",
          "bayer_rgb": "BAYER_RGB", "12_bit_bayer_rgb": "BAYER_RGB_12_BIT", "hailo_nms_by_class": "HAILO_NMS_BY_CLASS",
          "hailo_nms_by_score": "HAILO_NMS_BY_SCORE", "nchw": "NCHW", "yuy2": "YUY2", "nv12": "NV12", "nv21": "NV21",
          "rgb4": "RGB4", "i420": "I420"}


def parse_nets(tokens):
    """[(net args, [vstream args])] from ``set-net ... set-net ...``."""
    if not tokens:
        from hailort_sim.status import HailoStatus, raise_status
        raise_status(HailoStatus.HAILO_INVALID_OPERATION, "Nothing to run")
    if tokens[0] in ("measure-fw-actions", "collect-runtime-data"):
        # `run2 measure-fw-actions <hef> [net options] [--output-path P]`: the subcommand is a
        # network app of its own (run2_command.cpp), the same as `set-net <hef> measure-fw-actions`.
        return _fw_actions_form(tokens[1:])
    if tokens[0] != "set-net":
        raise UsageError("The following argument was not expected: " + tokens[0], 109)
    nets, current = [], None
    for token in tokens:
        if token == "set-net":
            current = [[]]
            nets.append(current)
        elif token in ("set-vstream", "set-stream"):
            current.append([])
        elif token in ("measure-fw-actions", "collect-runtime-data"):
            current.append(["__fw_actions__"])
        else:
            current[-1].append(token)
    parsed = []
    for position, parts in enumerate(nets):
        net = _net_parser().parse_args(parts[0])
        net.fw_actions = None
        vstreams = []
        for part in parts[1:]:
            if part and part[0] == "__fw_actions__":
                if position != len(nets) - 1 or part is not parts[-1]:
                    raise UsageError("measure-fw-actions must be the last subcommand", 109)
                net.fw_actions = _fw_actions_parser().parse_args(part[1:])
            else:
                vstreams.append(_vstream_parser().parse_args(part))
        parsed.append((net, vstreams))
    return parsed


def _fw_actions_form(tokens):
    output = [i for i, token in enumerate(tokens) if token == "--output-path" or token.startswith("--output-path=")]
    actions = []
    for i in reversed(output):
        take = 1 if "=" in tokens[i] else 2
        actions[:0], tokens = tokens[i:i + take], tokens[:i] + tokens[i + take:]
    net = _net_parser().parse_args(tokens)
    net.fw_actions = _fw_actions_parser().parse_args(actions)
    return [(net, [])]


def _fw_actions_parser():
    actions = Parser(prog="hailortcli run2 set-net measure-fw-actions", add_help=False)
    actions.add_argument("--output-path", default="runtime_data_<hef>.json",
                         help="Output file path (<hef> is replaced by the HEF's base name)")
    return actions


def _progress_block(drivers, elapsed, seconds, names_width, latency):
    fraction = min(elapsed / seconds, 1.0) if seconds else 1.0
    filled = int(fraction * BAR_WIDTH)
    bar = "[" + "=" * max(filled - 1, 0) + (">" if filled else "") + " " * (BAR_WIDTH - filled) + "] "
    lines = [bar + "{:>3}% ".format(int(fraction * 100)) + hms(seconds - elapsed if seconds else 0)]
    for d in drivers:
        fields = []
        if not latency:
            fields.append("fps: {:.2f}".format(d.done / elapsed if elapsed else 0.0))
        else:
            hw = d._hw_latency() if d.latencies else None
            fields.append("hw latency: {:.2f} ms".format(1000 * hw) if hw is not None else "hw latency: NaN (err)")
            if d.latencies:
                overall = 1000 * sum(d.latencies) / len(d.latencies)
                fields.append("overall latency: {:.2f} ms".format(overall))
        lines.append((d.spec.group.name + ":").ljust(names_width + 1) + " " + " | ".join(fields))
    return lines


def execute(args):
    from hailort_sim.hef.model import FormatOrder, FormatType
    from hailort_sim.pipeline import device_link, runner, vdevice
    mode = args.mode
    if mode in DEPRECATED_MODES:
        if mode in ("full", "raw"):
            cli_log("warning", "'{}' is deprecated, please use '{}' instead.".format(mode, DEPRECATED_MODES[mode]))
        mode = DEPRECATED_MODES[mode]
    if args.multi_process_service and mode.startswith("raw"):
        raise UsageError("--multi-process-service is allowed only with full_sync/full_async modes", 108)
    nets = parse_nets(args.nets)
    latency = args.measure_latency or args.measure_overall_latency
    if nets[-1][0].fw_actions is not None:
        return measure_fw_actions(args, mode, nets, latency)
    if latency and len(nets) > 1:
        from hailort_sim.status import HailoStatus, raise_status
        raise_status(HailoStatus.HAILO_INVALID_OPERATION, "Latency measurement is allowed only with one model")
    scheduling = 0 if args.scheduling_algorithm == "none" else 1
    if scheduling == 0 and len(nets) > 1:
        from hailort_sim.status import HailoStatus, raise_status
        raise_status(HailoStatus.HAILO_INVALID_OPERATION,
                     "When scheduling algorithm is none, only one network can be run")
    if len(nets) == 1 and scheduling == 1:
        cli_log("warning", '"hailortcli run2" is not optimized for single model usage. It is recommended to use '
                           '"hailortcli run" command for a single model')
    if latency:
        cli_log("warning", "Measuring latency; frames are sent one at a time and FPS will not be measured")
    specs = []
    for net, vstreams in nets:
        model = device_link.load_hef(net.hef)
        group = model.network_group(net.name or None)
        types = {v.type for v in vstreams if v.type != "auto"}
        user_type = FormatType[types.pop().upper()] if len(types) == 1 else FormatType.AUTO
        specs.append(runner.NetSpec(model, net.hef, group, batch_size=net.batch_size, user_type=user_type,
                                    input_files={v.name: v.input_file for v in vstreams if v.input_file},
                                    user_orders={v.name: FormatOrder[ORDERS[v.order]] for v in vstreams
                                                 if v.order != "auto"},
                                    scheduler_threshold=net.scheduler_threshold,
                                    scheduler_timeout_ms=net.scheduler_timeout,
                                    scheduler_priority=net.scheduler_priority, framerate=net.framerate))
    ids = requested_device_ids(args)
    config = vdevice.VDeviceConfig(device_count=args.device_count or len(ids or ()) or 1,
                                   device_ids=list(ids or ()), scheduling_algorithm=scheduling,
                                   group_id=args.group_id, multi_process_service=args.multi_process_service)
    shared = vdevice.acquire(config)
    names_width = max(len(s.group.name) for s in specs)
    shown = [0]
    interactive = sys.stdout.isatty()

    def progress(drivers, elapsed, final=False):
        if not (interactive or final) or (not final and elapsed - getattr(progress, "last", -1) < 1.0):
            return
        progress.last = elapsed
        lines = _progress_block(drivers, elapsed, args.time_to_run, names_width, latency)
        if shown[0]:
            sys.stdout.write("\x1b[{}A".format(shown[0]))
        prefix = "\x1b[2K" if interactive else ""
        sys.stdout.write("".join(prefix + line + "\n" for line in lines))
        sys.stdout.flush()
        shown[0] = len(lines)

    captured = {}

    def keep(drivers, elapsed):
        captured["drivers"] = drivers
        progress(drivers, elapsed)

    try:
        for spec in specs:
            device_link.check_compatible(spec.model, shared.devices)
        started = time.perf_counter()
        results, measurements = runner.run(
            shared, specs, hw_only=mode.startswith("raw"), seconds=args.time_to_run, latency=latency,
            power=args.measure_power, current=args.measure_current, temperature=args.measure_temp,
            sampling_interval_s=sampling_interval(args), progress=keep, serial=latency)
        elapsed = time.perf_counter() - started
        if "drivers" in captured:
            progress(captured["drivers"], args.time_to_run or elapsed, final=True)
    finally:
        vdevice.release(shared)
    for m in measurements:
        print("\nMeasurements for device " + m.device_id)
        for values, what, unit in ((m.power, "power consumption", "W"), (m.current, "current consumption", "mA"),
                                   (m.temperature, "chip temperature", "C")):
            if values:
                for label, value in zip(("Minimum", "Average", "Maximum"), values):
                    print("\t{} {}: {:.2f} {}".format(label, what, value, unit))
    if args.json:
        write_json(args, mode, specs, results, measurements, latency)
    return 0


def write_json(args, mode, specs, results, measurements, latency):
    groups = []
    for spec, result in zip(specs, results):
        entry = {"name": result.name, "full_hef_path": spec.hef_path}
        if not latency:
            entry["FPS"] = "{:.6f}".format(result.fps)
        if latency and result.hw_latency_ms is not None:
            entry["hw_latency"] = result.hw_latency_ms
        if latency and result.overall_latency_ms is not None and args.measure_overall_latency:
            entry["overall_latency"] = result.overall_latency_ms
        groups.append(entry)
    doc = {"time": time.ctime(), "inference_mode": mode, "network_groups": groups,
           "time_to_run": "{:.2f} seconds".format(args.time_to_run)}
    if measurements:
        devices = []
        for m in measurements:
            entry = {"device_id": m.device_id}
            for key, values, unit in (("power", m.power, "W"), ("current", m.current, "mA"),
                                      ("temperature", m.temperature, "C")):
                if values:
                    entry[key] = {"min": "{:.6f} {}".format(values[0], unit),
                                  "max": "{:.6f} {}".format(values[2], unit),
                                  "average": "{:.6f} {}".format(values[1], unit)}
            devices.append(entry)
        doc["devices"] = devices
    with open(args.json, "w") as out:
        json.dump(doc, out, indent=4)


FW_ACTIONS_BATCHES = (1, 2, 4, 8, 16)


def measure_fw_actions(args, mode, nets, latency):
    """``set-net x.hef measure-fw-actions``: run the model at each batch size (or the one given)
    with the scheduler off and record, per run, what the simulated firmware did: frames, FPS,
    the device time per batch and per frame. The real file feeds the DFC's runtime profiler and
    is undocumented; this one keeps the same name, one entry per batch size."""
    import os
    from hailort_sim.pipeline import device_link, runner, vdevice
    if len(nets) != 1:
        raise UsageError("measure-fw-actions supports a single model", 109)
    if not mode.startswith("raw"):
        raise UsageError("measure-fw-actions requires --mode raw_sync or raw_async", 109)
    if args.multi_process_service or latency or (args.device_count or 1) > 1:
        raise UsageError("measure-fw-actions excludes the multi-process service, several devices and latency "
                         "measurement", 108)
    net, _ = nets[0]
    model = device_link.load_hef(net.hef)
    group = model.network_group(net.name or None)
    batches = (net.batch_size,) if net.batch_size else FW_ACTIONS_BATCHES
    base = os.path.splitext(os.path.basename(net.hef))[0]
    path = net.fw_actions.output_path.replace("<hef>", base)
    ids = requested_device_ids(args)
    runs = []
    for batch in batches:
        shared = vdevice.acquire(vdevice.VDeviceConfig(device_ids=list(ids or ()), group_id=args.group_id))
        try:
            device_link.check_compatible(model, shared.devices)
            spec = runner.NetSpec(model, net.hef, group, batch_size=batch)
            results, _ = runner.run(shared, [spec], hw_only=True, seconds=args.time_to_run)
            timing = device_link.timing(group, shared.devices[0])
        finally:
            vdevice.release(shared)
        result = results[0]
        print("Batch size {}: fps: {:.2f}".format(batch, result.fps))
        runs.append({"batch_size": batch, "frames": result.frames, "fps": result.fps,
                     "contexts": group.contexts_count,
                     "batch_time_ms": 1000.0 * (timing.latency + (batch - 1) * timing.frame_time),
                     "frame_time_ms": 1000.0 * timing.frame_time})
    doc = {"hef_path": os.path.abspath(net.hef), "network_group_name": group.name,
           "inference_mode": mode, "runs": runs}
    with open(path, "w") as out:
        json.dump(doc, out, indent=4)
    print("Runtime data written to '{}'".format(path))
    return 0

"""``hailortcli benchmark`` (guide §7.4, spec §12.5): FPS hw-only, FPS streaming (+ power) and
latency, each a ``run`` of ``--time-to-run`` seconds, then a summary."""
import argparse
import sys

from .common import existing_path
from .run import AVERAGING_FACTORS, SAMPLING_PERIODS, add_vdevice_options, open_vdevice, run_hef

CSV_HEADER = ("net_name,fps,hw_only_fps,num_of_frames,num_of_frames_hw_only,hw_latency,overall_latency,"
              "min_power,average_power,max_power")


def register(subparsers):
    parser = subparsers.add_parser("benchmark", help="Measure basic performance on compiled network")
    parser.add_argument("hef", type=existing_path("hef"), help="An existing HEF file path")
    add_vdevice_options(parser)
    parser.add_argument("-t", "--time-to-run", type=int, default=15, help="Measurement time in seconds per hef")
    parser.add_argument("--batch-size", type=int, default=1, help="Inference batch")
    parser.add_argument("--power-mode", choices=("performance", "ultra_performance"), default="performance")
    parser.add_argument("--input-files", nargs="+", action="extend", default=[], metavar="INPUT=FILE",
                        help="Input file path(s), given as <input name>=<file> (UINT8 data)")
    parser.add_argument("--csv", help="If set print the output as csv to the specified path")
    parser.add_argument("--sampling-period", choices=SAMPLING_PERIODS, default="1100", help="Sampling Period [us]")
    parser.add_argument("--averaging-factor", choices=AVERAGING_FACTORS, default="256", help="Averaging Factor")
    parser.set_defaults(execute=execute)


def _run_args(args, mode, power=False, latency=False):
    return argparse.Namespace(
        hef=args.hef, mode=mode, frames_count=0, time_to_run=args.time_to_run, batch_size=args.batch_size,
        net_batch_size=[], user_format_type="auto", input_files=args.input_files, dot=None,
        measure_latency=latency, measure_overall_latency=latency, measure_power=power, measure_current=False,
        measure_temp=False, sampling_period=args.sampling_period, averaging_factor=args.averaging_factor,
        show_progress=True, run_subcommand=None)


def execute(args):
    from hailort_sim.pipeline import device_control, vdevice
    shared = open_vdevice(args)
    try:
        can_measure_power = not args.multi_process_service
        try:
            device_control.PowerSensor.of(shared.devices[0])._check_supported() if shared.devices else None
        except Exception:
            can_measure_power = False
        print("Starting Measurements...")
        print("Measuring FPS in HW-only mode")
        hw_results, _ = run_hef(_run_args(args, "hw_only"), args.hef, shared, report=False)
        print("Measuring FPS (and Power on supported platforms) in streaming mode")
        streaming_results, measurements = run_hef(_run_args(args, "streaming", power=can_measure_power),
                                                  args.hef, shared, report=False)
        print("Measuring HW Latency")
        latency_results, _ = run_hef(_run_args(args, "streaming", latency=True), args.hef, shared, report=False)
    finally:
        vdevice.release(shared)
    hw, streaming, latency = hw_results[0], streaming_results[0], latency_results[0]
    lines = ["", "=======", "Summary", "=======",
             "FPS     (hw_only)                 = {:g}".format(hw.fps),
             "        (streaming)               = {:g}".format(streaming.fps)]
    if latency.hw_latency_ms is not None:
        lines.append("Latency (hw)                      = {:g} ms".format(latency.hw_latency_ms))
    if latency.overall_latency_ms is not None:
        lines.append("        (overall)                 = {:g} ms".format(latency.overall_latency_ms))
    for m in measurements:
        if m.power:
            lines.append("Device {}:".format(m.device_id))
            lines.append("  Power in streaming mode (average) = {:g} W".format(m.power[1]))
            lines.append("                          (max)     = {:g} W".format(m.power[2]))
    print("\n".join(lines))
    if args.csv:
        m = measurements[0] if measurements and measurements[0].power else None
        power = ["{:g}".format(v) for v in m.power] if m else ["", "", ""]
        row = [streaming.name, "{:g}".format(streaming.fps), "{:g}".format(hw.fps), str(streaming.frames),
               str(hw.frames), "{:g}".format(latency.hw_latency_ms or 0), "{:g}".format(latency.overall_latency_ms or 0)]
        with open(args.csv, "w") as out:
            out.write(CSV_HEADER + "\n" + ",".join(row + power) + "\n")
    sys.stdout.flush()
    return 0

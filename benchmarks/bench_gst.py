#!/usr/bin/python3
"""GStreamer hailonet benchmarks: figures and ratios measured in one run.

1. Element cost per frame with zero simulated device time: the time per frame hailonet adds to
   ``videotestsrc ! <caps> ! hailonet ! fakesink`` once running (frame period at the sink; the
   same pipeline without hailonet is measured in the same round and subtracted) against the cost per frame of the same model
   through InferModel's ``run_async`` (a 224x224x3 identity model: one RGB frame in, one out).
   Ratio = element / InferModel; the two are measured in alternating rounds.
2. Timing fidelity: measured FPS of a saturated pipeline against the model's configured FPS
   (goal: within 2 %).

Runs under the system's Python (GStreamer's Python bindings are Debian packages):

    /usr/bin/python3 benchmarks/bench_gst.py [--frames N] [--rounds R]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RUNTIME = os.path.join(HERE, "..", "runtime")
sys.path.insert(0, RUNTIME)

import numpy as np  # noqa: E402

from bench_inference import shortcut_hef, sim_config  # noqa: E402  (this folder: the same identity model)

SHAPE = (224, 224, 3)
CAPS = "video/x-raw,format=RGB,width=224,height=224"


def run_pipeline(Gst, text, stamps=None):
    """Seconds from PLAYING to EOS; ``stamps`` gets the arrival time of each frame at the sink."""
    pipeline = Gst.parse_launch(text)
    if stamps is not None:
        pad = pipeline.get_by_name("sink").get_static_pad("sink")
        pad.add_probe(Gst.PadProbeType.BUFFER, lambda _pad, _info: stamps.append(time.perf_counter())
                      or Gst.PadProbeReturn.OK)
    start = time.perf_counter()
    pipeline.set_state(Gst.State.PLAYING)
    message = pipeline.get_bus().timed_pop_filtered(600 * Gst.SECOND, Gst.MessageType.EOS | Gst.MessageType.ERROR)
    elapsed = time.perf_counter() - start
    pipeline.set_state(Gst.State.NULL)
    if message is None or message.type != Gst.MessageType.EOS:
        raise SystemExit(f"pipeline failed: {message.parse_error()[0].message if message else 'timeout'}")
    return elapsed


def steady_period(stamps):
    """Seconds per frame at the sink once running (a least-squares line over the frames after the
    first tenth): what the element costs per frame, not its start-up (VDevice, HEF, configure)."""
    skip = len(stamps) // 10
    return float(np.polyfit(np.arange(len(stamps) - skip), np.array(stamps[skip:]), 1)[0])


def infer_model_seconds(path, frames):
    """Seconds for ``frames`` frames through run_async, the queue kept full (a fresh output per frame,
    as hailonet allocates one per frame)."""
    from hailo_platform import HailoSchedulingAlgorithm, VDevice
    params = VDevice.create_params()
    params.scheduling_algorithm = HailoSchedulingAlgorithm.ROUND_ROBIN
    frame = np.zeros(SHAPE, np.uint8)
    done = threading.Semaphore(0)
    with VDevice(params) as vdevice:
        with vdevice.create_infer_model(path).configure() as configured:
            start = time.perf_counter()
            for _ in range(frames):
                bindings = configured.create_bindings(input_buffers={"shortcut/input_layer1": frame},
                                                      output_buffers={"shortcut/output_layer1": np.empty(SHAPE,
                                                                                                         np.uint8)})
                configured.wait_for_async_ready(timeout_ms=10000)
                configured.run_async([bindings], lambda completion_info: done.release())
            for _ in range(frames):
                done.acquire()
            return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=1000, help="frames per measurement")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        config = sim_config(tmp)
        # libgsthailo.so, the plugin of the elements, built from this tree as the recipe builds it
        subprocess.run(["make", "-s", "-C", os.path.join(RUNTIME, "gst-plugin"), f"O={tmp}",
                        f"PYTHON={sys.executable}"], check=True)
        os.environ.update(HAILORT_SIM_CONFIG=config, HAILORT_LOGGER_PATH="NONE", TMPDIR=tmp,
                          GST_REGISTRY=os.path.join(tmp, "registry.bin"), GST_PLUGIN_PATH=tmp,
                          PYTHONPATH=os.path.abspath(RUNTIME) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        tempfile.tempdir = tmp
        import gi
        gi.require_version("Gst", "1.0")
        from gi.repository import Gst
        Gst.init(None)
        from hailort_sim.pipeline import device_link

        n = args.frames
        path = shortcut_hef(tmp, "shortcut", SHAPE)
        source = f"videotestsrc num-buffers={n} pattern=black ! {CAPS}"
        print(f"Element cost per frame, zero simulated device time ({n} frames of RGB 224x224; medians of "
              f"{args.rounds} alternating rounds)")
        print("  load average before: {:.2f} {:.2f} {:.2f} ({} CPUs)".format(*os.getloadavg(), os.cpu_count()))
        device_link.set_timing_override(lambda group, device: (0.0, 0.0))
        rows = []
        for _ in range(args.rounds):
            bare, with_net = [], []
            run_pipeline(Gst, f"{source} ! fakesink name=sink sync=false", bare)
            run_pipeline(Gst, f"{source} ! hailonet hef-path={path} ! fakesink name=sink sync=false", with_net)
            model = infer_model_seconds(path, n)
            rows.append((steady_period(with_net) - steady_period(bare), model / n))
        element = statistics.median(e for e, _ in rows)
        model = statistics.median(m for _, m in rows)
        ratios = [e / m for e, m in rows]
        print(f"  hailonet {element * 1e6:8.0f} us/frame  InferModel run_async {model * 1e6:8.0f} us/frame  "
              f"ratio {statistics.median(ratios):.2f} (rounds {min(ratios):.2f}-{max(ratios):.2f})")
        print("  load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        device_link.set_timing_override(None)

        print("Timing fidelity (saturated videotestsrc ! hailonet ! fakesink, measured vs configured FPS)")
        for fps in (100.0, 200.0, 400.0):
            model_path = shortcut_hef(tmp, f"shortcut_{int(fps)}", SHAPE, fps)
            frames = int(fps * 4)
            stamps = []
            run_pipeline(Gst, f"{source.replace(str(n), str(frames), 1)} ! hailonet hef-path={model_path} ! "
                         "fakesink name=sink sync=false", stamps)
            measured = 1.0 / steady_period(stamps)
            print(f"  configured {fps:6.1f}  measured {measured:8.2f}  error {100.0 * (measured - fps) / fps:+.2f} %"
                  "   goal: within 2 %")
    return 0


if __name__ == "__main__":
    sys.exit(main())

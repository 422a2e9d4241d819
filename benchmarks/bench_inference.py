#!/usr/bin/env python3
"""Inference pipeline benchmarks: figures and ratios measured in one run.

1. Async throughput with zero simulated device time (the host pipeline's own cost) for a
   1x1x16 u8 model and a 640x640x3 u8 model, against a bare numpy loop copying the same
   buffers (input -> output, one copy per frame, the least any pipeline must do).
   Goals: >= 20k frames/s for the tiny model, >= 0.8x the copy loop for the large one. The two
   are measured in alternating rounds (the machine's load average is printed before and after).
   For the large model a third figure in the same rounds, the handoff floor: the least any
   asynchronous pipeline does, a worker thread that only copies the frames one thread hands it
   (no device, scheduler or callbacks); on a machine where that stays below 0.8x of the copy
   loop, so does every pipeline whose run_async returns before the frame is processed.
2. Timing fidelity: measured FPS of a saturated model against its configured FPS
   (goal: within 2 %), for a few frame rates.

    python benchmarks/bench_inference.py [--seconds S]
"""
import argparse
import os
import statistics
import sys
import tempfile
import threading
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "runtime"))

from hailort_sim.hef.model import QuantInfo  # noqa: E402
from hailort_sim.hef.writer import HefSpec, LayerSpec, NetworkGroupSpec, write_hef  # noqa: E402
from hailort_sim.pipeline import device_link  # noqa: E402

IDENTITY = QuantInfo(0.0, 1.0, 0.0, 255.0)


def sim_config(directory):
    """A simulated Hailo-8 inventory (HAILORT_SIM_CONFIG's file) in ``directory``; its path."""
    path = os.path.join(directory, "hailort-sim.conf")
    with open(path, "w") as out:
        out.write("[device0]\narchitecture = HAILO8\n")
    return path


def shortcut_hef(directory, name, shape, fps=0.0):
    group = NetworkGroupSpec(name, inputs=[LayerSpec("input_layer1", shape, order="NHWC", quant=IDENTITY)],
                             outputs=[LayerSpec("output_layer1", shape, order="NHWC", quant=IDENTITY)],
                             bottleneck_fps=fps)
    path = os.path.join(directory, name + ".hef")
    with open(path, "wb") as out:
        out.write(write_hef(HefSpec([group])))
    return path


def async_vs_copy(path, shape, seconds, rounds):
    """Per round, frames/s of the async pipeline, of the copy loop and of the handoff floor,
    measured in turn.

    The pipeline: run_async + callbacks from one thread keeping the queue full. Alternating
    short windows of the two keeps the ratio fair on a shared machine whose load drifts.
    """
    from hailo_platform import HailoSchedulingAlgorithm, VDevice
    params = VDevice.create_params()
    params.scheduling_algorithm = HailoSchedulingAlgorithm.ROUND_ROBIN
    done = [0]
    lock = threading.Lock()

    def callback(completion_info):
        with lock:
            done[0] += 1

    window = seconds / rounds
    figures = []
    with VDevice(params) as vdevice:
        infer_model = vdevice.create_infer_model(path)
        with infer_model.configure() as configured:
            pool = []
            for _ in range(8):
                bindings = configured.create_bindings()
                bindings.input().set_buffer(np.random.default_rng(0).integers(0, 255, shape, dtype=np.uint8))
                bindings.output().set_buffer(np.empty(shape, np.uint8))
                pool.append(bindings)
            for _ in range(rounds):
                submitted, start = 0, time.perf_counter()
                while time.perf_counter() - start < window:
                    configured.wait_for_async_ready(timeout_ms=10000)
                    configured.run_async([pool[submitted % len(pool)]], callback)
                    submitted += 1
                configured.wait_for_async_ready(timeout_ms=10000)
                configured.run_async([pool[0]], callback).wait(10000)
                pipeline = (submitted + 1) / (time.perf_counter() - start)
                figures.append((pipeline, copy_loop(shape, window), handoff_floor(shape, window)))
    return figures


def frame_pool(shape):
    """Eight (input, output) buffer pairs of ``shape``: the frames the baselines copy."""
    return [(np.random.default_rng(0).integers(0, 255, shape, dtype=np.uint8), np.empty(shape, np.uint8))
            for _ in range(8)]


def spread(ratios):
    """(median, lowest, highest) of a round's ratios."""
    ratios = list(ratios)
    return statistics.median(ratios), min(ratios), max(ratios)


def handoff_floor(shape, seconds):
    """Frames/s of the minimal asynchronous pipeline: this thread hands frames (8 in flight) to
    one worker thread that copies each input buffer into its output buffer, taking all that is
    queued at each wake-up."""
    pool = frame_pool(shape)
    queued, cond, slots, stop = [], threading.Condition(), threading.Semaphore(len(pool)), []

    def worker():
        while True:
            with cond:
                while not queued and not stop:
                    cond.wait()
                if not queued:
                    return
                jobs = queued[:]
                del queued[:]
            for src, dst in jobs:
                np.copyto(dst, src)
                slots.release()

    thread = threading.Thread(target=worker)
    thread.start()
    frames, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        slots.acquire()
        with cond:
            queued.append(pool[frames % len(pool)])
            cond.notify()
        frames += 1
    with cond:
        stop.append(True)
        cond.notify()
    thread.join()
    return frames / (time.perf_counter() - start)


def copy_loop(shape, seconds):
    """Frames/s of a bare numpy loop copying one input buffer into one output buffer."""
    pool = frame_pool(shape)
    frames, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        src, dst = pool[frames % len(pool)]
        np.copyto(dst, src)
        frames += 1
    return frames / (time.perf_counter() - start)


def timing_fidelity(path, fps, seconds):
    """Measured frames/s of a saturated model configured to ``fps`` (after a warm-up)."""
    from hailo_platform import HailoSchedulingAlgorithm, VDevice
    params = VDevice.create_params()
    params.scheduling_algorithm = HailoSchedulingAlgorithm.ROUND_ROBIN
    stamps = []

    def callback(completion_info):
        stamps.append(time.perf_counter())

    with VDevice(params) as vdevice:
        with vdevice.create_infer_model(path).configure() as configured:
            bindings = configured.create_bindings()
            bindings.input().set_buffer(np.zeros((1, 1, 16), np.uint8))
            bindings.output().set_buffer(np.zeros((1, 1, 16), np.uint8))
            start = time.perf_counter()
            while time.perf_counter() - start < seconds + 0.5:
                configured.wait_for_async_ready(timeout_ms=10000)
                configured.run_async([bindings], callback)
            configured.wait_for_async_ready(timeout_ms=10000)
            configured.run_async([bindings]).wait(10000)
    window = [t for t in stamps if t >= start + 0.5]      # skip the warm-up
    return (len(window) - 1) / (window[-1] - window[0])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="measurement time per figure")
    parser.add_argument("--rounds", type=int, default=5, help="alternating pipeline/copy-loop rounds")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["HAILORT_SIM_CONFIG"] = sim_config(tmp)
        os.environ.setdefault("HAILORT_LOGGER_PATH", "NONE")
        tempfile.tempdir = tmp              # private device lock files

        print("Async throughput, zero simulated device time (frames/s; medians of {} alternating rounds)".format(
            args.rounds))
        print("  load average before: {:.2f} {:.2f} {:.2f} ({} CPUs)".format(*os.getloadavg(), os.cpu_count()))
        device_link.set_timing_override(lambda group, device: (0.0, 0.0))
        for name, shape, goal in (("tiny", (1, 1, 16), "pipeline >= 20000 frames/s"),
                                  ("large", (640, 640, 3), "ratio >= 0.8")):
            path = shortcut_hef(tmp, "bench_" + name, shape)
            figures = async_vs_copy(path, shape, args.seconds, args.rounds)
            pipeline = statistics.median(p for p, _, _ in figures)
            baseline = statistics.median(c for _, c, _ in figures)
            floor = statistics.median(f for _, _, f in figures)
            print("  {:<5} {:>13}: pipeline {:>10.0f}  copy loop {:>10.0f}  ratio {:.3f} (rounds {:.2f}-{:.2f})"
                  "   goal: {}".format(name, "x".join(map(str, shape)), pipeline, baseline,
                                       *spread(p / c for p, c, _ in figures), goal))
            print("  {:<5} {:>13}  handoff floor {:>7.0f}  ratio {:.3f} (rounds {:.2f}-{:.2f})   the least "
                  "an asynchronous pipeline does".format("", "", floor, *spread(f / c for _, c, f in figures)))
        print("  load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        device_link.set_timing_override(None)

        print("Timing fidelity (saturated 1x1x16 model, measured vs configured FPS)")
        for fps in (200.0, 1000.0, 2500.0):
            path = shortcut_hef(tmp, "bench_fps_{}".format(int(fps)), (1, 1, 16), fps=fps)
            measured = timing_fidelity(path, fps, args.seconds)
            print("  configured {:>7.1f}  measured {:>8.2f}  error {:+.2f} %   goal: within 2 %".format(
                fps, measured, 100.0 * (measured - fps) / fps))
    return 0


if __name__ == "__main__":
    sys.exit(main())

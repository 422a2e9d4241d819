"""Frames/s through hailort_service vs in-process, for a 640x640x3 model (yolov8n sample).

    python benchmarks/bench_service.py [--frames 400] [--depth 8] [--rounds 3]

One run, same machine, same model, same API (hailo_platform async InferModel, uint8 input,
NMS output): in-process VDevice, then VDevice(multi_process_service=True) with frames in
shared memory (the default), then with frames in the socket
(HAILO_SERVICE_SHARED_MEMORY_OFF=1); then the same three at the pipeline's Backend seam
(no host-side conversion, so only the IPC differs); then the cost of moving one frame.
CPU ms per frame (this process + the service) is the figure to trust on a busy machine.
The simulated device is made fast (``[network_group yolov8n] fps``) so the figures measure
the runtime and the IPC, not the device's timing model. A private service is started on a
private socket and stopped.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "runtime"))

CONFIG = """[device0]
architecture = HAILO8
[network_group yolov8n]
fps = 1000000
latency_ms = 0.001
"""


SERVICE_PID = None


def cpu_seconds():
    """CPU time used so far by this process and the service (all threads): unlike frames/s,
    barely moved by other jobs on the machine."""
    own = os.times()
    total = own.user + own.system
    if SERVICE_PID is not None:
        fields = open("/proc/{}/stat".format(SERVICE_PID)).read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def measure(hef_path, frames, depth, multi_process_service):
    import numpy as np
    from hailo_platform import HailoSchedulingAlgorithm, VDevice
    params = VDevice.create_params()
    params.scheduling_algorithm = HailoSchedulingAlgorithm.ROUND_ROBIN
    params.multi_process_service = multi_process_service
    params.group_id = "SHARED"
    with VDevice(params) as vdevice:
        infer_model = vdevice.create_infer_model(hef_path)
        infer_model.set_batch_size(1)
        with infer_model.configure() as configured:
            image = np.random.default_rng(0).integers(0, 256, infer_model.input().shape, dtype=np.uint8)
            pool = []
            for _ in range(depth):
                bindings = configured.create_bindings()
                bindings.input().set_buffer(image)
                for name in infer_model.output_names:
                    bindings.output(name).set_buffer(
                        np.empty(infer_model.output(name).shape, dtype=np.float32))
                pool.append(bindings)

            def run(count):
                job = None
                for index in range(count):
                    configured.wait_for_async_ready(timeout_ms=10000)
                    job = configured.run_async([pool[index % depth]], lambda completion_info: None)
                job.wait(30000)
            run(depth * 2)                       # warm up
            start, cpu = time.perf_counter(), cpu_seconds()
            run(frames)
            return frames / (time.perf_counter() - start), (cpu_seconds() - cpu) * 1000 / frames


def measure_seam(hef_path, frames, depth, multi_process_service):
    """The same frames at the pipeline's Backend seam (quantized device frames, no host-side
    conversion): LocalBackend vs RemoteBackend, so the IPC is all that differs."""
    import threading
    import numpy as np
    from hailort_sim.hef import reader
    from hailort_sim.pipeline import vdevice
    group = reader.read_hef(hef_path).network_groups[0]
    info = group.input_vstreams[0]
    frame = np.random.default_rng(0).integers(0, 256, (1,) + tuple(info.shape), dtype=np.uint8)
    config = vdevice.VDeviceConfig(scheduling_algorithm=1, group_id="SHARED",
                                   multi_process_service=multi_process_service)
    shared = vdevice.acquire(config)
    try:
        backend = shared.backend
        core_op = backend.configure(group, 1)
        slots = threading.Semaphore(depth)
        finished = threading.Event()
        count = [0]

        def done(status, outputs):
            count[0] += 1
            slots.release()
            if count[0] == total[0]:
                finished.set()

        def run(n):
            count[0], total[0] = 0, n
            finished.clear()
            for _ in range(n):
                slots.acquire()
                backend.submit(core_op, {info.name: frame}, 1, done)
            finished.wait(60)
        total = [0]
        run(depth * 2)
        start, cpu = time.perf_counter(), cpu_seconds()
        run(frames)
        result = frames / (time.perf_counter() - start), (cpu_seconds() - cpu) * 1000 / frames
        backend.release_core_op(core_op)
        return result
    finally:
        vdevice.release(shared)


def transfer_cost(frames=300):
    """Milliseconds to move one 640x640x3 frame to another thread's socket end (the
    in-band path: send + receive) vs into the shared-memory arena (put + free)."""
    import socket
    import threading
    import numpy as np
    from hailort_sim.service import protocol
    from hailort_sim.service.shm import ClientArena
    frame = np.random.default_rng(0).integers(0, 256, (1, 640, 640, 3), dtype=np.uint8)
    arena = ClientArena()
    start = time.perf_counter()
    for _ in range(frames):
        arena.free(arena.put(frame)[0])
    shm_ms = (time.perf_counter() - start) / frames * 1000
    arena.close()
    left, right = socket.socketpair()
    reader = threading.Thread(target=lambda: [protocol.recv_message(right) for _ in range(frames)])
    reader.start()
    start = time.perf_counter()
    for index in range(frames):
        protocol.send_message(left, {"op": "submit", "id": index}, [frame.data])
    reader.join()
    socket_ms = (time.perf_counter() - start) / frames * 1000
    left.close()
    right.close()
    return shm_ms, socket_ms


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=400)
    parser.add_argument("--depth", type=int, default=8, help="frames in flight")
    parser.add_argument("--rounds", type=int, default=3,
                        help="the three paths are measured in turn this many times; best kept")
    args = parser.parse_args()
    home = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        config = os.path.join(tmp, "hailort-sim.conf")
        with open(config, "w") as handle:
            handle.write(CONFIG)
        os.environ.update({
            "HAILORT_SIM_CONFIG": config,
            "HAILORT_SERVICE_ADDRESS": "unix://" + os.path.join(tmp, "hailort_uds.sock"),
            "HAILORT_SIM_SERVICE_PIDFILE": os.path.join(tmp, "hailort_service.pid"),
            "HAILORT_LOGGER_PATH": tmp,
            "PYTHONPATH": os.path.join(os.path.dirname(HERE), "runtime"),
        })
        os.chdir(tmp)   # pyhailort.log and friends land in the temporary directory
        from hailort_sim.hef import samples
        (hef_path,) = samples.write_samples(tmp, ["yolov8n"])
        service = subprocess.Popen([sys.executable, "-m", "hailort_sim.service.daemon", "standalone"],
                                   stderr=subprocess.DEVNULL)
        global SERVICE_PID
        SERVICE_PID = service.pid
        best = {}   # path -> [best frames/s, least CPU ms per frame]
        try:
            sock = os.environ["HAILORT_SERVICE_ADDRESS"][len("unix://"):]
            deadline = time.monotonic() + 10
            while not os.path.exists(sock) and time.monotonic() < deadline:
                time.sleep(0.05)
            paths = [("in-process", False, False), ("shm", True, False), ("socket", True, True)]
            for round_index in range(args.rounds):
                # interleaved and rotated: load from elsewhere, and whatever a run leaves
                # behind for the next one, hit every path alike
                order = paths[round_index % 3:] + paths[:round_index % 3]
                for prefix, func in (("", measure), ("seam ", measure_seam)):
                    for name, service_on, shm_off in order:
                        if shm_off:
                            os.environ["HAILO_SERVICE_SHARED_MEMORY_OFF"] = "1"
                        fps, cpu_ms = func(hef_path, args.frames, args.depth, service_on)
                        os.environ.pop("HAILO_SERVICE_SHARED_MEMORY_OFF", None)
                        entry = best.setdefault(prefix + name, [0.0, float("inf")])
                        entry[0], entry[1] = max(entry[0], fps), min(entry[1], cpu_ms)
        finally:
            service.terminate()
            service.wait(10)
            os.chdir(home)
    print("yolov8n 640x640x3 uint8, {} frames, {} in flight, best of {} rounds".format(
        args.frames, args.depth, args.rounds))
    print("{:<58}{:>10}{:>8}{:>14}".format("path", "frames/s", "ratio", "CPU ms/frame"))
    for prefix, title in (("", "hailo_platform async API"), ("seam ", "Backend seam")):
        base = best[prefix + "in-process"][0]
        for name, label in (("in-process", "in-process"), ("shm", "service, frames in shared memory"),
                            ("socket", "service, frames in the socket")):
            fps, cpu_ms = best[prefix + name]
            print("{:<58}{:>10.1f}{:>8.2f}{:>14.2f}".format(title + ": " + label, fps, fps / base, cpu_ms))
    print("service/in-process ratio (hailo_platform): {:.2f}; shared memory vs socket: {:.2f}x".format(
        best["shm"][0] / best["in-process"][0], best["shm"][0] / best["socket"][0]))
    shm_ms, socket_ms = transfer_cost()
    print("one 640x640x3 frame: {:.3f} ms into shared memory, {:.3f} ms through the socket "
          "({:.1f}x)".format(shm_ms, socket_ms, socket_ms / shm_ms))


if __name__ == "__main__":
    main()

"""Frames/s through hailort_service vs in-process, for a 640x640x3 model (yolov8n sample).

    python benchmarks/bench_service.py [--frames 400] [--depth 8]

One run, same machine, same model, same API (hailo_platform async InferModel, uint8 input,
NMS output): in-process VDevice, then VDevice(multi_process_service=True) with frames in
shared memory (the default), then with frames in the socket
(HAILO_SERVICE_SHARED_MEMORY_OFF=1). The simulated device is made fast
(``[network_group yolov8n] fps``) so the figures measure the runtime and the IPC, not the
device's timing model. A private service is started on a private socket and stopped.
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
            start = time.perf_counter()
            run(frames)
            return frames / (time.perf_counter() - start)


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
        best = {"in-process": 0.0, "shm": 0.0, "socket": 0.0}
        try:
            sock = os.environ["HAILORT_SERVICE_ADDRESS"][len("unix://"):]
            deadline = time.monotonic() + 10
            while not os.path.exists(sock) and time.monotonic() < deadline:
                time.sleep(0.05)
            for _ in range(args.rounds):   # interleaved, so that load from elsewhere hits all
                best["in-process"] = max(best["in-process"], measure(hef_path, args.frames, args.depth, False))
                best["shm"] = max(best["shm"], measure(hef_path, args.frames, args.depth, True))
                os.environ["HAILO_SERVICE_SHARED_MEMORY_OFF"] = "1"
                best["socket"] = max(best["socket"], measure(hef_path, args.frames, args.depth, True))
                del os.environ["HAILO_SERVICE_SHARED_MEMORY_OFF"]
        finally:
            service.terminate()
            service.wait(10)
            os.chdir(home)
    in_process, shm, inband = best["in-process"], best["shm"], best["socket"]
    print("yolov8n 640x640x3 uint8, {} frames, {} in flight, best of {} rounds".format(
        args.frames, args.depth, args.rounds))
    print("{:<40}{:>12}{:>10}".format("path", "frames/s", "ratio"))
    for name, fps in (("in-process VDevice", in_process),
                      ("service, frames in shared memory", shm),
                      ("service, frames in the socket", inband)):
        print("{:<40}{:>12.1f}{:>10.2f}".format(name, fps, fps / in_process))
    print("service/in-process ratio: {:.2f} (shared memory vs socket: {:.2f}x)".format(
        shm / in_process, shm / inband))
    shm_ms, socket_ms = transfer_cost()
    print("one 640x640x3 frame: {:.3f} ms into shared memory, {:.3f} ms through the socket "
          "({:.1f}x)".format(shm_ms, socket_ms, socket_ms / shm_ms))


if __name__ == "__main__":
    main()

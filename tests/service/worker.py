"""A client process for the service tests: ``python worker.py MODE JSON-ARGS``.

* ``run``: configure the given models on a service VDevice (group "SHARED"), push
  ``frames`` frames through each from their own threads, and check every output against
  the simulated device's compute contract computed here, in-process. Prints one JSON line:
  ``{"ok": {model: frames that matched}, "bad": n, "errors": [...]}``.
* ``loop``: push frames one at a time, each waited for, until one fails; prints
  ``{"failed_at": time.time(), "status": "HAILO_..."}`` - the test compares it with the
  moment it killed the service.
"""
import json
import os
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402

from service_helpers import make_group  # noqa: E402
from hailort_sim.pipeline import device_link  # noqa: E402
from hailort_sim.service.remote_backend import RemoteBackend  # noqa: E402
from hailort_sim.status import HailoStatus  # noqa: E402


def _group(spec):
    return make_group(spec["name"], tuple(spec["shape"]), tuple(spec.get("out_shape") or spec["shape"]),
                      fps=spec.get("fps", 0.0))


def run(args):
    backend = RemoteBackend({"scheduling_algorithm": 1, "group_id": args.get("group_id", "SHARED")})
    print(json.dumps({"ready": os.getpid()}), flush=True)
    ok, bad, errors = {}, [0], []
    lock = threading.Lock()

    def drive(spec):
        group = _group(spec)
        core_op = backend.configure(group, spec.get("batch", 1))
        in_info = group.input_vstreams[0]
        rng = np.random.default_rng(spec.get("seed", 0) + os.getpid())
        all_done = threading.Event()
        count = [0]
        for _ in range(args["frames"]):
            frame = rng.integers(0, 256, (1,) + tuple(in_info.shape), dtype=np.uint8)
            expected = device_link.compute(group, {in_info.name: frame}, 1)

            def done(status, outputs, expected=expected):
                with lock:
                    if status != HailoStatus.HAILO_SUCCESS:
                        errors.append(HailoStatus(status).name)
                    elif all(np.array_equal(outputs[k], v) for k, v in expected.items()):
                        ok[group.name] = ok.get(group.name, 0) + 1
                    else:
                        bad[0] += 1
                    count[0] += 1
                    if count[0] == args["frames"]:
                        all_done.set()
            backend.submit(core_op, {in_info.name: frame}, 1, done)
        if not all_done.wait(60):
            errors.append("timeout")
        backend.release_core_op(core_op)

    threads = [threading.Thread(target=drive, args=(spec,)) for spec in args["models"]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    backend.release()
    print(json.dumps({"ok": ok, "bad": bad[0], "errors": errors}), flush=True)


def loop(args):
    backend = RemoteBackend({"scheduling_algorithm": 1, "group_id": "SHARED"})
    group = _group(args["models"][0])
    core_op = backend.configure(group, 1)
    name = group.input_vstreams[0].name
    frame = np.zeros((1,) + tuple(group.input_vstreams[0].shape), dtype=np.uint8)
    print(json.dumps({"ready": os.getpid()}), flush=True)
    while True:
        result = {}
        event = threading.Event()

        def done(status, outputs, result=result, event=event):
            result["status"] = HailoStatus(status)
            event.set()
        try:
            backend.submit(core_op, {name: frame}, 1, done)
        except Exception as error:  # a submit on a dead connection raises at once
            result["status"] = HailoStatus(error.status)
            event.set()
        event.wait()
        if result["status"] != HailoStatus.HAILO_SUCCESS:
            print(json.dumps({"failed_at": time.time(), "status": result["status"].name}), flush=True)
            backend.release()
            return


if __name__ == "__main__":
    {"run": run, "loop": loop}[sys.argv[1]](json.loads(sys.argv[2]))

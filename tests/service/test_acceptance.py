"""Issue 4 acceptance, at the Backend seam: several processes through one service."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from service_helpers import make_group

HERE = os.path.dirname(os.path.abspath(__file__))
WORKER = os.path.join(HERE, "worker.py")
INFER_WORKER = os.path.join(HERE, "infer_worker.py")

MODELS = [
    {"name": "classifier", "shape": [32, 32, 3], "out_shape": [1, 1, 10], "fps": 4000, "seed": 1},
    {"name": "shortcut", "shape": [16, 16, 3], "fps": 4000, "seed": 2},
]
SLOW_MODELS = [dict(m, fps=300) for m in MODELS]


def start_worker(env, mode, args):
    proc = subprocess.Popen([sys.executable, WORKER, mode, json.dumps(args)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert line, "worker failed to start: " + proc.stderr.read()
    assert "ready" in json.loads(line)
    return proc


def finish(proc, timeout=60):
    out, err = proc.communicate(timeout=timeout)
    lines = [line for line in out.splitlines() if line.strip()]
    assert proc.returncode == 0 and lines, "worker failed ({}): {}".format(proc.returncode, err)
    return json.loads(lines[-1])


def test_four_processes_two_models_no_frame_lost(service):
    service()
    frames = 40
    procs = [start_worker(os.environ, "run", {"models": MODELS, "frames": frames}) for _ in range(4)]
    results = [finish(p) for p in procs]
    for result in results:
        assert result["errors"] == [] and result["bad"] == 0
        assert result["ok"] == {"classifier": frames, "shortcut": frames}


def test_killed_client_releases_and_others_finish(service, sim_env):
    service()
    frames = 60
    procs = [start_worker(os.environ, "run", {"models": SLOW_MODELS, "frames": frames}) for _ in range(3)]
    time.sleep(0.3)
    victim = procs.pop(0)
    victim.kill()
    victim.wait(10)
    victim.stdout.close()
    victim.stderr.close()
    for result in (finish(p) for p in procs):
        assert result["errors"] == [] and result["bad"] == 0
        assert result["ok"] == {"classifier": frames, "shortcut": frames}
    # Everything of the dead client was released: the only device is free again for a
    # VDevice of another group (it would get HAILO_OUT_OF_PHYSICAL_DEVICES otherwise).
    result = finish(start_worker(os.environ, "run", {"models": MODELS[:1], "frames": 5,
                                                     "group_id": "OTHER"}))
    assert result["ok"] == {"classifier": 5}


def test_service_death_fails_every_client_within_1s_then_restart_serves(service):
    svc = service()
    procs = [start_worker(os.environ, "loop", {"models": SLOW_MODELS[:1]}) for _ in range(3)]
    time.sleep(0.3)
    killed_at = time.time()
    svc.kill(signal.SIGKILL)
    for proc in procs:
        result = finish(proc, timeout=10)
        assert result["status"] == "HAILO_RPC_FAILED"
        assert result["failed_at"] - killed_at < 1.0
    # a restarted service (stale socket left by the killed one) serves new clients
    service()
    result = finish(start_worker(os.environ, "run", {"models": MODELS, "frames": 10}))
    assert result["ok"] == {"classifier": 10, "shortcut": 10}


FORKING_CLIENT = """
import os, sys, time
from hailort_sim.service.remote_backend import RemoteBackend
from hailort_sim.status import HailoRTException
backend = RemoteBackend({"scheduling_algorithm": 1})      # a private VDevice: the only device
child = os.fork()
if child == 0:
    try:
        backend.configure(None, 1)
    except HailoRTException as error:
        print("child:", error.status.name, "fork" in str(error), flush=True)
    time.sleep(30)
    os._exit(0)
time.sleep(0.5)
print(child, flush=True)
os._exit(0)                                               # the parent dies, releasing nothing
"""


def test_parent_death_is_seen_even_with_a_forked_child_alive(service):
    service()
    proc = subprocess.Popen([sys.executable, "-c", FORKING_CLIENT], env=os.environ,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    lines = [proc.stdout.readline().strip() for _ in range(2)]   # the child keeps stdout open
    child = int(next(line for line in lines if line.isdigit()))
    try:
        assert proc.wait(10) == 0
        assert "child: HAILO_RPC_FAILED True" in lines          # the child cannot use it
        # the parent's VDevice was released although its child still lives
        result = finish(start_worker(os.environ, "run", {"models": MODELS[:1], "frames": 3,
                                                         "group_id": "UNIQUE"}))
        assert result["ok"] == {"classifier": 3}
    finally:
        os.kill(child, signal.SIGKILL)
        proc.stdout.close()


FAST_SAMPLES = """
[network_group resnet_v1_18]
fps = 20000
[network_group shortcut_net]
fps = 20000
"""


def test_hailo_platform_processes_get_the_in_process_results(service, sim_env, tmp_path):
    """4 applications x 2 models (InferModel API) through the service: every output equals,
    bit for bit, what the same frames give in-process."""
    pytest.importorskip("hailo_platform")
    from hailort_sim.hef import samples
    import numpy as np
    hefs = samples.write_samples(str(tmp_path / "hefs"), ["resnet_v1_18", "shortcut_net"])
    with open(sim_env["HAILORT_SIM_CONFIG"], "a") as handle:
        handle.write(FAST_SAMPLES)
    frames = 6

    def run(seed, through_service):
        args = {"hefs": hefs, "frames": frames, "seed": seed, "service": through_service,
                "out": str(tmp_path / "{}-{}.npz".format("svc" if through_service else "local", seed))}
        return subprocess.Popen([sys.executable, INFER_WORKER, json.dumps(args)], env=os.environ,
                                cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
    svc = service()
    for proc in [run(seed, True) for seed in range(4)]:
        assert finish(proc) == {"frames": 2 * frames}
    svc.stop()                               # the device is free for in-process VDevices
    for seed in range(4):
        assert finish(run(seed, False)) == {"frames": 2 * frames}
    firsts = []
    for seed in range(4):
        remote = np.load(str(tmp_path / "svc-{}.npz".format(seed)))
        local = np.load(str(tmp_path / "local-{}.npz".format(seed)))
        assert sorted(remote.files) == sorted(local.files) and len(local.files) == 2 * frames
        for name in local.files:
            assert np.array_equal(remote[name], local[name]), name
        firsts.append(local["0_0_resnet_v1_18/fc1"])
    assert not np.array_equal(firsts[0], firsts[1])     # the frames, hence results, differ


def test_a_frozen_service_fails_waiting_clients_instead_of_hanging(service):
    """SIGSTOP: the socket stays open, so only the keep-alive can tell."""
    from hailort_sim.service import client as client_module
    from hailort_sim.service.remote_backend import RemoteBackend
    from hailort_sim.status import HailoRTException, HailoStatus
    import numpy as np
    import threading
    svc = service()
    backend = RemoteBackend({"scheduling_algorithm": 1, "group_id": "SHARED"})
    core_op = backend.configure(make_group("slow", (8, 8, 3), fps=1), 1)
    result, done = {}, threading.Event()
    os.kill(svc.proc.pid, signal.SIGSTOP)
    try:
        stopped_at = time.monotonic()
        backend.submit(core_op, {"slow/input_layer1": np.zeros((1, 8, 8, 3), np.uint8)}, 1,
                       lambda status, outputs: (result.update(status=status), done.set()))
        assert done.wait(client_module.KEEPALIVE_TIMEOUT_S + 5)
        assert result["status"] == HailoStatus.HAILO_RPC_FAILED
        assert time.monotonic() - stopped_at < client_module.KEEPALIVE_TIMEOUT_S + 2.5
        with pytest.raises(HailoRTException) as raised:
            backend.set_scheduler_params(core_op, priority=1)
        assert raised.value.status == HailoStatus.HAILO_RPC_FAILED
    finally:
        os.kill(svc.proc.pid, signal.SIGCONT)
        backend.release()


def test_service_death_reaches_a_hailo_platform_application_within_1s(service, sim_env, tmp_path):
    pytest.importorskip("hailo_platform")
    from hailort_sim.hef import samples
    hefs = samples.write_samples(str(tmp_path / "hefs"), ["resnet_v1_18"])
    svc = service()
    proc = subprocess.Popen([sys.executable, INFER_WORKER, json.dumps({"hefs": hefs, "loop": True})],
                            env=os.environ, cwd=str(tmp_path), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert json.loads(proc.stdout.readline()) == {"ready": True}, proc.stderr.read()
    time.sleep(0.3)
    killed_at = time.time()
    svc.kill(signal.SIGKILL)
    result = finish(proc, timeout=10)
    assert result["type"] == "HailoRTException" and result["status"] == "HAILO_RPC_FAILED"
    assert result["failed_at"] - killed_at < 1.0

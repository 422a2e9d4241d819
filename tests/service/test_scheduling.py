"""The service schedules the models of all its clients with the in-process semantics."""
import threading

import numpy as np
import pytest

from service_helpers import make_group
from hailort_sim.status import HailoRTException, HailoStatus


def _backend():
    from hailort_sim.service.remote_backend import RemoteBackend
    return RemoteBackend({"scheduling_algorithm": 1, "group_id": "SHARED"})


def test_priority_across_clients(service):
    service()
    low_client, high_client = _backend(), _backend()     # two connections = two clients
    try:
        blocker = low_client.configure(make_group("blocker", (8, 8, 3), fps=2), 1)
        low = low_client.configure(make_group("low", (8, 8, 3), fps=400), 1)
        high = high_client.configure(make_group("high", (8, 8, 3), fps=400), 1)
        high_client.set_scheduler_params(high, priority=31)
        order, lock, done = [], threading.Lock(), threading.Event()
        frame = np.zeros((1, 8, 8, 3), np.uint8)

        def record(name):
            def callback(status, outputs):
                assert status == HailoStatus.HAILO_SUCCESS
                with lock:
                    order.append(name)
                    if len(order) == 41:
                        done.set()
            return callback
        # the device is busy for 0.5 s with one blocker frame while both clients queue theirs
        low_client.submit(blocker, {"blocker/input_layer1": frame}, 1, record("blocker"))
        for _ in range(20):
            low_client.submit(low, {"low/input_layer1": frame}, 1, record("low"))
            high_client.submit(high, {"high/input_layer1": frame}, 1, record("high"))
        assert done.wait(20)
        # then every frame of the high-priority client goes first (guide 6.10); the blocker
        # itself completes after its latency (1 s), wherever that falls
        assert [name for name in order if name != "blocker"] == ["high"] * 20 + ["low"] * 20
    finally:
        high_client.release()
        low_client.release()


def test_scheduler_errors_reach_the_client_with_their_status(service):
    service()
    client = _backend()
    try:
        core_op = client.configure(make_group("net"), 1)
        with pytest.raises(HailoRTException) as raised:
            client.set_scheduler_params(core_op, priority=40)
        assert raised.value.status == HailoStatus.HAILO_INVALID_ARGUMENT
        assert "out of range" in str(raised.value)
        with pytest.raises(HailoRTException) as raised:
            client.activate(core_op)                 # manual activation with the scheduler
        assert raised.value.status == HailoStatus.HAILO_INVALID_OPERATION
        client.set_scheduler_params(core_op, threshold=2, timeout_ms=100)
    finally:
        client.release()


def test_release_aborts_pending_frames(service):
    service()
    client = _backend()
    try:
        core_op = client.configure(make_group("slow", (8, 8, 3), fps=50), 1)
        statuses = []
        frame = np.zeros((1, 8, 8, 3), np.uint8)
        for _ in range(20):
            client.submit(core_op, {"slow/input_layer1": frame}, 1,
                          lambda status, outputs: statuses.append(status))
        client.release_core_op(core_op)
        # release returns after every completion ran, as LocalBackend's does
        assert len(statuses) == 20
        assert HailoStatus.HAILO_STREAM_ABORT in statuses
        client.submit(core_op, {"slow/input_layer1": frame}, 1,
                      lambda status, outputs: statuses.append(status))
        assert statuses[-1] == HailoStatus.HAILO_STREAM_ABORT
    finally:
        client.release()


def test_submit_after_release_fails_at_once(service):
    service()
    client = _backend()
    core_op = client.configure(make_group("net"), 1)
    client.release()
    with pytest.raises(HailoRTException) as raised:
        client.submit(core_op, {"net/input_layer1": np.zeros((1, 8, 8, 3), np.uint8)}, 1,
                      lambda status, outputs: None)
    assert raised.value.status == HailoStatus.HAILO_INVALID_OPERATION


def test_tcp_address_on_loopback(sim_env, monkeypatch):
    """``host:port`` (the Windows default form) works too; frames then go in the socket."""
    import socket
    import subprocess
    import sys
    import time
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    address = "127.0.0.1:{}".format(port)
    monkeypatch.setenv("HAILORT_SERVICE_ADDRESS", address)
    proc = subprocess.Popen([sys.executable, "-m", "hailort_sim.service.daemon", "standalone"],
                            env=dict(sim_env, HAILORT_SERVICE_ADDRESS=address),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.05)
        client = _backend()
        try:
            assert client._connection._use_shm is False
            core_op = client.configure(make_group("net", (64, 64, 3)), 1)
            got, done = {}, threading.Event()
            frame = np.arange(64 * 64 * 3, dtype=np.uint32).astype(np.uint8).reshape(1, 64, 64, 3)
            client.submit(core_op, {"net/input_layer1": frame}, 1,
                          lambda status, outputs: (got.update(status=status, out=outputs), done.set()))
            assert done.wait(10) and got["status"] == HailoStatus.HAILO_SUCCESS
            assert np.array_equal(got["out"]["net/output_layer1"], frame)   # identity network
        finally:
            client.release()
    finally:
        proc.terminate()
        proc.wait(10)

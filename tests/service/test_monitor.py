"""HAILO_MONITOR producers (application and service) and `hailortcli monitor` in a pty."""
import json
import os
import pty
import select
import signal
import subprocess
import sys
import time

import pytest


HERE = os.path.dirname(os.path.abspath(__file__))
WORKER = os.path.join(HERE, "worker.py")
SLOW = [{"name": "classifier", "shape": [32, 32, 3], "out_shape": [1, 1, 10], "fps": 500}]

APP = """
import sys, time, threading
sys.path.insert(0, {here!r})
import numpy as np
from service_helpers import make_group
from hailort_sim.pipeline import vdevice
shared = vdevice.acquire(vdevice.VDeviceConfig(scheduling_algorithm=1))
group = make_group("detector", (32, 32, 3), fps=500)
op = shared.backend.configure(group, 2)
frame = np.zeros((1, 32, 32, 3), np.uint8)
sem = threading.Semaphore(8)
end = time.monotonic() + {seconds}
print("ready", flush=True)
while time.monotonic() < end:
    sem.acquire()
    shared.backend.submit(op, {{"detector/input_layer1": frame}}, 1, lambda s, o: sem.release())
vdevice.release(shared)
"""


def run_in_pty(argv, env, seconds):
    """Run ``argv`` on a pseudo-terminal for ``seconds``, then Ctrl-C; -> (status, output)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, env=env, stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + seconds
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                proc.send_signal(signal.SIGINT)
                deadline = time.monotonic() + 10  # then read until it exits
                left = 10
                seconds = None
            ready, _, _ = select.select([master], [], [], min(left, 0.2))
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:
                    break
                if not data:
                    break
                chunks.append(data)
            elif seconds is None and proc.poll() is not None:
                break
        status = proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    return status, b"".join(chunks).decode(errors="replace")


def cli(env, seconds):
    return run_in_pty([sys.executable, "-m", "hailort_sim.cli.hailortcli", "monitor"], env, seconds)


def last_refresh(output):
    return output.rsplit("\x1b[H\x1b[J", 1)[-1].replace("\r\n", "\n")


def test_no_data_prints_the_real_warning_in_green(sim_env):
    status, output = cli(sim_env, 1.2)
    assert status == 0
    assert output.startswith("\x1b[?1049h") and "\x1b[?1049l" in output   # alternate screen
    screen = last_refresh(output)
    assert screen.startswith("\x1b[32mMonitor did not retrieve any files. This occurs when there is "
                             "no application currently running.\nIf this is not the case, verify that "
                             "environment variable 'HAILO_MONITOR' is set to 1.\n\x1b[0m")


def test_application_publishes_and_cleans_up(sim_env, tmp_path):
    env = dict(sim_env, HAILO_MONITOR="1", HAILO_MONITOR_TIME_INTERVAL="200")
    app = subprocess.Popen([sys.executable, "-c", APP.format(here=HERE, seconds=1.5)], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert app.stdout.readline().strip() == "ready"
        time.sleep(0.8)
        from hailort_sim import monitor
        data = monitor.read_all(env["HAILORT_SIM_MONITOR_DIR"])
        assert data is not None and data["interval"] == 0.2
        assert data["devices"] == [{"id": "0000:01:00.0", "utilization": data["devices"][0]["utilization"],
                                    "architecture": "HAILO8"}]
        (model,) = data["models"]
        assert model["name"] == "detector" and model["pid"] == app.pid
        assert 20 < model["fps"] < 700                  # a 500 fps model, kept busy
        # utilization = frames x device time per frame (1/500 s), for the model and its device
        assert model["utilization"] == pytest.approx(min(100.0, model["fps"] / 5), rel=1e-6)
        assert data["devices"][0]["utilization"] == pytest.approx(model["utilization"], rel=1e-6)
        assert [(s["stream"], s["direction"]) for s in data["streams"]] == [
            ("detector/input_layer1", "H2D"), ("detector/output_layer1", "D2H")]
        assert all(s["capacity"] == 2 and s["max"] >= s["avg"] >= s["min"] >= 0 for s in data["streams"])
    finally:
        _, err = app.communicate(timeout=20)
    assert app.returncode == 0, err
    assert os.listdir(env["HAILORT_SIM_MONITOR_DIR"]) == []     # removed at exit


def test_monitor_shows_service_clients_in_a_pty(service, sim_env):
    service({"HAILO_MONITOR": "1", "HAILO_MONITOR_TIME_INTERVAL": "250"})
    worker = subprocess.Popen([sys.executable, WORKER, "loop", json.dumps({"models": SLOW})],
                              env=sim_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert "ready" in worker.stdout.readline()
        time.sleep(0.6)
        status, output = cli(sim_env, 1.5)
    finally:
        worker.kill()
        worker.communicate(timeout=10)
    assert status == 0
    assert output.count("\x1b[H\x1b[J") >= 3          # refreshed every 250 ms
    lines = last_refresh(output).split("\n")
    assert lines[0] == "{:<60}{:<25}{:<60}".format("Device ID", "Utilization (%)", "Architecture")
    assert lines[1] == "-" * 160
    device = lines[2].split()
    assert device[0] == "0000:01:00.0" and device[2] == "HAILO8" and float(device[1]) > 0
    assert lines[3].strip() == "" and lines[4].strip() == ""
    assert lines[5] == "{:<60}{:<25}{:<15}{:<15}".format("Model", "Utilization (%) ", "FPS", "PID")
    assert lines[6] == "-" * 160
    name, utilization, fps, pid = lines[7].split()
    assert name == "classifier" and int(pid) == worker.pid and float(fps) > 0
    assert lines[10] == "{:<60}{:<60}{:<15}{:<8}{:<8}{:<8}{:<8}".format(
        "Model", "Stream", "Direction", "Avg", "Max", "Min", "Capacity")
    assert lines[11] == "-" * 175
    rows = [line.split() for line in lines[12:14]]
    assert [r[:3] for r in rows] == [["classifier", "classifier/input_layer1", "H2D"],
                                     ["classifier", "classifier/output_layer1", "D2H"]]
    assert all(len(r) == 7 and r[6] == "1.0" for r in rows)

"""HAILO_MONITOR producers (application and service) in libhailort's file format, and
`hailortcli monitor` reading them in a pty."""
import json
import os
import pty
import re
import select
import signal
import stat
import subprocess
import sys
import time

import pytest
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory


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
    import fcntl
    import struct
    import termios
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))    # 200 columns
    proc = subprocess.Popen(argv, env=env, stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + seconds
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                if seconds is None:
                    break                         # ignored Ctrl-C for 10 s: killed below, then the asserts fail
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



# The real message layout (libhailort 4.21.0 scheduler_mon.proto, facts only): message ->
# (field, number, type, repeated, message/enum type). Built below into its own descriptor
# pool, independent of our .proto, to parse the files we write.
F = descriptor_pb2.FieldDescriptorProto
REAL_LAYOUT = {
    "ProtoMonInfo": [("network_name", 1, F.TYPE_STRING, False, None), ("fps", 2, F.TYPE_DOUBLE, False, None),
                     ("utilization", 3, F.TYPE_DOUBLE, False, None)],
    "ProtoMonDeviceInfo": [("device_id", 1, F.TYPE_STRING, False, None),
                           ("utilization", 2, F.TYPE_DOUBLE, False, None),
                           ("device_arch", 3, F.TYPE_STRING, False, None)],
    "ProtoMonStreamFramesInfo": [
        ("stream_name", 1, F.TYPE_STRING, False, None),
        ("stream_direction", 2, F.TYPE_ENUM, False, ".ProtoMonStreamDirection"),
        ("buffer_frames_size", 3, F.TYPE_INT32, False, None), ("pending_frames_count", 4, F.TYPE_INT32, False, None),
        ("min_pending_frames_count", 5, F.TYPE_INT32, False, None),
        ("max_pending_frames_count", 6, F.TYPE_INT32, False, None),
        ("avg_pending_frames_count", 7, F.TYPE_DOUBLE, False, None)],
    "ProtoMonNetworkFrames": [("network_name", 1, F.TYPE_STRING, False, None),
                              ("streams_frames_infos", 2, F.TYPE_MESSAGE, True, ".ProtoMonStreamFramesInfo")],
    "ProtoMon": [("pid", 1, F.TYPE_STRING, False, None),
                 ("networks_infos", 2, F.TYPE_MESSAGE, True, ".ProtoMonInfo"),
                 ("net_frames_infos", 3, F.TYPE_MESSAGE, True, ".ProtoMonNetworkFrames"),
                 ("device_infos", 4, F.TYPE_MESSAGE, True, ".ProtoMonDeviceInfo")],
}
REAL_DIRECTIONS = {"PROTO__STREAM_DIRECTION__HOST_TO_DEVICE": 0, "PROTO__STREAM_DIRECTION__DEVICE_TO_HOST": 1}


def real_protomon_class():
    fdp = descriptor_pb2.FileDescriptorProto(name="real_scheduler_mon.proto", syntax="proto3")
    enum = fdp.enum_type.add(name="ProtoMonStreamDirection")
    for name, number in REAL_DIRECTIONS.items():
        enum.value.add(name=name, number=number)
    for message, fields in REAL_LAYOUT.items():
        msg = fdp.message_type.add(name=message)
        for name, number, kind, repeated, type_name in fields:
            field = msg.field.add(name=name, number=number, type=kind,
                                  label=F.LABEL_REPEATED if repeated else F.LABEL_OPTIONAL)
            if type_name:
                field.type_name = type_name
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    descriptor = pool.FindMessageTypeByName("ProtoMon")
    if hasattr(message_factory, "GetMessageClass"):
        return message_factory.GetMessageClass(descriptor)
    return message_factory.MessageFactory(pool).GetPrototype(descriptor)


def test_our_proto_has_the_real_layout():
    from hailort_sim.monitor._scheduler_mon_descriptor import SERIALIZED
    ours = descriptor_pb2.FileDescriptorProto.FromString(SERIALIZED)
    messages = {m.name: m for m in ours.message_type}
    assert set(messages) == set(REAL_LAYOUT)
    for message, fields in REAL_LAYOUT.items():
        assert [(f.name, f.number, f.type, f.label == F.LABEL_REPEATED, f.type_name or None)
                for f in messages[message].field] == fields
    (enum,) = ours.enum_type
    assert enum.name == "ProtoMonStreamDirection"
    assert {v.name: v.number for v in enum.value} == REAL_DIRECTIONS


def test_embedded_descriptor_is_generated_from_scheduler_mon_proto():
    pytest.importorskip("grpc_tools", reason="grpcio-tools (protoc) regenerates the descriptor; "
                                             "pip install grpcio-tools to check it")
    from hailort_sim.gen_descriptor import build_descriptor_bytes
    from hailort_sim.monitor._scheduler_mon_descriptor import SERIALIZED
    assert build_descriptor_bytes("hailort_sim/monitor/scheduler_mon.proto") == SERIALIZED, \
        "run: python3 -m hailort_sim.gen_descriptor"


def test_no_files_prints_empty_tables_and_the_real_warning_in_green(sim_env):
    status, output = cli(sim_env, 1.2)
    assert status == 0
    assert output.startswith("\x1b[?1049h\x1b[H\x1b[J") and "\x1b[?1049l" in output   # alternate screen
    screen = last_refresh(output)
    lines = screen.split("\n")
    assert lines[0] == "{:<60}{:<25}{:<60}".format("Device ID", "Utilization (%)", "Architecture")
    assert lines[1] == "-" * 160
    assert screen.endswith("\x1b[1;32mMonitor did not retrieve any files. This occurs when there is "
                           "no application currently running.\nIf this is not the case, verify that "
                           "environment variable 'HAILO_MONITOR' is set to 1.\n\x1b[0m\x1b[?1049l")


def locked_read(path):
    """The file's bytes under its writer's lock, as hailortcli monitor reads. The writer
    truncates before it locks (fopen "w", as libhailort), so an empty read is retried."""
    import fcntl
    for _ in range(50):
        with open(path, "rb") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            data = handle.read()
        if data:
            return data
        time.sleep(0.01)
    raise AssertionError(f"{path} stayed empty")


def test_application_writes_real_format_files_and_removes_them(sim_env, tmp_path):
    env = dict(sim_env, HAILO_MONITOR="1", HAILO_MONITOR_TIME_INTERVAL="200")
    app = subprocess.Popen([sys.executable, "-c", APP.format(here=HERE, seconds=1.5)], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    mon_dir, nnc_dir = tmp_path / "hmon_files", tmp_path / "nnc_utilization"
    try:
        assert app.stdout.readline().strip() == "ready"
        time.sleep(0.8)
        (name,) = os.listdir(mon_dir)
        assert re.fullmatch(r"%d[A-Za-z0-9]{6}" % app.pid, name)            # mkstemp("<pid>XXXXXX")
        assert stat.S_IMODE(os.stat(mon_dir / name).st_mode) == 0o600
        mon = real_protomon_class().FromString(locked_read(mon_dir / name))
        (nnc,) = os.listdir(nnc_dir)
        assert re.fullmatch(r"nnc_utilization[A-Za-z0-9]{6}", nnc)
        nnc_text = locked_read(nnc_dir / nnc).decode()
    finally:
        _, err = app.communicate(timeout=20)
    assert app.returncode == 0, err
    assert os.listdir(mon_dir) == [] and os.listdir(nnc_dir) == []          # removed at exit

    assert mon.pid == str(app.pid)
    (device,) = mon.device_infos
    assert (device.device_id, device.device_arch) == ("0000:01:00.0", "HAILO8")
    assert re.fullmatch(r"\d+\.\d{6}\n", nnc_text)                          # std::to_string(double)
    (net,) = mon.networks_infos
    assert net.network_name == "detector"
    assert 20 < net.fps < 700                           # a 500 fps model, kept busy
    # utilization = frames x device time per frame (1/500 s), for the model and its device
    assert net.utilization == pytest.approx(min(100.0, net.fps / 5), rel=1e-6)
    assert device.utilization == pytest.approx(net.utilization, rel=1e-6)
    (frames,) = mon.net_frames_infos
    assert frames.network_name == "detector"
    assert [(s.stream_name, s.stream_direction) for s in frames.streams_frames_infos] == [
        ("detector/input_layer1", 0), ("detector/output_layer1", 1)]
    for stream in frames.streams_frames_infos:
        assert stream.buffer_frames_size == 32          # the queue size of a batch-2 core op x 1 device
        assert 0 <= stream.min_pending_frames_count <= stream.avg_pending_frames_count \
            <= stream.max_pending_frames_count <= stream.buffer_frames_size
        assert 0 <= stream.pending_frames_count <= stream.buffer_frames_size


def real_file(path, pid, utilization=37.25, avg=1.5):
    """A monitor file as a real libhailort application writes it (built with the real layout)."""
    mon = real_protomon_class()(pid=str(pid))
    mon.networks_infos.add(network_name="yolov8n", fps=29.96, utilization=utilization)
    frames = mon.net_frames_infos.add(network_name="yolov8n")
    frames.streams_frames_infos.add(stream_name="yolov8n/input_layer1", stream_direction=0, buffer_frames_size=4,
                                    pending_frames_count=2, min_pending_frames_count=0, max_pending_frames_count=3,
                                    avg_pending_frames_count=avg)
    frames.streams_frames_infos.add(stream_name="yolov8n/conv1" + "x" * 60, stream_direction=1,
                                    buffer_frames_size=-1, pending_frames_count=0)
    mon.device_infos.add(device_id="0000:02:00.0", utilization=utilization, device_arch="HAILO8L")
    path.write_bytes(mon.SerializeToString())


def rewritten(path, write, stop):
    """Rewrite ``path`` every 0.2 s until ``stop`` is set, as a live writer does (atomically
    here, so that the test never catches a half-written file)."""
    import threading

    def loop():
        scratch = path.parent.parent / ("scratch-" + path.name)   # outside the monitor directory
        while not stop.wait(0.2):
            write(scratch)
            os.replace(scratch, path)
    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return thread


def test_monitor_reads_a_real_applications_file(sim_env, tmp_path):
    import threading
    mon_dir = tmp_path / "hmon_files"
    mon_dir.mkdir()
    real_file(mon_dir / "4242AbC123", 4242)
    garbage = lambda path: path.write_bytes(b"\xff\xff not a ProtoMon")  # noqa: E731
    garbage(mon_dir / "9999zzzzzz")
    old = mon_dir / "1111oldold"
    real_file(old, 1111)
    os.utime(old, (time.time() - 10, time.time() - 10))     # a dead process's file: not shown
    stop = threading.Event()
    writers = [rewritten(mon_dir / "4242AbC123", lambda p: real_file(p, 4242), stop),
               rewritten(mon_dir / "9999zzzzzz", garbage, stop)]
    try:
        status, output = cli(sim_env, 1.2)
    finally:
        stop.set()
        for writer in writers:
            writer.join()
    assert status == 0
    lines = last_refresh(output).split("\n")
    rest = lambda n: " " * n  # noqa: E731
    assert lines[2] == "{:<60}{:<25}{:<60}".format("0000:02:00.0", "37.2", "HAILO8L") + rest(25)
    assert lines[3] == lines[4] == " " * 200                    # as wide as the terminal
    assert lines[5] == "{:<60}{:<25}{:<15}{:<15}".format("Model", "Utilization (%) ", "FPS", "PID")
    assert lines[7] == "{:<60}{:<25}{:<15}{:<15}".format("yolov8n", "37.2", "30.0", "4242") + rest(55)
    assert lines[10] == "{:<60}{:<60}{:<15}{:>22}".format("Model", "Stream", "Direction", "Frames Queue")
    assert lines[11] == " " * 135 + "Avg     Max     Min     Capacity"
    assert lines[12] == "-" * 175
    assert lines[13] == "{:<60}{:<60}{:<15}{:<8}{:<8}{:<8}{:<8}".format(
        "yolov8n", "yolov8n/input_layer1", "H2D", "1.50", "3", "0", "4")
    assert lines[14] == "{:<60}{:<60}{:<15}{:<8}{:<8}{:<8}{:<8}".format(
        "yolov8n", "yolov8n/conv1" + "x" * 42 + "...  ", "D2H", "NaN", "NaN", "NaN", "NaN")
    assert lines[15] == "\x1b[?1049l"               # no other rows (the stale file), no warning
    assert "Failed to ParseFromFileDescriptor monitor file {}".format(mon_dir / "9999zzzzzz") in output


def test_a_locked_file_is_skipped_with_the_real_errors(sim_env, tmp_path):
    import fcntl
    mon_dir = tmp_path / "hmon_files"
    mon_dir.mkdir()
    real_file(mon_dir / "4242AbC123", 4242)
    with open(mon_dir / "4242AbC123", "rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        from hailort_sim import monitor
        assert monitor.read_all(str(mon_dir)) == []
    assert [m.pid for m in monitor.read_all(str(mon_dir))] == ["4242"]


def test_monitor_shows_service_clients_in_a_pty(service, sim_env):
    proc = service({"HAILO_MONITOR": "1", "HAILO_MONITOR_TIME_INTERVAL": "250"})
    worker = subprocess.Popen([sys.executable, WORKER, "loop", json.dumps({"models": SLOW})],
                              env=sim_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert "ready" in worker.stdout.readline()
        time.sleep(0.6)
        status, output = cli(sim_env, 2.2)
    finally:
        worker.kill()
        worker.communicate(timeout=10)
    assert status == 0
    assert output.count("\x1b[H\x1b[J") >= 2          # refreshed every second
    lines = last_refresh(output).split("\n")
    device = lines[2].split()
    assert device[0] == "0000:01:00.0" and device[2] == "HAILO8" and float(device[1]) > 0
    name, utilization, fps, pid = lines[7].split()
    # one file per process, as libhailort: the service writes it, with its own PID
    assert name == "classifier" and int(pid) == proc.proc.pid and float(fps) > 0
    rows = [line.split() for line in lines[13:15]]
    assert [r[:3] for r in rows] == [["classifier", "classifier/input_layer1", "H2D"],
                                     ["classifier", "classifier/output_layer1", "D2H"]]
    assert all(len(r) == 7 and r[6] == "32" and int(r[4]) <= 32 for r in rows)

"""Several hailonets: vdevice-group-id sharing, is-active without the scheduler, the model
scheduler, and multi-process-service through hailort_service."""
import json
import subprocess
import sys
import time

from gst_helpers import PROBE, RUNTIME, SYSTEM_PYTHON


def two_branches(hefs, first="", second=""):
    return (f"videotestsrc num-buffers=8 ! tee name=t "
            f"t. ! queue ! hailonet name=net0 hef-path={hefs['shortcut_net']} force-writable=true {first} ! appsink name=sink0 sync=false "
            f"t. ! queue ! hailonet name=net1 hef-path={hefs['resnet_v1_18']} force-writable=true {second} ! appsink name=sink1 sync=false")


def tensor_names(result, sink):
    return [sorted(frame["tensors"]) for frame in result["frames"][sink]]


def test_a_shared_frame_needs_force_writable(gst, hefs):
    """As libgsthailo: after a tee the frame is shared, so attaching tensors needs force-writable."""
    r = gst.probe(two_branches(hefs, "vdevice-group-id=cam", "vdevice-group-id=cam").replace(
        "force-writable=true", ""))
    assert r["error"] and "Input buffer is not writable" in r["error"]["message"], r


def test_shared_vdevice_group_runs_both_models(gst, hefs):
    r = gst.probe(two_branches(hefs, "vdevice-group-id=cam scheduler-threshold=2 scheduler-timeout-ms=20",
                               "vdevice-group-id=cam scheduler-priority=20"))
    assert r["eos"], r
    assert tensor_names(r, "sink0") == [["shortcut_net/output_layer1"]] * 8
    assert tensor_names(r, "sink1") == [["resnet_v1_18/fc1"]] * 8


def test_unique_vdevices_cannot_share_one_device(gst, hefs):
    r = gst.probe(two_branches(hefs))
    assert r["error"] and "HAILO_OUT_OF_PHYSICAL_DEVICES(74)" in r["error"]["message"], r


def test_is_active_without_scheduler(gst, hefs):
    none = "scheduling-algorithm=HAILO_SCHEDULING_ALGORITHM_NONE vdevice-group-id=g"
    r = gst.probe(two_branches(hefs, f"{none} is-active=false", f"{none} is-active=true"))
    assert r["eos"], r
    assert tensor_names(r, "sink0") == [[]] * 8                        # inactive: frames pass as they are
    assert tensor_names(r, "sink1") == [["resnet_v1_18/fc1"]] * 8


def test_a_lone_hailonet_is_active_by_default(gst, hefs):
    r = gst.probe(f"videotestsrc num-buffers=3 ! hailonet hef-path={hefs['resnet_v1_18']} scheduling-algorithm=0 "
                  "! appsink name=sink0 sync=false")
    assert r["eos"], r
    assert tensor_names(r, "sink0") == [["resnet_v1_18/fc1"]] * 3


def test_multi_process_service(gst, hefs, tmp_path):
    """Two processes share the device through hailort_service (same vdevice-group-id, as the
    guide says); without the service a second process is refused it (test_errors)."""
    env = dict(gst.env, HAILORT_SERVICE_ADDRESS=f"unix://{tmp_path}/hailort_uds.sock",
               HAILORT_SIM_SERVICE_PIDFILE=str(tmp_path / "hailort_service.pid"),
               HAILORT_SIM_MONITOR_DIR=str(tmp_path / "hmon"))
    gst.env.update(env)
    service = subprocess.Popen([sys.executable, "-m", "hailort_sim.service.daemon", "standalone"],
                               env=dict(env, PYTHONPATH=str(RUNTIME)), stderr=subprocess.PIPE)
    try:
        sock = tmp_path / "hailort_uds.sock"
        deadline = time.monotonic() + 30
        while not sock.exists() and service.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert sock.exists(), service.stderr.read() if service.poll() is not None else "no socket"
        pipeline = (f"videotestsrc num-buffers=20 ! hailonet hef-path={hefs['resnet_v1_18']} "
                    "multi-process-service=true vdevice-group-id=SHARED ! appsink name=sink0 sync=false")
        procs = [subprocess.Popen([SYSTEM_PYTHON, str(PROBE), pipeline, "60"], env=gst.env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            result = json.loads(out.strip().splitlines()[-1])
            assert result["eos"], result["error"]["message"]
            assert tensor_names(result, "sink0") == [["resnet_v1_18/fc1"]] * 20
    finally:
        service.terminate()
        service.wait(timeout=30)

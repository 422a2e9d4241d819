"""Bad input gives a GStreamer error naming the HailoRT status; the pipeline goes to ERROR,
gst-launch exits non-zero promptly; no traceback, no hang."""
import subprocess

import pytest

from gst_helpers import SYSTEM_PYTHON

CASES = {
    "missing HEF": ("hef-path=/nonexistent/model.hef", "", "HAILO_OPEN_FILE_FAILURE(13)"),
    "not a HEF": ("hef-path={conf}", "", "HAILO_HEF_NOT_SUPPORTED(92)"),
    "HEF of another architecture": ("hef-path={hefs[resnet_v1_18_hailo15h]}", "",
                                    "HAILO_HEF_NOT_COMPATIBLE_WITH_DEVICE(93)"),
    "caps not the HEF input's size": ("hef-path={hefs[resnet_v1_18]}", "video/x-raw,width=640,height=480 ! ",
                                      "HAILO_INVALID_ARGUMENT(2)"),
    "caps not the HEF input's format": ("hef-path={hefs[resnet_v1_18]}", "video/x-raw,format=NV12 ! ",
                                        "HAILO_INVALID_ARGUMENT(2)"),
    "no hef-path": ("", "", "HAILO_INVALID_ARGUMENT(2)"),
    "two inputs without input-from-meta": ("hef-path={hefs[multi_network_shortcut_net]}", "",
                                           "HAILO_INVALID_OPERATION(6)"),
    "NMS threshold on a model without NMS": ("hef-path={hefs[resnet_v1_18]} nms-score-threshold=0.5", "",
                                             "HAILO_INVALID_OPERATION(6)"),
    "multi-process-service without the scheduler": (
        "hef-path={hefs[resnet_v1_18]} scheduling-algorithm=HAILO_SCHEDULING_ALGORITHM_NONE "
        "multi-process-service=true", "", "HAILO_INVALID_OPERATION(6)"),
    "scheduler threshold without the scheduler": (
        "hef-path={hefs[resnet_v1_18]} scheduling-algorithm=0 scheduler-threshold=4", "",
        "HAILO_INVALID_OPERATION(6)"),
    "bad device-id": ("hef-path={hefs[resnet_v1_18]} device-id=0000:09:00.0", "", "HAILO_INVALID_ARGUMENT(2)"),
}


@pytest.mark.parametrize("case", CASES)
def test_error_names_the_status(gst, hefs, sim_config, case):
    props, caps, status = CASES[case]
    props = props.format(hefs=hefs, conf=sim_config)
    r = gst.launch(f"videotestsrc num-buffers=5 ! {caps}hailonet {props} ! fakesink", timeout=60)
    out = r.stdout + r.stderr
    assert r.returncode != 0, out
    assert "ERROR: from element /GstPipeline:pipeline0/GstHailoNet:hailonet0: HailoNet Error:" in out, out
    assert status in out.split("ERROR: from element", 1)[1].splitlines()[0], out
    assert "Traceback" not in out, out


@pytest.mark.parametrize("fault,status", [("timeout", "HAILO_TIMEOUT(4)"),
                                          ("driver_operation_failed", "HAILO_DRIVER_OPERATION_FAILED(36)")])
def test_inference_failure_stops_the_pipeline(gst, hefs, sim_config, fault, status):
    sim_config.write_text(f"[device0]\narchitecture = HAILO8\nfault = {fault}\n")
    r = gst.probe(f"videotestsrc num-buffers=50 ! hailonet hef-path={hefs['resnet_v1_18']} ! "
                  "appsink name=sink0 sync=false", timeout=60)
    assert not r.get("timeout") and not r["eos"], r
    assert r["error"]["source"] == "hailonet0" and status in r["error"]["message"], r["error"]
    assert r["frames"]["sink0"] == []


def test_device_in_use_by_another_process(gst, hefs, sim_config, tmp_path):
    """Without the multi-process service, a second process cannot take the device."""
    holder = subprocess.Popen(
        [SYSTEM_PYTHON, "-c",
         "import sys\nfrom hailo_platform import VDevice\nv = VDevice()\nprint('held', flush=True)\n"
         "sys.stdin.read()"], env=gst.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        r = gst.launch(f"videotestsrc num-buffers=5 ! hailonet hef-path={hefs['resnet_v1_18']} ! fakesink")
        out = r.stdout + r.stderr
        assert r.returncode != 0 and "HAILO_OUT_OF_PHYSICAL_DEVICES(74)" in out, out
        assert "Traceback" not in out
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


@pytest.mark.parametrize("config,status", [("[device0]\narchitecture = HAILO15H\n", "HAILO_NOT_SUPPORTED(79)"),
                                           ("", "HAILO_INVALID_OPERATION(6)")])
def test_device_stats_errors(gst, sim_config, config, status):
    """No power sensor (Hailo-15), or not exactly one device to pick: an error naming the status."""
    sim_config.write_text(config)
    r = gst.launch("videotestsrc num-buffers=30 ! fakesink hailodevicestats", timeout=60)
    out = r.stdout + r.stderr
    assert r.returncode != 0 and "GstHailoDeviceStats:hailodevicestats0" in out and status in out, out
    assert "Traceback" not in out


def test_runtime_not_importable_is_said_in_one_line(gst, tmp_path):
    """libgsthailo.so whose embedded Python cannot import hailort_sim: one line naming the
    cause, no traceback, and no plugin (GStreamer records the failed load)."""
    env = dict(gst.env, PYTHONPATH=str(tmp_path), GST_REGISTRY=str(tmp_path / "registry.bin"))
    r = gst.run(["gst-inspect-1.0", "hailo"], env=env)
    assert r.returncode != 0
    assert ("hailo plugin: cannot import hailort_sim (ModuleNotFoundError: No module named 'hailort_sim')"
            in r.stderr), r.stderr
    assert "Traceback" not in r.stderr

"""The examples in examples/gstreamer/ run on the simulated device."""
import os
import pathlib
import subprocess
import sys

from gst_helpers import ROOT, SYSTEM_PYTHON

EXAMPLES = ROOT / "examples" / "gstreamer"


def test_guide_pipelines(gst, hefs, tmp_path):
    hef_dir = pathlib.Path(hefs["resnet_v1_18"]).parent
    # hailortcli/hailort_service from this environment, after the system's python3 (which the
    # gst-python loader embeds: a virtualenv's python3 first in PATH would hide its gi module)
    env = dict(gst.env, PATH=os.environ["PATH"] + os.pathsep + os.path.dirname(sys.executable),
               HAILORT_SERVICE_ADDRESS=f"unix://{tmp_path}/hailort_uds.sock",
               HAILORT_SIM_SERVICE_PIDFILE=str(tmp_path / "hailort_service.pid"))
    r = subprocess.run(["sh", str(EXAMPLES / "pipelines.sh"), str(hef_dir)], env=env, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert r.stdout.rstrip().endswith("all pipelines ran")
    assert r.stdout.count("+ ") == 6
    assert "Traceback" not in r.stderr and "ERROR" not in r.stdout + r.stderr


def test_appsink_application(gst, hefs):
    r = gst.run([SYSTEM_PYTHON, str(EXAMPLES / "appsink_tensors.py"), hefs["yolov8n"], "3"])
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 3
    assert all(line.startswith(f"frame {i}: yolov8n/yolov8n_nms_postprocess float32[40080] ")
               for i, line in enumerate(lines))

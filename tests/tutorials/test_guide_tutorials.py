"""The guide's tutorials 5.3, 5.4 (threads), 5.5 and 5.7 run unmodified (spec §2, §18.1)."""
import re


def test_5_3_async_single_model(run_tutorial):
    run_tutorial("tutorial_5_3_async_single_model.py")


def test_5_4_async_multiple_models_threads(run_tutorial):
    proc = run_tutorial("tutorial_5_4_async_multiple_models_threads.py")
    assert proc.stdout.splitlines() == ["Starting async inference on multiple models using threads",
                                        "Done inference"]


def test_5_5_infer_vstreams_and_forked_streaming(run_tutorial):
    proc = run_tutorial("tutorial_5_5_inference_single_model.py")
    lines = proc.stdout.splitlines()
    assert "Stream output shape is (10, 1000)" in lines
    assert "Starting streaming (hef='resnet_v1_18', num_of_frames=1000)" in lines
    assert lines[-1] == "Done"


def test_5_5_forked_streaming_with_a_tmpdir_longer_than_a_socket_path(run_tutorial, tmp_path):
    # The fork server's socket was a file in TMPDIR: beyond 107 bytes its bind failed and
    # every forked stream with it (pytest-xdist's temporary folders reach that).
    deep = tmp_path / ("d" * 100) / ("e" * 40)
    deep.mkdir(parents=True)
    proc = run_tutorial("tutorial_5_5_inference_single_model.py", tmpdir=deep)
    assert proc.stdout.splitlines()[-1] == "Done" and "Exception ignored" not in proc.stderr


def test_5_7_power_measurement(run_tutorial):
    proc = run_tutorial("tutorial_5_7_power_measurement.py")
    single = re.search(r"Power from single measurement: ([0-9.]+) W", proc.stdout)
    assert single and 0.5 < float(single.group(1)) < 5.0
    periodic = re.findall(r"Average power is ([0-9.]+) W. Min power is ([0-9.]+) W. Max power is ([0-9.]+) W.\n"
                          r"Average time between power samples is ([0-9.]+) mS", proc.stdout)
    assert len(periodic) == 10
    for average, low, high, interval in periodic:
        assert float(low) <= float(average) <= float(high)
        assert abs(float(interval) - 563.2) < 1e-3     # 2 x 1100 us x 256

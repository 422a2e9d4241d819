"""hailortcli run / run2 / benchmark / measure-power: output shapes and exit statuses (spec §12.3-§12.6)."""
import json
import os
import re
import subprocess
import sys

import pytest

from inference_models import classifier, shortcut


@pytest.fixture
def cli(sim_device, tmp_path):
    def run(*argv):
        env = dict(os.environ, HAILORT_SIM_CONFIG=str(sim_device), HAILORT_LOGGER_PATH="NONE", TMPDIR=str(tmp_path))
        proc = subprocess.run([sys.executable, "-m", "hailort_sim.cli.hailortcli", *argv], capture_output=True,
                              env=env, cwd=str(tmp_path), timeout=120)
        # bytes, decoded by hand: text mode would turn the progress line's '\r' into newlines
        return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode(), proc.stderr.decode())
    return run


def result_block(stdout):
    return stdout.split("> Inference result:\n", 1)[1]


def test_run_frames_count(cli, write_model, tmp_path):
    path = write_model(classifier(fps=2000))
    proc = cli("run", path, "-c", "200", "--batch-size", "4", "--measure-latency", "--measure-overall-latency",
               "--measure-power", "--measure-temp", "--csv", str(tmp_path / "out.csv"))
    assert proc.returncode == 0, proc.stderr
    head = proc.stdout.split("\n")[:4]
    assert head == ["Running streaming inference ({}):".format(path), "  Transform data: true",
                    "    Type:      auto", "    Quantized: true"]
    assert "\x1b[2K\r> Inference result:" in proc.stdout
    block = result_block(proc.stdout).splitlines()
    assert block[0] == " Network group: classifier"
    assert re.fullmatch(r"    Duration: \d\d:\d\d:\d\d", block[1])
    fps = float(re.fullmatch(r"    FPS: (\d+\.\d\d)", block[2]).group(1))
    send = float(re.fullmatch(r"    Send Rate: (\d+\.\d\d) Mbit/s", block[3]).group(1))
    assert send == pytest.approx(fps * 192 * 8 / 1e6, abs=0.02)
    assert re.fullmatch(r"    Recv Rate: \d+\.\d\d Mbit/s", block[4])
    assert re.fullmatch(r"    HW Latency: \d+\.\d\d ms", block[5])
    assert re.fullmatch(r"    Overall Latency: \d+\.\d\d ms", block[6])
    assert block[7] == "  Device: 0000:01:00.0"
    assert re.fullmatch(r"    Minimum power consumption: \d+\.\d\d W", block[8])
    assert re.fullmatch(r"    Maximum chip temperature: \d+\.\d\dC", block[-2])
    rows = (tmp_path / "out.csv").read_text().splitlines()
    assert rows[0].startswith("net_name,status,status_description,fps,num_of_frames,send_rate")
    assert rows[1].startswith("classifier,0,HAILO_SUCCESS,") and ",200," in rows[1]
    assert "> Writing inference results to '{}'... done.".format(tmp_path / "out.csv") in proc.stdout


def test_run_time_based_hw_only(cli, write_model):
    path = write_model(shortcut(fps=500))
    proc = cli("run", path, "-t", "1", "-m", "hw_only", "--dont-show-progress")
    assert proc.returncode == 0, proc.stderr
    assert "Running hw_only inference" in proc.stdout and "  Transform data: false\n> Inference result:" in proc.stdout
    frames = int(re.search(r"    Frames count: (\d+)", proc.stdout).group(1))
    assert 300 < frames <= 500 + 32 + 5     # plus the in-flight frames drained at the end


def test_run_errors_exit_with_status(cli, write_model, tmp_path):
    path = write_model(shortcut())
    proc = cli("run", path, "-c", "10", "--batch-size", "4")
    assert proc.returncode == 2 and "HAILO_INVALID_ARGUMENT(2)" in proc.stderr and "Traceback" not in proc.stderr
    proc = cli("run", path, "--measure-overall-latency")
    assert proc.returncode == 107 and "requires --measure-latency" in proc.stderr
    proc = cli("run", str(tmp_path / "missing.hef"))
    assert proc.returncode == 105 and "File does not exist" in proc.stderr
    proc = cli("run", path, "-c", "5", "-t", "1")
    assert proc.returncode == 108
    (tmp_path / "bad.hef").write_bytes(b"not a hef")
    proc = cli("run", str(tmp_path / "bad.hef"))
    assert proc.returncode not in (0, 1) and "[HailoRT CLI] [error] CHECK_SUCCESS failed with status=" in proc.stderr
    hailo15 = write_model(shortcut(), name="h15.hef", arch="HAILO15H")
    proc = cli("run", hailo15, "-c", "1")
    assert proc.returncode == 93 and "HAILO_HEF_NOT_COMPATIBLE_WITH_DEVICE(93)" in proc.stderr


def test_run2_two_networks_and_json(cli, write_model, tmp_path):
    a = write_model(shortcut("net_a", fps=1000), name="a.hef")
    b = write_model(shortcut("net_b", fps=1000), name="b.hef")
    proc = cli("run2", "-t", "1", "-j", str(tmp_path / "stats.json"), "set-net", a, "--batch-size", "4",
               "set-net", b, "--batch-size", "1", "--scheduler-priority", "17")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "[===================>] 100% 00:00:00"
    assert re.fullmatch(r"net_a: fps: \d+\.\d\d", lines[1]) and re.fullmatch(r"net_b: fps: \d+\.\d\d", lines[2])
    stats = json.loads((tmp_path / "stats.json").read_text())
    assert list(stats) == ["time", "inference_mode", "network_groups", "time_to_run"]
    assert stats["inference_mode"] == "full_sync" and stats["time_to_run"] == "1.00 seconds"
    assert [g["name"] for g in stats["network_groups"]] == ["net_a", "net_b"]
    assert re.fullmatch(r"\d+\.\d{6}", stats["network_groups"][0]["FPS"])
    fps_a, fps_b = (float(g["FPS"]) for g in stats["network_groups"])
    assert fps_b > fps_a        # priority 17 beats 16 whenever both are ready
    proc = cli("run2")
    assert proc.returncode == 6 and "Nothing to run" in proc.stderr
    proc = cli("run2", "-t", "1", "--measure-latency", "set-net", a)
    assert proc.returncode == 0, proc.stderr
    assert "frames are sent one at a time" in proc.stderr
    assert re.search(r"net_a: hw latency: \d+\.\d\d ms \| overall latency: \d+\.\d\d ms", proc.stdout)


def test_benchmark_summary(cli, write_model):
    path = write_model(classifier(fps=1000))
    proc = cli("benchmark", "-t", "1", path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith("Starting Measurements...\nMeasuring FPS in HW-only mode\n")
    assert "Measuring FPS (and Power on supported platforms) in streaming mode" in out
    assert "> Inference result:" not in out and "Running " not in out     # no run block per measurement
    summary = out.split("=======\nSummary\n=======\n", 1)[1].splitlines()
    assert re.fullmatch(r"FPS     \(hw_only\)                 = [\d.]+", summary[0])
    assert re.fullmatch(r"        \(streaming\)               = [\d.]+", summary[1])
    assert re.fullmatch(r"Latency \(hw\)                      = [\d.]+ ms", summary[2])
    assert summary[4] == "Device 0000:01:00.0:"
    assert re.fullmatch(r"  Power in streaming mode \(average\) = [\d.]+ W", summary[5])


def test_measure_power(cli):
    proc = cli("measure-power")
    assert proc.returncode == 0, proc.stderr
    assert re.fullmatch(r"Executing on device: 0000:01:00.0\nCurrent power consumption \(W\): [\d.]+\n", proc.stdout)
    proc = cli("measure-power", "--duration", "1", "--sampling-period", "140", "--averaging-factor", "1")
    lines = proc.stdout.splitlines()
    assert lines[1] == "Measuring power consumption over 1 seconds:"
    assert int(lines[2].split(": ")[1]) > 100
    assert [line.split(" (")[0] for line in lines[3:]] == ["Max value", "Min value", "Average value",
                                                           "Average time per sample"]
    assert lines[-1] == "Average time per sample (ms): 0.28"
    proc = cli("measure-power", "--type", "CURRENT")
    assert proc.returncode == 2 and "Failed to execute on device: 0000:01:00.0. status= HAILO_INVALID_ARGUMENT(2)" \
        in proc.stderr


def test_run_multi_network_group_prints_each_network(cli, tmp_path):
    from hailort_sim.hef.samples import sample_bytes
    path = tmp_path / "multi.hef"
    path.write_bytes(sample_bytes("multi_network_shortcut_net"))
    proc = cli("run", str(path), "-c", "20", "--dont-show-progress")
    assert proc.returncode == 0, proc.stderr
    block = result_block(proc.stdout).splitlines()
    assert block[0] == " Network group: multi_network_shortcut_net"
    assert block[1] == "  Network: multi_network_shortcut_net/net0"
    assert "  Network: multi_network_shortcut_net/net1" in block
    total = block.index("  Total bandwidth: ")
    per_network = [float(line.split()[2]) for line in block[:total] if line.startswith("    Send Rate:")]
    assert float(block[total + 1].split()[2]) == pytest.approx(sum(per_network), abs=0.02)


def test_run_measure_stats_and_dot(cli, write_model, tmp_path):
    path = write_model(classifier(fps=1000))
    proc = cli("run", path, "-c", "100", "measure-stats")
    assert proc.returncode == 105 and "No measurement flags provided" in proc.stderr
    stats, dot = tmp_path / "stats.csv", tmp_path / "graph.dot"
    proc = cli("run", path, "-t", "1", "--dont-show-progress", "--dot", str(dot), "measure-stats", "--elem-fps",
               "--elem-queue-size", "--elem-latency", "--vstream-latency", "--output-path", str(stats))
    assert proc.returncode == 0, proc.stderr
    assert "> Writing pipeline statistics to '{}'... done.".format(stats) in proc.stdout
    rows = [line.split(",") for line in stats.read_text().splitlines()]
    assert rows[0] == ["net_name", "vstream_name", "param_type", "element", "mean", "min", "max", "var", "sd",
                       "mean_sd", "index"]
    kinds = {(r[1], r[2]) for r in rows[1:]}
    assert kinds == {(v, kind) for v in ("classifier/input_layer1", "classifier/fc1")
                     for kind in ("fps", "queue_size", "latency")}
    for r in rows[1:]:
        mean, low, high = float(r[4]), float(r[5]), float(r[6])
        assert low <= mean <= high
    latency = {(r[1], r[3]): float(r[4]) for r in rows[1:] if r[2] == "latency"}
    assert set(latency) == {("classifier/input_layer1", "classifier/input_layer1"),
                            ("classifier/input_layer1", "PushQueueElementclassifier/input_layer1"),
                            ("classifier/input_layer1", "HwWriteElementclassifier/input_layer1"),
                            ("classifier/fc1", "classifier/fc1"), ("classifier/fc1", "PullQueueElementclassifier/fc1"),
                            ("classifier/fc1", "HwReadElementclassifier/fc1")}
    # a vstream's latency is its elements' sum, and the device's share is positive
    v = "classifier/input_layer1"
    assert latency[(v, v)] == pytest.approx(latency[(v, "PushQueueElement" + v)] + latency[(v, "HwWriteElement" + v)])
    assert latency[(v, "HwWriteElement" + v)] > 0
    assert dot.read_text().startswith("digraph pipeline {")


def test_run2_measure_fw_actions(cli, write_model, tmp_path):
    path = write_model(shortcut("fw_net", fps=2000), name="fw_net.hef")
    proc = cli("run2", "-t", "1", "--mode", "raw", "set-net", path, "--batch-size", "4", "measure-fw-actions")
    assert proc.returncode == 0, proc.stderr
    assert "'raw' is deprecated, please use 'raw_sync' instead." in proc.stderr
    data = json.loads((tmp_path / "runtime_data_fw_net.json").read_text())
    assert data["network_group_name"] == "fw_net" and data["inference_mode"] == "raw_sync"
    assert [run["batch_size"] for run in data["runs"]] == [4]
    assert data["runs"][0]["frames"] > 0
    proc = cli("run2", "set-net", path, "measure-fw-actions")
    assert proc.returncode == 109 and "raw_sync or raw_async" in proc.stderr
    # the subcommand as a network app of its own: `run2 measure-fw-actions <hef> [options]`
    proc = cli("run2", "-t", "1", "--mode", "raw_async", "measure-fw-actions", path, "--batch-size", "2",
               "--output-path", "fw.json")
    assert proc.returncode == 0, proc.stderr
    assert [run["batch_size"] for run in json.loads((tmp_path / "fw.json").read_text())["runs"]] == [2]


def test_run2_warnings_are_the_clis_and_set_vstream_order(cli, write_model):
    path = write_model(classifier(fps=1000))
    proc = cli("run2", "-t", "1", "--measure-latency", "set-net", path, "set-vstream", "classifier/fc1",
               "--type", "float32", "--order", "nc")
    assert proc.returncode == 0, proc.stderr
    assert "[HailoRT CLI] [warning] Measuring latency; frames are sent one at a time and FPS will not be " \
           "measured" in proc.stderr
    assert "[HailoRT CLI] [warning] \"hailortcli run2\" is not optimized for single model usage." in proc.stderr
    bad = cli("run2", "set-net", path, "set-vstream", "classifier/fc1", "--order", "zigzag")
    assert bad.returncode != 0 and "--order" in bad.stderr


def test_run_and_benchmark_name_the_hef_they_failed_to_read(cli, tmp_path):
    broken = tmp_path / "broken.hef"
    broken.write_bytes(b"\x01HEF" + bytes(60))
    for command in (["run", "-t", "1", broken], ["benchmark", "-t", "1", broken]):
        proc = cli(*command)
        assert proc.returncode != 0
        assert proc.stderr.splitlines()[-1].endswith(" - Failed reading hef file {}".format(broken)), proc.stderr
        assert proc.stderr.splitlines()[-1].startswith("[HailoRT CLI] [error] CHECK_SUCCESS failed with status=HAILO_")


def test_run_collect_runtime_data(cli, write_model, tmp_path):
    path = write_model(shortcut("rt_net", fps=2000), name="rt_net.hef")
    proc = cli("run", path, "-c", "40", "--batch-size", "4", "--dont-show-progress", "collect-runtime-data",
               "--batch-to-measure", "last")
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "runtime_data_rt_net.json"
    assert "> Runtime data written to '{}'".format("runtime_data_rt_net.json") in proc.stdout
    data = json.loads(out.read_text())
    assert data["device_id"] == "0000:01:00.0" and data["inference_mode"] == "streaming"
    group = data["network_groups"][0]
    assert group["network_group_name"] == "rt_net" and group["frames"] == 40 and group["batches"] == 10
    assert group["batch_to_measure"] == 9 and group["measured"] is True
    # a batch of 4: the first frame's latency (at least a frame time) plus 3 frame times
    assert group["frame_time_ms"] > 0 and group["batch_time_ms"] >= 4 * group["frame_time_ms"]
    target = tmp_path / "late.json"
    proc = cli("run", path, "-c", "8", "--dont-show-progress", "collect-runtime-data", "--batch-to-measure", "20",
               "--output-path", str(target))
    assert proc.returncode == 0, proc.stderr
    assert "--frames-count (8) is smaller than --batch-to-measure (20)" in proc.stderr
    assert json.loads(target.read_text())["network_groups"][0]["measured"] is False
    proc = cli("run", path, "collect-runtime-data", "--output-path", "data.txt")
    assert proc.returncode != 0 and "does not end with '.json'" in proc.stderr
    proc = cli("run", path, "collect-runtime-data", "--batch-to-measure", "first")
    assert proc.returncode != 0 and "'last'" in proc.stderr


def test_run_directory_without_hefs_is_an_error(cli, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("x")
    (empty / "dir.hef").mkdir()      # a folder named like a HEF is not one
    proc = cli("run", str(empty))
    # run_command_hefs_dir: HAILO_INVALID_ARGUMENT, a plain line on stderr (parse-hef's is a CHECK)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == "No HEF files were found in the directory: {}\n".format(empty)


def test_run_directory_names_each_hef_and_goes_on_after_a_failure(cli, write_model, tmp_path):
    good = write_model(shortcut(fps=500), name="b_good.hef")
    write_model(shortcut(), name="a_h15.hef", arch="HAILO15H")
    directory = os.path.dirname(good)
    proc = cli("run", directory, "-c", "4")
    stars = "*" * 80
    assert proc.returncode == 93, proc.stderr        # the failed HEF's status
    out = proc.stdout.split("\n")
    failed = out.index("Inferring {}:".format(os.path.join(directory, "a_h15.hef")))
    assert out[failed - 1] == stars and out[failed + 1] == stars   # nothing ran for it
    assert out[failed + 2] == "Inferring {}:".format(good)
    assert "> Inference result:" in proc.stdout.split(good)[-1]
    assert "HAILO_HEF_NOT_COMPATIBLE_WITH_DEVICE(93)" in proc.stderr and "Traceback" not in proc.stderr

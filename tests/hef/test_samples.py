"""The committed sample generator: deterministic, complete, usable from the command line."""
import subprocess
import sys

from hailort_sim.hef.reader import read_hef
from hailort_sim.hef.samples import ARCHS, SAMPLES, sample_bytes, write_samples


def test_samples_are_byte_for_byte_reproducible():
    for name in SAMPLES:
        assert sample_bytes(name) == sample_bytes(name)


def test_required_samples_exist():
    for name in ("resnet_v1_18", "shortcut_net", "yolov8n", "multi_network_group", "multi_network_shortcut_net",
                 "ssd_mobilenet_v1"):
        assert name in SAMPLES
    for arch in ARCHS:
        for model in ("resnet_v1_18", "shortcut_net", "yolov8n"):
            assert read_hef(sample_bytes(f"{model}_{arch.lower()}")).hw_arch.name == arch


def test_multi_network_group_sample_has_two_groups():
    model = read_hef(sample_bytes("multi_network_group"))
    assert [g.name for g in model.network_groups] == ["resnet_v1_18", "shortcut_net"]


def test_write_samples_and_command_line(tmp_path):
    paths = write_samples(str(tmp_path / "api"), ["resnet_v1_18"])
    assert [p.rsplit("/", 1)[1] for p in paths] == ["resnet_v1_18.hef"]
    out = tmp_path / "cli"
    result = subprocess.run([sys.executable, "-m", "hailort_sim.hef.samples", str(out)],
                            capture_output=True, text=True, check=True)
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(f"{n}.hef" for n in SAMPLES)
    assert len(result.stdout.splitlines()) == len(SAMPLES)
    for name in SAMPLES:
        assert (out / f"{name}.hef").read_bytes() == sample_bytes(name)
    bad = subprocess.run([sys.executable, "-m", "hailort_sim.hef.samples", str(out), "no_such_model"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "unknown sample" in bad.stderr

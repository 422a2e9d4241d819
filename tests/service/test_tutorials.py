"""Guide tutorials 5.4 (processes variant) and 5.6 through hailort_service.

The tutorial files are the guide's code as printed. They run from ``<tmp>/run`` so that
their own relative paths (``../hefs/resnet_v1_18.hef``) resolve to the sample HEFs the
runtime generates: not even the HEF paths are edited.
"""
import os
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
TUTORIALS = os.path.join(HERE, "tutorials")
# Fast simulated models keep the tutorials (2 x 100 x 10 frames in 5.6) short.
FAST_MODELS = """
[network_group resnet_v1_18]
fps = 20000
[network_group shortcut_net]
fps = 20000
"""


@pytest.fixture
def tutorial_dir(tmp_path, sim_env):
    pytest.importorskip("hailo_platform")
    from hailort_sim.hef import samples
    samples.write_samples(str(tmp_path / "hefs"), ["resnet_v1_18", "shortcut_net"])
    with open(sim_env["HAILORT_SIM_CONFIG"], "a") as handle:
        handle.write(FAST_MODELS)
    (tmp_path / "run").mkdir()
    return tmp_path / "run"


def run_tutorial(name, cwd, env):
    shutil.copy(os.path.join(TUTORIALS, name), str(cwd / name))
    return subprocess.run([sys.executable, name], cwd=str(cwd), env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("name", ["tutorial_5_4_processes.py", "tutorial_5_6.py"])
def test_tutorial_through_the_service(name, tutorial_dir, service, sim_env):
    service()
    result = run_tutorial(name, tutorial_dir, sim_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "Done inference"
    assert "Traceback" not in result.stderr


def test_tutorial_without_the_service_fails_with_rpc_failed(tutorial_dir, sim_env):
    result = run_tutorial("tutorial_5_4_processes.py", tutorial_dir, sim_env)
    assert result.returncode != 0
    assert "HAILO_RPC_FAILED" in result.stderr
    assert "job failed" in result.stderr

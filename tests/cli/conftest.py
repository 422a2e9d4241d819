"""Run the installed console scripts (the venv's bin) against a simulated-device config."""
import os
import pathlib
import subprocess
import sys
from dataclasses import dataclass

import pytest

BIN = pathlib.Path(sys.executable).parent


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def sim_conf(tmp_path):
    """Write a config file for the CLI; returns its path."""
    def write(text):
        path = tmp_path / "hailort-sim.conf"
        path.write_text(text)
        return str(path)
    return write


@pytest.fixture
def run_cli(tmp_path):
    """``run_cli("hailortcli", "scan", config=path)``: the script's exit code and output."""
    def run(script, *args, config=None, env=None):
        executable = BIN / script
        assert executable.exists(), "{} is not installed: run `pip install -e .` (scripts/setup)".format(executable)
        environment = dict(os.environ)
        environment.pop("HAILORT_CONSOLE_LOGGER_LEVEL", None)
        environment["HAILORT_LOGGER_PATH"] = str(tmp_path / "logs")
        if config is None:
            config = tmp_path / "none.conf"
            config.write_text("")
        environment["HAILORT_SIM_CONFIG"] = str(config)
        environment.update(env or {})
        done = subprocess.run([str(executable), *map(str, args)], capture_output=True, text=True,
                              cwd=str(tmp_path), env=environment, timeout=60)
        assert "Traceback" not in done.stderr, done.stderr
        return Result(done.returncode, done.stdout, done.stderr)
    return run

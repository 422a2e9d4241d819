"""Reliability: 100k async jobs (scripts/async-soak runs 1M the same way), each callback exactly
once, every job succeeds with correct output or fails with a HailoRT status, shutdown with jobs
in flight leaves no thread behind."""
import os
import re
import subprocess
import sys

import pytest

SOAK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "async-soak")


@pytest.mark.slow
def test_100k_async_jobs(tmp_path):
    proc = subprocess.run([sys.executable, SOAK, "--jobs", "100000", "--threads", "2"], capture_output=True,
                          text=True, timeout=300, env=dict(os.environ, TMPDIR=str(tmp_path)))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "callbacks: exactly once 100000  missing 0  repeated 0" in proc.stdout
    succeeded = int(re.search(r"succeeded: (\d+)", proc.stdout).group(1))
    assert succeeded >= 100000 - 2 * 32 * 2       # only the shutdown tail may fail
    assert "runtime threads left after release: 0" in proc.stdout
    assert proc.stdout.rstrip().endswith("OK")

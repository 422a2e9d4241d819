"""The real libgsthailo 4.21.0 (built by the oracle with the libgsthailo recipe's settings)
against the committed list our elements are held to (tests/gst): gst-inspect-1.0 of the real
plugin, property by property (type, default, range, flags), and the plugin's name and features.
"""
import os
import shutil
import subprocess
import sys

import pytest

from oracle_env import ORACLE, TESTS

sys.path.insert(0, str(TESTS.parent / "gst"))
from gst_helpers import ELEMENTS, assert_real_properties  # noqa: E402

NEEDS_ORACLE = True


def _inspect(tmp_path, *args):
    if shutil.which("gst-inspect-1.0") is None:
        pytest.skip("gst-inspect-1.0 is not installed (Debian: gstreamer1.0-tools)")
    plugin = ORACLE / "image" / "libgsthailo" / "usr" / "lib" / "gstreamer-1.0"
    if not (plugin / "libgsthailo.so").is_file():
        pytest.skip("this oracle predates the libgsthailo build: rebuild it (scripts/hailort-oracle build)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GST_", "HAILORT_"))}
    env.update(GST_PLUGIN_PATH=str(plugin), GST_PLUGIN_SYSTEM_PATH="", GST_REGISTRY=str(tmp_path / "registry.bin"),
               LD_LIBRARY_PATH=str(ORACLE / "lib"), HAILORT_LOGGER_PATH=str(tmp_path))
    proc = subprocess.run(["gst-inspect-1.0", *args], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def test_the_real_plugin_is_hailo_with_its_elements(tmp_path):
    out = _inspect(tmp_path, "hailo")
    assert "  Name                     hailo\n" in out
    assert {"hailonet: hailonet element", "hailodevicestats: hailodevicestats element"} <= {
        line.strip() for line in out.splitlines()}


@pytest.mark.parametrize("element", ELEMENTS)
def test_the_committed_properties_are_the_real_plugins(tmp_path, element):
    assert_real_properties(element, _inspect(tmp_path, element))


"""Our hailonet/hailodevicestats show, in gst-inspect-1.0, libgsthailo 4.21.0's properties:
the committed list (read from the real source) by name, type, default and range."""
import os
import pathlib
import re

import pytest

from gst_helpers import ELEMENTS, assert_hailo_plugin, assert_real_properties, committed

@pytest.mark.parametrize("element", ELEMENTS)
def test_properties_are_the_real_ones(gst, element):
    r = gst.inspect(element)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    assert_real_properties(element, r.stdout)


def test_pads_and_metadata(gst):
    r = gst.inspect("hailonet")
    assert re.search(r"SINK template: 'sink'\n\s+Availability: Always\n\s+Capabilities:\n\s+ANY", r.stdout)
    assert re.search(r"SRC template: 'src'\n\s+Availability: Always\n\s+Capabilities:\n\s+ANY", r.stdout)
    assert re.search(r"Klass\s+Hailo/Network", r.stdout)
    assert '"flush"' in r.stdout
    assert re.search(r"\(0\): HAILO_SCHEDULING_ALGORITHM_NONE - Scheduler is not active", r.stdout)
    stats = gst.inspect("hailodevicestats").stdout
    assert re.search(r"Klass\s+Hailo/Device", stats)
    assert "Pad Templates:\n  none" in stats


def test_listed_like_the_guide(gst):
    """Guide §10.6: `gst-inspect-1.0 | grep hailo` returns `hailo: hailonet: hailonet element` and
    `hailodevicestats: hailodevicestats element`: the plugin column says "hailo" as libgsthailo's."""
    r = gst.inspect()
    lines = [line for line in r.stdout.splitlines() if "hailo" in line]
    assert sorted(lines) == ["hailo:  hailodevicestats: hailodevicestats element",
                             "hailo:  hailonet: hailonet element"], lines


@pytest.mark.parametrize("fork", ["yes", "no"])
def test_inspect_the_hailo_plugin(gst, tmp_path, fork):
    """`gst-inspect-1.0 hailo` shows the plugin with both elements: scanned into a fresh registry
    (by gst-plugin-scanner, or in the process with GST_REGISTRY_FORK=no), then from that cache."""
    registry = tmp_path / "registry.bin"
    env = dict(gst.env, GST_REGISTRY=str(registry), GST_REGISTRY_FORK=fork)
    for run in ("fresh", "cached"):
        before = registry.stat().st_mtime_ns if run == "cached" else None
        r = gst.run(["gst-inspect-1.0", "hailo"], env=env)
        assert r.returncode == 0, f"{run}: {r.stdout}{r.stderr}"
        assert_hailo_plugin(r.stdout)
        assert "Traceback" not in r.stderr and "CRITICAL" not in r.stderr, r.stderr
        if before is not None:
            assert registry.stat().st_mtime_ns == before, "the cached registry was rescanned"


def test_committed_list_matches_the_real_source():
    """Re-reads the names from a hailort v4.21.0 checkout (HAILORT_SRC) when there is one."""
    src = os.environ.get("HAILORT_SRC")
    if not src:
        pytest.skip("HAILORT_SRC (a hailort v4.21.0 checkout) is not set")
    gst_dir = pathlib.Path(src) / "hailort/libhailort/bindings/gstreamer/gst-hailo"
    for element, source in (("hailonet", "gsthailonet.cpp"), ("hailodevicestats", "gsthailodevicestats.cpp")):
        text = (gst_dir / source).read_text()
        names = re.findall(r'g_param_spec_\w+\(\s*"([\w-]+)"', text)
        assert sorted(names) == sorted(committed()[element]), element

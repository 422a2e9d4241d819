"""The hardware profile on a target with exactly the hardware image's layout (hardware_layout.py):
every packaging row PASSes, the rows that need a Hailo device FAIL saying there is none.

This is the test that would have caught the libhailort.so bug: the image has the libhailort
package's libhailort.so.4.21.0 and no libhailort-dev, so no /usr/lib/libhailort.so.
With HAILORT_ORACLE_DIR the library, hailortcli and hailo_platform are the real HailoRT 4.21.0.
"""
import json
import os
import shutil

import pytest

from hailo_kit import ssh
from hailo_kit.validate.runner import Result, run_checks
from hailo_kit.validate.samples import make_sample_hefs

from . import hardware_layout
from .sshd import LocalSSHServer

# Rows about what the image installs: they must PASS on this target.
PACKAGING = ("files", "libhailort", "hailortcli", "pyhailort", "firmware", "udev-rule", "parse-hef", "service")
# Rows that need a Hailo device (or its driver): they must FAIL, saying there is none.
DEVICE = ("scan", "identify", "fw-version", "hailo_pci", "device-nodes", "run", "infer-model", "service-inference",
          "gst_pipeline")


@pytest.fixture(scope="module")
def layout(qemu_image, tmp_path_factory):
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("the hardware-layout target runs commands with unshare and chroot: needs root")
    work = tmp_path_factory.mktemp("hardware-layout")
    manifest = json.loads((qemu_image.base_dir / "manifest.json").read_text())
    root = work / "root"
    origin = hardware_layout.build(root, qemu_image.base_dir / "base.cpio", manifest["python"], work)
    yield root, origin
    shutil.rmtree(work, ignore_errors=True)


@pytest.fixture(scope="module")
def report(layout, tmp_path_factory):
    root, _ = layout
    tmp = tmp_path_factory.mktemp("hw-sshd")
    hef = make_sample_hefs(tmp / "hefs")["shortcut_net"]
    with LocalSSHServer(tmp, env=hardware_layout.ENV, shell=hardware_layout.shell(root)) as srv:
        target = ssh.Target("127.0.0.1", srv.port, "root", key_filename=srv.key_path,
                            host_key=ssh.host_key_line(srv.host_key))
        with ssh.Session.connect(target, deadline_s=30) as session:
            hardware_layout.boot(session)
            try:
                return run_checks(session, "hardware", hardware_hef=hef, deadline_s=600, jobs=2)
            finally:
                hardware_layout.shutdown(session)


def test_the_layout_is_the_hardware_images(layout):
    root, origin = layout
    assert (root / "usr/lib/libhailort.so.4.21.0").is_file()
    assert not (root / "usr/lib/libhailort.so").exists()          # libhailort-dev is not in the image
    assert not (root / "etc/hailo/hailort-sim.conf").exists()     # nor the simulated device
    assert origin["/lib/systemd/system/hailort.service"].startswith("layer: ")
    if hardware_layout.oracle_dir():
        assert origin["/usr/lib/libhailort.so.4.21.0"].startswith("oracle: ")
        assert origin["/usr/bin/hailortcli"].startswith("oracle: ")
        assert origin["/usr/lib/gstreamer-1.0/libgsthailo.so"].startswith("oracle: ")


def test_packaging_rows_pass(report):
    got = {r.id: r for r in report.records}
    bad = {i: (got[i].result.value, got[i].detail) for i in PACKAGING if got[i].result != Result.PASS}
    assert not bad, bad
    assert "/usr/lib/libhailort.so.4.21.0 (version 4.21.0)" in got["libhailort"].detail
    assert got["sim-config"].result == Result.SKIP


def test_device_rows_fail_saying_there_is_no_device(report):
    got = {r.id: r for r in report.records}
    for i in DEVICE:
        assert got[i].result == Result.FAIL, (i, got[i])
        assert got[i].detail.startswith("no Hailo device found"), (i, got[i].detail)
    assert report.error is None and report.exit_code == 1


def test_gstreamer_row_passes_with_the_real_plugin(report, layout):
    got = {r.id: r for r in report.records}
    _, origin = layout
    if origin["/usr/lib/gstreamer-1.0/libgsthailo.so"].startswith("oracle: "):
        assert got["gstreamer"].result == Result.PASS, got["gstreamer"]
    else:
        # Without the oracle no real libgsthailo is built here: the placeholder is no plugin.
        assert got["gstreamer"].result == Result.FAIL
        assert "lacks hailonet, hailodevicestats" in got["gstreamer"].detail

"""The overlay stage without booting: the runtime wheel installed for Debian's python, the
layer's files at their image paths, the unit enabled as the recipe would."""
import os
import sys

import pytest

from hailo_kit.qemu import config, overlay


def test_image_paths_go_through_merged_usr():
    assert overlay.image_path("lib/systemd/system/x.service") == "usr/lib/systemd/system/x.service"
    assert overlay.image_path("etc/default/hailort_service") == "etc/default/hailort_service"


def test_layer_files_and_enabled_unit(tmp_path):
    files = overlay.layer_files(tmp_path)
    assert files == overlay.layer_files_of_image()[0]
    # the hand-written list this replaced had missed the tmpfiles.d entry
    assert "/usr/lib/tmpfiles.d/hailort.conf" in {f.path for f in files}
    for f in files:
        installed = tmp_path / overlay.image_path(f.path.lstrip("/"))
        assert installed.read_bytes() == f.source.read_bytes()
        assert installed.stat().st_mode & 0o777 == f.mode
    link = tmp_path / "etc/systemd/system/multi-user.target.wants/hailort.service"
    assert os.readlink(link) == "/lib/systemd/system/hailort.service"


@pytest.mark.slow
def test_runtime_wheel_installs_for_the_target_python(tmp_path):
    build_dir = config.REPO_ROOT / "runtime/build"
    existed = build_dir.exists()
    wheel = overlay.build_wheel(tmp_path)
    assert wheel.name.startswith("hailort_sim-4.21.0-py3-none-any")
    assert build_dir.exists() == existed                           # built from a copy
    root = tmp_path / "root"
    pyver = f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert overlay.install_wheel(wheel, root, pyver) is True       # same version: bytecode
    for tool in ("hailortcli", "hailo", "hailort_service"):
        script = (root / "usr/bin" / tool).read_text()
        assert script.startswith("#!/usr/bin/python3\n"), tool
    site = root / "usr/lib/python3/dist-packages"
    assert (site / "hailo_platform/__init__.py").is_file()
    assert list((site / "hailort_sim/__pycache__").glob(f"__init__.cpython-{pyver.replace('.', '')}.pyc"))
    assert overlay.install_wheel(wheel, tmp_path / "other", "3.9") is False   # no foreign pyc


def test_gst_plugin_built_for_the_host_architecture_only(tmp_path):
    """libgsthailo.so where the recipe installs it, linked from Debian's plugin directory; a
    foreign target gets none (the host has no headers for it), and the overlay still builds."""
    import shutil
    import subprocess
    if shutil.which("make") is None or subprocess.run(["pkg-config", "--exists", "gstreamer-1.0"]).returncode:
        pytest.skip("make or GStreamer's headers missing (scripts/setup installs them)")
    host = config.arch(os.uname().machine)
    foreign = next(a for a in config.ARCHES if a != host.name)
    pyver = f"{sys.version_info[0]}.{sys.version_info[1]}"
    for arch in (foreign, host.name):
        root, work = tmp_path / arch / "root", tmp_path / arch / "work"
        root.mkdir(parents=True)
        work.mkdir()
        overlay.gst_plugin(root, work, arch, pyver)
    assert not list((tmp_path / foreign).rglob("libgsthailo.so"))
    plugin = tmp_path / host.name / "root/usr/lib/gstreamer-1.0/libgsthailo.so"
    assert plugin.read_bytes()[:4] == b"\x7fELF"
    link = tmp_path / host.name / f"root/usr/lib/{host.multiarch}/gstreamer-1.0/libgsthailo.so"
    assert os.readlink(link) == "/usr/lib/gstreamer-1.0/libgsthailo.so"

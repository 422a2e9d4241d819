"""hailo_kit.layer: what the packages install, read from the recipes (the hardware profile's
expected files). With HAILORT_ORACLE_DIR (the real HailoRT build): the paths it reads for each
package agree with BitBake's own FILES and the real install trees."""
import fnmatch
import json
import os
from pathlib import Path

import pytest

from hailo_kit import layer


def by_package(files):
    out = {}
    for f in files:
        out.setdefault(f.package, set()).add(f.path)
    return out


def test_hardware_packagegroup_and_its_files():
    packages = layer.packagegroup("packagegroup-hailo")
    assert {"libhailort", "hailortcli", "hailort-service", "libgsthailo", "pyhailort"} <= set(packages)
    # with meta-hailo-accelerator (the bbappend), and what hailo-pci recommends
    assert {"hailo-pci", "hailo-pci-udev", "hailo-firmware"} <= set(packages)
    files = by_package(layer.installed_files(packages))
    # The runtime package carries the versioned library; libhailort.so is libhailort-dev's.
    assert "/usr/lib/libhailort.so.4.21.0" in files["libhailort"]
    assert not any(p == "/usr/lib/libhailort.so" for paths in files.values() for p in paths)
    assert "/usr/bin/hailortcli" in files["hailortcli"]
    assert {"/usr/bin/hailort_service", "/lib/systemd/system/hailort.service",
            "/etc/default/hailort_service"} <= files["hailort-service"]
    assert files["hailo-pci-udev"] == {"/etc/udev/rules.d/51-hailo-udev.rules"}
    sources = {f.path: f.source for f in layer.installed_files(["hailort-service"])}
    # The daemon is built (${B}/...), though the layer has a file of the same name (its environment).
    assert sources["/usr/bin/hailort_service"] is None
    assert sources["/etc/default/hailort_service"].name == "hailort_service"
    assert "/lib/firmware/hailo/hailo8_fw.bin" in files["hailo-firmware"]


def test_sim_packagegroup_installs_the_layer_files_once():
    files = layer.installed_files(layer.packagegroup("packagegroup-hailo-sim"))
    paths = {f.path: f.source for f in files}
    assert {"/etc/hailo/hailort-sim.conf", "/lib/systemd/system/hailort.service",
            "/etc/default/hailort_service"} <= set(paths)
    # the one file the build makes: python3-hailort-sim-gst's plugin, from runtime/gst-plugin
    assert [path for path, source in paths.items() if source is None] == ["/usr/lib/gstreamer-1.0/libgsthailo.so"]
    for path, source in paths.items():
        if source is None:
            continue
        # each comes from a file of the layer, the same file the hardware service package uses
        assert source.is_file(), path
        assert layer.REPO_ROOT in source.resolve().parents


def test_package_assignment_follows_oe_core_rules():
    recipe = layer.recipe_of("libhailort")
    assert recipe.package_of("/usr/lib/libhailort.so") == "libhailort-dev"
    assert recipe.package_of("/usr/lib/libhailort.so.4.21.0") == "libhailort"
    assert recipe.package_of("/usr/include/hailo/hailort.h") == "libhailort-dev"
    assert recipe.package_of("/usr/lib/cmake/HailoRT/HailoRTConfig.cmake") == "libhailort-dev"


def test_unknown_package_is_a_clear_error():
    with pytest.raises(layer.LayerError, match="no-such-package"):
        layer.recipe_of("no-such-package")


def _oracle():
    value = os.environ.get("HAILORT_ORACLE_DIR")
    if not value or not (Path(value) / "metadata").is_dir():
        pytest.skip("set HAILORT_ORACLE_DIR to a built HailoRT oracle (scripts/hailort-oracle) to compare "
                    "with BitBake's FILES and the real install trees")
    return Path(value)


def test_agrees_with_the_oracles_bitbake_metadata_and_install_trees():
    oracle = _oracle()
    checked = 0
    for meta in sorted((oracle / "metadata").glob("*.json")):
        data = json.loads(meta.read_text())
        tree = oracle / "image" / meta.stem
        # The oracle's metadata/<recipe>.json (hailo_kit.oracle.metadata.RecipeData): BitBake's
        # values, FILES:<package> under "files".
        # The oracle builds without PACKAGECONFIG service (docs/oracle.md): hailort-service stays empty.
        service_built = "service" in data["values"].get("PACKAGECONFIG", "").split()
        for package in data["values"].get("PACKAGES", "").split():
            patterns = data["files"].get(package, "").split()
            try:
                ours = [f for f in layer.installed_files([package]) if f.package == package]
            except layer.LayerError:
                continue
            for f in ours:
                # what we expect in the package, BitBake's FILES put there, and the real build installed
                # (layer.DIRS are without usrmerge; wrynose's nodistro has it: /lib is /usr/lib there)
                paths = {f.path, "/usr" + f.path if f.path.startswith(("/lib/", "/bin/", "/sbin/")) else f.path}
                matched = [path for path in paths if any(fnmatch.fnmatchcase(path, p) or path.startswith(p.rstrip("/") + "/")
                                                         for p in patterns)]
                assert matched, (package, f.path, patterns)
                if tree.is_dir() and f.source is None and (service_built or package != "hailort-service"):
                    assert (tree / matched[0].lstrip("/")).exists(), (package, f.path, tree)
                checked += 1
    assert checked, "the oracle's metadata names none of our packages"


def test_the_qemu_target_installs_what_the_sim_packages_install(tmp_path):
    """The QEMU target stands in for a packagegroup-hailo-sim image: the same layer files at the
    same paths and modes (its runtime wheel aside), its units enabled."""
    from hailo_kit.qemu import overlay
    packages = layer.packagegroup("packagegroup-hailo-sim")
    # Not the SysV init script: systemd.bbclass drops /etc/init.d on an image without sysvinit.
    ours = {f.path: (f.source.read_bytes(), f.mode) for f in layer.installed_files(packages)
            if f.source is not None and not f.path.startswith("/etc/init.d/")}
    overlay.layer_files(tmp_path)
    qemu = {p: ((tmp_path / overlay.image_path(p.lstrip("/"))).read_bytes(),
                (tmp_path / overlay.image_path(p.lstrip("/"))).stat().st_mode & 0o777) for p in ours}
    assert qemu == ours
    for unit in layer.systemd_services(packages):
        assert (tmp_path / "etc/systemd/system/multi-user.target.wants" / unit).is_symlink()


def test_units_and_init_scripts_are_told_apart():
    # The service packages ship both; an image keeps its init system's (hailo-validate's files check).
    files = {f.path for f in layer.installed_files(["hailort-service", "python3-hailort-sim"])}
    assert {"/lib/systemd/system/hailort.service", "/etc/init.d/hailort"} <= files
    assert layer.init_system("/lib/systemd/system/hailort.service") == "systemd"
    assert layer.init_system("/etc/init.d/hailort") == "sysvinit"
    assert layer.init_system("/etc/default/hailort_service") is None

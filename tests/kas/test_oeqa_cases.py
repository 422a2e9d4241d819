"""The oeqa runtime cases of meta-hailo-libhailort (guide §10.6 for `bitbake -c testimage`).

Always: they compile, import only oeqa names that testimage provides, name only packages our
layers (or oe-core) build, and are listed in kas/testimage.yml. With an oe-core or poky checkout
in POKY_DIR (or OECORE_DIR): oeqa's own loader and runner run them against a stand-in target that
executes the commands on this host, where the simulated runtime (hailortcli, hailo,
hailo_platform from this repository) answers.
"""
from __future__ import annotations

import ast
import logging
import os
import py_compile
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kas_support import LAYER_DIRS, REPO_ROOT

CASES_DIR = REPO_ROOT / "meta-hailo-libhailort" / "lib" / "oeqa" / "runtime" / "cases"
MODULE = CASES_DIR / "hailort_validation.py"
SIM_CONF = (REPO_ROOT / "meta-hailo-libhailort" / "dynamic-layers" / "meta-python" / "recipes-hailo" / "python3-hailort-sim" / "files"
            / "hailort-sim.conf")
# What testimage's oeqa offers a runtime case (oe-core meta/lib/oeqa).
OEQA_API = {
    "oeqa.runtime.case": {"OERuntimeTestCase"},
    "oeqa.core.decorator.depends": {"OETestDepends"},
    "oeqa.runtime.decorator.package": {"OEHasPackage", "OERequirePackage"},
    "oeqa.core.decorator.data": {"skipIfNotFeature", "skipIfDataVar", "skipIfNotDataVar",
                                 "skipIfNotInDataVar", "skipIfInDataVar", "skipIfNotQemu",
                                 "skipIfQemu", "skipIfNotMachine", "skipIfMachine"},
}


def _tree():
    return ast.parse(MODULE.read_text(), filename=str(MODULE))


def _decorator_calls(name):
    for node in ast.walk(_tree()):
        if isinstance(node, ast.FunctionDef):
            for dec in node.decorator_list:
                if isinstance(dec, ast.Call) and getattr(dec.func, "id", None) == name:
                    yield node, ast.literal_eval(dec.args[0])


def _our_packages():
    """Package names our layers' recipes make: recipe names, split packages (PACKAGES =+),
    what they RPROVIDE, and the kernel-module-<name> package module.bbclass splits off."""
    names = set()
    for layer in LAYER_DIRS:
        for bb in (REPO_ROOT / layer).rglob("*.bb"):
            pn = bb.name.split("_")[0].removesuffix(".bb")
            text = bb.read_text()
            names.add(pn)
            for value in re.findall(r'^(?:PACKAGES =\+|RPROVIDES:\S+ \+?=)\s*"([^"]*)"', text, re.M):
                names.update(w.replace("${PN}", pn) for w in value.split())
            if re.search(r"^inherit .*\bmodule\b", text, re.M):
                names.add("kernel-module-" + pn)
    return names


def test_cases_compile():
    assert MODULE.is_file()
    for case in CASES_DIR.glob("*.py"):
        py_compile.compile(str(case), doraise=True)
        assert case.stem == case.stem.lower(), "oeqa refuses module names with capitals"


def test_cases_import_only_the_oeqa_api():
    for node in ast.walk(_tree()):
        if isinstance(node, ast.ImportFrom) and node.module.startswith("oeqa"):
            assert node.module in OEQA_API, node.module
            assert {a.name for a in node.names} <= OEQA_API[node.module]
        elif isinstance(node, ast.Import):
            # hailort_checks: the §10.6 rows, in this layer's lib (addpylib)
            assert all(a.name in {"os", "re", "hailort_checks"} for a in node.names)


def test_packages_named_exist():
    ours = _our_packages()
    if not ours:
        pytest.skip("the layers have no recipes yet")
    names = {n for _, pkgs in _decorator_calls("OEHasPackage") for n in pkgs}
    assert names
    unknown = {n.lstrip("!") for n in names} - ours
    assert not unknown, f"packages no recipe here builds: {sorted(unknown)}"


def test_dependencies_name_existing_tests():
    methods = {n.name for n in ast.walk(_tree()) if isinstance(n, ast.FunctionDef)}
    classes = {n.name for n in ast.walk(_tree()) if isinstance(n, ast.ClassDef)}
    deps = [d for _, ds in _decorator_calls("OETestDepends") for d in ds]
    assert "ssh.SSHTest.test_ssh" in deps
    for dep in deps:
        module, cls, method = dep.split(".")
        if module == MODULE.stem:
            assert cls in classes and method in methods, dep
        else:
            assert dep == "ssh.SSHTest.test_ssh", dep


def test_every_guide_row_has_a_test():
    """Guide §10.6: libhailort, hailortcli, pyhailort (+ hailo), libgsthailo, firmware, pci."""
    tests = {n.name for n in ast.walk(_tree())
             if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")}
    for row in ("libhailort", "hailortcli_scan", "hailortcli_run", "pyhailort",
                "hailo_fw_control_identify", "libgsthailo", "hailo_firmware", "hailo_pci"):
        assert any(row in t for t in tests), row


# -- running them with oeqa itself -------------------------------------------------------

def _oecore_dir() -> Path | None:
    for var in ("POKY_DIR", "OECORE_DIR"):
        value = os.environ.get(var)
        if value and (Path(value) / "meta" / "lib" / "oeqa").is_dir():
            return Path(value)
    return None


@pytest.fixture(scope="module")
def oeqa():
    root = _oecore_dir()
    if root is None:
        pytest.skip("set POKY_DIR (or OECORE_DIR) to a poky or openembedded-core checkout "
                    "to run the cases with oeqa")
    for lib in (root / "meta" / "lib", root / "bitbake" / "lib", root.parent / "bitbake" / "lib"):
        if lib.is_dir() and str(lib) not in sys.path:
            sys.path.append(str(lib))
    from oeqa.runtime.context import OERuntimeTestContext
    return OERuntimeTestContext


class HostTarget:
    """oeqa's target interface (run, copyTo) on this host: the simulated runtime of this
    repository answers hailortcli, hailo and python3."""

    ip = "127.0.0.1"
    server_ip = "127.0.0.1"

    def __init__(self, env):
        self.env = env

    def run(self, cmd, timeout=None):
        proc = subprocess.run(["bash", "-c", cmd], env=self.env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=timeout or 120)
        return proc.returncode, proc.stdout.strip()

    def copyTo(self, local, remote):  # noqa: N802 - oeqa's name
        shutil.copy(local, remote)
        return 0, ""

    def start(self, **kwargs):
        pass

    def stop(self, **kwargs):
        pass


STAND_IN_SSH = '''
from oeqa.runtime.case import OERuntimeTestCase

class SSHTest(OERuntimeTestCase):
    """Stand-in for oe-core's ssh test (which needs ping to a booted image)."""
    def test_ssh(self):
        status, output = self.target.run("uname -a")
        self.assertEqual(status, 0, output)
'''


@pytest.fixture(scope="module")
def stubs(tmp_path_factory):
    # One directory for the module's runs: unittest refuses an "ssh" imported from elsewhere.
    path = tmp_path_factory.mktemp("oeqa-stubs")
    (path / "ssh.py").write_text(STAND_IN_SSH)
    return path


def _run_cases(oeqa_context, stubs, tmp_path, monkeypatch, td, packages, sim_conf=SIM_CONF):
    bindir = Path(sys.executable).parent
    env = dict(os.environ, PATH=f"{bindir}{os.pathsep}{os.environ['PATH']}",
               HAILORT_SIM_CONFIG=str(sim_conf),
               PYTHONPATH=str(REPO_ROOT / "runtime"))
    tc = oeqa_context({"MLPREFIX": "", "libdir": "/usr/lib", **td}, logging.getLogger("oeqa"),
                      HostTarget(env), set(packages), None)
    tc.loadTests([str(stubs), str(CASES_DIR)], modules=["ssh", "hailort_validation"])
    module = sys.modules["hailort_validation"]
    monkeypatch.setattr(module, "REMOTE_DIR", str(tmp_path / "target"))
    result = tc.runTests()
    short = lambda case: case.id().rsplit(".", 1)[1]  # noqa: E731
    return ({short(c[0] if isinstance(c, tuple) else c) for c in result.successes},
            {short(c): why for c, why in result.skipped},
            {short(c): tb for c, tb in result.failures + result.errors})


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_sim_image_passes_the_command_rows_and_skips_the_native_ones(oeqa, stubs, tmp_path, monkeypatch):
    passed, skipped, failed = _run_cases(oeqa, stubs, tmp_path, monkeypatch,
                                         {"HAILO_RUNTIME_PROVIDER": "sim"},
                                         {"python3-hailort-sim", "python3-core", "dropbear"})
    assert not failed, failed
    assert {"test_hailortcli_version", "test_hailortcli_scan", "test_hailortcli_run",
            "test_pyhailort_import", "test_hailo_fw_control_identify"} <= passed
    for test, package in (("test_libhailort_installed", "libhailort"),
                          ("test_libgsthailo_elements", "libgsthailo"),
                          ("test_hailo_firmware_installed", "hailo-firmware"),
                          ("test_hailo_pci_modinfo", "hailo-pci")):
        assert package in skipped[test]


def test_sim_scan_must_list_the_configured_devices(oeqa, stubs, tmp_path, monkeypatch):
    """The scan row fails when hailortcli and the device configuration disagree."""
    conf = tmp_path / "two-devices.conf"
    conf.write_text("[device0]\narchitecture = HAILO8\ndevice_id = 0000:01:00.0\n")
    env_conf = tmp_path / "other.conf"
    env_conf.write_text("[device0]\narchitecture = HAILO8\ndevice_id = 0000:02:00.0\n")

    class Mismatch(HostTarget):
        def run(self, cmd, timeout=None):
            if cmd.startswith("sed "):  # the test reads one file, the runtime another
                cmd = cmd.replace("${HAILORT_SIM_CONFIG:-/etc/hailo/hailort-sim.conf}", str(conf))
            return super().run(cmd, timeout)

    monkeypatch.setattr(sys.modules[__name__], "HostTarget", Mismatch)
    passed, skipped, failed = _run_cases(oeqa, stubs, tmp_path, monkeypatch,
                                         {"HAILO_RUNTIME_PROVIDER": "sim"},
                                         {"python3-hailort-sim"}, sim_conf=env_conf)
    assert "test_hailortcli_scan" in failed
    assert "configured simulated devices" in failed["test_hailortcli_scan"]


def test_hardware_image_without_a_device_skips_the_device_rows(oeqa, stubs, tmp_path, monkeypatch):
    if Path("/dev/hailo0").exists():
        pytest.skip("this host has a Hailo device")
    passed, skipped, failed = _run_cases(
        oeqa, stubs, tmp_path, monkeypatch, {"HAILO_RUNTIME_PROVIDER": "hardware"},
        {"hailortcli", "pyhailort", "libhailort"})
    for test in ("test_hailortcli_scan", "test_hailo_fw_control_identify"):
        assert "no Hailo device" in skipped[test], (test, skipped.get(test), failed.get(test))
    assert "test_hailortcli_run" in skipped  # after the scan it depends on
    # This host has no libhailort.so.4.21.0: the row fails, it is not silently passed.
    assert "test_libhailort_installed" in failed


def test_testimage_suites_exist():
    """Every TEST_SUITES name in kas/testimage.yml is a module oeqa can find."""
    import yaml
    text = yaml.safe_load((REPO_ROOT / "kas" / "testimage.yml").read_text())["local_conf_header"]
    suites = re.search(r'^TEST_SUITES = "([^"]*)"', text["hailo-testimage"], re.M).group(1).split()
    ours = {p.stem for p in CASES_DIR.glob("*.py")}
    assert ours <= set(suites)
    oecore = _oecore_dir()
    if oecore is None:
        pytest.skip("set POKY_DIR (or OECORE_DIR) to check oe-core's suite names")
    core_cases = oecore / "meta" / "lib" / "oeqa" / "runtime" / "cases"
    for suite in set(suites) - ours:
        assert (core_cases / f"{suite}.py").is_file(), suite

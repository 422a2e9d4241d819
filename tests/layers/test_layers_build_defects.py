"""The defects a real build of the layers would hit (issue 11, item 3 a-i), one check each, from
the files alone (no BitBake). tests/layers/test_layers_bitbake_parse.py checks the same through
`bitbake -e` and `bitbake -g` on each release it is given.

Optional inputs, each test skipped with the reason when it is missing:
  HAILORT_SRC_DIR      HailoRT 4.21.0's source tree (git archive of tag v4.21.0): the patches apply
  HAILORT_DRIVERS_GIT  a git clone of hailo-ai/hailort-drivers: the drivers' SRCREV is on SRC_URI's branch
  HAILO_CMAKE4         a CMake 4 binary (else `cmake` on PATH when it is version 4): HailoRT's
                       sub-build helper, patched, configures an old project under CMake 4
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import bbmeta
from layers_common import ROOT, layer_files

LIBHAILORT = ROOT / "meta-hailo-libhailort"
CLASS = LIBHAILORT / "classes-recipe" / "hailort.bbclass"
HAILORT_FILES = LIBHAILORT / "recipes-hailo" / "hailort" / "files"
CMAKE4_PATCH = HAILORT_FILES / "0001-execute_cmake-pass-CMAKE_POLICY_VERSION_MINIMUM-to-sub-builds.patch"
PYHAILORT_DIR = LIBHAILORT / "dynamic-layers" / "meta-python" / "recipes-hailo" / "pyhailort"
NUMPY_PATCH = PYHAILORT_DIR / "files" / "0001-setup.py-accept-numpy-2.patch"
INIT_SCRIPT = HAILORT_FILES / "hailort.init"


def recipe(pn):
    return next(bbmeta.read(p) for p in layer_files("*.bb") if bbmeta.read(p).pn == pn)


def toolchain_lines():
    cls = CLASS.read_text()
    body = re.search(r"do_generate_toolchain_file:append\(\) \{\n(.*?)\n\}", cls, re.S).group(1)
    return body.splitlines()


# --- a: the host sub-build's generator ----------------------------------------------------------

def test_a_generator_is_one_the_clean_sub_build_environment_has():
    cls = bbmeta.read(CLASS)
    assert cls.value("OECMAKE_GENERATOR") == "Unix Makefiles"
    # The class says why, next to the setting.
    assert "execute_cmake.cmake" in CLASS.read_text() and "ninja" in CLASS.read_text()


# --- b: no build path through pyhailort's RPATH -----------------------------------------------------

def test_b_toolchain_file_turns_off_rpaths_for_setup_py_cmake_run():
    lines = toolchain_lines()
    assert any(line.startswith("set(CMAKE_SKIP_RPATH ON") for line in lines)
    assert any(line.startswith("set(CMAKE_SKIP_INSTALL_RPATH ON") for line in lines)
    py = recipe("pyhailort")
    assert "hailort" in py.inherits
    # setup.py hands CMake only the environment's CMAKE_TOOLCHAIN_FILE: it must be the class's.
    assert py.value("CMAKE_TOOLCHAIN_FILE") == "${WORKDIR}/toolchain.cmake"


def _toolchain_file(path):
    """The class's toolchain.cmake additions, as do_generate_toolchain_file writes them."""
    cls = bbmeta.read(CLASS)
    lines = toolchain_lines()
    start = next(i for i, line in enumerate(lines) if "<<EOF_HAILORT" in line)
    heredoc = lines[start + 1:lines.index("EOF_HAILORT")]
    text = "\n".join(heredoc).replace("${HAILORT_CMAKE_POLICY_VERSION_MINIMUM}",
                                                 cls.value("HAILORT_CMAKE_POLICY_VERSION_MINIMUM"))
    path.write_text(text + "\n")
    return path


def test_b_installed_extension_has_no_rpath(tmp_path):
    """pyhailort's CMake pattern (a module linked to a library by path, INSTALL_RPATH set to
    that path, INSTALL_RPATH_USE_LINK_PATH) built with and without the class's toolchain lines:
    only without them does the installed module carry the (sysroot) path."""
    cmake = shutil.which("cmake")
    readelf = shutil.which("readelf")
    if not cmake or not readelf or not (shutil.which("cc") or shutil.which("gcc")):
        pytest.skip("needs cmake, a C compiler and readelf on PATH")
    src = tmp_path / "src"
    (src / "sysroot").mkdir(parents=True)
    (src / "lib.c").write_text("int hailo_lib(void) { return 4; }\n")
    (src / "ext.c").write_text("int hailo_lib(void);\nint ext(void) { return hailo_lib(); }\n")
    (src / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.5)\nproject(rpath C)\n"
        "add_library(hailort_stub SHARED lib.c)\n"
        "set_target_properties(hailort_stub PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${CMAKE_SOURCE_DIR}/sysroot)\n"
        "add_library(_ext MODULE ext.c)\n"
        "target_link_libraries(_ext PRIVATE hailort_stub)\n"
        "set_target_properties(_ext PROPERTIES PREFIX \"\" INSTALL_RPATH \"${CMAKE_SOURCE_DIR}/sysroot/libhailort.so.4.21.0\" "
        "INSTALL_RPATH_USE_LINK_PATH TRUE)\n"
        "install(TARGETS _ext LIBRARY DESTINATION lib)\n")

    def build(name, toolchain):
        args = [cmake, "-S", str(src), "-B", str(tmp_path / name), "-DCMAKE_INSTALL_PREFIX=%s" % (tmp_path / (name + "-inst"))]
        if toolchain:
            args.append("-DCMAKE_TOOLCHAIN_FILE=%s" % _toolchain_file(tmp_path / "toolchain.cmake"))
        for command in (args, [cmake, "--build", str(tmp_path / name), "--target", "install"]):
            proc = subprocess.run(command, capture_output=True, text=True, timeout=300)
            assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
        module = tmp_path / (name + "-inst") / "lib" / "_ext.so"
        dynamic = subprocess.run([readelf, "-d", str(module)], capture_output=True, text=True).stdout
        return dynamic, module.read_bytes()

    dynamic, data = build("plain", toolchain=False)
    assert "RPATH" in dynamic or "RUNPATH" in dynamic  # the defect: HailoRT's CMake sets one
    dynamic, data = build("class", toolchain=True)
    assert "RPATH" not in dynamic and "RUNPATH" not in dynamic
    assert str(src).encode() not in data  # what oe-core's buildpaths QA looks for


# --- c: the service without systemd --------------------------------------------------------------

def test_c_service_has_an_init_script_beside_the_unit():
    for pn, package in (("hailort", "hailort-service"), ("python3-hailort-sim", "${PN}")):
        meta = recipe(pn)
        assert {"systemd", "update-rc.d"} <= set(meta.inherits), pn
        assert meta.value("INITSCRIPT_NAME:" + package if package != "${PN}" else "INITSCRIPT_NAME") == "hailort"
        assert "/init.d/hailort" in meta.text and "file://hailort.init" in meta.text


def test_c_init_script_is_valid_sh_and_creates_the_run_folder():
    text = INIT_SCRIPT.read_text()
    assert os.access(INIT_SCRIPT, os.X_OK)
    assert re.search(r"^# Provides: +hailort$", text, re.M)
    assert 'RUNDIR=/run/hailo' in text and 'mkdir -p "$RUNDIR"' in text
    assert "PIDFILE=$RUNDIR/hailort_service.pid" in text
    # The unit's PID file is the same.
    assert "PIDFile=/run/hailo/hailort_service.pid" in (HAILORT_FILES / "hailort.service").read_text()
    for shell in ("sh", "dash", "bash"):
        if shutil.which(shell):
            proc = subprocess.run([shell, "-n", str(INIT_SCRIPT)], capture_output=True, text=True)
            assert proc.returncode == 0, proc.stderr


def test_c_init_script_runs_the_service_and_stops_it(tmp_path):
    """start/status/stop against a stand-in daemon that forks and writes its PID file, with the
    script's paths moved into tmp_path."""
    daemon = tmp_path / "hailort_service"
    rundir, logdir = tmp_path / "run" / "hailo", tmp_path / "log" / "hailo"
    daemon.write_text("#!/bin/sh\n(trap 'exit 0' TERM; echo \"$HAILORT_LOGGER_PATH\" > %s/env; "
                      "while :; do sleep 0.1; done) >/dev/null 2>&1 </dev/null &\necho $! > %s/hailort_service.pid\n" % (tmp_path, rundir))
    daemon.chmod(0o755)
    defaults = tmp_path / "default"
    defaults.write_text((HAILORT_FILES / "hailort_service").read_text())
    script = tmp_path / "hailort.init"
    text = INIT_SCRIPT.read_text()
    for old, new in (("DAEMON=/usr/bin/hailort_service", "DAEMON=%s" % daemon), ("RUNDIR=/run/hailo", "RUNDIR=%s" % rundir),
                     ("LOGDIR=/var/log/hailo", "LOGDIR=%s" % logdir), ("DEFAULTS=/etc/default/hailort_service", "DEFAULTS=%s" % defaults)):
        assert old in text
        text = text.replace(old, new)
    script.write_text(text)

    def run(action):
        return subprocess.run(["sh", str(script), action], capture_output=True, text=True, timeout=30)

    assert run("status").returncode == 3
    assert run("start").returncode == 0
    try:
        assert rundir.is_dir() and logdir.is_dir()
        assert run("status").returncode == 0
        # The environment file's assignments reach the service (its [Service] line is skipped).
        for _ in range(50):
            if (tmp_path / "env").exists() and (tmp_path / "env").read_text().strip():
                break
            subprocess.run(["sleep", "0.1"])
        assert (tmp_path / "env").read_text().strip() == "/var/log/hailo"
    finally:
        assert run("stop").returncode == 0
    assert run("status").returncode == 3 and not (rundir / "hailort_service.pid").exists()
    assert run("bogus").returncode == 2


# --- d: libgsthailo prepares no externals ---------------------------------------------------------

def test_d_libgsthailo_does_not_inherit_the_externals_preparation():
    gst = recipe("libgsthailo")
    assert "hailort" not in gst.inherits and "cmake" in gst.inherits
    assert gst.requires == ["recipes-hailo/hailort/hailort-sources-${PV}.inc"]


# --- e: HailoRT configured and built once ---------------------------------------------------------

def test_e_one_recipe_builds_hailort_and_keeps_the_package_names():
    builders = sorted(bbmeta.read(p).pn for p in layer_files("*.bb") if "hailort" in bbmeta.read(p).inherits)
    # pyhailort builds only its extension (its own CMake project), against the installed libhailort.
    assert builders == ["hailort", "pyhailort"]
    hailort = recipe("hailort")
    assert hailort.value("PROVIDES").split() == ["libhailort", "hailortcli", "hailort-service"]
    assert {"libhailort", "libhailort-dev", "hailortcli", "hailort-service"} <= set(hailort.words("PACKAGES"))
    assert "${libdir}/libhailort.so.4.21.0" in hailort.value("FILES:libhailort")
    assert "${bindir}/hailortcli" in hailort.value("FILES:hailortcli")
    assert "${bindir}/hailort_service" in hailort.value("FILES:hailort-service")
    assert hailort.value("PACKAGECONFIG", flag="service") == "-DHAILO_BUILD_SERVICE=ON,-DHAILO_BUILD_SERVICE=OFF"
    assert hailort.value("PACKAGECONFIG") == "service"
    for old in ("libhailort", "hailortcli", "hailort-service"):
        assert not list(LIBHAILORT.rglob("%s_*.bb" % old)), old


# --- f: hailo-pci -------------------------------------------------------------------------------

def test_f_no_duplicate_kernel_module_package():
    for pn in ("hailo-pci", "hailo-integrated-nnc"):
        assert not [w for w in recipe(pn).words("RPROVIDES") if w.startswith("kernel-module-")], pn


def test_f_driver_srcrev_is_on_the_branch_src_uri_names():
    mirror = os.environ.get("HAILORT_DRIVERS_GIT")
    if not mirror:
        pytest.skip("set HAILORT_DRIVERS_GIT to a git clone of hailo-ai/hailort-drivers")
    for pn in ("hailo-pci", "hailo-integrated-nnc"):
        meta = recipe(pn)
        branch = re.search(r"branch=([^;\s]+)", meta.value("SRC_URI")).group(1)
        refs = subprocess.run(["git", "-C", mirror, "branch", "-a", "--contains", meta.value("SRCREV"),
                               "--format=%(refname:short)"], capture_output=True, text=True)
        assert refs.returncode == 0, refs.stderr
        names = {r.split("/")[-1] for r in refs.stdout.split()}
        assert branch in names, "%s: %s is not on %s (it is on %s)" % (pn, meta.value("SRCREV"), branch, names)


# --- g: master's licence names and wheel ----------------------------------------------------------

def test_g_non_spdx_licences_are_licenseref():
    for pn in ("hailo-firmware", "hailo15-nnc-fw"):
        meta = recipe(pn)
        assert meta.value("LICENSE") == "LicenseRef-Hailo-Firmware-EULA"
        # master finds the file under the name without the prefix, older releases under the full one.
        assert meta.value("NO_GENERIC_LICENSE", flag="Hailo-Firmware-EULA") == "LICENSE"
        assert meta.value("NO_GENERIC_LICENSE", flag="LicenseRef-Hailo-Firmware-EULA") == "LICENSE"


def test_g_pyhailort_depends_on_wheel():
    assert "python3-wheel-native" in recipe("pyhailort").words("DEPENDS")


# --- h: CMake 4 -----------------------------------------------------------------------------------

def test_h_policy_minimum_in_the_toolchain_and_patch_in_src_uri():
    assert any(line.startswith("set(CMAKE_POLICY_VERSION_MINIMUM ${HAILORT_CMAKE_POLICY_VERSION_MINIMUM} CACHE")
               for line in toolchain_lines())
    assert bbmeta.read(CLASS).value("HAILORT_CMAKE_POLICY_VERSION_MINIMUM") == "3.5"
    assert "file://%s" % CMAKE4_PATCH.name in recipe("hailort").text


def hailort_source():
    src = os.environ.get("HAILORT_SRC_DIR")
    if not src:
        pytest.skip("set HAILORT_SRC_DIR to HailoRT 4.21.0's source tree (git archive of tag v4.21.0)")
    if not (Path(src) / "hailort" / "cmake" / "execute_cmake.cmake").is_file():
        pytest.fail("HAILORT_SRC_DIR=%s is not HailoRT's source tree" % src)
    return Path(src)


@pytest.mark.parametrize("patch", [CMAKE4_PATCH, NUMPY_PATCH], ids=lambda p: p.name)
def test_patches_have_upstream_status_and_apply(patch):
    text = patch.read_text()
    assert re.search(r"^Upstream-Status: (Pending|Submitted|Backport|Inappropriate|Denied|Accepted)", text, re.M)
    src = hailort_source()
    proc = subprocess.run(["git", "apply", "--check", "-p1", str(patch)], cwd=src, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def cmake4():
    candidate = os.environ.get("HAILO_CMAKE4") or shutil.which("cmake")
    if not candidate:
        pytest.skip("set HAILO_CMAKE4 to a CMake 4 binary")
    version = subprocess.run([candidate, "--version"], capture_output=True, text=True).stdout
    major = re.search(r"version (\d+)\.", version)
    if not major or int(major.group(1)) < 4:
        pytest.skip("HAILO_CMAKE4 / cmake on PATH is not CMake 4 (%s)" % version.split("\n")[0])
    return candidate


def test_h_patched_sub_build_configures_an_old_project_under_cmake4(tmp_path):
    """HailoRT's execute_cmake(), as patched, run by CMake 4 on a project that declares
    cmake_minimum_required(VERSION 2.8) (as gRPC's bundled zlib does): the parent's
    CMAKE_POLICY_VERSION_MINIMUM must reach the clean-environment sub-build."""
    cmake = cmake4()
    src = hailort_source()
    helper_dir = tmp_path / "hailort" / "cmake"
    helper_dir.mkdir(parents=True)
    shutil.copy(src / "hailort" / "cmake" / "execute_cmake.cmake", helper_dir)
    old = tmp_path / "old"
    old.mkdir()
    (old / "CMakeLists.txt").write_text("cmake_minimum_required(VERSION 2.8)\nproject(old NONE)\n")
    (tmp_path / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.16)\nproject(parent NONE)\n"
        "include(hailort/cmake/execute_cmake.cmake)\n"
        "execute_cmake(SOURCE_DIR ${CMAKE_SOURCE_DIR}/old BUILD_DIR ${CMAKE_BINARY_DIR}/old-build "
        "CONFIGURE_ARGS -DX=1 BUILD_ARGS --target all)\n")

    def configure(name):
        return subprocess.run([cmake, "-S", str(tmp_path), "-B", str(tmp_path / name), "-G", "Unix Makefiles",
                               "-DCMAKE_POLICY_VERSION_MINIMUM=3.5"], capture_output=True, text=True, timeout=120)

    unpatched = configure("build-unpatched")
    assert unpatched.returncode != 0 and "Failed configuring" in unpatched.stdout + unpatched.stderr
    subprocess.run(["git", "apply", "-p1", str(CMAKE4_PATCH)], cwd=tmp_path, check=True)
    patched = configure("build-patched")
    assert patched.returncode == 0, patched.stdout[-2000:] + patched.stderr[-2000:]


# --- i: numpy 2 ----------------------------------------------------------------------------------

def test_i_pyhailort_accepts_numpy_2():
    text = NUMPY_PATCH.read_text()
    assert '-            "numpy<2",' in text and '+            "numpy",' in text
    assert "file://%s" % NUMPY_PATCH.name in recipe("pyhailort").text
    assert "python3-numpy" in recipe("pyhailort").words("RDEPENDS")

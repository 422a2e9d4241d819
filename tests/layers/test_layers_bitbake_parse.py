"""The layers against real BitBake, per Yocto release: oe-core + BitBake + meta-openembedded
checkouts of scarthgap, whinlatter, wrynose and master, offline, distro nodistro.

Each release runs when its checkouts are given (HAILO_YOCTO_<RELEASE>, see yocto_release.py) and
is skipped with the variables to set otherwise. A cold parse takes minutes per release and image
provider; HAILO_BB_BUILDDIR keeps BitBake's parse cache so later runs take seconds.
"""

import ast
import glob

import pytest

from layer_providers import PROVIDERS
from layers_common import ROOT
from yocto_release import PROVIDERS as RUNTIME_PROVIDERS
from yocto_release import RELEASES, checkouts, make_build, problems

pytestmark = pytest.mark.slow

OUR_RECIPES = ["hailort", "libgsthailo", "pyhailort", "hailo-pci", "hailo-firmware", "python3-hailort-sim",
               "packagegroup-hailo", "packagegroup-hailo-sim", "hailo-image-minimal"]
# The image's runtime packages come from these recipes, per HAILO_RUNTIME_PROVIDER.
IMAGE_RECIPES = {"hardware": {"hailort", "libgsthailo", "pyhailort", "hailo-pci", "hailo-firmware",
                              "packagegroup-hailo"},
                 "sim": {"python3-hailort-sim", "packagegroup-hailo-sim"}}
# The releases whose nodistro default init manager is sysvinit (the others use systemd).
SYSVINIT_RELEASES = {"scarthgap", "whinlatter"}
CMAKE4_RELEASES = {"whinlatter", "wrynose", "master"}

_builds = {}


def build_for(release, provider="hardware"):
    if (release, provider) not in _builds:
        _builds[release, provider] = make_build(release, provider)
    return _builds[release, provider]


_envs = {}


def env_of(release, recipe):
    if (release, recipe) not in _envs:
        _envs[release, recipe] = build_for(release).environment(recipe)
    return _envs[release, recipe]


@pytest.mark.parametrize("release", RELEASES)
def test_providers_exist_in_the_real_layers(release):
    repos = checkouts(release)
    roots = {"core": repos["openembedded-core"] / "meta", "openembedded-layer": repos["meta-openembedded"] / "meta-oe",
             "meta-python": repos["meta-openembedded"] / "meta-python"}
    missing = [(name, where) for name, (collection, where) in PROVIDERS.items()
               if not glob.glob(str(roots[collection] / where))]
    assert not missing


@pytest.mark.parametrize("release", RELEASES)
def test_parse_has_no_errors_or_warnings(release):
    proc = build_for(release).run("bitbake", "-p")
    assert proc.returncode == 0 and not problems(proc), proc.stdout[-3000:] + proc.stderr[-3000:]
    # A fully cached parse (HAILO_BB_BUILDDIR) prints no summary line.
    summary = [line for line in proc.stdout.splitlines() if line.startswith("Parsing of ")]
    assert all(" 0 errors." in line for line in summary)
    assert summary or "Loaded" in proc.stdout


@pytest.mark.parametrize("provider", RUNTIME_PROVIDERS)
@pytest.mark.parametrize("release", RELEASES)
def test_image_task_graph_resolves(release, provider):
    build = build_for(release, provider)
    proc = build.run("bitbake", "-g", "hailo-image-minimal")
    assert proc.returncode == 0 and not problems(proc), proc.stdout[-3000:] + proc.stderr[-3000:]
    buildlist = set((build.top / "pn-buildlist").read_text().split())
    assert IMAGE_RECIPES[provider] <= buildlist
    other = "sim" if provider == "hardware" else "hardware"
    assert not IMAGE_RECIPES[other] & buildlist


@pytest.mark.parametrize("release", RELEASES)
def test_task_graph_of_all_recipes(release):
    build = build_for(release)
    proc = build.run("bitbake", "-g", *OUR_RECIPES)
    assert proc.returncode == 0 and not problems(proc), proc.stdout[-3000:] + proc.stderr[-3000:]
    graph = (build.top / "task-depends.dot").read_text()
    assert '"hailort.do_unpack" -> "hailort.do_prepare_hailort_external_dependencies"' in graph
    assert '"hailort.do_prepare_hailort_external_dependencies" -> "hailort.do_fetch"' in graph
    assert '"packagegroup-hailo.do_package_write_ipk" -> "hailo-pci.do_packagedata"' in graph or \
        '"packagegroup-hailo.do_package_write_rpm" -> "hailo-pci.do_packagedata"' in graph
    # d: libgsthailo uses none of HailoRT's externals, so it does not prepare them.
    assert "libgsthailo.do_prepare_hailort_external_dependencies" not in graph
    assert '"pyhailort.do_prepare_recipe_sysroot" -> "hailort.do_populate_sysroot"' in graph


@pytest.mark.parametrize("release", RELEASES)
def test_old_recipe_names_still_resolve_to_the_one_build(release):
    # e: HailoRT is built once; DEPENDS/bitbake on the old recipe names reach the hailort recipe.
    build = build_for(release)
    proc = build.run("bitbake", "-g", "libhailort", "hailortcli", "hailort-service")
    assert proc.returncode == 0 and not problems(proc), proc.stdout[-3000:] + proc.stderr[-3000:]
    buildlist = (build.top / "pn-buildlist").read_text().split()
    assert "hailort" in buildlist
    assert not {"libhailort", "hailortcli", "hailort-service"} & set(buildlist)


@pytest.mark.parametrize("release", RELEASES)
def test_recipe_qa_is_clean(release):
    proc = build_for(release).run("bitbake", "-k", "-f", "-c", "recipe_qa", *OUR_RECIPES)
    assert proc.returncode == 0 and not problems(proc), proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "all succeeded" in proc.stdout


@pytest.mark.parametrize("release", RELEASES)
def test_hailort_configure_environment(release):
    env = env_of(release, "hailort")
    # a: the host protoc sub-build runs with the build host's /usr/bin only: make, not ninja.
    assert env["OECMAKE_GENERATOR"] == "Unix Makefiles"
    assert "ninja-native" not in env["DEPENDS"].split()
    # h: CMake 4 (and its policy minimum handed to the sub-builds by the patch).
    toolchain = env["do_generate_toolchain_file()"]
    assert "set(CMAKE_POLICY_VERSION_MINIMUM " in toolchain and env["HAILORT_CMAKE_POLICY_VERSION_MINIMUM"] == "3.5"
    assert "0001-execute_cmake-pass-CMAKE_POLICY_VERSION_MINIMUM-to-sub-builds.patch" in env["SRC_URI"]
    # The checkout lands in S, whatever the release calls its unpack folder.
    assert env["S"].endswith("/hailort-4.21.0") and "destsuffix=hailort-4.21.0" in env["SRC_URI"]
    # PACKAGECONFIG "service" (the default) builds the service.
    assert "-DHAILO_BUILD_SERVICE=ON" in env["EXTRA_OECMAKE"] and "service" in env["PACKAGECONFIG"].split()


@pytest.mark.parametrize("release", RELEASES)
def test_service_starts_under_either_init_system(release):
    # c: a unit for systemd and an init script (update-rc.d) for sysvinit, both in hailort-service
    # and in the simulated runtime; the distro's init system picks one.
    features = set(env_of(release, "hailort")["DISTRO_FEATURES"].split())
    assert features & {"sysvinit", "systemd"}
    if release in SYSVINIT_RELEASES:
        assert "sysvinit" in features and "systemd" not in features
    for recipe, package in (("hailort", "hailort-service"), ("python3-hailort-sim", "python3-hailort-sim")):
        env = env_of(release, recipe)
        assert "/init.d/hailort" in env["do_install()"] and "hailort.service" in env["do_install()"]
        assert env.get("INITSCRIPT_PACKAGES", package) == package
        if "sysvinit" in features:
            # update-rc.d.bbclass: the package registers the script at install time.
            assert "update-rc.d" in env["DEPENDS"].split(), recipe
        if "systemd" in features:
            assert env["SYSTEMD_PACKAGES"] == package, recipe


@pytest.mark.parametrize("release", RELEASES)
def test_pyhailort_build_environment(release):
    env = env_of(release, "pyhailort")
    # b: no RPATH (LIBHAILORT_PATH is in the recipe sysroot) in the toolchain file setup.py uses.
    toolchain = env["do_generate_toolchain_file()"]
    assert "set(CMAKE_SKIP_INSTALL_RPATH ON" in toolchain and "set(CMAKE_SKIP_RPATH ON" in toolchain
    assert env["CMAKE_TOOLCHAIN_FILE"].endswith("/toolchain.cmake")
    # g: setup.py imports wheel.bdist_wheel, which master's setuptools3 no longer brings.
    assert "python3-wheel-native" in env["DEPENDS"].split()
    # i: numpy 2 accepted (whinlatter and later ship only numpy 2).
    assert "0001-setup.py-accept-numpy-2.patch" in env["SRC_URI"]


@pytest.mark.parametrize("release", RELEASES)
def test_libgsthailo_and_drivers(release):
    # d: libgsthailo does not prepare HailoRT's externals (it uses none).
    gst = env_of(release, "libgsthailo")
    assert "python do_prepare_hailort_external_dependencies()" not in gst and gst["OECMAKE_GENERATOR"] == "Ninja"
    pci = env_of(release, "hailo-pci")
    # f: module.bbclass makes kernel-module-hailo-pci; no RPROVIDES of it on ${PN}.
    assert "kernel-module-hailo-pci" not in pci.get("RPROVIDES:hailo-pci", "").split()
    assert pci["B"].endswith("/hailo-pci-4.21.0/linux/pcie")
    fw = env_of(release, "hailo-firmware")
    # g: a licence that is not SPDX is a LicenseRef- (master warns otherwise).
    assert fw["LICENSE"] == "LicenseRef-Hailo-Firmware-EULA"


# yocto-check-layer (check_network_flag in yocto-check-layer.bbclass, whinlatter on) fails a
# layer in which any task between do_fetch and do_build has the network flag: all downloading
# belongs in do_fetch. bitbake -e prints the task graph (_task_deps) but no task's flags, so a
# post-read conf names the tasks that have the network flag in a variable bitbake -e prints,
# and the test walks the graph as the class does, on every release. The class sees the flags
# before sstate.bbclass's anonymous function gives every sstate task the network (for sstate
# mirrors and the hash server; yocto-check-layer inherits its class first): those are left out
# here too. The class itself is inherited first as well, so from whinlatter on its own check runs.
NETWORK_CONF = ('INHERIT:prepend = "yocto-check-layer "\n'
                'HAILO_NETWORK_TASKS = "${@\' \'.join(t for t in (d.getVar(\'__BBTASKS\', False) or []) '
                'if bb.utils.to_boolean(d.getVarFlag(t, \'network\')))}"\n'
                'HAILO_FETCH_PREFUNCS = "${@d.getVarFlag(\'do_fetch\', \'prefuncs\') or \'\'}"\n'
                'HAILO_FETCH_POSTFUNCS = "${@d.getVarFlag(\'do_fetch\', \'postfuncs\') or \'\'}"\n')
OFFLINE_MODES = {
    "online": "",
    "collect": 'HAILORT_OFFLINE_BUILD_ENABLE = "1"\n',
    "offline": 'HAILORT_OFFLINE_BUILD_ENABLE = "1"\nHAILORT_OFFLINE_BUILD_USE_EXISTING_TAR = "1"\n',
    "system-libs": 'PACKAGECONFIG:pn-hailort = "system-libs"\n',
}
EXTERNALS_RECIPES = {
    "hailort": ROOT / "meta-hailo-libhailort/recipes-hailo/hailort/hailort_4.21.0.bb",
    "pyhailort": ROOT / "meta-hailo-libhailort/dynamic-layers/meta-python/recipes-hailo/pyhailort/pyhailort_4.21.0.bb",
}


def reached_from_build(parents):
    """The tasks yocto-check-layer's check_network_flag visits: from do_build, not past do_fetch."""
    seen, stack = set(), {"do_build"}
    while stack:
        task = stack.pop()
        if task == "do_fetch":
            continue
        seen.add(task)
        stack |= {dep for dep in parents.get(task, []) if dep not in seen}
    return seen


@pytest.mark.parametrize("recipe, mode", [(r, m) for r in EXTERNALS_RECIPES for m in OFFLINE_MODES
                                          if not (r == "pyhailort" and m == "system-libs")])
@pytest.mark.parametrize("release", RELEASES)
def test_only_do_fetch_has_the_network(release, recipe, mode):
    proc, env = build_for(release).recipe_environment(EXTERNALS_RECIPES[recipe], NETWORK_CONF + OFFLINE_MODES[mode])
    assert proc.returncode == 0 and not problems(proc), problems(proc) or proc.stderr[-3000:]
    graph = ast.literal_eval(env["_task_deps"])
    network = set(env["HAILO_NETWORK_TASKS"].split()) - set(env["SSTATETASKS"].split())
    reached = reached_from_build(graph["parents"])
    assert "do_fetch" in network and "do_prepare_hailort_external_dependencies" in reached
    assert not network & reached, sorted(network & reached)
    # The guide's task: after do_fetch, before do_unpack.
    assert graph["parents"]["do_prepare_hailort_external_dependencies"] == ["do_fetch"]
    assert "do_prepare_hailort_external_dependencies" in graph["parents"]["do_unpack"]
    # do_fetch downloads the externals with CMake, staged for it, only when it downloads them.
    downloads = mode in ("online", "collect")
    assert ("cmake-native:do_populate_sysroot" in graph["depends"]["do_fetch"].split()) == downloads
    # staging.bbclass stages it for do_fetch (extend_recipe_sysroot; also there for git-native in
    # every mode) into the native sysroot, whose bin folder is on every task's PATH; the postfunc
    # runs in every mode and decides.
    assert not downloads or "extend_recipe_sysroot" in env["HAILO_FETCH_PREFUNCS"].split()
    assert env["STAGING_BINDIR_NATIVE"] in env["PATH"].split(":")
    assert "hailort_fetch_externals" in env["HAILO_FETCH_POSTFUNCS"].split()

"""The layers against real BitBake: poky + meta-openembedded checkouts, offline.

Runs when POKY_DIR (a poky checkout: bitbake/, meta/, meta-poky/) and META_OE_DIR (a
meta-openembedded checkout) are set, on any of scarthgap/styhead/walnascar. BitBake refuses to
run as root: as root, set BITBAKE_USER to an unprivileged user that can read the checkouts. HAILO_BB_BUILDDIR names a
build folder to keep between runs (its parse cache makes later runs take seconds).
The first parse takes minutes (about 90 s to 5 min on 2 cores).
"""

import glob
import os
import shlex
import subprocess
import tempfile
from pathlib import Path

import pytest

from layers_common import LAYERS, ROOT
from layer_providers import PROVIDERS

pytestmark = pytest.mark.slow

OUR_TARGETS = ["libhailort", "hailortcli", "pyhailort", "libgsthailo", "hailort-service",
               "hailo-pci", "hailo-firmware", "python3-hailort-sim", "packagegroup-hailo",
               "packagegroup-hailo-sim", "hailo-image-minimal"]


def _checkouts():
    poky, meta_oe = os.environ.get("POKY_DIR"), os.environ.get("META_OE_DIR")
    if not poky or not meta_oe:
        pytest.skip("set POKY_DIR and META_OE_DIR to poky and meta-openembedded checkouts "
                    "(scarthgap, styhead or walnascar) to parse the layers with BitBake")
    poky, meta_oe = Path(poky), Path(meta_oe)
    if not (poky / "bitbake" / "bin" / "bitbake").is_file() or not (meta_oe / "meta-python").is_dir():
        pytest.fail("POKY_DIR=%s / META_OE_DIR=%s are not poky / meta-openembedded checkouts" % (poky, meta_oe))
    return poky, meta_oe


def test_providers_exist_in_the_real_layers():
    poky, meta_oe = _checkouts()
    roots = {"core": poky / "meta", "openembedded-layer": meta_oe / "meta-oe",
             "meta-python": meta_oe / "meta-python"}
    missing = [(name, where) for name, (collection, where) in PROVIDERS.items()
               if not glob.glob(str(roots[collection] / where))]
    assert not missing


@pytest.fixture(scope="module")
def build():
    poky, meta_oe = _checkouts()
    user = os.environ.get("BITBAKE_USER")
    if os.geteuid() == 0 and not user:
        pytest.skip("BitBake refuses to run as root: set BITBAKE_USER to an unprivileged user")
    # HAILO_BB_BUILDDIR keeps the build folder (and BitBake's parse cache) between runs.
    kept = os.environ.get("HAILO_BB_BUILDDIR")
    top = Path(kept) if kept else Path(tempfile.mkdtemp(prefix="hailo-bb-"))
    conf = top / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    (conf / "local.conf").write_text(
        'MACHINE = "qemux86-64"\nDISTRO = "poky"\nBB_NO_NETWORK = "1"\n'
        'INHERIT:remove = "uninative"\nWARN_QA:append = " missing-metadata"\n'
        'DISTRO_FEATURES:append = " systemd usrmerge"\nVIRTUAL-RUNTIME_init_manager = "systemd"\n'
        'DL_DIR = "%s/downloads"\nCONF_VERSION = "2"\n' % top)
    layers = [poky / "meta", poky / "meta-poky", meta_oe / "meta-oe", meta_oe / "meta-python"]
    layers += [ROOT / layer for layer in LAYERS]
    (conf / "bblayers.conf").write_text(
        'POKY_BBLAYERS_CONF_VERSION = "2"\nBBPATH = "${TOPDIR}"\nBBFILES ?= ""\n'
        'BBLAYERS ?= "%s"\n' % " ".join(str(p) for p in layers))
    if user:
        subprocess.run(["chown", "-R", user, str(top)], check=True)

    def run(*args, timeout=1800):
        script = "cd %s && . ./oe-init-build-env %s >/dev/null && %s" % (
            shlex.quote(str(poky)), shlex.quote(str(top)), " ".join(shlex.quote(a) for a in args))
        env = dict(os.environ, LANG="en_US.UTF-8", LC_ALL="en_US.UTF-8")
        command = ["su", user, "-s", "/bin/bash", "-c", script] if user else ["bash", "-c", script]
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout)

    return top, run


def _problems(proc):
    # "-f" taints the forced task's hash and BitBake says so: that warning is ours, not the recipe's.
    return [line for line in (proc.stdout + proc.stderr).splitlines()
            if line.startswith(("WARNING:", "ERROR:")) and "is tainted from a forced run" not in line]


def test_parse_has_no_errors_or_warnings(build):
    _, run = build
    proc = run("bitbake", "-p")
    assert proc.returncode == 0 and not _problems(proc), proc.stdout[-3000:] + proc.stderr[-3000:]
    # A fully cached parse (HAILO_BB_BUILDDIR) prints no summary line.
    summary = [line for line in proc.stdout.splitlines() if line.startswith("Parsing of ")]
    assert all(" 0 errors." in line for line in summary)
    assert summary or "Loaded" in proc.stdout


def test_task_graph_of_all_recipes_and_the_image_resolves(build):
    top, run = build
    proc = run("bitbake", "-g", *OUR_TARGETS)
    assert proc.returncode == 0 and not _problems(proc), proc.stdout[-3000:] + proc.stderr[-3000:]
    buildlist = (top / "pn-buildlist").read_text().split()
    assert set(OUR_TARGETS) <= set(buildlist)
    graph = (top / "task-depends.dot").read_text()
    assert '"libhailort.do_unpack" -> "libhailort.do_prepare_hailort_external_dependencies"' in graph
    assert '"libhailort.do_prepare_hailort_external_dependencies" -> "libhailort.do_fetch"' in graph
    assert '"packagegroup-hailo.do_package_write_rpm" -> "hailo-pci.do_packagedata"' in graph


def test_recipe_qa_is_clean(build):
    _, run = build
    proc = run("bitbake", "-k", "-f", "-c", "recipe_qa", *OUR_TARGETS)
    assert proc.returncode == 0 and not _problems(proc), proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "all succeeded" in proc.stdout


def test_network_flag_and_source_folder(build):
    _, run = build
    proc = run("bitbake-getvar", "-q", "-r", "libhailort", "--value", "-f", "network",
               "do_prepare_hailort_external_dependencies")
    assert proc.returncode == 0, proc.stderr[-3000:]
    # Default mode downloads: the flag is on for this task (and only here, see test_layers_structure).
    assert proc.stdout.strip().splitlines()[-1] == "1"
    proc = run("bitbake-getvar", "-q", "-r", "libhailort", "--value", "S")
    assert proc.returncode == 0 and proc.stdout.strip().endswith("/hailort-4.21.0"), proc.stdout

"""Real BitBake, oe-core and meta-openembedded checkouts per Yocto release, for the layer tests.

Environment variables, per release (SCARTHGAP, WHINLATTER, WRYNOSE, MASTER):
  HAILO_YOCTO_<RELEASE>           a folder holding bitbake/, openembedded-core/ and
                                  meta-openembedded/ of that release (the layout kas checks out)
  HAILO_YOCTO_<RELEASE>_BITBAKE   each checkout on its own (overrides the folder's)
  HAILO_YOCTO_<RELEASE>_OECORE
  HAILO_YOCTO_<RELEASE>_METAOE
and for all releases:
  HAILO_BB_BUILDDIR   keep the build folders (<dir>/<release>-<provider>) and BitBake's parse
                      cache between runs: a cold parse takes minutes, a cached one seconds
  BITBAKE_USER        an unprivileged user to run BitBake as when the tests run as root

A release whose checkouts are not given is skipped with the names of the variables to set.
"""

import os
import re
import shlex
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from layers_common import LAYERS, ROOT

from hailo_kit.oracle import metadata
from hailo_kit.oracle.metadata import parse_environment

RELEASES = ("scarthgap", "whinlatter", "wrynose", "master")
PROVIDERS = ("hardware", "sim")


def checkouts(release):
    """{"bitbake": Path, "openembedded-core": Path, "meta-openembedded": Path}; skips the release
    when they are not given, fails when one given is not such a checkout."""
    try:
        return metadata.checkouts(release)
    except metadata.CheckoutsNotGiven as error:
        pytest.skip(str(error))
    except metadata.MetadataError as error:
        pytest.fail(str(error))


def core_series(oecore):
    """The series names oe-core of a checkout declares (LAYERSERIES_COMPAT_core)."""
    text = (oecore / "meta" / "conf" / "layer.conf").read_text()
    return re.search(r'^LAYERSERIES_COMPAT_core = "([^"]*)"', text, re.M).group(1).split()


def our_series():
    conf = (ROOT / "meta-hailo-libhailort" / "conf" / "layer.conf").read_text()
    return re.search(r'^LAYERSERIES_COMPAT_hailo-libhailort = "([^"]*)"', conf, re.M).group(1).split()


@dataclass
class Build:
    release: str
    provider: str
    top: Path
    repos: dict
    user: str

    def run(self, *args, timeout=3600):
        oecore, bitbake = self.repos["openembedded-core"], self.repos["bitbake"]
        script = "cd %s && . ./oe-init-build-env %s %s >/dev/null && %s" % (
            shlex.quote(str(oecore)), shlex.quote(str(self.top)), shlex.quote(str(bitbake)),
            " ".join(shlex.quote(a) for a in args))
        env = dict(os.environ, LANG="en_US.UTF-8", LC_ALL="en_US.UTF-8")
        command = ["su", self.user, "-s", "/bin/bash", "-c", script] if self.user else ["bash", "-c", script]
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout)

    def environment(self, recipe):
        """bitbake -e <recipe>, as {variable: value}; functions as {"name()": body}, Python ones
        as {"python name()": body} (the oracle's reader, hailo_kit.oracle.metadata)."""
        proc = self.run("bitbake", "-e", recipe)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        return parse_environment(proc.stdout)

    def recipe_environment(self, path, conf):
        """bitbake -e -b <recipe file> with conf read after the configuration (bitbake -R): one
        recipe parsed with extra settings, without a parse of all recipes. Returns (proc, env)."""
        postread = self.top / "conf" / "test-postread.conf"
        postread.write_text(conf)
        if self.user:
            subprocess.run(["chown", self.user, str(postread)], check=True)
        proc = self.run("bitbake", "-e", "-b", str(path), "-R", str(postread))
        return proc, parse_environment(proc.stdout)


def make_build(release, provider):
    repos = checkouts(release)
    user = os.environ.get("BITBAKE_USER", "")
    if os.geteuid() == 0 and not user:
        pytest.skip("BitBake refuses to run as root: set BITBAKE_USER to an unprivileged user")
    kept = os.environ.get("HAILO_BB_BUILDDIR")
    top = Path(kept) / ("%s-%s" % (release, provider)) if kept else Path(
        tempfile.mkdtemp(prefix="hailo-bb-%s-%s-" % (release, provider)))
    conf = top / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    # nodistro: oe-core's own policy (poky is no longer one repository from whinlatter on).
    (conf / "local.conf").write_text(
        'MACHINE = "qemux86-64"\nDISTRO = "nodistro"\nBB_NO_NETWORK = "1"\n'
        'INHERIT:remove = "uninative"\nWARN_QA:append = " missing-metadata"\n'
        'HAILO_RUNTIME_PROVIDER = "%s"\nDL_DIR = "%s/downloads"\nCONF_VERSION = "2"\n' % (provider, top))
    layers = [repos["openembedded-core"] / "meta", repos["meta-openembedded"] / "meta-oe",
              repos["meta-openembedded"] / "meta-python"] + [ROOT / layer for layer in LAYERS]
    # A core series our layers do not name yet (master): appended, as a user would.
    extra = [s for s in core_series(repos["openembedded-core"]) if s not in our_series()]
    appends = "".join('LAYERSERIES_COMPAT_%s:append = " %s"\n' % (c, " ".join(extra))
                      for c in LAYERS.values()) if extra else ""
    (conf / "bblayers.conf").write_text(
        'BBPATH = "${TOPDIR}"\nBBFILES ?= ""\nBBLAYERS ?= "%s"\n%s' % (" ".join(str(p) for p in layers), appends))
    if user:
        subprocess.run(["chown", "-R", user, str(top)], check=True)
    return Build(release, provider, top, repos, user)


def problems(proc):
    # "-f" taints the forced task's hash and BitBake says so: that warning is ours, not the recipe's.
    return [line for line in (proc.stdout + proc.stderr).splitlines()
            if line.startswith(("WARNING:", "ERROR:")) and "is tainted from a forced run" not in line]

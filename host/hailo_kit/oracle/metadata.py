"""The recipes' own build settings, from real BitBake (``bitbake -e``), never retyped.

The oracle builds HailoRT with the CMake arguments, generator and install steps that BitBake
computes for our recipes on a given release: ``bitbake -e <recipe>`` in a small build folder
whose bblayers.conf names that release's oe-core and meta-openembedded and this checkout's
layers. The values it needs are saved as JSON beside the build (``RecipeData``), so a warm run,
and the oracle tests, read them without BitBake.

BitBake refuses to run as root: as root, set BITBAKE_USER to an unprivileged user.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from .sources import TOP

LAYERS = ("meta-hailo-libhailort", "meta-hailo-accelerator", "meta-hailo-vpu")
# The checkout whose layers are read: this one, unless HAILORT_ORACLE_LAYERS names another.
LAYER_TOP = Path(os.environ.get("HAILORT_ORACLE_LAYERS") or TOP)
RELEASES = ("scarthgap", "whinlatter", "wrynose", "master")
# The variables the oracle uses: paths (to map the recipe's onto the oracle's), CMake settings,
# the package split. FILES:<pkg> are added for every package in PACKAGES.
VARIABLES = (
    "PN", "PV", "S", "B", "D", "WORKDIR", "PACKAGES", "PACKAGECONFIG", "EXTRA_OECMAKE",
    "PACKAGECONFIG_CONFARGS", "OECMAKE_GENERATOR", "OECMAKE_SOURCEPATH", "OECMAKE_TARGET_COMPILE",
    "OECMAKE_TARGET_INSTALL", "OECMAKE_BUILDPATH", "prefix", "exec_prefix", "bindir", "sbindir",
    "libdir", "libexecdir", "includedir", "datadir", "sysconfdir", "localstatedir",
    "PYTHON_SITEPACKAGES_DIR", "SETUPTOOLS_SETUP_PATH", "DEPENDS", "LAYERSERIES_CORENAMES",
    "OECMAKE_ARGS", "TMPDIR", "TOPDIR", "STAGING_DIR_NATIVE", "SRC_URI", "STAGING_LIBDIR", "STAGING_INCDIR",
    "CFLAGS", "CXXFLAGS", "CPPFLAGS", "LDFLAGS", "STAGING_DIR_HOST", "BPN",
    "OECMAKE_C_FLAGS_RELEASE", "OECMAKE_CXX_FLAGS_RELEASE",
)
class MetadataError(Exception):
    """BitBake could not be run, or the recipe's metadata lacks what the oracle needs."""


@dataclass
class RecipeData:
    recipe: str
    release: str
    values: Dict[str, str]
    files: Dict[str, str] = field(default_factory=dict)      # FILES:<pkg>
    functions: Dict[str, str] = field(default_factory=dict)  # do_install and what it calls
    own_files: Dict[str, List[str]] = field(default_factory=dict)  # FILES:<pkg> values set in our layers
    toolchain_append: str = ""  # what layers append to cmake.bbclass's toolchain.cmake

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    def words(self, name: str) -> List[str]:
        return self.get(name).split()

    @property
    def packages(self) -> List[str]:
        return self.words("PACKAGES")

    def cmake_args(self, python: str) -> List[str]:
        """What cmake_do_configure gives CMake (OECMAKE_ARGS, then EXTRA_OECMAKE, which ends with
        PACKAGECONFIG_CONFARGS), less what names BitBake's build tree (the cross toolchain file):
        the oracle builds natively with the host's compiler. The Python arguments name python."""
        args = []
        for arg in shlex.split(self.get("OECMAKE_ARGS")) + shlex.split(self.get("EXTRA_OECMAKE")):
            name = arg[2:].split("=", 1)[0].split(":", 1)[0] if arg.startswith("-D") else ""
            if name in ("PYTHON_EXECUTABLE", "Python_EXECUTABLE", "Python3_EXECUTABLE"):
                arg = f"-D{name}:PATH={python}"
            elif self.get("TMPDIR") and self.get("TMPDIR") in arg:
                continue
            args.append(arg)
        return args

    def compiler_flags(self, src: Path, build: Path, top: Path, supported=lambda flag: True,
                       sysroot: Optional[Path] = None) -> Dict[str, str]:
        """CFLAGS, CXXFLAGS, CPPFLAGS, LDFLAGS as BitBake exports them to the build, for a native
        build: the recipe's S, B and WORKDIR (and its recipe sysroot, when the oracle stands one
        in) are src, build, top (and sysroot) in the prefix maps (so __FILE__ and debug info lose
        the build path as they would); other options naming BitBake's tree are dropped, and so
        are those the host compiler lacks (supported)."""
        mapping = {self.get("S"): str(src), self.get("B"): str(build), self.get("WORKDIR"): str(top)}
        if sysroot is not None and self.get("STAGING_DIR_HOST"):
            mapping[self.get("STAGING_DIR_HOST")] = str(sysroot)
        tmpdir = self.get("TMPDIR")
        out = {}
        for name in ("CFLAGS", "CXXFLAGS", "CPPFLAGS", "LDFLAGS"):
            kept = []
            for flag in self.get(name).split():
                match = re.match(r"^(-f(?:debug|macro|file)-prefix-map=)([^=]*)=(.*)$", flag)
                if match and match.group(2) in mapping:
                    flag = f"{match.group(1)}{mapping[match.group(2)]}={match.group(3)}"
                elif tmpdir and tmpdir in flag:
                    continue
                if supported(flag):
                    kept.append(flag)
            out[name] = " ".join(kept)
        return out

    def cmake_flag_args(self, flags: Dict[str, str]) -> List[str]:
        """What cmake.bbclass's toolchain.cmake caches: CMAKE_<LANG>_FLAGS from the recipe's
        (mapped) CFLAGS/CXXFLAGS, and its Release additions (OECMAKE_<LANG>_FLAGS_RELEASE,
        "-DNDEBUG", not CMake's "-O3 -DNDEBUG"). On the command line, so a kept CMake cache
        cannot hold other flags."""
        return [f"-DCMAKE_C_FLAGS:STRING={flags['CFLAGS']}", f"-DCMAKE_CXX_FLAGS:STRING={flags['CXXFLAGS']}",
                f"-DCMAKE_C_FLAGS_RELEASE:STRING={self.get('OECMAKE_C_FLAGS_RELEASE') or '-DNDEBUG'}",
                f"-DCMAKE_CXX_FLAGS_RELEASE:STRING={self.get('OECMAKE_CXX_FLAGS_RELEASE') or '-DNDEBUG'}"]

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=1, sort_keys=True) + "\n")

    @classmethod
    def load(cls, path: Path) -> "RecipeData":
        return cls(**json.loads(path.read_text()))


def parse_environment(text: str) -> Dict[str, str]:
    """bitbake -e output as {name: value}; shell functions as {name(): body}, Python ones as
    {python name(): body} (never taken for shell: recipe_data runs only the shell ones)."""
    out: Dict[str, str] = {}
    function: Optional[str] = None
    body: List[str] = []
    for line in text.splitlines():
        if function:
            if line == "}":
                out[function + "()"] = "\n".join(body)
                function, body = None, []
            else:
                body.append(line)
            continue
        match = re.match(r'^(?:export )?([A-Za-z0-9_\-:.${}+/@]+)="(.*)"$', line)
        if match:
            out[match.group(1)] = match.group(2).replace('\\"', '"').replace("\\$", "$")
            continue
        # bitbake -e writes "name() {" for shell and "python name () {" for Python functions.
        match = re.match(r"^(python )?([A-Za-z0-9_\-:]+) ?\(\) \{$", line)
        if match:
            function = (match.group(1) or "") + match.group(2)
    return out


def own_assignments(text: str, prefix: str, roots: List[Path]) -> Dict[str, List[str]]:
    """From bitbake -e's variable history: the values that files under roots gave to variables
    whose name starts with prefix, unexpanded, as {variable: [value, ...]}."""
    out: Dict[str, List[str]] = {}
    variable, source = None, None
    for line in text.splitlines():
        match = re.match(r"^# \$(\S+)(?: \[\d+ operations?\])?$", line)
        if match:
            variable, source = match.group(1), None
            continue
        if variable is None or not line.startswith("#"):
            variable = None
            continue
        match = re.match(r"^#   \S+.* (/\S+):\d+$", line)
        if match:
            source = match.group(1)
            continue
        match = re.match(r'^#     "(.*)"$', line)
        if match and source and variable.startswith(prefix) and any(source.startswith(str(r)) for r in roots):
            out.setdefault(variable, []).append(match.group(1))
            source = None
    return out


def _called(body: str, functions: Dict[str, str]) -> List[str]:
    names = [name[:-2] for name in functions]
    return [name for name in names if re.search(r"(^|[\s;|&(])%s($|[\s;|&)])" % re.escape(name), body)]


class CheckoutsNotGiven(MetadataError):
    """The environment names no checkouts of the release (the layer tests skip it)."""


# A file each checkout has: a folder without it is not a checkout of that repository.
CHECKOUT_MARKERS = {"bitbake": "bin/bitbake", "openembedded-core": "meta/conf/layer.conf",
                    "meta-openembedded": "meta-python/conf/layer.conf"}


def checkouts(release: str) -> Dict[str, Path]:
    """bitbake, openembedded-core, meta-openembedded of release, from the environment variables
    the layer tests use (HAILO_YOCTO_<RELEASE> or its _BITBAKE/_OECORE/_METAOE). Raises
    CheckoutsNotGiven when they are not set, MetadataError when one is not such a checkout."""
    prefix = "HAILO_YOCTO_%s" % release.upper()
    folder = os.environ.get(prefix)
    repos = {}
    for key, name in (("BITBAKE", "bitbake"), ("OECORE", "openembedded-core"), ("METAOE", "meta-openembedded")):
        value = os.environ.get(f"{prefix}_{key}") or (folder and os.path.join(folder, name))
        if value:
            repos[name] = Path(value)
    if len(repos) < len(CHECKOUT_MARKERS):
        raise CheckoutsNotGiven(f"{release}: set {prefix} to a folder holding bitbake/, openembedded-core/ "
                                f"and meta-openembedded/ of that release (or {prefix}_BITBAKE, _OECORE, _METAOE)")
    wrong = [str(path) for name, path in repos.items() if not (path / CHECKOUT_MARKERS[name]).is_file()]
    if wrong:
        raise MetadataError(f"{release}: not a checkout of the expected repository: {', '.join(wrong)}")
    return repos


def bitbake_environment(release: str, recipes: List[str], builddir: Path, log=print) -> Dict[str, RecipeData]:
    """Run bitbake -e for each recipe on release; keep BitBake's parse cache in builddir."""
    repos = checkouts(release)
    user = os.environ.get("BITBAKE_USER", "")
    if os.geteuid() == 0 and not user:
        raise MetadataError("BitBake refuses to run as root: set BITBAKE_USER to an unprivileged user")
    conf = builddir / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    (conf / "local.conf").write_text(
        'MACHINE = "qemux86-64"\nDISTRO = "nodistro"\nBB_NO_NETWORK = "1"\nINHERIT:remove = "uninative"\n'
        'HAILO_RUNTIME_PROVIDER = "hardware"\nCONF_VERSION = "2"\n'
        'DL_DIR = "${TOPDIR}/downloads"\n'
        # No service: its gRPC external would take the oracle's build from minutes to hours.
        'PACKAGECONFIG:remove:pn-hailort = "service"\nHAILORT_BUILD_SERVICE:pn-libhailort = "OFF"\n'
        + os.environ.get("HAILORT_ORACLE_LOCAL_CONF", ""))
    layers = [repos["openembedded-core"] / "meta", repos["meta-openembedded"] / "meta-oe",
              repos["meta-openembedded"] / "meta-python"] + [LAYER_TOP / layer for layer in LAYERS]
    (conf / "bblayers.conf").write_text(
        'BBPATH = "${TOPDIR}"\nBBFILES ?= ""\nBBLAYERS ?= "%s"\n' % " ".join(map(str, layers)))
    if user:
        subprocess.run(["chown", "-R", user, str(builddir)], check=True)
    found = {}
    for recipe in recipes:
        recipe_file = find_recipe(recipe)
        log(f"  bitbake -e -b {recipe_file.relative_to(LAYER_TOP)} ({release})")
        # -b: only this recipe (and its bbappends) is parsed, not every recipe of the layers.
        script = "cd %s && . ./oe-init-build-env %s %s >/dev/null && bitbake -e -b %s" % (
            shlex.quote(str(repos["openembedded-core"])), shlex.quote(str(builddir)),
            shlex.quote(str(repos["bitbake"])), shlex.quote(str(recipe_file)))
        command = ["su", user, "-s", "/bin/bash", "-c", script] if user else ["bash", "-c", script]
        env = dict(os.environ, LANG="en_US.UTF-8", LC_ALL="en_US.UTF-8")
        proc = subprocess.run(command, capture_output=True, text=True, env=env, timeout=3600)
        if proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-30:])
            raise MetadataError(f"bitbake -e {recipe} failed on {release}:\n{tail}")
        found[recipe] = recipe_data(recipe, release, parse_environment(proc.stdout))
        own = own_assignments(proc.stdout, "FILES:", [LAYER_TOP / layer for layer in LAYERS])
        found[recipe].own_files = {name.split(":", 1)[1]: values for name, values in own.items()}
    return found


def find_recipe(recipe: str) -> Path:
    """The .bb file of one of our recipes (its newest version if several)."""
    found = sorted(p for layer in LAYERS for p in (LAYER_TOP / layer).rglob(f"{recipe}_*.bb"))
    if not found:
        raise MetadataError(f"no recipe {recipe}_*.bb in {', '.join(LAYERS)}")
    return found[-1]


def recipe_data(recipe: str, release: str, env: Dict[str, str]) -> RecipeData:
    values = {name: env.get(name, "") for name in VARIABLES}
    files = {pkg: env.get(f"FILES:{pkg}", "") for pkg in values["PACKAGES"].split()}
    shell = {name: body for name, body in env.items() if name.endswith("()") and not name.startswith("python ")}
    functions: Dict[str, str] = {}
    todo = ["do_install"]
    while todo:
        name = todo.pop()
        if name in functions or name + "()" not in shell:
            continue
        functions[name] = shell[name + "()"]
        todo.extend(_called(functions[name], shell))
    heredocs = re.findall(r"cat >> \S*toolchain\.cmake <<'?(\w+)'?\n(.*?)\n\1(?:\n|$)",
                          shell.get("do_generate_toolchain_file()", ""), re.S)
    toolchain = "".join(body + "\n" for _, body in heredocs)
    if "do_install" not in functions:
        raise MetadataError(f"bitbake -e {recipe}: no do_install")
    return RecipeData(recipe, release, values, files, functions, toolchain_append=toolchain)

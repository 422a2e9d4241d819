"""Configure, build and install HailoRT 4.21.0 the way our recipes do, on this host, offline.

A *variant* is one build: a CMake version (from PyPI, in its own venv), the release whose
``bitbake -e`` gives the recipes' settings, and whether the layer's system-libs PACKAGECONFIG is on.
Each variant has a folder under <work>/build/<variant>/ holding its own copy of the source
(HailoRT's CMake writes the host protobuf build into the source tree), the CMake build folder
(kept: a second run only rebuilds what changed), and ``out/``, laid out as HAILORT_ORACLE_DIR
(docs/oracle.md).

Every CMake and compiler run gets a wiped environment like BitBake's: ``env -i`` with PATH
holding only a HOSTTOOLS-like folder of symlinks to the host tools and the variant's cmake.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from . import metadata, sources

# What BitBake's HOSTTOOLS gives a build (oe-core bitbake.conf, the part a CMake build uses),
# plus the host compiler, which BitBake would take from the recipe sysroot.
HOSTTOOLS = (
    "ar as awk basename bash cat chmod chown cmp cp cpp cut date diff dirname env expr false find "
    "g++ gcc cc c++ getopt grep gzip head id install ld ld.bfd ln ls make mkdir mktemp mv nm "
    "objcopy objdump patch pkg-config python3 ranlib readelf readlink rm rmdir sed sh sort stat "
    "strip tail tar tee touch tr true uname uniq wc which xargs"
).split()

NUMPY = {"numpy1": "numpy>=1.26,<2", "numpy2": "numpy>=2,<3"}
# pyhailort's own import needs (setup.py install_requires, less numpy).
PYHAILORT_DEPS = ("argcomplete", "contextlib2", "future", "netaddr", "netifaces")
# The host Python the extension is built for (Debian's python3.11, like the target's python3).
HOST_PYTHON = "/usr/bin/python3"


class BuildError(Exception):
    pass


@dataclass
class Variant:
    name: str               # folder name, e.g. "cmake-3.28"
    cmake: str              # pip requirement, e.g. "cmake==3.28.*"
    tools: str              # the venv with that cmake, shared by the variants that use it
    release: str            # whose bitbake -e gives the settings
    system_libs: bool = False
    extra_local_conf: str = ""
    # Why this variant builds no pyhailort ("" when it does).
    no_pyhailort: str = ""

    @property
    def local_conf(self) -> str:
        conf = self.extra_local_conf
        if self.system_libs:
            conf += 'PACKAGECONFIG:append:pn-%s = " system-libs"\n' % CMAKE_RECIPE
        return conf


# The recipe that configures and builds the CMake tree (libhailort, hailortcli), the one that
# builds the Python extension with setup.py, and the GStreamer plugin's (a CMake project of its
# own, built against the libhailort just installed). Recipes whose install trees are checked:
CMAKE_RECIPE = "hailort"
PYTHON_RECIPE = "pyhailort"
GST_RECIPE = "libgsthailo"
INSTALL_RECIPES = (CMAKE_RECIPE, GST_RECIPE)

VARIANTS = {
    "cmake-3.28": Variant("cmake-3.28", "cmake==3.28.*", "cmake-3.28", "scarthgap"),
    "cmake-4": Variant("cmake-4", "cmake>=4,<5", "cmake-4", "wrynose"),
    # PACKAGECONFIG system-libs is the hailort recipe's: the pyhailort recipe still builds its
    # extension from its own externals (pybind11), as the other variants prove, and this
    # variant's source holds none of them.
    "system-libs": Variant("system-libs", "cmake==3.28.*", "cmake-3.28", "scarthgap", system_libs=True,
                           no_pyhailort="PACKAGECONFIG system-libs is the hailort recipe's; the pyhailort recipe "
                                        "builds as in the cmake-3.28 variant (its own pybind11), so this variant "
                                        "builds no pyhailort"),
}


class Log:
    """Progress lines with the time since the start, on stderr."""

    def __init__(self):
        self.start = time.monotonic()

    def __call__(self, text: str) -> None:
        elapsed = int(time.monotonic() - self.start)
        print(f"[{elapsed // 60:3d}:{elapsed % 60:02d}] {text}", file=sys.stderr, flush=True)


_KNOWN_FLAGS: Dict[str, bool] = {}


def host_compiler_knows(flag: str) -> bool:
    """Whether the host's g++ accepts flag (BitBake's gcc may be newer: -fcanon-prefix-map is gcc 13)."""
    if flag not in _KNOWN_FLAGS:
        proc = subprocess.run(["g++", "-Werror", flag, "-x", "c++", "-c", "-o", os.devnull, "-"], input=b"",
                              capture_output=True)
        _KNOWN_FLAGS[flag] = proc.returncode == 0
    return _KNOWN_FLAGS[flag]


def hosttools(work: Path) -> Path:
    folder = work / "hosttools"
    folder.mkdir(parents=True, exist_ok=True)
    for tool in HOSTTOOLS:
        found = shutil.which(tool, path="/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin")
        link = folder / tool
        if found and not os.path.lexists(link):
            link.symlink_to(found)
    return folder


def tool_venv(work: Path, name: str, requirements: List[str], log) -> Path:
    """A venv of the host Python with requirements from PyPI, made once."""
    venv = work / "tools" / name
    stamp = venv / ".requirements"
    wanted = "\n".join(requirements)
    if stamp.is_file() and stamp.read_text() == wanted:
        return venv
    log(f"venv {name}: pip install {' '.join(requirements)}")
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([HOST_PYTHON, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", *requirements], check=True)
    stamp.write_text(wanted)
    return venv


def clean_env(work: Path, cmake_venv: Path, extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    env = {"HOME": str(work), "PATH": f"{cmake_venv / 'bin'}:{hosttools(work)}", "LC_ALL": "C.UTF-8",
           "TERM": "dumb"}
    env.update(extra or {})
    return env


def run(command: List[str], env: Dict[str, str], log_file: Path, log, what: str, cwd: Optional[Path] = None,
        progress=None) -> float:
    """Run under nice -n 19 in env (only), output to log_file, a progress line each minute."""
    shown = [c.splitlines()[0] + (" ..." if "\n" in c else "") for c in command[:6] if c]   # a script: its first line
    log(f"{what}: {' '.join(shlex.quote(c) for c in shown)}{' ...' if len(command) > 6 else ''}")
    start = time.monotonic()
    with open(log_file, "ab") as out:
        out.write(f"\n### {what}: {shlex.join(command)}\n".encode())
        out.flush()
        proc = subprocess.Popen(["nice", "-n", "19", "env", "-i", *[f"{k}={v}" for k, v in env.items()], *command],
                                stdout=out, stderr=subprocess.STDOUT, cwd=cwd)
        last = start
        while proc.poll() is None:
            time.sleep(2)
            if time.monotonic() - last >= 60:
                last = time.monotonic()
                log(f"  ... {what}: {progress() if progress else _progress(log_file)}")
    took = time.monotonic() - start
    if proc.returncode != 0:
        raise BuildError(f"{what} failed (exit {proc.returncode}); the end of {log_file}:\n" + _tail(log_file))
    log(f"{what}: done in {took:.0f} s")
    return took


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _progress(log_file: Path) -> str:
    for line in reversed(_tail(log_file, 200).splitlines()):
        match = re.match(r"^\[\s*(\d+%)\]", line) or re.match(r"^\[(\d+/\d+)\]", line)
        if match:
            return match.group(1)
    return "running"


def layer_digest() -> str:
    """Changes whenever a file of our layers changes: the metadata cache key."""
    digest = hashlib.sha256()
    for layer in metadata.LAYERS:
        for path in sorted((metadata.LAYER_TOP / layer).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(metadata.LAYER_TOP)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def recipe_metadata(work: Path, variant: Variant, log) -> Dict[str, metadata.RecipeData]:
    """bitbake -e of the recipes on the variant's release, cached per layer content."""
    folder = work / "metadata" / f"{variant.release}{'-system-libs' if variant.system_libs else ''}"
    key = layer_digest() + hashlib.sha256((variant.local_conf + " ".join(metadata.VARIABLES)).encode()).hexdigest()[:8]
    recipes = [CMAKE_RECIPE, PYTHON_RECIPE, GST_RECIPE]
    paths = {recipe: folder / f"{recipe}.json" for recipe in recipes}
    if (folder / "key").is_file() and (folder / "key").read_text() == key and all(p.is_file() for p in paths.values()):
        return {recipe: metadata.RecipeData.load(path) for recipe, path in paths.items()}
    log(f"recipe metadata from bitbake -e on {variant.release} (a cold parse takes minutes)")
    old = os.environ.get("HAILORT_ORACLE_LOCAL_CONF")
    os.environ["HAILORT_ORACLE_LOCAL_CONF"] = variant.local_conf
    try:
        found = metadata.bitbake_environment(variant.release, recipes, work / "bitbake" / variant.release, log)
    finally:
        if old is None:
            os.environ.pop("HAILORT_ORACLE_LOCAL_CONF", None)
        else:
            os.environ["HAILORT_ORACLE_LOCAL_CONF"] = old
    for recipe, data in found.items():
        data.save(paths[recipe])
    (folder / "key").write_text(key)
    return found


def variant_source(work: Path, variant: Variant, recipes: List[metadata.RecipeData], log) -> Path:
    """The variant's own copy of the source, patched as do_patch would (the patches of every
    recipe built from it, in SRC_URI order)."""
    tree = work / "build" / variant.name / "src"
    patches = []
    for data in recipes:
        patches += [patch for patch in _patches(data) if patch not in patches]
    stamp = tree / ".oracle-variant"
    # The patches' content, not only their names: a patch fixed in the layer makes a new tree.
    wanted = json.dumps([[p.name, hashlib.sha256(p.read_bytes()).hexdigest()[:16]] for p in patches])
    if stamp.is_file() and stamp.read_text() == wanted:
        return tree
    pristine = sources.source_tree(work, log)
    shutil.rmtree(tree, ignore_errors=True)
    tree.parent.mkdir(parents=True, exist_ok=True)
    if variant.system_libs:
        # No externals tarball: only the sources the recipe's SRC_URI adds (DotWriter, which no
        # distribution packages), so a missing find_package() cannot fall back to a bundled copy.
        sources.archive(sources.mirror_repo(sources.HAILORT_MIRROR), sources.HAILORT_TAG, tree)
        for name in sources.SYSTEM_LIBS_BUNDLED:
            external = sources.find_external(tree, name)
            sources.archive(external.mirror, external.commit,
                            tree / "hailort" / "external" / f"{name}-src")
    else:
        shutil.copytree(pristine, tree, symlinks=True)
    for patch in patches:
        log(f"patch -p1 < {patch.relative_to(metadata.LAYER_TOP)}")
        proc = subprocess.run(["patch", "-p1", "--forward", "-i", str(patch)], cwd=tree,
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise BuildError(f"{patch.name} does not apply: {proc.stdout}{proc.stderr}")
    stamp.write_text(wanted)
    return tree


def _patches(data: metadata.RecipeData) -> List[Path]:
    """The .patch files of the recipe's SRC_URI, found in the layer (do_patch applies these)."""
    found = []
    for uri in data.words("SRC_URI"):
        if uri.startswith("file://") and uri.split(";")[0].endswith((".patch", ".diff")):
            name = uri[len("file://"):].split(";")[0]
            matches = sorted((metadata.LAYER_TOP / "meta-hailo-libhailort").rglob(name))
            if not matches:
                raise BuildError(f"{name} from SRC_URI is not in meta-hailo-libhailort")
            found.append(matches[0])
    return found


@dataclass
class Result:
    variant: str
    out: Path
    times: Dict[str, float] = field(default_factory=dict)
    cmake_version: str = ""


def build_variant(work: Path, variant: Variant, numpy_flavours=tuple(NUMPY), log=None) -> Result:
    """Configure, build and install one variant into <work>/build/<variant>/out."""
    log = log or Log()
    top = work / "build" / variant.name
    out = top / "out"
    result = Result(variant.name, out)
    data = recipe_metadata(work, variant, log)
    cmake_data = data[CMAKE_RECIPE]
    src = variant_source(work, variant, list(data.values()), log)
    cmake_venv = tool_venv(work, variant.tools, [variant.cmake], log)
    result.cmake_version = subprocess.run([str(cmake_venv / "bin" / "cmake"), "--version"], capture_output=True,
                                          text=True, check=True).stdout.split()[2]
    build = top / "build"
    flags = cmake_data.compiler_flags(src, build, top, host_compiler_knows)
    env = clean_env(work, cmake_venv, flags)
    log_file = top / "build.log"
    generator = cmake_data.get("OECMAKE_GENERATOR") or "Ninja"
    args = cmake_data.cmake_args(HOST_PYTHON) + cmake_data.cmake_flag_args(flags) + _toolchain_args(top, cmake_data)
    configure = ["cmake", "-G", generator, "-S", str(src / cmake_data_sourcepath(cmake_data)), "-B", str(build),
                 *args, "-Wno-dev"]
    (top / "configure-args.json").write_text(json.dumps(configure, indent=1) + "\n")
    # Configure builds the host protoc in a quiet sub-build: count its objects.
    protoc = src / "hailort" / "external" / "protobuf-build"
    result.times["configure"] = run(configure, env, log_file, log, f"{variant.name}: configure",
                                    progress=lambda: f"{sum(1 for _ in protoc.rglob('*.o'))} objects of the host protoc "
                                                     "build (about 200)" if protoc.is_dir() else "running")
    targets = cmake_data.words("OECMAKE_TARGET_COMPILE") or ["all"]
    jobs = os.environ.get("HAILORT_ORACLE_JOBS") or str(os.cpu_count() or 2)
    result.times["build"] = run(["cmake", "--build", str(build), "--target", *targets, "--", f"-j{jobs}"],
                                env, log_file, log, f"{variant.name}: build {' '.join(targets)}")
    shutil.rmtree(out, ignore_errors=True)
    image = out / "image" / CMAKE_RECIPE
    result.times["install"] = run(["bash", "-c", install_script(cmake_data, src, build, image)], env, log_file, log,
                                  f"{variant.name}: do_install of {CMAKE_RECIPE}")
    # Upstream's own install of the whole tree (what cmake.bbclass's default do_install would
    # do): the packaging check lists what the recipe's do_install leaves out of it.
    result.times["cmake-install"] = run(["cmake", "--install", str(build)], {**env, "DESTDIR": str(out / "cmake-install")},
                                        log_file, log, f"{variant.name}: cmake --install of the whole tree")
    (out / "metadata").mkdir(parents=True)
    for recipe, recipe_data in data.items():
        recipe_data.save(out / "metadata" / f"{recipe}.json")
    _convenience_links(out, cmake_data)
    result.times.update(build_gstreamer(work, variant, data[GST_RECIPE], src, out, cmake_venv, log))
    if variant.no_pyhailort:
        log(f"{variant.name}: no pyhailort: {variant.no_pyhailort}")
        numpy_flavours = ()
    for flavour in numpy_flavours:
        result.times[f"pyhailort-{flavour}"] = build_pyhailort(work, variant, data[PYTHON_RECIPE], src, out, flavour,
                                                              cmake_venv, log)
    _write_env(out)
    (out / "manifest.json").write_text(json.dumps({
        "variant": variant.name, "release": variant.release, "cmake": result.cmake_version,
        "system_libs": variant.system_libs, "hailort_commit": sources.git_commit(),
        "pyhailort": list(numpy_flavours), "no_pyhailort": variant.no_pyhailort,
        "configure": configure, "times_s": {k: round(v, 1) for k, v in result.times.items()},
        "work": str(work), "source": str(src), "build": str(build), "gst_build": str(top / "build-gst"),
        "cmake_bin": str(cmake_venv / "bin" / "cmake"),
        "recipes": {recipe: recipe_data.get("PN") for recipe, recipe_data in data.items()},
    }, indent=1) + "\n")
    log(f"{variant.name}: out is {out}")
    return result


def _toolchain_args(top: Path, data: metadata.RecipeData) -> List[str]:
    """What our layer appends to the recipe's toolchain.cmake, in a toolchain file of its own
    (cmake.bbclass's cross settings are left out: the oracle builds natively)."""
    if not data.toolchain_append:
        return []
    path = top / f"toolchain-{data.get('PN')}.cmake"
    path.write_text(data.toolchain_append)
    return [f"-DCMAKE_TOOLCHAIN_FILE:FILEPATH={path}"]


def cmake_data_sourcepath(data: metadata.RecipeData) -> str:
    """OECMAKE_SOURCEPATH relative to S (our recipes build from S, the repository root)."""
    path, s = data.get("OECMAKE_SOURCEPATH").strip("'\""), data.get("S")
    return os.path.relpath(path, s) if path and s and path.startswith(s) else "."


def install_script(data: metadata.RecipeData, src: Path, build: Path, image: Path) -> str:
    """The recipe's do_install (and the shell functions it calls), as bitbake -e printed them,
    with the recipe's S, B, D and WORKDIR mapped onto the oracle's folders."""
    mapping = [(data.get("D"), str(image)), (data.get("B"), str(build)), (data.get("S"), str(src)),
               (data.get("WORKDIR"), str(build.parent / "workdir"))]
    text = "set -e\n"
    for name, body in data.functions.items():
        text += f"{name}() {{\n{body}\n}}\n"
    text += f"mkdir -p {shlex.quote(str(image))}\ncd {shlex.quote(str(build))}\ndo_install\n"
    for old, new in sorted(mapping, key=lambda pair: -len(pair[0] or "")):
        if old:
            text = text.replace(old, new)
    return text


def _convenience_links(out: Path, data: metadata.RecipeData) -> None:
    image = out / "image" / CMAKE_RECIPE
    libdir, bindir = data.get("libdir"), data.get("bindir")
    for folder, source in (("lib", image / libdir.lstrip("/")), ("bin", image / bindir.lstrip("/"))):
        (out / folder).mkdir(exist_ok=True)
        for item in sorted(source.glob("*")) if source.is_dir() else []:
            if item.is_file() or item.is_symlink():
                target = out / folder / item.name
                if not target.exists():
                    target.symlink_to(os.path.relpath(item, target.parent))
    if not (out / "lib" / "libhailort.so.4.21.0").exists() or not (out / "bin" / "hailortcli").exists():
        raise BuildError(f"the install tree {image} lacks libhailort.so.4.21.0 or hailortcli")


def build_gstreamer(work: Path, variant: Variant, data: metadata.RecipeData, src: Path, out: Path,
                    cmake_venv: Path, log) -> Dict[str, float]:
    """libgsthailo as its recipe builds it (cmake.bbclass: its generator, OECMAKE_ARGS and
    EXTRA_OECMAKE, its do_install), finding HailoRT in the hailort recipe's install tree, as
    find_package(HailoRT) finds it in the recipe sysroot. Needs GStreamer's development files
    (Debian: libgstreamer1.0-dev, libgstreamer-plugins-base1.0-dev)."""
    top = work / "build" / variant.name
    build = top / "build-gst"
    generator = data.get("OECMAKE_GENERATOR") or "Ninja"
    # The recipe sysroot's stand-in: the hailort recipe's install tree.
    sysroot = out / "image" / CMAKE_RECIPE
    flags = data.compiler_flags(src, build, top, host_compiler_knows, sysroot=sysroot)
    env = clean_env(work, cmake_venv, flags)
    if generator == "Ninja":     # BitBake's ninja-native; here ninja from PyPI
        env["PATH"] = f"{tool_venv(work, 'ninja', ['ninja'], log) / 'bin'}:{env['PATH']}"
    log_file = top / "build-gst.log"
    prefix = sysroot / data.get("prefix").lstrip("/")
    configure = ["cmake", "-G", generator, "-S", str(src / cmake_data_sourcepath(data)), "-B", str(build),
                 *data.cmake_args(HOST_PYTHON), *data.cmake_flag_args(flags), *_toolchain_args(top, data),
                 f"-DCMAKE_PREFIX_PATH={prefix}", "-Wno-dev"]
    (top / "configure-gst-args.json").write_text(json.dumps(configure, indent=1) + "\n")
    times = {"gst-configure": run(configure, env, log_file, log, f"{variant.name}: configure {GST_RECIPE}")}
    targets = data.words("OECMAKE_TARGET_COMPILE") or ["all"]
    jobs = os.environ.get("HAILORT_ORACLE_JOBS") or str(os.cpu_count() or 2)
    times["gst-build"] = run(["cmake", "--build", str(build), "--target", *targets, "--", f"-j{jobs}"],
                             env, log_file, log, f"{variant.name}: build {GST_RECIPE}")
    times["gst-install"] = run(["bash", "-c", install_script(data, src, build, out / "image" / GST_RECIPE)], env,
                               log_file, log, f"{variant.name}: do_install of {GST_RECIPE}")
    return times


def build_pyhailort(work: Path, variant: Variant, data: metadata.RecipeData, src: Path, out: Path, flavour: str,
                    cmake_venv: Path, log) -> float:
    """setup.py bdist_wheel as the pyhailort recipe runs it (its exported CMake variables, mapped
    onto the oracle), in a venv with numpy 1 or 2; the wheel installed into that venv."""
    venv = tool_venv(work, f"python-{flavour}", [NUMPY[flavour], *PYHAILORT_DEPS, "setuptools<81", "wheel"], log)
    # setup.py builds in platform/build: a copy of platform/ per flavour (beside it, so setup.py's
    # ../src still holds) keeps each flavour's CMake build for the next run.
    upstream = src / "hailort/libhailort/bindings/python/platform"
    platform = upstream.with_name(f"platform-{flavour}")
    if not platform.is_dir():
        shutil.copytree(upstream, platform, symlinks=True, ignore=shutil.ignore_patterns("build", "dist"))
    shutil.rmtree(platform / "dist", ignore_errors=True)
    lib = out / "lib" / "libhailort.so.4.21.0"
    env = clean_env(work, cmake_venv, {
        "LIBHAILORT_PATH": str(lib.resolve()),
        "HAILORT_INCLUDE_DIR": str(out / "image" / CMAKE_RECIPE / data.get("includedir").lstrip("/")),
        "CMAKE_BUILD_TYPE": "Release",
        "CMAKE_GENERATOR": data.get("OECMAKE_GENERATOR") or "Ninja",
        **data.compiler_flags(src, platform / "build", out.parent,
                              host_compiler_knows),
    })
    for arg in _toolchain_args(out.parent, data):          # the recipe exports CMAKE_TOOLCHAIN_FILE
        env["CMAKE_TOOLCHAIN_FILE"] = arg.split("=", 1)[1]
    env["PATH"] = f"{venv / 'bin'}:{env['PATH']}"
    log_file = out.parent / f"pyhailort-{flavour}.log"
    log_file.unlink(missing_ok=True)
    took = run([str(venv / "bin" / "python"), "setup.py", "bdist_wheel", "--dist-dir", "dist"], env, log_file, log,
               f"{variant.name}: pyhailort ({flavour})", cwd=platform)
    wheel = next((platform / "dist").glob("hailort-*.whl"))
    (out / "wheels").mkdir(exist_ok=True)
    shutil.copy2(wheel, out / "wheels" / f"{flavour}-{wheel.name}")
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--no-deps", "--force-reinstall", str(wheel)],
                   check=True)
    site = subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    link = out / f"venv-{flavour}"
    if not link.exists():
        link.symlink_to(venv)
    python_dir = out / ("python" if flavour == "numpy2" else f"python-{flavour}")
    shutil.rmtree(python_dir, ignore_errors=True)
    shutil.copytree(Path(site) / "hailo_platform", python_dir / "hailo_platform", symlinks=True)
    if flavour == "numpy2" or not (out / "image" / PYTHON_RECIPE).exists():
        _install_wheel(venv, wheel, out / "image" / PYTHON_RECIPE, data)
    return took


def _install_wheel(venv: Path, wheel: Path, image: Path, data: metadata.RecipeData) -> None:
    """What the recipe's do_install does with the wheel (python_pep517_do_install: installer)."""
    shutil.rmtree(image, ignore_errors=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "installer"], check=True)
    subprocess.run([str(venv / "bin" / "python"), "-m", "installer", "--destdir", str(image),
                    "--prefix", data.get("prefix") or "/usr", str(wheel)], check=True)
    # oe-core's python3-installer takes --interpreter (its own patch; PyPI's lacks it): the
    # scripts' shebang names the target's python3, not the build's.
    for script in (image / (data.get("bindir") or "/usr/bin").lstrip("/")).glob("*"):
        text = script.read_bytes()
        if text.startswith(b"#!"):
            script.write_bytes(b"#!/usr/bin/env python3" + text[text.index(b"\n"):])
    # The host's python3.11 installs into lib/python3.11/site-packages; the recipe's packages name
    # the release's PYTHON_SITEPACKAGES_DIR (python3.12 on scarthgap, 3.13 later): moved there.
    site = subprocess.run([str(venv / "bin" / "python"), "-c",
                           "import sysconfig; print(sysconfig.get_path('purelib', vars={'base': '/usr'}))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    wanted = data.get("PYTHON_SITEPACKAGES_DIR")
    if wanted and wanted != site and (image / site.lstrip("/")).is_dir():
        (image / wanted.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
        os.replace(image / site.lstrip("/"), image / wanted.lstrip("/"))
        leftover = (image / site.lstrip("/")).parent
        if leftover.is_dir() and not any(leftover.iterdir()):
            leftover.rmdir()


def _write_env(out: Path) -> None:
    (out / "env.sh").write_text(
        "# Source this: the real HailoRT 4.21.0 of this oracle on PATH, LD_LIBRARY_PATH, PYTHONPATH.\n"
        'HAILORT_ORACLE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")" && pwd)"\n'
        "export HAILORT_ORACLE_DIR\n"
        'export PATH="$HAILORT_ORACLE_DIR/bin:$PATH"\n'
        'export LD_LIBRARY_PATH="$HAILORT_ORACLE_DIR/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"\n'
        'export PYTHONPATH="$HAILORT_ORACLE_DIR/python${PYTHONPATH:+:$PYTHONPATH}"\n'
        "# The real CLI writes ./hailort.log unless told where.\n"
        'export HAILORT_LOGGER_PATH="${HAILORT_LOGGER_PATH:-${TMPDIR:-/tmp}}"\n')


def publish(result: Result, oracle: Path) -> None:
    """Make oracle (HAILORT_ORACLE_DIR) point at a variant's out folder."""
    oracle.parent.mkdir(parents=True, exist_ok=True)
    temporary = oracle.with_name(oracle.name + ".new")
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    temporary.symlink_to(result.out)
    os.replace(temporary, oracle)

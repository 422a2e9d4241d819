"""The recipes' packages against what the real build installs (the oracle's image/<recipe>/,
made by each recipe's own do_install as bitbake -e printed it).

Files go to packages as oe-core's package.bbclass assigns them: in PACKAGES order, each file to
the first package whose FILES pattern matches it. Then: every installed file is in a package
(else BitBake's installed-vs-shipped QA error), every FILES entry our layer adds matches
something, and no installed file holds a build path (oe-core's buildpaths QA: the strings of the
.so files, RPATH/RUNPATH).
"""
import glob
import json
import re
import subprocess

import pytest

from oracle_env import ORACLE

from hailo_kit.oracle.packages import installed, own_claims, split

NEEDS_ORACLE = True


def _recipes():
    if ORACLE is None or not (ORACLE / "manifest.json").is_file():
        return ["no-oracle"]          # skipped by conftest.py with the reason
    if not (ORACLE / "metadata").is_dir():
        return []
    return sorted(p.stem for p in (ORACLE / "metadata").glob("*.json"))


def _image(recipe):
    """The recipe's do_install tree; a skip with the reason when this oracle's variant does not
    build the recipe (the system-libs variant builds no pyhailort: manifest.json says why)."""
    image = ORACLE / "image" / recipe
    manifest = json.loads((ORACLE / "manifest.json").read_text())
    if recipe == "pyhailort" and manifest.get("no_pyhailort"):
        pytest.skip(f"{recipe}: the {manifest['variant']} variant: {manifest['no_pyhailort']}")
    assert image.is_dir(), f"{recipe}: the oracle has no install tree {image}"
    return image


def _data(recipe):
    return json.loads((ORACLE / "metadata" / f"{recipe}.json").read_text())


@pytest.mark.parametrize("recipe", _recipes())
def test_every_installed_file_is_in_exactly_one_package(recipe):
    data = _data(recipe)
    image = _image(recipe)
    result, unshipped = split(image, data["values"]["PACKAGES"].split(), data["files"])
    assert installed(image), f"{recipe}: do_install installed nothing"
    assert not unshipped, f"{recipe}: installed but in no package (installed-vs-shipped): {sorted(unshipped)}"
    everything = [path for paths in result.values() for path in paths]
    assert len(everything) == len(set(everything))


# Packages left empty by a PACKAGECONFIG the oracle builds without (docs/oracle.md: no `service`,
# whose gRPC external alone would outlast the rest of the build here), as BitBake would leave them.
EMPTY_WITHOUT = {"hailort-service": "service"}


@pytest.mark.parametrize("recipe", _recipes())
def test_what_our_layer_claims_is_installed(recipe):
    data = _data(recipe)
    image = _image(recipe)
    off = {package for package, option in EMPTY_WITHOUT.items()
           if option not in data["values"]["PACKAGECONFIG"].split()}
    missing = [(package, path) for package, path in own_claims(data)
               if package not in off and not glob.glob(str(image) + path)]
    assert not missing, f"{recipe}: FILES entries matching nothing the build installs: {missing}"


def _build_paths():
    manifest = json.loads((ORACLE / "manifest.json").read_text())
    return sorted({manifest["work"], manifest["build"], manifest["source"]}, key=len)


@pytest.mark.parametrize("recipe", _recipes())
def test_no_build_path_in_installed_files(recipe):
    image = _image(recipe)
    needles = [p.encode() for p in _build_paths()]
    found = []
    for path in sorted(installed(image)):
        full = image / path.lstrip("/")
        if full.is_symlink() or not full.is_file():
            continue
        data = full.read_bytes()
        hits = [n.decode() for n in needles if n in data]
        if hits:
            found.append(f"{path}: {hits[0]}")
    assert not found, f"{recipe}: build paths in installed files (buildpaths QA): {found}"


def _elf_files(image):
    for path in sorted(installed(image)):
        full = image / path.lstrip("/")
        if full.is_file() and not full.is_symlink() and full.read_bytes()[:4] == b"\x7fELF":
            yield path, full


@pytest.mark.parametrize("recipe", _recipes())
def test_no_rpath_outside_the_target_libdir(recipe):
    image = _image(recipe)
    problems = []
    for path, full in _elf_files(image):
        dynamic = subprocess.run(["readelf", "-d", str(full)], capture_output=True, text=True).stdout
        for kind, value in re.findall(r"\((RPATH|RUNPATH)\)\s+Library (?:rpath|runpath): \[([^\]]*)\]", dynamic):
            bad = [entry for entry in value.split(":") if entry not in ("$ORIGIN", "/usr/lib", "/lib")]
            if bad:
                problems.append(f"{path}: {kind} {value}")
    assert not problems, f"{recipe}: {problems}"


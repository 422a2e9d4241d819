"""Structure of the three layers: layer.conf, README/SECURITY, recipe metadata, pinned sources,
licence checksums against hailort-facts.md, and LAYERDEPENDS closure computed from the recipes."""

import hashlib
import re
from pathlib import Path

import pytest

import bbmeta
from layers_common import LAYERS, ROOT, layer_files
from layer_providers import EXTERNAL_LAYERDEPENDS, PROVIDERS

SERIES = {"scarthgap", "whinlatter", "wrynose"}
SPDX = {"MIT", "GPL-2.0-only", "LGPL-2.1-only", "BSD-2-Clause", "Zlib"}  # oe-core common-licenses
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# The recipes that build from HailoRT's tree with its externals (the hailort class), and all
# that take its source from the per-version include.
HAILORT_RECIPES = ["hailort", "pyhailort"]
HAILORT_SOURCE_RECIPES = ["hailort", "pyhailort", "libgsthailo"]
SOURCES_INC = ROOT / "meta-hailo-libhailort" / "recipes-hailo" / "hailort" / "hailort-sources-4.21.0.inc"


def layer_conf(layer):
    return bbmeta.read(ROOT / layer / "conf" / "layer.conf")


def all_meta():
    return [bbmeta.read(p) for p in layer_files("*.bb") + layer_files("*.bbappend") + layer_files("*.bbclass")]


def recipes_by_pn():
    return {m.pn: m for m in (bbmeta.read(p) for p in layer_files("*.bb"))}


def is_image_or_group(meta):
    return "packagegroup" in meta.inherits or any("core-image" in r for r in meta.requires)


# --- layer.conf ------------------------------------------------------------------------------

@pytest.mark.parametrize("layer, collection", sorted(LAYERS.items()))
def test_layer_conf_fields(layer, collection):
    conf = layer_conf(layer)
    assert conf.values("BBFILE_COLLECTIONS") == [collection]
    assert conf.value("BBFILE_PATTERN_" + collection) == "^${LAYERDIR}/"
    assert int(conf.value("BBFILE_PRIORITY_" + collection)) > 0
    assert int(conf.value("LAYERVERSION_" + collection)) >= 1
    # oe-core alone: what needs more is in dynamic-layers/ (BBFILES_DYNAMIC).
    assert conf.value("LAYERDEPENDS_" + collection).split() == ["core"]
    assert set(conf.value("LAYERSERIES_COMPAT_" + collection).split()) == SERIES
    assert "${LAYERDIR}/recipes-*/*/*.bb" in conf.value("BBFILES").split()


@pytest.mark.parametrize("layer, collection", sorted(LAYERS.items()))
def test_every_dynamic_layer_folder_is_in_bbfiles_dynamic(layer, collection):
    dynamic = ROOT / layer / "dynamic-layers"
    folders = sorted(p.name for p in dynamic.iterdir()) if dynamic.is_dir() else []
    declared = " ".join(layer_conf(layer).values("BBFILES_DYNAMIC")).split()
    covered = {entry.split(":", 1)[0] for entry in declared
               if "/dynamic-layers/%s/" % entry.split(":", 1)[0] in entry}
    assert set(folders) == covered


def test_collections_are_the_shared_names():
    architecture = (ROOT / "docs" / "architecture.md").read_text()
    for collection in LAYERS.values():
        assert "`%s`" % collection in architecture


# --- README, SECURITY, COPYING ----------------------------------------------------------------

@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_readme_meets_yocto_check_layer_and_users(layer):
    readme = (ROOT / layer / "README.md").read_text()
    lower = readme.lower()
    # yocto-check-layer test_readme: "maintainer", "patch" and an e-mail address.
    assert "maintainer" in lower and "patch" in lower and EMAIL.search(readme)
    assert "bblayers.conf" in readme and "IMAGE_INSTALL" in readme
    for series in SERIES:
        assert series in readme
    collection = LAYERS[layer]
    for dependency in layer_conf(layer).value("LAYERDEPENDS_" + collection).split():
        assert "`%s`" % dependency in readme, "README does not name dependency " + dependency


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_security_and_licence_files(layer):
    for folder in (ROOT / layer, ROOT):
        security = (folder / "SECURITY.md").read_text()
        assert EMAIL.search(security) and "vulnerabilit" in security.lower()
    assert "Permission is hereby granted" in (ROOT / layer / "COPYING.MIT").read_text()


def test_readme_documents_autoload_and_offline_variables():
    accelerator = (ROOT / "meta-hailo-accelerator" / "README.md").read_text()
    assert 'KERNEL_MODULE_AUTOLOAD += "hailo_pci"' in accelerator
    libhailort = (ROOT / "meta-hailo-libhailort" / "README.md").read_text()
    for word in ("HAILORT_OFFLINE_BUILD_ENABLE", "HAILORT_OFFLINE_BUILD_USE_EXISTING_TAR",
                 "prepare_hailort_external_dependencies", "HAILO_RUNTIME_PROVIDER"):
        assert word in libhailort


# --- recipe metadata ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", layer_files("*.bb"), ids=lambda p: p.name)
def test_recipe_has_the_style_guide_variables(path):
    meta = bbmeta.read(path)
    for name in ("SUMMARY", "DESCRIPTION", "HOMEPAGE", "BUGTRACKER", "LICENSE"):
        assert meta.value(name), "%s: %s missing" % (path.name, name)
    assert meta.value("DESCRIPTION") != meta.value("SUMMARY")
    if not is_image_or_group(meta):
        assert meta.value("LIC_FILES_CHKSUM")
    # HAILO_LICENSE_AND (layer.conf) is the release's "and": "&", or "AND" on oe-core master.
    for word in re.sub(r"\$\{HAILO_LICENSE_AND\}|[&|()]", " ", meta.value("LICENSE")).split():
        # oe-core master warns on a licence name that is neither SPDX nor LicenseRef-...
        assert word in SPDX or (word.startswith("LicenseRef-") and meta.value("NO_GENERIC_LICENSE", flag=word)), \
            "%s: %s is neither SPDX nor a LicenseRef- with NO_GENERIC_LICENSE" % (path.name, word)


def test_descriptions_are_the_recipes_own():
    described = [bbmeta.read(p).value("DESCRIPTION") for p in layer_files("*.bb")]
    assert len(set(described)) == len(described)
    for cls in layer_files("*.bbclass"):
        assert not bbmeta.read(cls).has("DESCRIPTION") and not bbmeta.read(cls).has("SUMMARY")


def test_recipes_with_remote_sources_name_their_cve_product():
    for meta in recipes_by_pn().values():
        remote = "hailort" in meta.inherits or "://" in (meta.value("SRC_URI") or "").replace("file://", "")
        if remote:
            assert meta.value("CVE_PRODUCT"), meta.pn


def test_no_tmpdir_workdir_licences_or_unspaced_appends():
    for meta in all_meta():
        assert "${TMPDIR}" not in meta.text, meta.path
        assert "${WORKDIR}" not in (meta.value("LIC_FILES_CHKSUM") or ""), meta.path
        for a in meta.assignments:
            if a.name.endswith(":append") and not a.flag:
                assert a.value.startswith(" "), "%s line %d: :append without a leading space" % (meta.path, a.line)


# --- sources and checksums ---------------------------------------------------------------------

def test_hailort_source_is_defined_once_and_pinned(facts):
    hits = [p for p in layer_files("*.bb*") + layer_files("*.inc") if "github.com/hailo-ai/hailort.git" in p.read_text()]
    assert hits == [SOURCES_INC]
    inc = bbmeta.read(SOURCES_INC)
    assert inc.value("HAILORT_SRCREV") == facts["hailort `v4.21.0^{commit}`"]
    assert inc.value("SRCREV") == "${HAILORT_SRCREV}" and inc.value("SRC_URI") == "${HAILORT_GIT_URI}"
    # The checkout lands in ${BP}, oe-core's default S on every release: nobody sets S.
    assert "destsuffix=${BP}" in [a.value for a in inc.assignments if a.name == "HAILORT_GIT_URI"][-1]
    assert not inc.has("S")
    pns = recipes_by_pn()
    for pn in HAILORT_SOURCE_RECIPES:
        assert pns[pn].requires == ["recipes-hailo/hailort/hailort-sources-${PV}.inc"], pn
        # Recipes add their own files and patches (+=), never another source or commit.
        assert not [a for a in pns[pn].assignments if a.name in ("SRC_URI", "SRCREV", "S") and
                    (a.op != "+=" or "://" in a.value.replace("file://", ""))], pn
    for pn in HAILORT_RECIPES:
        assert "hailort" in pns[pn].inherits
    # The class holds behaviour only.
    cls = bbmeta.read(ROOT / "meta-hailo-libhailort" / "classes-recipe" / "hailort.bbclass")
    assert not [a.name for a in cls.assignments if a.name in ("SRC_URI", "SRCREV", "S", "PV")]


def test_driver_sources_are_pinned(facts):
    for pn in ("hailo-pci", "hailo-integrated-nnc"):
        meta = recipes_by_pn()[pn]
        assert "github.com/hailo-ai/hailort-drivers.git" in meta.value("SRC_URI")
        assert meta.value("SRCREV") == facts["hailort-drivers `v4.21.0^{commit}`"]


def licence_facts(facts):
    return {
        "hailort/LICENSE": facts["`hailort/LICENSE` @v4.21.0"],
        "hailort/LICENSE-3RD-PARTY.md": facts["`hailort/LICENSE-3RD-PARTY.md` @v4.21.0"],
        "hailort/libhailort/bindings/gstreamer/LICENSE": facts["`hailort/libhailort/bindings/gstreamer/LICENSE` @v4.21.0"],
        # hailort-drivers' (the drivers) or Hailo's firmware licence (the firmware)
        "LICENSE": {facts["hailort-drivers `LICENSE` @v4.21.0"], facts["firmware LICENSE md5"]},
        "runtime/COPYING.MIT": hashlib.md5((ROOT / "COPYING.MIT").read_bytes()).hexdigest(),
    }


def test_licence_checksums_equal_the_facts(facts):
    expected = licence_facts(facts)
    checked = 0
    for meta in recipes_by_pn().values():
        if "recipes-support" in meta.path.parts:
            continue  # a library HailoRT uses (system-libs): its licence is not in the HailoRT facts
        for entry in (meta.value("LIC_FILES_CHKSUM") or "").split():
            name, _, params = entry[len("file://"):].partition(";")
            md5 = dict(p.split("=", 1) for p in params.split(";"))["md5"]
            assert name in expected, "%s: unexpected licence file %s" % (meta.pn, name)
            allowed = expected[name] if isinstance(expected[name], set) else {expected[name]}
            assert md5 in allowed, "%s: %s md5 %s, facts say %s" % (meta.pn, name, md5, expected[name])
            checked += 1
    assert checked >= 8


def test_firmware_checksums_and_install(facts):
    fw = recipes_by_pn()["hailo-firmware"]
    assert fw.value("SRC_URI", flag="firmware.md5sum") == facts["hailo8_fw.bin md5"]
    assert fw.value("SRC_URI", flag="license.md5sum") == facts["firmware LICENSE md5"]
    assert fw.value("NO_GENERIC_LICENSE", flag=fw.value("LICENSE")) == "LICENSE"
    assert re.search(r"install -m 0644 \S+ \$\{D\}\$\{nonarch_base_libdir\}/firmware/hailo/hailo8_fw\.bin", fw.text)


# --- accelerator and vpu -----------------------------------------------------------------------

def test_hailo_pci_packages_udev_and_modprobe_options():
    pci = recipes_by_pn()["hailo-pci"]
    assert "module" in pci.inherits and pci.value("LICENSE") == "GPL-2.0-only"
    assert "${PN}-udev" in pci.value("PACKAGES").replace("hailo-pci-udev", "${PN}-udev")
    assert "51-hailo-udev.rules" in pci.value("FILES:${PN}-udev")
    conf = (pci.path.parent / "files" / "hailo_pci.conf").read_text()
    for option in ("no_power_mode", "force_desc_page_size"):
        assert re.search(r"^#?options hailo_pci %s=" % option, conf, re.M)
    assert "${sysconfdir}/modprobe.d/hailo_pci.conf" in pci.text


def test_module_recipes_leave_the_module_package_to_the_class():
    # module.bbclass splits each .ko into kernel-module-<name>: an RPROVIDES of that name on
    # ${PN} claims the same package twice.
    for pn in ("hailo-pci", "hailo-integrated-nnc"):
        meta = recipes_by_pn()[pn]
        assert "module" in meta.inherits
        assert not [w for w in meta.words("RPROVIDES") if w.startswith("kernel-module-")], pn


def test_vpu_recipes_are_machine_restricted():
    for pn in ("hailo15-nnc-fw", "hailo-integrated-nnc"):
        assert "hailo15" in recipes_by_pn()[pn].value("COMPATIBLE_MACHINE")


# --- offline flow wiring -------------------------------------------------------------------------

def test_offline_task_order_and_only_do_fetch_downloads():
    cls = bbmeta.read(ROOT / "meta-hailo-libhailort" / "classes-recipe" / "hailort.bbclass")
    addtask = re.search(r"^addtask prepare_hailort_external_dependencies (.*)$", cls.text, re.M).group(1)
    after, _, before = addtask.partition(" before ")
    assert after.split() == ["after", "do_fetch"] and before.split() == ["do_unpack"]
    assert "hailort_unpack_externals" in cls.value("do_unpack", flag="postfuncs")
    # The download is do_fetch's (yocto-check-layer: no other task between do_fetch and do_build
    # may have the network), with CMake staged for it.
    assert "hailort_fetch_externals" in cls.value("do_fetch", flag="postfuncs")
    assert "cmake-native:do_populate_sysroot" in cls.value("do_fetch", flag="depends")
    # No task anywhere in the layers asks for the network: do_fetch has it from base.bbclass.
    network = [(m.path.name, a.name) for m in all_meta() for a in m.assignments if a.flag == "network"]
    assert network == []
    conf = layer_conf("meta-hailo-libhailort").text
    assert re.search(r"^addpylib \$\{LAYERDIR\}/lib hailort_offline$", conf, re.M)
    for pn in HAILORT_RECIPES:
        assert "hailort" in recipes_by_pn()[pn].inherits


# --- one runtime per image -----------------------------------------------------------------------

def package_words(meta, var, package):
    """Words of var:<package> in a recipe (var:${PN} when package is the recipe's own)."""
    names = {"%s:%s" % (var, package)} | ({"%s:${PN}" % var} if package == meta.pn else set())
    return [w for a in meta.assignments if a.name in names and not a.flag
            for w in meta.expand(a.value).replace("\\", " ").split()]


def recipe_of_package(package):
    for meta in recipes_by_pn().values():
        packages = [w.replace("${PN}", meta.pn) for w in meta.words("PACKAGES")]
        if package == meta.pn or package in packages:
            return meta
    raise AssertionError("no recipe makes the package " + package)


def test_sim_and_real_runtime_conflict_both_ways():
    sim = recipes_by_pn()["python3-hailort-sim"]
    conflicts = set(sim.words("RCONFLICTS"))
    assert {"libhailort", "hailortcli", "pyhailort", "hailort-service"} <= conflicts
    real_provides = set()
    for package in conflicts:    # python3-hailort-sim-gst's hailonet against libgsthailo's
        meta = recipe_of_package(package)
        assert {"python3-hailort-sim", "python3-hailort-sim-gst"} & set(package_words(meta, "RCONFLICTS", package)), package
        real_provides |= set(package_words(meta, "RPROVIDES", package))
    assert real_provides and real_provides <= set(sim.words("RPROVIDES"))


def test_image_chooses_the_packagegroup_by_provider():
    image = recipes_by_pn()["hailo-image-minimal"]
    groups = dict(re.findall(r"'(hardware|sim)': '([\w-]+)'", image.text))
    assert groups == {"hardware": "packagegroup-hailo", "sim": "packagegroup-hailo-sim"}
    assert image.value("HAILO_RUNTIME_PROVIDER") == "hardware"
    assert "ssh-server-openssh" in image.value("IMAGE_FEATURES")
    assert image.requires == ["recipes-core/images/core-image-minimal.bb"]


def _search_paths(meta):
    folder = meta.path.parent
    paths = [folder / "files", folder / meta.pn, folder / ("%s-%s" % (meta.pn, meta.pv))]
    extra = meta.value("FILESEXTRAPATHS:prepend") or ""
    topdir = str(ROOT)
    for item in extra.split(":"):
        item = item.replace("${HAILO_KIT_TOPDIR}", topdir).replace("${THISDIR}", str(folder))
        if item:
            paths.append(Path(item))
    return paths


def test_every_local_file_exists():
    for meta in recipes_by_pn().values():
        uris = " ".join(meta.values("SRC_URI") + meta.values("SRC_URI:append")).split()
        for uri in uris:
            if uri.startswith("file://"):
                name = uri[len("file://"):].split(";")[0]
                assert any((p / name).exists() for p in _search_paths(meta)), "%s: %s" % (meta.pn, name)


# --- LAYERDEPENDS closure, computed from the recipes ----------------------------------------------

def _layer_of(path):
    rel = path.relative_to(ROOT)
    layer = rel.parts[0]
    dynamic = rel.parts[2] if len(rel.parts) > 2 and rel.parts[1] == "dynamic-layers" else None
    return layer, dynamic


def _closure(collection, ours):
    seen, todo = set(), [collection]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if name in ours:
            todo.extend(ours[name])
        else:
            todo.extend(EXTERNAL_LAYERDEPENDS[name])
    return seen


def test_layerdepends_cover_every_dependency():
    ours = {c: set(layer_conf(layer).value("LAYERDEPENDS_" + c).split()) for layer, c in LAYERS.items()}
    # What each of our collections provides: recipe names, packages and RPROVIDES.
    provided = {}
    for path in layer_files("*.bb"):
        meta = bbmeta.read(path)
        layer, dynamic = _layer_of(path)
        names = {meta.pn, meta.pn + "-udev", meta.pn + "-dev"} | set(meta.words("RPROVIDES"))
        names |= {w.replace("${PN}", meta.pn) for w in meta.words("PACKAGES") + meta.words("PROVIDES")}
        for name in names:
            # A recipe under dynamic-layers/<collection> exists only with that collection.
            provided[name] = dynamic or LAYERS[layer]
    problems, unknown = [], []
    for path in layer_files("*.bb") + layer_files("*.bbappend"):
        meta = bbmeta.read(path)
        layer, dynamic = _layer_of(path)
        reach = _closure(LAYERS[layer], ours) | ({dynamic} if dynamic else set())
        wanted = meta.words("DEPENDS") + meta.words("RDEPENDS") + meta.words("RRECOMMENDS")
        wanted += ["class:" + c for c in meta.inherits]
        wanted += ["require:" + r for r in meta.requires]
        if "ssh-server-openssh" in (meta.value("IMAGE_FEATURES") or ""):
            wanted.append("packagegroup-core-ssh-openssh")
        for name in wanted:
            if name == "class:hailort" or (name.startswith("require:") and
                                           (ROOT / "meta-hailo-libhailort" / meta.expand(name[8:])).is_file()):
                where = "hailo-libhailort"
            elif name in provided:
                where = provided[name]
            elif name in PROVIDERS:
                where = PROVIDERS[name][0]
            else:
                unknown.append((path.name, name))
                continue
            if where not in reach:
                problems.append("%s needs %s from %s, not in its LAYERDEPENDS" % (path.name, name, where))
    assert not unknown, "dependencies with no known provider (add them to layer_providers.py): %s" % unknown
    assert not problems, problems


def test_recipes_that_need_meta_python_are_dynamic():
    # Everything outside dynamic-layers/ builds with oe-core alone (LAYERDEPENDS "core").
    for path in layer_files("*.bb") + layer_files("*.bbappend"):
        meta = bbmeta.read(path)
        _, dynamic = _layer_of(path)
        needs = {PROVIDERS[w][0] for w in meta.words("DEPENDS") + meta.words("RDEPENDS") if w in PROVIDERS}
        if needs - {"core"}:
            assert dynamic in needs, "%s needs %s: move it to dynamic-layers/" % (path.name, needs)

"""What our layers install, read from their recipes: one source for the image, the QEMU target
and the validation suite's checks.

A recipe's installed files are the destinations of its ``do_install`` ``install`` lines plus
the plain paths of its ``FILES:<package>``; each goes to the first package of ``PACKAGES``
whose ``FILES`` match it, as oe-core's packaging does (with bitbake.conf's default ``FILES``
and directory variables). A package group's packages are its ``RDEPENDS`` (bbappends
included) and their ``RRECOMMENDS``. Files made by a build tool (``cmake --install``,
setuptools, a kernel module) appear only where a recipe names them in ``FILES``.

This reads the subset of BitBake syntax our recipes use; it is not BitBake. The layers' test
(tests/layers) checks it against every recipe.
"""
from __future__ import annotations

import dataclasses
import fnmatch
import functools
import re
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

REPO_ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("meta-hailo-libhailort", "meta-hailo-accelerator", "meta-hailo-vpu")

# oe-core bitbake.conf (scarthgap to wrynose) without usrmerge: on a usrmerge image /lib is a
# link to /usr/lib, so these paths hold there too.
DIRS = {
    "base_prefix": "", "prefix": "/usr", "exec_prefix": "/usr", "root_prefix": "",
    "base_bindir": "/bin", "base_sbindir": "/sbin", "base_libdir": "/lib", "nonarch_base_libdir": "/lib",
    "sysconfdir": "/etc", "servicedir": "/srv", "sharedstatedir": "/com", "localstatedir": "/var",
    "runtimedir": "/run", "datadir": "/usr/share", "infodir": "/usr/share/info", "mandir": "/usr/share/man",
    "docdir": "/usr/share/doc", "systemd_unitdir": "/lib/systemd",
    "systemd_system_unitdir": "/lib/systemd/system", "nonarch_libdir": "/usr/lib",
    "systemd_user_unitdir": "/usr/lib/systemd/user", "bindir": "/usr/bin", "sbindir": "/usr/sbin",
    "libdir": "/usr/lib", "libexecdir": "/usr/libexec", "includedir": "/usr/include",
    "sysvinitdir": "/etc/init.d", "INIT_D_DIR": "/etc/init.d",
    "SOLIBS": ".so.*", "SOLIBSDEV": ".so", "PACKAGE_BEFORE_PN": "",
}
DEFAULT_PACKAGES = "${PN}-src ${PN}-dbg ${PN}-staticdev ${PN}-dev ${PN}-doc ${PN}-locale ${PACKAGE_BEFORE_PN} ${PN}"
DEFAULT_FILES = {
    "${PN}": "${bindir}/* ${sbindir}/* ${libexecdir}/* ${libdir}/lib*${SOLIBS} ${sysconfdir} ${sharedstatedir} "
             "${localstatedir} ${base_bindir}/* ${base_sbindir}/* ${base_libdir}/*${SOLIBS} ${base_prefix}/lib/udev "
             "${prefix}/lib/udev ${base_libdir}/udev ${libdir}/udev ${datadir}/${BPN} ${libdir}/${BPN}/* "
             "${datadir}/pixmaps ${datadir}/applications ${datadir}/idl ${datadir}/omf ${datadir}/sounds "
             "${libdir}/bonobo/servers",
    "${PN}-dev": "${includedir} ${base_libdir}/lib*${SOLIBSDEV} ${libdir}/lib*${SOLIBSDEV} ${libdir}/*.la "
                 "${libdir}/*.o ${libdir}/pkgconfig ${datadir}/pkgconfig ${datadir}/aclocal ${base_libdir}/*.o "
                 "${libdir}/${BPN}/*.la ${base_libdir}/*.la ${libdir}/cmake ${datadir}/cmake",
    "${PN}-doc": "${docdir} ${mandir} ${infodir} ${datadir}/gtk-doc ${datadir}/gnome/help",
    "${PN}-staticdev": "${libdir}/*.a ${base_libdir}/*.a ${libdir}/${BPN}/*.a",
    "${PN}-dbg": "/usr/lib/debug /usr/lib/debug-static /usr/src/debug",
    "${PN}-locale": "${datadir}/locale",
}

_ASSIGN = re.compile(r'^(?P<name>[A-Za-z_][\w\-]*(?:\[[\w\-]+\])?)(?P<ovr>(?::[\w${}\-]+)*)\s*'
                     r'(?P<op>\?\?=|\?=|:=|\+=|=\+|\.=|=\.|=)\s*"(?P<value>.*)"\s*$', re.S)
_FUNC = re.compile(r"^(?P<name>do_install)(?P<ovr>(?::\w+)*)\s*\(\)\s*\{\s*$")
_VAR = re.compile(r"\$\{([A-Za-z_][\w\-]*)\}")


class LayerError(Exception):
    """A recipe or package the caller asked for is not in the layers."""


@dataclasses.dataclass(frozen=True)
class InstalledFile:
    package: str
    path: str                       # absolute path in the image
    recipe: Path
    source: Optional[Path] = None   # the layer file it is a copy of, when the recipe installs one
    mode: Optional[int] = None      # install -m, when the recipe gives it


@dataclasses.dataclass
class Recipe:
    path: Path
    pn: str
    pv: str
    vars: Dict[str, str]            # "NAME" or "NAME:override" -> raw value (appends applied)
    install_lines: List[str]

    def expand(self, text: str, _depth: int = 0) -> str:
        def one(m):
            name = m.group(1)
            if name in ("PN", "BPN"):
                return self.pn
            if name == "PV":
                return self.pv
            if name == "BP":
                return f"{self.pn}-{self.pv}"
            if name in self.vars:
                return self.vars[name]
            if name in DIRS:
                return DIRS[name]
            return m.group(0)
        for _ in range(8):
            new = _VAR.sub(one, text)
            if new == text:
                break
            text = new
        return text

    def get(self, name: str, default: str = "") -> str:
        return self.expand(self.vars.get(name, default))

    @property
    def packages(self) -> List[str]:
        return self.get("PACKAGES").split()

    def files_patterns(self, package: str) -> List[str]:
        key = f"FILES:{package}"
        raw = ""
        for name, value in self.vars.items():
            if name.startswith("FILES:") and self.expand(name) == key:
                raw = value
        return self.expand(raw).split()

    def source_of(self, name: str) -> Optional[Path]:
        """A file of the layer named by SRC_URI as file://NAME, where BitBake's FILESPATH finds it."""
        if f"file://{name}" not in self.vars.get("SRC_URI", ""):
            return None
        here = self.path.parent
        dirs = [here / "files", here / self.pn, here / f"{self.pn}-{self.pv}"]
        extra = self.vars.get("FILESEXTRAPATHS", "").replace("${THISDIR}", str(here))
        dirs += [Path(self.expand(d)) for d in extra.split(":") if d and "${" not in self.expand(d)]
        return next((d / name for d in dirs if (d / name).is_file()), None)

    def installed(self) -> List[InstalledFile]:
        """Every file this recipe installs, with its package."""
        found: Dict[str, Optional[Path]] = {}
        modes: Dict[str, int] = {}
        for line in self.install_lines:
            words = line.split()
            if "-d" in words or len(words) < 3:
                continue
            dest = self.expand(words[-1])
            if not dest.startswith("${D}") or "${" in dest[4:]:
                continue
            sources = [w for w in words[1:-1] if not w.startswith("-") and not re.fullmatch(r"0?[0-7]{3,4}", w)]
            # ${B}/... are built files; ${S}/... upstream ones, unless SRC_URI fetches the name
            # with file:// (a layer file unpacked into the source tree); others come from SRC_URI.
            # (hailort installs ${B}/.../hailort_service, the daemon, and its layer file
            # hailort_service, the environment file, under the same name.)
            built = sources and sources[-1].startswith("${B}/")
            layer_file = sources and not built and self.source_of(Path(sources[-1]).name)
            fetched = sources and (layer_file or not re.match(r"\$\{[BS]\}/", sources[-1]))
            found[dest[4:]] = layer_file if fetched else None
            mode = re.search(r"(?:^|\s)-m\s*(0?[0-7]{3,4})(?:\s|$)", line)
            if mode:
                modes[dest[4:]] = int(mode.group(1), 8)
        for package in self.packages:
            for pattern in self.files_patterns(package):
                if "${" not in pattern and not any(c in pattern for c in "*?[") and pattern not in found:
                    if not any(p.startswith(pattern + "/") for p in found) and "." in Path(pattern).name:
                        found[pattern] = None   # a file the build makes, named by the recipe
        out = []
        for path, source in found.items():
            package = self.package_of(path)
            if package:
                out.append(InstalledFile(package, path, self.path, source, modes.get(path)))
        return out

    def package_of(self, path: str) -> Optional[str]:
        for package in self.packages:
            for pattern in self.files_patterns(package):
                if fnmatch.fnmatchcase(path, pattern) or path.startswith(pattern.rstrip("/") + "/"):
                    return package
        return None


def _logical_lines(text: str) -> List[str]:
    lines, current = [], ""
    for raw in text.splitlines():
        if not current and raw.lstrip().startswith("#"):
            continue
        if raw.endswith("\\"):
            current += raw[:-1] + " "
            continue
        lines.append(current + raw)
        current = ""
    if current:
        lines.append(current)
    return lines


def _apply(vars: Dict[str, str], text: str, install_lines: List[str]) -> None:
    in_install = False
    for line in _logical_lines(text):
        stripped = line.strip()
        if in_install:
            if stripped == "}":
                in_install = False
            elif re.match(r"install\s", stripped):
                install_lines.append(stripped)
            continue
        if _FUNC.match(stripped):
            in_install = True
            continue
        m = _ASSIGN.match(stripped)
        if not m:
            continue
        ovr = [o for o in m.group("ovr").split(":") if o]
        ops = [o for o in ovr if o in ("append", "prepend", "remove")]
        key = ":".join([m.group("name")] + [o for o in ovr if o not in ops])
        value, op, old = " ".join(m.group("value").split()), m.group("op"), vars.get(key)
        if ops == ["append"] or op in ("+=", ".="):
            vars[key] = (old + " " if old and op != ".=" else old or "") + value
        elif ops == ["prepend"] or op in ("=+", "=."):
            vars[key] = value + (" " + old if old else "")
        elif ops == ["remove"]:
            vars[key] = " ".join(w for w in (old or "").split() if w not in value.split())
        elif op in ("?=", "??=") and old is not None:
            continue
        else:
            vars[key] = value


def _layer_files(pattern: str, root: Path) -> List[Path]:
    return sorted(p for layer in LAYERS for p in (root / layer).glob(pattern))


@functools.lru_cache(maxsize=None)
def recipes(root: Path = REPO_ROOT) -> Tuple[Recipe, ...]:
    """Every recipe of the three layers (dynamic-layers too), with its bbappends applied."""
    bbappends = _layer_files("**/*.bbappend", root)
    out = []
    for bb in _layer_files("**/*.bb", root):
        pn, _, pv = bb.stem.partition("_")
        # bitbake.conf's defaults first, so a recipe's += extends them as in BitBake.
        vars: Dict[str, str] = {"PACKAGES": DEFAULT_PACKAGES,
                                **{f"FILES:{k}": v for k, v in DEFAULT_FILES.items()}}
        install: List[str] = []
        texts = [bb.read_text()]
        for inc in re.findall(r"^(?:require|include)\s+(\S+)", texts[0], re.M):
            candidate = bb.parent / inc
            if candidate.is_file():
                texts.insert(0, candidate.read_text())
        texts += [a.read_text() for a in bbappends if a.stem.partition("_")[0] == pn]
        for text in texts:
            _apply(vars, text, install)
        out.append(Recipe(bb, pn, pv or "1.0", vars, install))
    return tuple(out)


def recipe_of(package: str, root: Path = REPO_ROOT) -> Recipe:
    for recipe in recipes(root):
        if package in recipe.packages or package == recipe.pn:
            return recipe
    raise LayerError(f"no recipe in {', '.join(LAYERS)} makes the package {package!r}")


def packagegroup(name: str, root: Path = REPO_ROOT) -> List[str]:
    """The packages an image with ``name`` installs from our layers: its RDEPENDS, and their
    RRECOMMENDS (installed unless an image refuses them). Packages of other layers (oe-core's
    python3-numpy, ...) are left out."""
    group = recipe_of(name, root)
    queue = group.get(f"RDEPENDS:{name}", group.get("RDEPENDS:${PN}")).split()
    seen: List[str] = []
    while queue:
        package = queue.pop(0)
        if package in seen:
            continue
        try:
            recipe = recipe_of(package, root)
        except LayerError:
            continue
        seen.append(package)
        for key in (f"RRECOMMENDS:{package}", f"RDEPENDS:{package}"):
            for name_, value in recipe.vars.items():
                if recipe.expand(name_) == key:
                    queue += recipe.expand(value).split()
    return seen


def systemd_services(packages: Iterable[str], root: Path = REPO_ROOT) -> List[str]:
    """The units these packages' SYSTEMD_SERVICE names (enabled at boot, as systemd.bbclass does
    unless SYSTEMD_AUTO_ENABLE is "disable")."""
    out = []
    for package in packages:
        recipe = recipe_of(package, root)
        if recipe.get(f"SYSTEMD_AUTO_ENABLE:{package}", recipe.get("SYSTEMD_AUTO_ENABLE", "enable")) == "disable":
            continue
        for name, value in recipe.vars.items():
            if recipe.expand(name) == f"SYSTEMD_SERVICE:{package}":
                out += [u for u in recipe.expand(value).split() if u not in out]
    return out


def installed_files(packages: Iterable[str], root: Path = REPO_ROOT) -> List[InstalledFile]:
    """The files these packages install, in package order."""
    packages = list(packages)
    out = []
    for package in packages:
        out += [f for f in recipe_of(package, root).installed() if f.package == package]
    return out


# Where each init system's files go. A recipe that inherits both systemd and update-rc.d ships a
# unit and an init script; on the image, systemd.bbclass keeps only the one of its init manager.
INIT_SYSTEM_DIRS = {"systemd": ("/lib/systemd/system/", "/usr/lib/systemd/system/"), "sysvinit": ("/etc/init.d/",)}


def init_system(path: str) -> Optional[str]:
    """"systemd" or "sysvinit" for a unit or an init script, None for any other file."""
    return next((name for name, dirs in INIT_SYSTEM_DIRS.items() if path.startswith(dirs)), None)

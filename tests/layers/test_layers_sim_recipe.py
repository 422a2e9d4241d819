"""python3-hailort-sim builds offline from this checkout: its SRC_URI resolves inside the
repository and the PEP 517 build (what python_setuptools_build_meta runs) gives the wheel with
the three commands the image expects."""

import configparser
import shutil
import subprocess
import sys
import zipfile

from layers_common import ROOT
from test_layers_structure import _search_paths, recipes_by_pn


def _unpack_like_bitbake(meta, unpackdir):
    """Copy each file:// entry the way BitBake's file fetcher unpacks it (subdir= honoured)."""
    for uri in meta.value("SRC_URI").split():
        name, _, params = uri[len("file://"):].partition(";")
        options = dict(p.split("=", 1) for p in params.split(";") if p)
        source = next(p / name for p in _search_paths(meta) if (p / name).exists())
        target = unpackdir / meta.expand(options.get("subdir", "")) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build"))
        else:
            shutil.copy(source, target)


def test_sources_unpack_and_build_a_wheel_offline(tmp_path):
    meta = recipes_by_pn()["python3-hailort-sim"]
    unpackdir = tmp_path / "sources-unpack"
    _unpack_like_bitbake(meta, unpackdir)
    # Everything lands in ${BP}, oe-core's default S; the Python project is its runtime/.
    bp = unpackdir / meta.expand("${PN}-${PV}")
    assert not meta.has("S") and meta.value("PEP517_SOURCE_PATH") == "${S}/runtime"
    s = bp / "runtime"
    assert (s / "pyproject.toml").is_file() and (s / "COPYING.MIT").is_file()
    for name in ("hailort-sim.conf", "hailort.service", "hailort.init", "hailort_service", "hailort-tmpfiles.conf"):
        assert (bp / name).is_file(), name
    # The service files are the hailort recipe's: one copy in the repository.
    for name in ("hailort.service", "hailort.init", "hailort_service", "hailort-tmpfiles.conf"):
        assert (bp / name).read_bytes() == (
            ROOT / "meta-hailo-libhailort/recipes-hailo/hailort/files" / name).read_bytes(), name
    ini = configparser.ConfigParser()
    ini.read(bp / "hailort-sim.conf")
    assert ini.sections(), "the image's simulated device config declares no device"

    wheel_dir = tmp_path / "dist"
    code = ("import setuptools.build_meta as b, sys; "
            "print(b.build_wheel(sys.argv[1]))")
    proc = subprocess.run([sys.executable, "-c", code, str(wheel_dir)], cwd=s,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    wheel = wheel_dir / proc.stdout.strip().splitlines()[-1]
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        entry_points = next(zf.read(n).decode() for n in names if n.endswith("entry_points.txt"))
    assert any(n.startswith("hailo_platform/") for n in names)
    assert any(n.startswith("hailort_sim/") for n in names)
    for command in ("hailortcli", "hailo", "hailort_service"):
        assert "\n%s = " % command in "\n" + entry_points

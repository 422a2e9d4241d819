"""The oracle script's own logic, without the oracle (runs in CI): reading bitbake -e, mapping
the recipe's paths and flags onto a native build, the package split, the source archive."""
import subprocess
from pathlib import Path

import pytest

from hailo_kit.oracle import build, cli, metadata, packages, sources

WORKDIR = "/bb/tmp/work/core2-64-oe-linux/hailort/4.21.0"
BITBAKE_E = f'''#
# $FILES:hailortcli [2 operations]
#   set /oe/meta/conf/bitbake.conf:339
#     "${{bindir}}/* ${{sbindir}}/*"
#   :append /layers/meta-hailo-libhailort/recipes-hailo/hailort/hailort_4.21.0.bb:50
#     "${{bindir}}/hailortcli"
# pre-expansion value:
#   "${{bindir}}/* ${{sbindir}}/* ${{bindir}}/hailortcli"
FILES:hailortcli="/usr/bin/* /usr/sbin/* /usr/bin/hailortcli"
PACKAGES="hailort-dbg hailortcli hailort"
FILES:hailort="/usr/lib/lib*.so.*"
FILES:hailort-dbg="/usr/lib/debug"
TMPDIR="/bb/tmp"
WORKDIR="{WORKDIR}"
S="{WORKDIR}/hailort-4.21.0"
B="{WORKDIR}/build"
D="{WORKDIR}/image"
bindir="/usr/bin"
OECMAKE_ARGS="-DCMAKE_INSTALL_PREFIX:PATH=/usr -DPYTHON_EXECUTABLE:PATH={WORKDIR}/recipe-sysroot-native/usr/bin/python3-native/python3 -DCMAKE_TOOLCHAIN_FILE:FILEPATH={WORKDIR}/toolchain.cmake -DFETCHCONTENT_FULLY_DISCONNECTED=ON"
EXTRA_OECMAKE=" -DCMAKE_BUILD_TYPE=Release -DHAILO_BUILD_SERVICE=OFF"
CXXFLAGS=" -O2 -fcanon-prefix-map -fmacro-prefix-map={WORKDIR}/hailort-4.21.0=/usr/src/debug/hailort/4.21.0 -fdebug-prefix-map={WORKDIR}/recipe-sysroot= --sysroot={WORKDIR}/recipe-sysroot"
do_install() {{
\tDESTDIR='{WORKDIR}/image' cmake --install {WORKDIR}/build/hailort/libhailort
\thailort_extra
}}

hailort_extra() {{
\tinstall -d {WORKDIR}/image/usr/bin
}}

unrelated() {{
\ttrue
}}

do_generate_toolchain_file() {{
\tcat > {WORKDIR}/toolchain.cmake <<EOF
set( CMAKE_SYSTEM_NAME Linux )
EOF
\tcat >> {WORKDIR}/toolchain.cmake <<EOF_HAILORT
set(CMAKE_SKIP_RPATH ON CACHE BOOL "no build paths" FORCE)
EOF_HAILORT
}}
'''


@pytest.fixture
def data():
    env = metadata.parse_environment(BITBAKE_E)
    result = metadata.recipe_data("hailort", "scarthgap", env)
    result.own_files = {k.split(":", 1)[1]: v for k, v in
                        metadata.own_assignments(BITBAKE_E, "FILES:", [Path("/layers")]).items()}
    return result


def test_bitbake_e_values_functions_and_history(data):
    assert data.packages == ["hailort-dbg", "hailortcli", "hailort"]
    assert data.files["hailortcli"] == "/usr/bin/* /usr/sbin/* /usr/bin/hailortcli"
    assert set(data.functions) == {"do_install", "hailort_extra"}          # what do_install calls
    assert data.own_files == {"hailortcli": ["${bindir}/hailortcli"]}      # not bitbake.conf's value
    assert data.toolchain_append == 'set(CMAKE_SKIP_RPATH ON CACHE BOOL "no build paths" FORCE)\n'


def test_cmake_args_drop_bitbakes_tree_and_name_the_host_python(data):
    assert data.cmake_args("/usr/bin/python3") == [
        "-DCMAKE_INSTALL_PREFIX:PATH=/usr", "-DPYTHON_EXECUTABLE:PATH=/usr/bin/python3",
        "-DFETCHCONTENT_FULLY_DISCONNECTED=ON", "-DCMAKE_BUILD_TYPE=Release", "-DHAILO_BUILD_SERVICE=OFF"]


def test_prefix_maps_follow_the_source_and_unknown_flags_go(data):
    flags = data.compiler_flags(Path("/o/src"), Path("/o/build"), Path("/o"),
                                supported=lambda flag: flag != "-fcanon-prefix-map")
    assert flags["CXXFLAGS"] == "-O2 -fmacro-prefix-map=/o/src=/usr/src/debug/hailort/4.21.0"


def test_install_script_runs_the_recipes_do_install_on_the_oracles_folders(data, tmp_path):
    script = build.install_script(data, Path("/o/src"), Path("/o/build"), tmp_path / "image")
    assert "DESTDIR='%s' cmake --install /o/build/hailort/libhailort" % (tmp_path / "image") in script
    assert WORKDIR not in script and script.rstrip().endswith("do_install")


def test_package_split_is_first_match_in_packages_order(tmp_path):
    for path in ("usr/bin/hailortcli", "usr/lib/libhailort.so.4.21.0", "usr/lib/debug/x.debug", "etc/stray"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("x")
    result, unshipped = packages.split(tmp_path, ["a-dbg", "cli", "lib"], {
        "a-dbg": "/usr/lib/debug", "cli": "/usr/bin/* /usr/bin/hailortcli", "lib": "/usr/lib/lib*.so.* /usr/bin/*"})
    assert result == {"a-dbg": {"/usr/lib/debug/x.debug"}, "cli": {"/usr/bin/hailortcli"},
                      "lib": {"/usr/lib/libhailort.so.4.21.0"}}
    assert unshipped == {"/etc/stray"}


def test_own_claims_are_expanded_with_the_recipes_values(data):
    assert packages.own_claims({"values": data.values, "own_files": data.own_files}) == \
        [("hailortcli", "/usr/bin/hailortcli")]


def _git(repo, *args):
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def test_archive_leaves_out_blobs_an_incomplete_mirror_lacks(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "kept.h").write_text("kept\n")
    (repo / "lost.h").write_text("lost\n")
    _git(repo, "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x")
    lost = _git(repo, "rev-parse", "HEAD:lost.h").strip()
    (repo / ".git" / "objects" / lost[:2] / lost[2:]).unlink()
    skipped = sources.archive(repo / ".git", "HEAD", tmp_path / "out")
    assert skipped == ["lost.h"]
    assert (tmp_path / "out" / "kept.h").read_text() == "kept\n" and not (tmp_path / "out" / "lost.h").exists()


def test_pinned_commit_is_read_from_hailorts_cmake(tmp_path):
    external = tmp_path / "hailort" / "cmake" / "external"
    external.mkdir(parents=True)
    (external / "spdlog.cmake").write_text("    GIT_TAG 27cb4c76708608465c413f6d0e6b8d99a4d84302 # 1.14.1\n")
    assert sources.pinned_commit(tmp_path, "spdlog") == "27cb4c76708608465c413f6d0e6b8d99a4d84302"
    (external / "xxhash.cmake").write_text("GIT_TAG main\n")
    with pytest.raises(sources.SourceError):
        sources.pinned_commit(tmp_path, "xxhash")


@pytest.mark.parametrize("argv", [["build", "nonsense"], ["build", "--numpy", "numpy3"], ["frobnicate"]])
def test_cli_usage_errors_exit_64_before_any_work(argv, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--work", str(tmp_path / "work"), *argv])
    assert exit_info.value.code == cli.EXIT_USAGE and "error" in capsys.readouterr().err
    assert not (tmp_path / "work").exists()

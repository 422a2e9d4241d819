"""lib/hailort_offline: the offline flow of the HailoRT user guide 10.7, without BitBake.

A fake HailoRT source tree and a fake externals-preparation step (a Python script standing in
for `cmake -P hailort/prepare_externals.cmake`) exercise what the bbclass runs.
"""

import gzip
import io
import os
import stat
import sys
import tarfile
import textwrap

import pytest

import hailort_offline as ho

FAKE_PREPARE = textwrap.dedent('''
    # Stands in for `cmake -P hailort/prepare_externals.cmake`: writes FetchContent-like folders.
    import os, sys, time
    ext = os.path.join("hailort", "external")
    for name in ("spdlog", "pybind11", "protobuf"):
        src = os.path.join(ext, name + "-src")
        os.makedirs(os.path.join(src, "include", name), exist_ok=True)
        with open(os.path.join(src, "CMakeLists.txt"), "w") as f:
            f.write("project(%s)\\n" % name)
        with open(os.path.join(src, "include", name, name + ".h"), "w") as f:
            f.write("// %s header\\n" % name)
        # What FetchContent leaves around and must not be packed:
        os.makedirs(os.path.join(src, ".git"), exist_ok=True)
        with open(os.path.join(src, ".git", "index"), "w") as f:
            f.write(str(time.time()))
        os.makedirs(os.path.join(ext, name + "-subbuild"), exist_ok=True)
        with open(os.path.join(ext, name + "-subbuild", "CMakeCache.txt"), "w") as f:
            f.write("CMAKE_HOME_DIRECTORY=%s\\n" % os.getcwd())
    tool = os.path.join(ext, "protobuf-src", "autogen.sh")
    with open(tool, "w") as f:
        f.write("#!/bin/sh\\n")
    os.chmod(tool, 0o775)
    os.symlink("spdlog.h", os.path.join(ext, "spdlog-src", "include", "spdlog", "alias.h"))
    print("Finished downloading dependencies")
''')


def fake_source(tmp_path, name="hailort-4.21.0"):
    source = tmp_path / name
    (source / "hailort").mkdir(parents=True)
    (source / "hailort" / "prepare_externals.cmake").write_text("# the real one runs cmake\n")
    (source / "fake_prepare.py").write_text(FAKE_PREPARE)
    return source


def prepare(source):
    return ho.prepare_externals(str(source), [sys.executable, "fake_prepare.py"])


# --- modes and names -------------------------------------------------------------------------

@pytest.mark.parametrize("enable, existing, mode", [
    (None, None, ho.ONLINE), ("", "", ho.ONLINE), ("0", "0", ho.ONLINE),
    ("1", None, ho.COLLECT), ("1", "0", ho.COLLECT),
    ("1", "1", ho.OFFLINE),
])
def test_mode_from_the_two_variables(enable, existing, mode):
    assert ho.mode_from_flags(enable, existing) == mode


def test_use_existing_tar_alone_is_an_explained_error():
    with pytest.raises(ho.ExternalsError, match="needs HAILORT_OFFLINE_BUILD_ENABLE"):
        ho.mode_from_flags("0", "1")


def test_do_fetch_downloads_unless_the_tarball_is_to_be_used_as_is():
    assert ho.downloads(ho.ONLINE) and ho.downloads(ho.COLLECT)
    assert not ho.downloads(ho.OFFLINE)


def test_tarball_named_per_recipe_version_and_grpc_in_dl_dir_in_every_mode():
    assert ho.tarball_name("hailort", "4.21.0") == "hailort-externals-hailort-4.21.0.tar.gz"
    assert ho.tarball_name("hailort", "4.21.0", service=True) == "hailort-externals-hailort-4.21.0-grpc.tar.gz"
    assert ho.tarball_name("pyhailort", "4.21.0") != ho.tarball_name("hailort", "4.21.0")
    # DL_DIR, like any download: it survives rm_work and can be copied or mirrored.
    assert ho.tarball_path("/dl", "hailort", "4.21.0", True) == "/dl/hailort-externals-hailort-4.21.0-grpc.tar.gz"
    with pytest.raises(ho.ExternalsError):
        ho.tarball_name("../x", "4.21.0")


def test_host_environment_uses_the_build_hosts_compiler_and_no_toolchain_file():
    task_env = {"PATH": "/sysroot-native/usr/bin:/hosttools", "CC": "x86_64-oe-linux-gcc --sysroot=/s",
                "CFLAGS": "-O2 -march=x86-64-v3", "CMAKE_TOOLCHAIN_FILE": "/work/toolchain.cmake",
                "LIBHAILORT_PATH": "/s/usr/lib/libhailort.so.4.21.0", "https_proxy": "http://proxy:3128"}
    env = ho.host_environment(task_env, "gcc ", "g++ ", "-isystem/n/include -O2 -pipe", "-O2 -pipe", "-L/n/lib")
    assert "CMAKE_TOOLCHAIN_FILE" not in env
    assert env["CC"] == "gcc " and env["CXX"] == "g++ " and env["CFLAGS"] == "-isystem/n/include -O2 -pipe"
    assert env["LDFLAGS"] == "-L/n/lib" and env["CXXFLAGS"] == "-O2 -pipe"
    assert env["PATH"] == task_env["PATH"] and env["https_proxy"] == "http://proxy:3128"
    assert task_env["CMAKE_TOOLCHAIN_FILE"] == "/work/toolchain.cmake"    # the task's own is untouched


# --- the preparation step --------------------------------------------------------------------

def test_prepare_runs_the_step_in_the_source_tree(tmp_path):
    source = fake_source(tmp_path)
    externals = prepare(source)
    assert externals == os.path.join(str(source), "hailort", "external")
    assert (source / "hailort/external/spdlog-src/CMakeLists.txt").is_file()


def test_prepare_failure_reports_the_command_output(tmp_path):
    source = fake_source(tmp_path)
    (source / "fail.py").write_text("import sys\nprint('Could not resolve host: github.com')\nsys.exit(3)\n")
    with pytest.raises(ho.ExternalsError) as error:
        ho.prepare_externals(str(source), [sys.executable, "fail.py"])
    assert "exit code 3" in str(error.value) and "Could not resolve host" in str(error.value)


def test_prepare_that_downloads_nothing_is_an_error(tmp_path):
    source = fake_source(tmp_path)
    (source / "noop.py").write_text("pass\n")
    with pytest.raises(ho.ExternalsError, match="left no sources"):
        ho.prepare_externals(str(source), [sys.executable, "noop.py"])


def test_prepare_with_a_missing_tool_is_an_error(tmp_path):
    source = fake_source(tmp_path)
    with pytest.raises(ho.ExternalsError, match="cannot run"):
        ho.prepare_externals(str(source), ["/nonexistent/cmake", "-P", "x.cmake"])


# --- reproducible tarballs -------------------------------------------------------------------

def pack(source, dest):
    return ho.write_reproducible_tarball(str(source), ho.EXTERNALS_SUBDIR, str(dest))


def test_tarball_is_bit_identical_when_made_twice(tmp_path):
    first = fake_source(tmp_path / "a")
    second = fake_source(tmp_path / "b", name="elsewhere")
    prepare(first)
    prepare(second)
    # Same content, but other times, modes and a different .git/index and subbuild.
    os.utime(second / "hailort/external/spdlog-src/CMakeLists.txt", (1, 1))
    os.chmod(second / "hailort/external/pybind11-src/CMakeLists.txt", 0o600)
    one, two = pack(first, tmp_path / "one.tar.gz"), pack(second, tmp_path / "two.tar.gz")
    data = open(one, "rb").read()
    assert data == open(two, "rb").read()
    again = pack(first, tmp_path / "again.tar.gz")
    assert open(again, "rb").read() == data


def test_tarball_entries_are_sorted_normalised_and_pruned(tmp_path):
    source = fake_source(tmp_path)
    prepare(source)
    path = pack(source, tmp_path / "x.tar.gz")
    raw = open(path, "rb").read()
    assert raw[4:8] == b"\0\0\0\0"              # gzip MTIME field
    assert not raw[3] & 0x08                      # no FNAME in the gzip header
    with tarfile.open(path) as tar:
        members = tar.getmembers()
    names = [m.name for m in members]
    assert names[0] == "hailort/external"
    assert names == sorted(names, key=lambda n: n.split("/"))
    assert not [n for n in names if "/.git" in n or n.endswith("-subbuild") or "-subbuild/" in n]
    assert all(m.mtime == ho.TARBALL_MTIME and m.uid == 0 and m.gid == 0 for m in members)
    assert all(m.uname == "" and m.gname == "" for m in members)
    modes = {m.name.rsplit("/", 1)[-1]: m.mode for m in members if m.isfile()}
    assert modes["autogen.sh"] == 0o755 and modes["CMakeLists.txt"] == 0o644
    links = [m for m in members if m.issym()]
    assert [(m.name.rsplit("/", 1)[-1], m.linkname) for m in links] == [("alias.h", "spdlog.h")]


def test_tarball_write_is_atomic_and_leaves_no_temporary(tmp_path):
    source = fake_source(tmp_path)
    prepare(source)
    dl_dir = tmp_path / "downloads"
    pack(source, dl_dir / "t.tar.gz")
    assert sorted(os.listdir(dl_dir)) == ["t.tar.gz"]
    assert stat.S_IMODE(os.stat(dl_dir / "t.tar.gz").st_mode) == 0o644


def test_packing_a_missing_folder_is_an_error(tmp_path):
    with pytest.raises(ho.ExternalsError, match="nothing to pack"):
        pack(tmp_path, tmp_path / "t.tar.gz")


# --- unpacking ---------------------------------------------------------------------------------

def test_extract_round_trip_replaces_older_externals(tmp_path):
    source = fake_source(tmp_path)
    prepare(source)
    path = pack(source, tmp_path / "t.tar.gz")
    target = tmp_path / "S"
    stale = target / "hailort/external/stale-src"
    stale.mkdir(parents=True)
    assert ho.extract_tarball(path, str(target)) == "hailort/external"
    assert not stale.exists()
    assert (target / "hailort/external/spdlog-src/include/spdlog/spdlog.h").read_text() == "// spdlog header\n"
    assert os.readlink(target / "hailort/external/spdlog-src/include/spdlog/alias.h") == "spdlog.h"
    assert os.access(target / "hailort/external/protobuf-src/autogen.sh", os.X_OK)


def test_missing_tarball_names_the_file(tmp_path):
    missing = tmp_path / "downloads" / ho.tarball_name("hailort", "4.21.0")
    with pytest.raises(ho.MissingTarball) as error:
        ho.extract_tarball(str(missing), str(tmp_path))
    assert str(missing) in str(error.value)
    assert "HAILORT_OFFLINE_BUILD_USE_EXISTING_TAR" in str(error.value)
    assert error.value.path == str(missing)


# --- the check (do_prepare_hailort_external_dependencies) ---------------------------------------

def test_check_names_a_missing_tarball_with_what_to_do_per_mode(tmp_path):
    missing = str(tmp_path / ho.tarball_name("hailort", "4.21.0", service=True))
    with pytest.raises(ho.MissingTarball, match="HAILORT_OFFLINE_BUILD_USE_EXISTING_TAR = \"1\" but %s" % missing):
        ho.check_tarball(missing, ho.OFFLINE, service=True)
    for mode in (ho.ONLINE, ho.COLLECT):
        with pytest.raises(ho.MissingTarball) as error:
            ho.check_tarball(missing, mode, service=True)
        assert missing in str(error.value) and "bitbake -f -c fetch" in str(error.value)


def test_check_accepts_a_packed_tree_and_needs_grpc_for_the_service(tmp_path):
    source = fake_source(tmp_path)
    prepare(source)
    path = pack(source, tmp_path / "t.tar.gz")
    ho.check_tarball(str(path), ho.OFFLINE)
    # A tarball made without the service (no gRPC) cannot serve a build with it.
    with pytest.raises(ho.ExternalsError, match="lacks hailort/external/grpc-src"):
        ho.check_tarball(str(path), ho.OFFLINE, service=True)
    (source / "hailort/external/grpc-src").mkdir()
    with_grpc = pack(source, tmp_path / "g.tar.gz")
    ho.check_tarball(str(with_grpc), ho.COLLECT, service=True)


def test_check_refuses_an_unreadable_tarball(tmp_path):
    path = tmp_path / "broken.tar.gz"
    path.write_bytes(b"not a tarball")
    with pytest.raises(ho.ExternalsError, match="not a readable"):
        ho.check_tarball(str(path), ho.OFFLINE)
    truncated = tmp_path / "truncated.tar.gz"
    source = fake_source(tmp_path)
    prepare(source)
    truncated.write_bytes(open(pack(source, tmp_path / "t.tar.gz"), "rb").read()[:200])
    with pytest.raises(ho.ExternalsError):
        ho.check_tarball(str(truncated), ho.OFFLINE, service=True)


def _tar_with(tmp_path, member, data=b"x"):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        root = tarfile.TarInfo("hailort/external")
        root.type = tarfile.DIRTYPE
        tar.addfile(root)
        if member.isfile():
            member.size = len(data)
            tar.addfile(member, io.BytesIO(data))
        else:
            tar.addfile(member)
    path = tmp_path / "evil.tar.gz"
    path.write_bytes(gzip.compress(buf.getvalue()))
    return path


@pytest.mark.parametrize("name, kind, link", [
    ("hailort/external/../../../etc/passwd", tarfile.REGTYPE, ""),
    ("/etc/passwd", tarfile.REGTYPE, ""),
    ("hailort/external/x", tarfile.SYMTYPE, "/etc/passwd"),
    ("hailort/external/x", tarfile.SYMTYPE, "../../../../etc"),
    ("hailort/external/dev", tarfile.CHRTYPE, ""),
])
def test_extract_refuses_entries_leaving_the_tree(tmp_path, name, kind, link):
    member = tarfile.TarInfo(name)
    member.type = kind
    member.linkname = link
    path = _tar_with(tmp_path, member)
    with pytest.raises(ho.ExternalsError, match="refusing"):
        ho.extract_tarball(str(path), str(tmp_path / "S"))
    assert not (tmp_path / "etc").exists()


def test_corrupt_tarball_is_an_explained_error(tmp_path):
    path = tmp_path / "broken.tar.gz"
    path.write_bytes(b"not a tarball")
    with pytest.raises(ho.ExternalsError, match="not a readable"):
        ho.extract_tarball(str(path), str(tmp_path / "S"))

# SPDX-License-Identifier: MIT
"""The HailoRT offline build flow (HailoRT user guide 4.21.0, section 10.7), without BitBake.

hailort.bbclass calls these functions from a do_fetch postfunc (the download), from
do_prepare_hailort_external_dependencies (the check) and from a do_unpack postfunc (the unpack);
pytest calls them on a fake source tree. Nothing here imports bb.

All downloading happens in do_fetch, the one task that has the network: the externals tarball
is a download like any other, kept in DL_DIR (so it survives rm_work and DL_DIR can be copied or
mirrored). Modes, from HAILORT_OFFLINE_BUILD_ENABLE and HAILORT_OFFLINE_BUILD_USE_EXISTING_TAR:

- ``online`` (ENABLE unset) and ``collect`` (ENABLE = "1"): the same behaviour. do_fetch
  downloads the CMake externals and packs them into DL_DIR, unless the tarball is already there;
  ENABLE = "1" alone is kept because the guide's collecting machine sets it.
- ``offline`` (ENABLE = "1" and USE_EXISTING_TAR = "1"): do_fetch downloads nothing more; the
  tarball must already be in DL_DIR, and a missing one is an error naming the file.

The tarball's name holds the recipe, the version and whether it holds gRPC (HAILO_BUILD_SERVICE,
PACKAGECONFIG "service"), so a tarball made without gRPC is never used for a build that needs it.
do_configure never gets the network: the build runs with FetchContent disconnected on the
unpacked externals.
"""

import gzip
import os
import shutil
import subprocess
import tarfile
import tempfile

__all__ = [
    "ExternalsError",
    "MissingTarball",
    "OfflineMode",
    "ONLINE",
    "COLLECT",
    "OFFLINE",
    "EXTERNALS_SUBDIR",
    "TARBALL_MTIME",
    "mode_from_flags",
    "downloads",
    "tarball_name",
    "tarball_path",
    "host_environment",
    "prepare_externals",
    "check_tarball",
    "write_reproducible_tarball",
    "extract_tarball",
]

ONLINE = "online"
COLLECT = "collect"
OFFLINE = "offline"
OfflineMode = str

# Where hailort's CMake (cmake/external/*.cmake) puts FetchContent sources, from the source root.
EXTERNALS_SUBDIR = "hailort/external"

# Fixed mtime of every tarball entry: the v4.21.0 commit date (2025-04-01 00:00:00 UTC).
TARBALL_MTIME = 1743465600

# FetchContent leaves these next to each <name>-src: build products and absolute paths, not
# needed once FETCHCONTENT_FULLY_DISCONNECTED is on, and never reproducible.
_SKIPPED_SUFFIXES = ("-subbuild", "-build", "-install")
_SKIPPED_NAMES = (".git",)


# Python 3.12+ warns unless a filter is named; members are already checked by _safe_member.
_EXTRACT_ARGS = {"filter": "tar"} if hasattr(tarfile, "tar_filter") else {}


class ExternalsError(Exception):
    """The externals-preparation step failed, or a tarball is unusable."""


class MissingTarball(ExternalsError):
    """The tarball is not in DL_DIR: not copied there (offline mode), or removed after do_fetch."""

    def __init__(self, path, mode=None):
        self.path = path
        if mode in (ONLINE, COLLECT):
            message = ("the HailoRT externals tarball %s does not exist: do_fetch makes it, and it "
                       "was removed since. Run 'bitbake -f -c fetch' on the recipe to download it "
                       "again (needs the network)." % path)
        else:
            message = ("HAILORT_OFFLINE_BUILD_USE_EXISTING_TAR = \"1\" but %s does not exist. Copy "
                       "the DL_DIR of the machine that ran 'bitbake -c "
                       "prepare_hailort_external_dependencies' (which fetches first), or unset "
                       "HAILORT_OFFLINE_BUILD_USE_EXISTING_TAR to let do_fetch make it (needs the "
                       "network)." % path)
        super().__init__(message)


def _is_set(value):
    return str(value or "").strip() in ("1", "yes", "true", "on", "True", "YES", "ON")


def mode_from_flags(enable, use_existing_tar):
    """The mode for the two variables' values (None, "", "0" or "1")."""
    if _is_set(use_existing_tar):
        if not _is_set(enable):
            raise ExternalsError(
                "HAILORT_OFFLINE_BUILD_USE_EXISTING_TAR = \"1\" needs HAILORT_OFFLINE_BUILD_ENABLE "
                "= \"1\" as well (HailoRT user guide 10.7.2): set both in conf/local.conf."
            )
        return OFFLINE
    return COLLECT if _is_set(enable) else ONLINE


def downloads(mode):
    """Whether do_fetch downloads the externals (when the tarball is not in DL_DIR yet)."""
    return mode in (ONLINE, COLLECT)


def tarball_name(pn, pv, service=False):
    """The tarball's file name: one per recipe, version and gRPC (HAILO_BUILD_SERVICE) or not."""
    if not pn or not pv or "/" in pn or "/" in pv:
        raise ExternalsError("invalid recipe name or version for the externals tarball: %r %r" % (pn, pv))
    return "hailort-externals-%s-%s%s.tar.gz" % (pn, pv, "-grpc" if service else "")


def tarball_path(dl_dir, pn, pv, service=False):
    """Where the tarball lives, in every mode: DL_DIR, as any download."""
    return os.path.join(dl_dir, tarball_name(pn, pv, service))


# Exported by the recipe for its target build; they would steer the nested host configure of
# prepare_externals.cmake to the cross toolchain (CMake reads CMAKE_TOOLCHAIN_FILE from the
# environment since 3.21, and pyhailort exports it; the file does not exist before do_configure).
_TARGET_ONLY = ("CMAKE_TOOLCHAIN_FILE", "CPP", "CPPFLAGS", "LD", "AR", "AS", "RANLIB", "STRIP",
                "NM", "OBJCOPY", "OBJDUMP", "READELF")


def host_environment(environ, cc, cxx, cflags="", cxxflags="", ldflags=""):
    """The environment for `cmake -P hailort/prepare_externals.cmake`: the task's, with the build
    host's compiler instead of the cross one (its nested project() only checks that a compiler
    works; nothing is built)."""
    env = {key: value for key, value in environ.items() if key not in _TARGET_ONLY}
    env.update(CC=cc, CXX=cxx, CFLAGS=cflags, CXXFLAGS=cxxflags, LDFLAGS=ldflags)
    return env


def prepare_externals(source_dir, command, env=None, timeout=None):
    """Run the externals-preparation command in source_dir; return the externals folder.

    command is an argument list, e.g. ["cmake", "-DHAILO_BUILD_SERVICE=ON", "-P",
    "hailort/prepare_externals.cmake"]; its output is returned in the error when it fails.
    """
    try:
        proc = subprocess.run(
            command, cwd=source_dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            timeout=timeout, check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ExternalsError("cannot run %s in %s: %s" % (" ".join(command), source_dir, error)) from None
    output = proc.stdout.decode("utf-8", "replace")
    if proc.returncode != 0:
        tail = "\n".join(output.splitlines()[-40:])
        raise ExternalsError(
            "%s failed with exit code %d in %s:\n%s" % (" ".join(command), proc.returncode, source_dir, tail)
        )
    externals = os.path.join(source_dir, EXTERNALS_SUBDIR)
    if not os.path.isdir(externals) or not os.listdir(externals):
        raise ExternalsError(
            "%s succeeded but left no sources in %s; the HailoRT source tree does not look like "
            "v4.21.0's" % (" ".join(command), externals)
        )
    return externals


def _skipped(name):
    return name in _SKIPPED_NAMES or name.endswith(_SKIPPED_SUFFIXES)


def _entries(root):
    """Relative paths under root, sorted, parents before children, skipped names pruned."""
    found = []
    for top, dirs, files in os.walk(root):
        dirs[:] = sorted(name for name in dirs if not _skipped(name))
        rel_top = os.path.relpath(top, root)
        for name in dirs + sorted(files):
            if name in files and _skipped(name):
                continue
            found.append(os.path.normpath(os.path.join(rel_top, name)))
    return sorted(found, key=lambda rel: rel.split(os.sep))


def _normalised_info(full_path, arcname):
    info = tarfile.TarInfo(arcname)
    st = os.lstat(full_path)
    info.mtime = TARBALL_MTIME
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    if os.path.islink(full_path):
        info.type = tarfile.SYMTYPE
        info.linkname = os.readlink(full_path)
        info.mode = 0o777
    elif os.path.isdir(full_path):
        info.type = tarfile.DIRTYPE
        info.mode = 0o755
    else:
        info.type = tarfile.REGTYPE
        info.size = st.st_size
        info.mode = 0o755 if st.st_mode & 0o111 else 0o644
    return info


def write_reproducible_tarball(source_dir, subdir, destination):
    """Pack source_dir/subdir into destination (.tar.gz), bit-identical for identical input.

    Entries sorted by path, mtime fixed, owner root:root without names, modes normalised to
    0644/0755, hard links stored as files, gzip header without time or file name. The file is
    written to a temporary name and renamed, so concurrent builds never see half a tarball.
    """
    root = os.path.join(source_dir, subdir)
    if not os.path.isdir(root):
        raise ExternalsError("nothing to pack: %s is not a directory" % root)
    folder = os.path.dirname(os.path.abspath(destination))
    os.makedirs(folder, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=".%s." % os.path.basename(destination), dir=folder)
    try:
        with os.fdopen(fd, "wb") as raw:
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz:
                with tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
                    tar.addfile(_normalised_info(root, subdir))
                    for rel in _entries(root):
                        full = os.path.join(root, rel)
                        info = _normalised_info(full, "%s/%s" % (subdir, rel.replace(os.sep, "/")))
                        if info.isreg():
                            with open(full, "rb") as handle:
                                tar.addfile(info, handle)
                        else:
                            tar.addfile(info)
        os.chmod(temporary, 0o644)
        os.replace(temporary, destination)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return destination


def _safe_member(member, destination):
    name = member.name
    if os.path.isabs(name) or ".." in name.split("/"):
        raise ExternalsError("refusing tarball entry outside the source tree: %s" % name)
    if member.issym() or member.islnk():
        target = os.path.normpath(os.path.join(os.path.dirname(name), member.linkname))
        if os.path.isabs(member.linkname) or target.startswith(".."):
            raise ExternalsError("refusing link leaving the source tree: %s -> %s" % (name, member.linkname))
    elif not (member.isfile() or member.isdir()):
        raise ExternalsError("refusing special file in tarball: %s" % name)
    return member


def check_tarball(tarball, mode, service=False):
    """do_prepare_hailort_external_dependencies: the tarball is in DL_DIR, readable, holds
    hailort/external and, when the build needs it (service), gRPC. Reads until it has seen what
    it looks for. Raises MissingTarball (naming the file) or ExternalsError."""
    if not os.path.isfile(tarball):
        raise MissingTarball(tarball, mode)
    wanted = {EXTERNALS_SUBDIR} | ({EXTERNALS_SUBDIR + "/grpc-src"} if service else set())
    try:
        with tarfile.open(tarball, mode="r|gz") as tar:
            for member in tar:
                wanted.discard(member.name)
                if not wanted:
                    return
    except (tarfile.TarError, OSError, EOFError) as error:
        raise _unreadable(tarball, error) from None
    raise ExternalsError("%s lacks %s; delete it and fetch again" % (tarball, ", ".join(sorted(wanted))))


def _unreadable(tarball, error):
    return ExternalsError("%s is not a readable .tar.gz (%s); delete it and fetch again" % (tarball, error))


def extract_tarball(tarball, destination):
    """Unpack tarball into destination (the recipe's source root); return the packed folder.

    A missing tarball raises MissingTarball naming it; entries leaving the tree are refused.
    """
    if not os.path.isfile(tarball):
        raise MissingTarball(tarball)
    try:
        with tarfile.open(tarball, mode="r:gz") as tar:
            members = [_safe_member(member, destination) for member in tar.getmembers()]
            if not members:
                raise ExternalsError("%s is empty" % tarball)
            # The first entry is the packed folder: an older copy must not mix with this one.
            if members[0].isdir():
                shutil.rmtree(os.path.join(destination, members[0].name), ignore_errors=True)
            for member in members:
                tar.extract(member, destination, set_attrs=not member.issym(), **_EXTRACT_ARGS)
    except (tarfile.TarError, OSError, EOFError) as error:
        raise _unreadable(tarball, error) from None
    return members[0].name

# SPDX-License-Identifier: MIT
"""The HailoRT offline build flow (HailoRT user guide 4.21.0, section 10.7), without BitBake.

hailort.bbclass calls these functions from do_prepare_hailort_external_dependencies and from a
do_unpack postfunc; pytest calls them on a fake source tree. Nothing here imports bb.

Modes, from HAILORT_OFFLINE_BUILD_ENABLE and HAILORT_OFFLINE_BUILD_USE_EXISTING_TAR:

- ``online`` (ENABLE unset): the task downloads the CMake externals (it gets the network flag)
  and keeps the tarball in the recipe's WORKDIR; nothing is written to DL_DIR.
- ``collect`` (ENABLE = "1"): the same download, but the tarball goes to DL_DIR under a name per
  recipe and version, so DL_DIR can be copied to an offline machine.
- ``offline`` (ENABLE = "1" and USE_EXISTING_TAR = "1"): no network; the tarball must already be
  in DL_DIR, and a missing one is an error naming the file.

do_configure never gets the network in any mode: the build always runs with
HAILO_OFFLINE_COMPILATION=ON on the unpacked externals.
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
    "needs_network",
    "tarball_name",
    "tarball_path",
    "prepare_externals",
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
    """USE_EXISTING_TAR mode, and the tarball is not in DL_DIR."""

    def __init__(self, path):
        self.path = path
        super().__init__(
            "HAILORT_OFFLINE_BUILD_USE_EXISTING_TAR = \"1\" but %s does not exist. Copy the "
            "DL_DIR of the machine that ran 'bitbake -c prepare_hailort_external_dependencies' "
            "with HAILORT_OFFLINE_BUILD_ENABLE = \"1\", or unset "
            "HAILORT_OFFLINE_BUILD_USE_EXISTING_TAR to create it (needs the network)." % path
        )


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


def needs_network(mode):
    """Whether do_prepare_hailort_external_dependencies needs [network] = "1"."""
    return mode in (ONLINE, COLLECT)


def tarball_name(pn, pv):
    """The tarball's file name: one per recipe and version."""
    if not pn or not pv or "/" in pn or "/" in pv:
        raise ExternalsError("invalid recipe name or version for the externals tarball: %r %r" % (pn, pv))
    return "hailort-externals-%s-%s.tar.gz" % (pn, pv)


def tarball_path(mode, pn, pv, dl_dir, workdir):
    """Where the tarball lives: DL_DIR when it is to be kept or reused, else WORKDIR."""
    folder = workdir if mode == ONLINE else dl_dir
    return os.path.join(folder, tarball_name(pn, pv))


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
        raise ExternalsError("%s is not a readable .tar.gz (%s); delete it and run "
                             "do_prepare_hailort_external_dependencies again" % (tarball, error)) from None
    return members[0].name

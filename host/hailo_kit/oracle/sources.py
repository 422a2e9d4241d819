"""The HailoRT 4.21.0 source tree and its externals, from local git mirrors, the way the offline
recipe build gets them.

The recipe's do_fetch (its postfunc hailort_fetch_externals) runs HailoRT's
prepare_externals.cmake (FetchContent clones from GitHub) and packs hailort/external/ into DL_DIR
with the layer's ``hailort_offline.write_reproducible_tarball``; a do_unpack postfunc unpacks it with
``hailort_offline.extract_tarball``. Here the download is replaced by ``git archive <pinned
commit>`` of a mirror (FetchContent's shallow clone reads every branch tip and fails on an
incomplete mirror; ``git archive`` reads one tree), and the same two layer functions pack and
unpack, so the tree the build sees went through the layer's code.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Sequence

TOP = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(TOP / "meta-hailo-libhailort" / "lib"))
import hailort_offline  # noqa: E402  (the layer's own code, not a copy)

HAILORT_TAG = "v4.21.0"
HAILORT_MIRROR = "hailo-ai+hailort"

# Which public repositories hold each pinned commit (hailort-build-notes.md). The commit itself
# is read from hailort/cmake/external/<name>.cmake, never written here.
MIRRORS: Dict[str, Sequence[str]] = {
    "protobuf": ("protocolbuffers+protobuf",),
    "spdlog": ("chenrui333+spdlog", "GerHobbelt+spdlog", "gabime+spdlog"),
    "readerwriterqueue": ("cameron314+readerwriterqueue",),
    "xxhash": ("Cyan4973+xxHash",),
    "cli11": ("hailo-ai+CLI11",),
    "json": ("ArthurSonzogni+nlohmann_json_cmake_fetchcontent",),
    "dotwriter": ("hailo-ai+DotWriter",),
    "eigen": ("live-clones+eigen", "libeigen+eigen"),
    "pybind11": ("pybind+pybind11",),
}
# prepare_externals.cmake also fetches these; nothing the oracle builds uses them (grpc: the
# service; benchmark, catch2, cpp-httplib: tests and tools).
NOT_NEEDED = ("grpc", "benchmark", "catch2", "cpp-httplib")
# With the layer's system-libs PACKAGECONFIG the recipe still fetches these (no distribution
# packages them); every other external comes from the distribution.
SYSTEM_LIBS_BUNDLED = ("dotwriter",)


class SourceError(Exception):
    """A mirror or a pinned commit is missing, or the source tree cannot be made."""


@dataclass(frozen=True)
class External:
    name: str
    commit: str
    mirror: Path


def _git(repo: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "--git-dir", str(repo), *args], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, check=False, **kw)


def mirror_root() -> Path:
    return Path(os.environ.get("HAILORT_MIRRORS", "/work/.mirror"))


def mirror_repo(name: str) -> Path:
    """The git directory of a fetched mirror (<root>/<owner>+<name>/repo or a bare <name>.git)."""
    for candidate in (mirror_root() / name / "repo", mirror_root() / name):
        if (candidate / "objects").is_dir() or (candidate / ".git").is_dir():
            return candidate / ".git" if (candidate / ".git").is_dir() else candidate
    raise SourceError(f"no mirror {name} under {mirror_root()} (set HAILORT_MIRRORS)")


def archive(repo: Path, commit: str, destination: Path) -> List[str]:
    """Extract commit's tree into destination; return the paths left out (blobs the mirror lacks)."""
    skipped: List[str] = []
    while True:
        excludes = [f":(exclude){path}" for path in skipped]
        proc = _git(repo, "archive", "--format=tar", commit, "--", ".", *excludes)
        if proc.returncode == 0:
            break
        missing = _missing_blobs(repo, commit)
        if not missing or set(missing) <= set(skipped):
            raise SourceError(f"git archive {commit} of {repo} failed: {proc.stderr.decode().strip()}")
        skipped = sorted(set(skipped) | set(missing))
    destination.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(proc.stdout)) as tar:
        tar.extractall(destination, filter="tar") if hasattr(tarfile, "tar_filter") else tar.extractall(destination)
    return skipped


def _missing_blobs(repo: Path, commit: str) -> List[str]:
    tree = _git(repo, "ls-tree", "-r", commit)
    if tree.returncode != 0:
        return []
    entries = [line.split("\t", 1) for line in tree.stdout.decode().splitlines()]
    blobs = [(meta.split()[2], path) for meta, path in entries if meta.split()[1] == "blob"]
    check = _git(repo, "cat-file", "--batch-check", input="\n".join(sha for sha, _ in blobs).encode())
    states = check.stdout.decode().splitlines()
    return [path for (sha, path), state in zip(blobs, states) if state.endswith("missing")]


def pinned_commit(hailort_src: Path, name: str) -> str:
    """GIT_TAG of hailort/cmake/external/<name>.cmake."""
    text = (hailort_src / "hailort" / "cmake" / "external" / f"{name}.cmake").read_text()
    match = re.search(r"GIT_TAG\s+([0-9a-f]{40})", text)
    if not match:
        raise SourceError(f"no pinned commit in hailort/cmake/external/{name}.cmake")
    return match.group(1)


def find_external(hailort_src: Path, name: str) -> External:
    commit = pinned_commit(hailort_src, name)
    tried = []
    for mirror_name in MIRRORS[name]:
        try:
            repo = mirror_repo(mirror_name)
        except SourceError:
            tried.append(f"{mirror_name} (not fetched)")
            continue
        if _git(repo, "cat-file", "-e", f"{commit}^{{tree}}").returncode == 0:
            return External(name, commit, repo)
        tried.append(f"{mirror_name} (lacks {commit[:12]})")
    raise SourceError(f"external {name}: no mirror has commit {commit}: {', '.join(tried)}")


def externals_tarball(hailort_src: Path, destination: Path, log=print) -> Path:
    """Fill a scratch tree's hailort/external/<name>-src from the mirrors and pack it with the
    layer's write_reproducible_tarball (what the recipe's do_fetch does)."""
    if destination.is_file():
        return destination
    scratch = destination.parent / (destination.name + ".scratch")
    shutil.rmtree(scratch, ignore_errors=True)
    for name in MIRRORS:
        external = find_external(hailort_src, name)
        log(f"  external {name:18} {external.commit[:12]} from {external.mirror.parent.name}")
        skipped = archive(external.mirror, external.commit,
                          scratch / hailort_offline.EXTERNALS_SUBDIR / f"{name}-src")
        if skipped:
            log(f"    left out (blobs missing from the mirror): {', '.join(skipped)}")
    hailort_offline.write_reproducible_tarball(str(scratch), hailort_offline.EXTERNALS_SUBDIR,
                                               str(destination))
    shutil.rmtree(scratch)
    return destination


def source_tree(work: Path, log=print, tag: str = HAILORT_TAG) -> Path:
    """work/src/hailort-<ver>: HailoRT at tag plus the externals unpacked by the layer's
    extract_tarball. Made once; delete it to start again."""
    version = tag.lstrip("v")
    tree = work / "src" / f"hailort-{version}"
    done = tree / ".oracle-source-complete"
    if done.is_file():
        return tree
    repo = mirror_repo(HAILORT_MIRROR)
    log(f"HailoRT {tag} from {repo}")
    shutil.rmtree(tree, ignore_errors=True)
    archive(repo, tag, tree)
    tarball = work / "downloads" / hailort_offline.tarball_name("hailort", version)
    externals_tarball(tree, tarball, log)
    log(f"unpacking {tarball.name} with hailort_offline.extract_tarball")
    hailort_offline.extract_tarball(str(tarball), str(tree))
    done.write_text(tag + "\n")
    return tree


def git_commit(tag: str = HAILORT_TAG) -> str:
    proc = _git(mirror_repo(HAILORT_MIRROR), "rev-parse", f"{tag}^{{commit}}")
    return proc.stdout.decode().strip()


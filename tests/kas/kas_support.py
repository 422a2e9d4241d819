"""Helpers for the kas configuration tests: kas's own loader, and an offline copy of the tree in
which every remote repository is replaced by a small local git repository."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
KAS_DIR = REPO_ROOT / "kas"
LAYER_DIRS = ("meta-hailo-libhailort", "meta-hailo-accelerator", "meta-hailo-vpu")


def kas_files() -> list[Path]:
    """Every kas configuration (lock files are loaded by kas next to these)."""
    return sorted(p for p in KAS_DIR.glob("*.yml") if not p.name.endswith(".lock.yml"))


def lock_files() -> list[Path]:
    return sorted(KAS_DIR.glob("*.lock.yml"))


RELEASES = {"scarthgap": "2.8", "whinlatter": "2.16", "wrynose": "2.18"}  # release: BitBake branch

# The combinations docs/yocto.md tells users to run: a release, a machine, a runtime, features.
COMBINATIONS = {
    "wrynose-qemux86-64-sim": ["kas/wrynose.yml", "kas/qemux86-64.yml", "kas/sim.yml"],
    "scarthgap-qemux86-64-sim": ["kas/scarthgap.yml", "kas/qemux86-64.yml", "kas/sim.yml"],
    "whinlatter-qemuarm64-sim-testimage": ["kas/whinlatter.yml", "kas/qemuarm64.yml", "kas/sim.yml",
                                           "kas/testimage.yml"],
    "wrynose-qemux86-64-hardware": ["kas/wrynose.yml", "kas/qemux86-64.yml", "kas/hardware.yml"],
    "offline-collect": ["kas/wrynose.yml", "kas/qemux86-64.yml", "kas/hardware.yml", "kas/offline-collect.yml"],
    "offline-build": ["kas/wrynose.yml", "kas/qemux86-64.yml", "kas/hardware.yml", "kas/offline-build.yml"],
    "sstate-mirror": ["kas/wrynose.yml", "kas/qemux86-64.yml", "kas/hardware.yml", "kas/sstate-mirror.yml"],
    "raspberrypi5": ["kas/raspberrypi5.yml"],
}


def merged_config(top_files: list[str], root: Path = REPO_ROOT) -> tuple[dict, list]:
    """The merged configuration as kas computes it (includes, lock files, later files win)."""
    from kas.context import create_global_context
    from kas.includehandler import IncludeHandler
    from kas.kas import kas_get_argparser

    cwd = os.getcwd()
    os.chdir(root)
    try:
        create_global_context(kas_get_argparser().parse_args(["dump", ":".join(top_files)]))
        return IncludeHandler([str(root / f) for f in top_files]).get_config()
    finally:
        os.chdir(cwd)


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=kas-test", "-c", "user.email=kas-test@localhost",
         "-c", "init.defaultBranch=main", *args],
        cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


# What each stand-in repository holds: just enough for kas to find layers and the init script.
FAKE_CONTENT = {
    "bitbake": {"bin/bitbake": "#!/bin/sh\nexit 0\n"},
    "openembedded-core": {
        "meta/conf/layer.conf": 'BBFILE_COLLECTIONS += "core"\n',
        # kas sources this with the build directory and reads the environment it leaves.
        "oe-init-build-env": 'mkdir -p "${1:-build}/conf" && cd "${1:-build}"\n',
    },
    "meta-openembedded": {
        "meta-oe/conf/layer.conf": 'BBFILE_COLLECTIONS += "openembedded-layer"\n',
        "meta-python/conf/layer.conf": 'BBFILE_COLLECTIONS += "meta-python"\n',
    },
    "meta-raspberrypi": {"conf/layer.conf": 'BBFILE_COLLECTIONS += "raspberrypi"\n'},
}


@dataclass
class OfflineTree:
    """A copy of kas/ and the layers' conf/ in its own git repository, plus local stand-ins
    for every remote repository and an override file (kas/local.yml) that points kas at them."""
    root: Path
    work: Path
    sources: dict[str, Path]
    commits: dict[str, str]

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KAS_")}
        env["KAS_WORK_DIR"] = str(self.work)
        return env

    def with_local_repos(self, top_files: list[str], checkouts: bool = True) -> str:
        """The kas command-line config for top_files plus an override file that points each of
        their remote repositories at its local stand-in (checkouts=False: at no repository).
        The override's URLs are local too, so kas cannot reach the network even if it fetched
        (kas does not pass the caller's environment, e.g. GIT_ALLOW_PROTOCOL, to git)."""
        config, _ = merged_config(top_files, self.root)
        names = [n for n, r in config["repos"].items() if r and r.get("url")]
        missing = self.root.parent / "no-such-repository"
        source = {n: self.sources[n] if checkouts else missing / n for n in names}
        override = {
            "header": {"version": 14},
            # Later files win over the lock files' pins.
            "overrides": {"repos": {n: {"commit": self.commits[n], "url": source[n].as_uri()}
                                    for n in names}},
        }
        if checkouts:
            override["repos"] = {n: {"path": str(source[n])} for n in names}
        name = ("kas/local-" + ("" if checkouts else "none-")
                + "-".join(Path(f).stem for f in top_files) + ".yml")
        (self.root / name).write_text(yaml.safe_dump(override, sort_keys=False))
        return ":".join([*top_files, name])

    def kas(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "kas", *args], cwd=self.root,
                              env=self.env(), capture_output=True, text=True, timeout=timeout)


def make_offline_tree(tmp_path_factory) -> OfflineTree:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    base = tmp_path_factory.mktemp("kas-offline")
    root = base / "meta-hailo-kit"
    shutil.copytree(KAS_DIR, root / "kas")
    for layer in LAYER_DIRS:
        if (REPO_ROOT / layer / "conf").is_dir():
            shutil.copytree(REPO_ROOT / layer / "conf", root / layer / "conf")
    _git(root, "init", "-q")

    # Branches as the kas files ask for them (the board example covers every repository), for
    # every release: the stand-in's one commit is on each release's branch.
    config, _ = merged_config(["kas/raspberrypi5.yml"])
    branches = {name: set(RELEASES) for name in config["repos"]}
    branches["bitbake"] = set(RELEASES.values())
    sources, commits = {}, {}
    for name, repo in config["repos"].items():
        if not repo or not repo.get("url"):
            continue
        src = base / "src" / name
        for rel, text in FAKE_CONTENT[name].items():
            (src / rel).parent.mkdir(parents=True, exist_ok=True)
            (src / rel).write_text(text)
        _git(src, "init", "-q")
        _git(src, "add", "-A")
        _git(src, "commit", "-q", "-m", f"stand-in for {name}")
        # kas resets origin's URL to the kas file's and checks the pin is on origin/<branch>.
        _git(src, "remote", "add", "origin", src.as_uri())
        for branch in branches[name]:
            _git(src, "update-ref", f"refs/remotes/origin/{branch}", "HEAD")
        sources[name], commits[name] = src, _git(src, "rev-parse", "HEAD")

    work = base / "work"
    work.mkdir()
    return OfflineTree(root=root, work=work, sources=sources, commits=commits)

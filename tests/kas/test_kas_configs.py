"""The kas configurations: valid for kas's own loader and schema, composable, pinned, and
usable offline (kas dump / kas checkout against local repositories)."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml

from kas_support import (COMBINATIONS, KAS_DIR, LAYER_DIRS, RELEASES, REPO_ROOT, kas_files,
                         lock_files, merged_config)

SHA1 = re.compile(r"^[0-9a-f]{40}$")


def _assignments(text: str) -> list[tuple[str, str, str]]:
    """(variable, operator, value) of each BitBake assignment in a local.conf snippet."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r'([A-Za-z_][\w:\-\[\]]*)\s*(\?\?=|\?=|\+=|\.=|=\+|=\.|:=|=)\s*"(.*)"', line)
        assert m, f"not a BitBake assignment: {line!r}"
        out.append(m.groups())
    return out


def _local_conf(config: dict) -> dict[str, str]:
    return {(v, op): val for text in config.get("local_conf_header", {}).values()
            for v, op, val in _assignments(text)}


def test_there_are_the_documented_fragments():
    names = {p.stem for p in kas_files()}
    assert {"base", "qemux86-64", "qemuarm64", "sim", "hardware", "testimage",
            "offline-collect", "offline-build", "raspberrypi5", "sstate-mirror"} | set(RELEASES) <= names


@pytest.mark.parametrize("path", kas_files() + lock_files(), ids=lambda p: p.name)
def test_file_validates_with_kas_loader_and_schema(path):
    from kas.includehandler import ConfigFile

    config = ConfigFile.load(str(path)).config  # raises on a schema error or bad version
    assert int(config["header"]["version"]) >= 14


def test_loader_rejects_an_invalid_file(tmp_path):
    """The check above can fail: kas's schema refuses an unknown key and a wrong type."""
    from kas.includehandler import ConfigFile, LoadConfigException

    bad = tmp_path / "bad.yml"
    bad.write_text("header:\n  version: 14\nmachine: [1, 2]\nrepo: {}\n")
    with pytest.raises(LoadConfigException):
        ConfigFile.load(str(bad))


@pytest.mark.parametrize("name", sorted(COMBINATIONS))
def test_includes_resolve_and_every_remote_repo_is_pinned(name):
    config, missing = merged_config(COMBINATIONS[name])
    assert missing == []
    assert config["header"]["version"] >= 14
    assert config["machine"] not in (None, "unset")
    pins = config.get("overrides", {}).get("repos", {})
    remote = {n for n, r in config["repos"].items() if r and r.get("url")}
    assert {"bitbake", "openembedded-core", "meta-openembedded"} <= remote
    for repo in remote:
        assert SHA1.match(pins.get(repo, {}).get("commit") or ""), f"{repo} is not pinned"
    # Our own layers come from this repository (no url) and exist with a layer.conf.
    ours = config["repos"]["meta-hailo-kit"]
    assert "url" not in ours
    assert set(ours["layers"]) == set(LAYER_DIRS)
    assert config["distro"] and config["target"]


def test_lock_files_pin_only_repositories_their_kas_file_declares():
    for lock in lock_files():
        kas_file = lock.with_name(lock.name.replace(".lock.yml", ".yml"))
        assert kas_file.exists(), f"{lock.name} has no kas file"
        merged, _ = merged_config([f"kas/{kas_file.name}"])
        own = yaml.safe_load(kas_file.read_text())
        # A release fragment pins the base's remote repositories; the board its own.
        declared = merged["repos"] if kas_file.stem in RELEASES else (own.get("repos") or {})
        pinned = yaml.safe_load(lock.read_text())["overrides"]["repos"]
        assert set(pinned) == {n for n, r in declared.items() if r and r.get("url")}
        for repo, pin in pinned.items():
            assert SHA1.match(pin["commit"]), (lock.name, repo)


@pytest.mark.parametrize("release", sorted(RELEASES))
def test_release_fragment_sets_the_branches_and_has_its_lock(release):
    config, missing = merged_config([f"kas/{release}.yml"])
    assert missing == []
    assert config["defaults"]["repos"]["branch"] == release
    assert config["repos"]["bitbake"]["branch"] == RELEASES[release]  # BitBake's branch: its version
    assert (KAS_DIR / f"{release}.lock.yml").is_file()
    assert config["machine"] == "unset"


def test_release_lock_files_are_commits_of_their_branches():
    """With HAILO_YOCTO_MIRRORS naming a folder of git clones (openembedded+bitbake/repo, ...,
    as the fetch tool lays them out), every pin is on the branch its release names."""
    import subprocess
    mirrors = os.environ.get("HAILO_YOCTO_MIRRORS")
    if not mirrors:
        pytest.skip("set HAILO_YOCTO_MIRRORS to a folder with openembedded+bitbake/repo, "
                    "openembedded+openembedded-core/repo and openembedded+meta-openembedded/repo")
    for release, bitbake_branch in RELEASES.items():
        pins = yaml.safe_load((KAS_DIR / f"{release}.lock.yml").read_text())["overrides"]["repos"]
        for repo, branch in (("bitbake", bitbake_branch), ("openembedded-core", release),
                             ("meta-openembedded", release)):
            git = Path(mirrors) / f"openembedded+{repo}" / "repo"
            proc = subprocess.run(["git", "-C", str(git), "merge-base", "--is-ancestor",
                                   pins[repo]["commit"], branch], capture_output=True, text=True)
            assert proc.returncode == 0, (release, repo, pins[repo]["commit"], branch, proc.stderr)


def test_base_names_no_release_and_no_machine():
    base = yaml.safe_load((KAS_DIR / "base.yml").read_text())
    assert "defaults" not in base and "branch" not in base["repos"]["bitbake"]
    assert base["machine"] == "unset"


@pytest.mark.parametrize("fragment", ["qemux86-64", "qemuarm64", "sim", "hardware", "testimage",
                                      "offline-collect", "offline-build", "sstate-mirror"])
def test_feature_fragments_do_not_include_the_base(fragment):
    """Only release files (and the board file, through one) include base.yml; a machine or
    feature fragment that did would reset what an earlier fragment chose (e.g. the release)."""
    header = yaml.safe_load((KAS_DIR / f"{fragment}.yml").read_text())["header"]
    assert not header.get("includes")


@pytest.mark.parametrize("machine", ["qemux86-64", "qemuarm64"])
@pytest.mark.parametrize("provider", ["sim", "hardware"])
def test_machine_and_provider_compose(machine, provider):
    config, _ = merged_config(["kas/wrynose.yml", f"kas/{machine}.yml", f"kas/{provider}.yml"])
    assert config["machine"] == machine
    conf = _local_conf(config)
    assert conf[("HAILO_RUNTIME_PROVIDER", "=")] == provider


def test_provider_matches_the_layer_contract():
    """HAILO_RUNTIME_PROVIDER takes exactly the values docs/architecture.md names."""
    arch = (REPO_ROOT / "docs" / "architecture.md").read_text()
    values = set(re.findall(r'"(\w+)"', re.search(r"HAILO_RUNTIME_PROVIDER = (.*)", arch).group(1)))
    fragments = {p: _local_conf(yaml.safe_load((KAS_DIR / f"{p}.yml").read_text()))
                 for p in ("sim", "hardware")}
    assert {c[("HAILO_RUNTIME_PROVIDER", "=")] for c in fragments.values()} == values == {"sim", "hardware"}


def test_testimage_fragment_uses_slirp_and_our_cases():
    conf = _local_conf(yaml.safe_load((KAS_DIR / "testimage.yml").read_text()))
    assert conf[("IMAGE_CLASSES", "+=")] == "testimage"
    assert conf[("TEST_RUNQEMUPARAMS", "=")] == "slirp"
    # oe-core's ssh test logs in as root with no password.
    assert {"empty-root-password", "allow-root-login"} <= set(
        conf[("EXTRA_IMAGE_FEATURES:append", "=")].split())
    suites = conf[("TEST_SUITES", "=")].split()
    cases = REPO_ROOT / "meta-hailo-libhailort" / "lib" / "oeqa" / "runtime" / "cases"
    ours = {p.stem for p in cases.glob("*.py")}
    assert ours and ours <= set(suites)
    # ssh before our cases: they depend on ssh.SSHTest.test_ssh and testimage keeps this order.
    assert suites.index("ssh") < min(suites.index(o) for o in ours)


# The guide §10.7.3 ("Usage Example") and the Yocto manual's offline recipe (own-mirrors).
GUIDE_COLLECT = {("HAILORT_OFFLINE_BUILD_ENABLE", "="): "1",
                 ("BB_GENERATE_MIRROR_TARBALLS", "="): "1"}
GUIDE_BUILD = {("HAILORT_OFFLINE_BUILD_ENABLE", "="): "1",
               ("HAILORT_OFFLINE_BUILD_USE_EXISTING_TAR", "="): "1",
               ("BB_NO_NETWORK", "="): "1",
               ("BB_SRCREV_POLICY", "="): "cache"}
OWN_MIRRORS = {("INHERIT", "+="): "own-mirrors", ("SOURCE_MIRROR_URL", "?="): "file://${DL_DIR}/"}


def test_offline_collect_sets_exactly_the_guides_variables():
    config = yaml.safe_load((KAS_DIR / "offline-collect.yml").read_text())
    assert _local_conf(config) == GUIDE_COLLECT
    assert config["task"] == "prepare_hailort_external_dependencies"


def test_offline_build_sets_exactly_the_guides_variables_and_own_mirrors():
    config = yaml.safe_load((KAS_DIR / "offline-build.yml").read_text())
    assert _local_conf(config) == {**GUIDE_BUILD, **OWN_MIRRORS}
    assert "task" not in config and "target" not in config


def test_expected_offline_variables_are_the_guides():
    """Cross-check the two dicts above against the guide's own text, where it is available."""
    guide = REPO_ROOT.parent / "shared" / "reference" / "hailort-user-guide-4.21.0.txt"
    if not guide.exists():
        pytest.skip(f"the HailoRT user guide text is not at {guide}")
    text = guide.read_text()
    section = text[text.index("10.7.3. Usage Example"):text.index("11. Integration With Frameworks")]
    collect, build = section.split("can now be copied to a machine without network", 1)
    norm = lambda s: re.sub(r"[”“\"]", '"', s)  # noqa: E731 - the PDF text has curly quotes

    def found(part):
        return {(v, "="): val for v, val in re.findall(r'\b([A-Z][A-Z_]+)\s*=\s*"([^"]+)"', norm(part))}
    assert found(collect) == GUIDE_COLLECT
    assert found(build) == GUIDE_BUILD


def test_offline_collect_targets_are_the_recipes_with_the_prepare_task():
    """The guide §10.7.1 lists libhailort, libgsthailo, hailortcli and pyhailort; here every
    recipe that inherits the class adding the task must be collected, or the offline build
    of the image misses its tarball."""
    config = yaml.safe_load((KAS_DIR / "offline-collect.yml").read_text())
    targets = set(config["target"])
    # The guide's libhailort and hailortcli are packages of the one hailort recipe here.
    assert {"hailort", "pyhailort"} <= targets
    classes = {p.stem for layer in LAYER_DIRS
               for p in (REPO_ROOT / layer).glob("classes*/*.bbclass")
               if re.search(r"^addtask prepare_hailort_external_dependencies\b", p.read_text(), re.M)}
    if not classes:
        pytest.skip("no layer class adds prepare_hailort_external_dependencies yet")
    with_task = set()
    for layer in LAYER_DIRS:
        for bb in (REPO_ROOT / layer).rglob("*.bb"):
            inherits = re.findall(r"^inherit\s+(.+)$", bb.read_text(), re.M)
            if classes & {c for line in inherits for c in line.split()}:
                with_task.add(bb.name.split("_")[0])
    assert targets == with_task


def test_sstate_mirror_fragment_shares_results_through_yoctos_engine():
    config = yaml.safe_load((KAS_DIR / "sstate-mirror.yml").read_text())
    conf = _local_conf(config)
    assert "${SSTATE_MIRROR_URL}/PATH" in conf[("SSTATE_MIRRORS", "?=")]
    assert conf[("BB_HASHSERVE", "=")] == "${HASHSERVE}"
    assert conf[("BB_SIGNATURE_HANDLER", "=")] == "OEEquivHash"
    # The addresses come from the caller's environment; the fragment invents none.
    assert config["env"] == {"SSTATE_MIRROR_URL": None, "HASHSERVE": None}


def test_board_example_is_raspberry_pi_5_with_the_real_stack():
    config, _ = merged_config(COMBINATIONS["raspberrypi5"])
    assert config["machine"] == "raspberrypi5"
    # meta-raspberrypi's pin is on the release the board file includes.
    assert config["defaults"]["repos"]["branch"] == "wrynose"
    assert "meta-raspberrypi" in config["repos"]
    assert _local_conf(config)[("HAILO_RUNTIME_PROVIDER", "=")] == "hardware"


def _bblayers(path: Path) -> set[Path]:
    """BBLAYERS of a kas-written bblayers.conf, resolved (kas writes ${TOPDIR}-relative paths)."""
    text = path.read_text()
    value = re.search(r'BBLAYERS \??= "(.*?)"', text, re.S).group(1)
    topdir = path.parent.parent
    return {Path(os.path.normpath(p.replace("${TOPDIR}", str(topdir))))
            for p in value.replace("\\\n", " ").split() if p != "\\"}


# -- kas itself, offline, against local stand-in repositories --------------------------------

@pytest.mark.parametrize("name", sorted(COMBINATIONS))
def test_kas_dump_works_offline_with_local_repositories(offline_tree, name):
    top = offline_tree.with_local_repos(COMBINATIONS[name])
    result = offline_tree.kas("dump", top)
    assert result.returncode == 0, result.stderr
    dumped = yaml.safe_load(result.stdout)
    expected, _ = merged_config(COMBINATIONS[name], offline_tree.root)
    assert dumped["machine"] == expected["machine"]
    assert dumped["local_conf_header"] == expected["local_conf_header"]
    for repo, src in offline_tree.sources.items():
        if repo in dumped["repos"]:
            assert dumped["repos"][repo]["path"] == str(src)


def test_kas_dump_needs_the_repositories(offline_tree):
    """The check above is meaningful: kas dump checks the repositories out, and fails when
    they are not there (here their URLs lead nowhere)."""
    top = offline_tree.with_local_repos(COMBINATIONS["wrynose-qemux86-64-sim"], checkouts=False)
    result = offline_tree.kas("dump", top)
    assert result.returncode != 0
    assert "no-such-repository" in result.stderr


def test_kas_checkout_writes_the_bitbake_configuration(offline_tree):
    top = offline_tree.with_local_repos(COMBINATIONS["wrynose-qemux86-64-sim"])
    result = offline_tree.kas("checkout", top)
    assert result.returncode == 0, result.stderr
    conf = offline_tree.work / "build" / "conf"
    bblayers = _bblayers(conf / "bblayers.conf")
    src = offline_tree.sources
    assert bblayers == {offline_tree.root / layer for layer in LAYER_DIRS} | {
        src["openembedded-core"] / "meta", src["meta-openembedded"] / "meta-oe",
        src["meta-openembedded"] / "meta-python"}  # and not bitbake ("disabled")
    for layer in bblayers:
        assert (layer / "conf" / "layer.conf").is_file()
    local = (conf / "local.conf").read_text()
    assert 'MACHINE ??= "qemux86-64"' in local
    assert 'DISTRO ??= "nodistro"' in local
    assert 'HAILO_RUNTIME_PROVIDER = "sim"' in local
    # The checkouts are at the pinned (here: stand-in) commits.
    import subprocess
    for repo, path in src.items():
        if repo == "meta-raspberrypi":
            continue
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=path, capture_output=True,
                              text=True, check=True).stdout.strip()
        assert head == offline_tree.commits[repo]

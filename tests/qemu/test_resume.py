"""Resuming a saved state (hailo_kit.qemu.snapshot): ready over SSH with a new port, the host's
clock and fresh randomness; a state that does not fit boots cold with one line saying why; and
validation on a resumed target gives what it gives on a cold one."""
import json
import os
import shutil
import time

import pytest

from hailo_kit.qemu import QemuTarget, boot, cache, config, snapshot
from hailo_kit.validate.qemu import validate_booted

pytestmark = pytest.mark.qemu


def state_entry(target):
    return snapshot.entry_dir(target.state_root or config.cache_root(), target.image, target.shape())


@pytest.fixture(scope="module")
def saved_state(qemu_target):
    """The session's target saved its state when it booted cold (or resumed one)."""
    entry = state_entry(qemu_target)
    assert cache.problem(entry, (snapshot.STATE_FILE,)) is None, \
        f"no saved state after the session's boot ({qemu_target.cold_reason})"
    return entry


def first_bytes(target):
    return target.run("head -c 16 /dev/urandom | od -An -tx1").out.split()


def test_resume_renews_port_clock_and_randomness(qemu_image, saved_state):
    age = time.time() - cache.manifest(saved_state)["saved_at"]
    if age < 5:                       # make a stale clock show
        time.sleep(5 - age)
    seen = []
    for _ in range(2):
        with boot(qemu_image, timeout=120) as t:
            assert t.resumed, t.cold_reason
            random = first_bytes(t)
            guest = float(t.run("date +%s.%N").out)
            assert abs(guest - time.time()) < 3, "the guest clock was not set on resume"
            assert t.run("hailortcli scan").out.count("[-] Device:") == 1
            assert t.run("systemctl is-active hailort.service dropbear.service").out.split() == ["active"] * 2
            seen.append((t.port, random))
    assert seen[0][1] != seen[1][1], "two resumes gave the same random bytes"


def test_state_from_another_qemu_boots_cold_with_one_line_and_validates_the_same(
        qemu_target, qemu_image, saved_state, tmp_path, capfd, request):
    # a copy of the saved state, as if another QEMU had written it
    root = tmp_path / "states"
    copy = snapshot.entry_dir(root, qemu_image, qemu_target.shape())
    copy.mkdir(parents=True)
    for f in saved_state.iterdir():
        try:                                 # the 300 MB state: a link when the file system allows
            if f.name != snapshot.STATE_FILE:
                raise OSError("the manifest is edited below: a copy")
            os.link(f, copy / f.name)
        except OSError:
            shutil.copy(f, copy / f.name)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["qemu"] = "QEMU emulator version 6.2.0 (Debian 1:6.2+dfsg-2ubuntu6) sha256:0123456789abcdef"
    (copy / "manifest.json").write_text(json.dumps(manifest))
    capfd.readouterr()
    with QemuTarget(qemu_image, state_root=root, timeout=300) as cold:
        err = capfd.readouterr().err
        assert not cold.resumed and "from another QEMU" in cold.cold_reason
        lines = [line for line in err.splitlines() if "boot: cold:" in line]
        assert len(lines) == 1 and "QEMU emulator version 6.2.0" in lines[0], err
        assert "Traceback" not in err
        cold_report = validate_booted(cold, name="cold")
    # the fallback saved a state of this QEMU in its place
    assert cache.manifest(copy)["qemu"] == snapshot.qemu_identity(qemu_target.arch.qemu)
    if qemu_target.resumed:
        warm_report = request.getfixturevalue("qemu_target_report")
    else:
        with boot(qemu_image, timeout=120) as warm:
            assert warm.resumed, warm.cold_reason
            warm_report = validate_booted(warm, name="resumed")
    assert [(r.id, r.result) for r in warm_report.records] == \
        [(r.id, r.result) for r in cold_report.records]
    assert warm_report.exit_code == cold_report.exit_code == 0


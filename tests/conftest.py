"""Fixtures shared by every test area. Each area (tests/<area>/) keeps its own conftest.py."""
import contextlib

import pytest


def _qemu_unavailable():
    """Why the QEMU target cannot be built or booted here, or None."""
    import os
    import shutil

    from hailo_kit.qemu import config, image

    arch = config.arch("amd64")
    if shutil.which(arch.qemu) is None:
        return f"{arch.qemu} is missing (scripts/setup installs it)"
    if os.geteuid() != 0:
        base_key, overlay_key = image.keys_for(arch.name)
        if not (config.cache_root() / arch.name / "overlay" / overlay_key / "manifest.json").is_file():
            return "building the QEMU target needs root (debootstrap) and it is not cached"
    return None


@pytest.fixture(scope="session")
def qemu_image():
    """The QEMU target's image (hailo_kit.qemu.build_image), built or taken from the cache."""
    reason = _qemu_unavailable()
    if reason:
        pytest.skip(reason)
    from hailo_kit.qemu import TargetError, build_image
    try:
        return build_image()
    except TargetError as e:
        pytest.fail(f"building the QEMU target failed: {e}", pytrace=False)


@pytest.fixture(scope="session")
def qemu_target(qemu_image):
    """One booted QEMU target for the whole session (hailo_kit.qemu.QemuTarget: host, port,
    username, key_path, host_key, host_key_fingerprint, serial_log, run(), stop()).
    Tests that break it on purpose must restore it. Stopped at the end of the session, and by
    the target API at exit, on SIGTERM, or when this process dies."""
    with _booted(qemu_image, "the QEMU target", timeout=300) as target:
        yield target


@contextlib.contextmanager
def _booted(image, what, timeout):
    from hailo_kit.qemu import TargetError, boot
    try:
        target = boot(image, timeout=timeout)
    except TargetError as e:
        pytest.fail(f"booting {what} failed: {e}", pytrace=False)
    try:
        yield target
    finally:
        target.stop()


@pytest.fixture(scope="session")
def boot_qemu():
    """Another QEMU target, for tests that need more than the session's: ``with boot_qemu(image,
    what, timeout=...) as target``; a failed boot fails the test, the target stops at the end."""
    return _booted


@pytest.fixture(scope="session")
def qemu_target_report(qemu_target):
    """hailo-validate's report on the session's target (every check, simulated profile), made
    once: the areas that need "the suite on the shared target" share it (a run is ~25 s of TCG)."""
    from hailo_kit.validate.qemu import validate_booted
    return validate_booted(qemu_target, name="shared")


def pytest_collection_modifyitems(items):
    """Under pytest-xdist (``-n``, ``--dist loadgroup``) every test that boots or builds the
    QEMU target runs in one worker: the session's shared target is booted once, and two TCG
    guests never fight over the CPUs; the other tests run beside them."""
    for item in items:
        if "qemu_image" in getattr(item, "fixturenames", ()) or item.get_closest_marker("qemu"):
            item.add_marker(pytest.mark.xdist_group("qemu"))

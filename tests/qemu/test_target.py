"""The booted target (session fixture): systemd, SSH with the pinned key, our runtime and the
layer's files as the image installs them."""
import paramiko
import pytest

from hailo_kit.qemu import build_image, config, overlay

pytestmark = pytest.mark.qemu


def ok(target, cmd, timeout=120):
    r = target.run(cmd, timeout=timeout)
    assert r.exit_status == 0, f"{cmd}: exit {r.exit_status}\n{r.out}\n{r.err}"
    return r.out


def test_uname_and_systemd_state(qemu_target):
    assert ok(qemu_target, "uname -a").startswith("Linux hailo-qemu ")
    assert ok(qemu_target, "cat /proc/1/comm").strip() == "systemd"
    # every unit started: is-system-running exits non-zero on "degraded"
    state = qemu_target.run("systemctl is-system-running --wait", timeout=120).out.strip()
    failed = qemu_target.run("systemctl --failed --no-legend --plain").out
    assert state == "running", f"system {state}; failed units:\n{failed}"


def test_layer_files_are_installed_byte_for_byte(qemu_target):
    files, _ = overlay.layer_files_of_image()
    assert files
    for f in files:
        assert ok(qemu_target, f"cat {f.path}") == f.source.read_text(), f.path
        assert ok(qemu_target, f"stat -L -c %a {f.path}").strip() == f"{f.mode:o}", f.path
    # the recipe's tmpfiles.d entry made the service's folders at boot
    assert ok(qemu_target, "stat -c %F /run/hailo /var/log/hailo").split("\n")[:2] == ["directory"] * 2


def test_hailort_service_enabled_and_active(qemu_target):
    assert ok(qemu_target, "systemctl is-enabled hailort.service").strip() == "enabled"
    assert ok(qemu_target, "systemctl is-active hailort.service").strip() == "active"


def test_runtime_installed_for_debian_python(qemu_target):
    for tool in ("hailortcli", "hailo", "hailort_service"):
        assert ok(qemu_target, f"command -v {tool}").strip() == f"/usr/bin/{tool}"
        assert ok(qemu_target, f"head -1 /usr/bin/{tool}").strip() == "#!/usr/bin/python3"
    out = ok(qemu_target, "python3 -c 'import hailo_platform, numpy, google.protobuf; "
                          "print(hailo_platform.__file__)'")
    assert out.startswith("/usr/lib/python3/dist-packages/hailo_platform/")


def test_hailortcli_scan_finds_the_simulated_device(qemu_target):
    out = ok(qemu_target, "hailortcli scan")
    assert "0000:01:00.0" in out


def test_sample_hefs_parse_on_the_target(qemu_target):
    samples = (qemu_target.image.overlay_dir / "manifest.json").read_text()
    if '"samples": []' in samples:
        pytest.skip("the runtime has no sample generator (hailort_sim.hef.samples)")
    names = ok(qemu_target, f"ls /{config.SAMPLES_DIR}").split()
    assert names and all(n.endswith(".hef") for n in names)
    hef = "resnet_v1_18.hef" if "resnet_v1_18.hef" in names else names[0]
    assert "Architecture HEF was compiled for" in ok(qemu_target, f"hailortcli parse-hef /{config.SAMPLES_DIR}/{hef}")


def test_ssh_is_key_only_with_the_pinned_host_key(qemu_target):
    # a wrong pinned host key is refused by the client
    client = paramiko.SSHClient()
    wrong = paramiko.Ed25519Key.from_private_key_file(str(qemu_target.key_path))
    client.get_host_keys().add(f"[{qemu_target.host}]:{qemu_target.port}", "ssh-ed25519", wrong)
    with pytest.raises(paramiko.BadHostKeyException):
        client.connect(qemu_target.host, qemu_target.port, username="root",
                       key_filename=str(qemu_target.key_path), allow_agent=False,
                       look_for_keys=False, timeout=10)
    client.close()
    # a password is not accepted
    t = paramiko.Transport((qemu_target.host, qemu_target.port))
    try:
        t.connect()
        with pytest.raises(paramiko.AuthenticationException):
            t.auth_password("root", "root")
    finally:
        t.close()


def test_sftp_works(qemu_target, tmp_path):
    probe = tmp_path / "probe.bin"
    probe.write_bytes(b"\x00hailo" * 1000)
    with qemu_target.session() as session:
        session.put(probe, "/tmp/probe.bin")
        assert session.run("stat -c %s /tmp/probe.bin").out.strip() == "6000"


def test_later_builds_reuse_the_cache(qemu_target):
    first = build_image()
    # the base never rebuilds within a run (the runtime may have changed meanwhile in a shared
    # work tree: then only the overlay is rebuilt, which is the point)
    assert first.base_cached and first.base_key == qemu_target.image.base_key
    second = build_image()
    assert second.base_cached and second.overlay_cached
    assert second.initrd == first.initrd

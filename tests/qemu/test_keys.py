"""SSH keys: the client key paramiko loads, dropbear's host key and its fingerprint."""
import shutil
import subprocess

import paramiko
import pytest

from hailo_kit.qemu import keys


def test_client_key_is_openssh_ed25519_private(tmp_path):
    public = keys.client_key(tmp_path / "id")
    assert (tmp_path / "id").stat().st_mode & 0o777 == 0o600
    key = paramiko.Ed25519Key.from_private_key_file(str(tmp_path / "id"))
    assert public.split()[:2] == ["ssh-ed25519", key.get_base64()]


@pytest.mark.skipif(shutil.which("dropbearkey") is None, reason="dropbearkey missing (dropbear-bin)")
def test_dropbear_host_key_and_fingerprint(tmp_path):
    public = keys.dropbear_host_key(tmp_path / "hk")
    assert public.startswith("ssh-ed25519 AAAA") and len(public.split()) == 2
    if shutil.which("ssh-keygen"):
        (tmp_path / "hk.pub").write_text(public + "\n")
        out = subprocess.run(["ssh-keygen", "-l", "-f", str(tmp_path / "hk.pub")],
                             capture_output=True, text=True, check=True).stdout
        assert out.split()[1] == keys.fingerprint(public)
    # paramiko computes the same key from the line
    entry = paramiko.hostkeys.HostKeyEntry.from_line("h " + public)
    assert entry.key.get_base64() == public.split()[1]

"""SSH keys of an image: the client key for root's login and dropbear's host key, whose public
half the host pins (so no first-contact trust is needed)."""
import base64
import hashlib
import subprocess

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from .errors import TargetError


def client_key(private_path):
    """Writes an OpenSSH ed25519 private key (0600); returns the public key line."""
    key = ed25519.Ed25519PrivateKey.generate()
    private_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                               serialization.PrivateFormat.OpenSSH,
                                               serialization.NoEncryption()))
    private_path.chmod(0o600)
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                           serialization.PublicFormat.OpenSSH).decode()
    return public + " hailo-kit-qemu"


def dropbear_host_key(path):
    """Generates dropbear's ed25519 host key at `path`; returns "ssh-ed25519 AAAA..."."""
    try:
        subprocess.run(["dropbearkey", "-t", "ed25519", "-f", str(path)], check=True,
                       capture_output=True, text=True)
        out = subprocess.run(["dropbearkey", "-y", "-f", str(path)], check=True,
                             capture_output=True, text=True).stdout
    except FileNotFoundError:
        raise TargetError("dropbearkey is missing: install with "
                          "`apt-get install --no-install-recommends dropbear-bin`") from None
    except subprocess.CalledProcessError as e:
        raise TargetError(f"dropbearkey failed: {e.stderr.strip()}") from None
    for line in out.splitlines():
        if line.startswith("ssh-ed25519 "):
            return " ".join(line.split()[:2])
    raise TargetError(f"dropbearkey printed no public key: {out!r}")


def fingerprint(public_line):
    """SHA256 fingerprint as `ssh-keygen -l` prints it."""
    blob = base64.b64decode(public_line.split()[1])
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")

"""Fixtures of the validation suite's tests: a real SSH server on 127.0.0.1 (tests/validate/sshd.py)."""
import pytest

from hailo_kit import ssh

from .sshd import LocalSSHServer


@pytest.fixture
def sshd(tmp_path):
    with LocalSSHServer(tmp_path) as server:
        yield server


@pytest.fixture
def target(sshd):
    """The local server as a Target, with its host key pinned."""
    return ssh.Target("127.0.0.1", sshd.port, "tester", key_filename=sshd.key_path,
                      host_key=ssh.host_key_line(sshd.host_key))


@pytest.fixture
def session(target):
    with ssh.Session.connect(target, deadline_s=10) as s:
        yield s

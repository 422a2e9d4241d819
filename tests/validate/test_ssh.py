"""The SSH layer against a real SSH server on 127.0.0.1 (tests/validate/sshd.py)."""
import dataclasses
import threading
import time

import paramiko
import pytest

from hailo_kit import ssh

from .sshd import LocalSSHServer

MIB = 1 << 20


def test_command_status_and_outputs(session):
    r = session.run("echo out; echo err >&2; exit 3", timeout_s=10)
    assert (r.exit_status, r.out, r.err) == (3, "out\n", "err\n")


def test_argument_lists_are_quoted(session, tmp_path):
    odd = tmp_path / "it's a $file; rm -rf x"
    odd.write_text("content")
    r = session.run(["cat", str(odd)], timeout_s=10)
    assert r.ok and r.out == "content"
    assert session.run(["printf", "%s|", "a b", "$HOME", "`id`"], timeout_s=10).out == "a b|$HOME|`id`|"


def test_stdin_is_passed(session):
    assert session.run("wc -c", timeout_s=10, stdin=b"x" * 100_000).out.strip() == "100000"


def test_more_than_4_mib_on_stdout_and_stderr_at_once(session):
    # Both streams well past the 2 MiB window, interleaved: a client that waits for the
    # exit status, or reads one stream after the other, deadlocks here.
    n = 5 * MIB
    r = session.run(f"head -c {n} /dev/zero | tr '\\0' o & head -c {n} /dev/zero | tr '\\0' e >&2; wait",
                    timeout_s=60)
    assert r.ok
    assert len(r.stdout) == n and set(r.stdout) == {ord("o")}
    assert len(r.stderr) == n and set(r.stderr) == {ord("e")}


def test_a_refused_exec_request_fails_and_is_not_retried(sshd, session):
    sshd.refuse_exec = 1
    with pytest.raises(ssh.SSHError, match="did not start"):
        session.run("true", timeout_s=20)
    assert sshd.refuse_exec == 0 and session.alive  # asked once; the connection stays usable
    assert session.run("echo ok", timeout_s=20).out == "ok\n"


def test_deadline_ends_a_hanging_command(session):
    start = time.monotonic()
    with pytest.raises(ssh.CommandTimeout) as e:
        session.run("echo started; sleep 30", timeout_s=1.5)
    assert time.monotonic() - start < 5
    assert e.value.stdout == b"started\n"
    # The connection stays usable after a timed-out command.
    assert session.run("echo again", timeout_s=10).out == "again\n"


def test_deadline_holds_while_output_keeps_flowing(session):
    start = time.monotonic()
    with pytest.raises(ssh.CommandTimeout):
        session.run("yes", timeout_s=1.5)
    assert time.monotonic() - start < 5


def test_connection_dropped_mid_command_is_target_lost(sshd, session):
    threading.Timer(0.5, sshd.drop).start()
    start = time.monotonic()
    with pytest.raises(ssh.TargetLost):
        session.run("sleep 30", timeout_s=20)
    assert time.monotonic() - start < 10
    assert not session.alive
    with pytest.raises(ssh.TargetLost):
        session.run("true", timeout_s=5)


def test_pinned_fingerprint_is_accepted(sshd, target):
    pinned = dataclasses.replace(target, host_key=sshd.host_key.fingerprint)
    with ssh.Session.connect(pinned, deadline_s=10) as s:
        assert s.run("true", timeout_s=10).ok


def test_host_key_mismatch_is_refused_at_once(target, tmp_path):
    other = paramiko.Ed25519Key.from_private_key_file(_keyfile(tmp_path))
    for pin in (ssh.host_key_line(other), other.fingerprint):
        start = time.monotonic()
        with pytest.raises(ssh.HostKeyError, match="mismatch"):
            ssh.Session.connect(dataclasses.replace(target, host_key=pin), deadline_s=20)
        assert time.monotonic() - start < 5  # never retried


def test_unknown_host_is_refused_without_first_contact_flag(target, tmp_path):
    known = tmp_path / "known_hosts"
    unpinned = dataclasses.replace(target, host_key=None, known_hosts=str(known))
    with pytest.raises(ssh.HostKeyError, match="--accept-new-host-key"):
        ssh.Session.connect(unpinned, deadline_s=10)
    assert not known.exists()


def test_first_contact_records_the_key_and_a_changed_key_is_refused(sshd, target, tmp_path):
    known = tmp_path / "known_hosts"
    first = dataclasses.replace(target, host_key=None, known_hosts=str(known), accept_new_host_key=True)
    with ssh.Session.connect(first, deadline_s=10) as s:
        assert s.run("true", timeout_s=10).ok
    assert f"[127.0.0.1]:{sshd.port} {ssh.host_key_line(sshd.host_key)}" in known.read_text()
    # Later contacts check against the recorded key, even with the first-contact flag.
    other = paramiko.Ed25519Key.from_private_key_file(_keyfile(tmp_path))
    known.write_text(f"[127.0.0.1]:{sshd.port} {ssh.host_key_line(other)}\n")
    with pytest.raises(ssh.HostKeyError, match="mismatch"):
        ssh.Session.connect(first, deadline_s=10)


def test_wrong_client_key_is_an_auth_error(target, tmp_path):
    with pytest.raises(ssh.AuthError):
        ssh.Session.connect(dataclasses.replace(target, key_filename=_keyfile(tmp_path)), deadline_s=10)


def test_connect_retries_until_the_server_listens(sshd, target):
    # Nothing listens on the port at first; the server comes up after a while.
    import socket
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    late = threading.Timer(1.5, lambda: _forward(port, sshd.port))
    late.start()
    start = time.monotonic()
    with ssh.Session.connect(dataclasses.replace(target, port=port), deadline_s=15) as s:
        assert s.run("echo up", timeout_s=10).out == "up\n"
    assert 1.0 < time.monotonic() - start < 10


def test_connect_gives_up_at_its_deadline(target):
    import socket
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    start = time.monotonic()
    with pytest.raises(ssh.ConnectError, match="within 2 s"):
        ssh.Session.connect(dataclasses.replace(target, port=port), deadline_s=2)
    assert time.monotonic() - start < 5


def test_sftp_upload(session, tmp_path):
    src = tmp_path / "model.hef"
    src.write_bytes(bytes(range(256)) * 4096)
    session.put(src, str(tmp_path / "uploaded.hef"))
    assert (tmp_path / "uploaded.hef").read_bytes() == src.read_bytes()


def _keyfile(tmp_path):
    from .sshd import write_ed25519_key
    path = tmp_path / f"key{time.monotonic_ns()}"
    write_ed25519_key(str(path))
    return str(path)


def _forward(listen_port, to_port):
    """A TCP forwarder started late: the 'target' begins listening only now."""
    import socket
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", listen_port))
    srv.listen(4)

    def pipe(a, b):
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            b.close()

    def serve():
        conn, _ = srv.accept()
        up = socket.create_connection(("127.0.0.1", to_port))
        threading.Thread(target=pipe, args=(conn, up), daemon=True).start()
        threading.Thread(target=pipe, args=(up, conn), daemon=True).start()
        srv.close()

    threading.Thread(target=serve, daemon=True).start()


@pytest.mark.parametrize("banner, affected", [
    ("SSH-2.0-dropbear_2022.83", True),     # Debian bookworm, Yocto scarthgap
    ("SSH-2.0-dropbear_2024.85", True),     # Yocto styhead
    ("SSH-2.0-dropbear_2024.86", False),    # the fix (mkj/dropbear#321)
    ("SSH-2.0-dropbear_2025.88", False),
    ("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3", False),
    ("", False),
])
def test_dropbear_versions_with_the_channel_race(banner, affected):
    assert ssh.dropbear_closes_new_channels(banner) is affected


@pytest.mark.parametrize("content", ["", "not a key at all\n", "PUB", "ENCRYPTED"])
def test_a_key_file_that_is_not_a_usable_key_fails_at_once(target, tmp_path, content):
    """Not after the connect deadline (30 s here): retrying cannot fix the file."""
    import subprocess
    key = tmp_path / "key"
    if content in ("PUB", "ENCRYPTED"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "secret" if content == "ENCRYPTED" else "",
                        "-f", str(key)], check=True)
        if content == "PUB":
            key = key.with_suffix(".pub")
    else:
        key.write_text(content)
    broken = dataclasses.replace(target, key_filename=str(key))
    with pytest.raises(ssh.KeyFileError) as e:
        ssh.Session.connect(broken, deadline_s=30)
    expected = {"PUB": "that is the public key", "ENCRYPTED": "passphrase"}.get(content, "is not a private key")
    assert expected in str(e.value)


def test_a_missing_key_file_fails_at_once(target, tmp_path):
    with pytest.raises(ssh.KeyFileError, match="No such file"):
        ssh.Session.connect(dataclasses.replace(target, key_filename=str(tmp_path / "nope")), deadline_s=30)


def _at_once(session, n):
    """n commands started at once from threads; their outputs."""
    outs = [None] * n
    barrier = threading.Barrier(n)

    def one(i):
        barrier.wait()
        outs[i] = session.run(f"sleep 0.5; echo {i}", timeout_s=30).out

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outs


def test_commands_at_once_share_the_connection(sshd, session):
    assert session.concurrent_commands
    assert _at_once(session, 3) == ["0\n", "1\n", "2\n"]
    assert session.connections == 1 and sshd.peak_commands == 3


def test_commands_at_once_on_an_old_dropbear_get_a_connection_each(tmp_path):
    """dropbear < 2024.86 may close a channel opened while another one's command exits: the
    session never overlaps commands on one connection there, it opens more (and keeps them)."""
    with LocalSSHServer(tmp_path, version="SSH-2.0-dropbear_2022.83") as srv:
        old = ssh.Target("127.0.0.1", srv.port, "tester", key_filename=srv.key_path,
                         host_key=ssh.host_key_line(srv.host_key))
        with ssh.Session.connect(old, deadline_s=10) as s:
            assert s.concurrent_commands and s.connections == 1
            assert _at_once(s, 3) == ["0\n", "1\n", "2\n"]
            assert s.connections == 3 and srv.peak_commands == 1
            # an upload takes the first connection (its SFTP channel) while commands run on others
            local = tmp_path / "file"
            local.write_text("x" * 100_000)
            up = threading.Thread(target=s.put, args=(local, str(tmp_path / "copy")))
            up.start()
            assert _at_once(s, 2) == ["0\n", "1\n"]
            up.join()
            assert (tmp_path / "copy").read_text() == local.read_text()
            assert s.connections == 3 and srv.peak_commands == 1
        assert s.connections == 0

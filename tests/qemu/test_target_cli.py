"""hailo-qemu: clear errors, no tracebacks."""
import json
import subprocess
import sys


from hailo_kit.qemu import cli


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "hailo_kit.qemu.cli", *args],
                          capture_output=True, text=True, env=env, timeout=60)


def test_help_lists_the_commands():
    out = run("--help").stdout
    for cmd in ("build", "boot", "ssh-info", "run", "stop", "clean [--all]"):
        assert cmd in out
    # the cache's location and what the exit codes mean
    assert "HAILO_KIT_QEMU_CACHE" in out and "HAILO_KIT_DEBIAN_MIRROR" in out
    for code in ("0 ", "1 ", "64 ", "130 "):
        assert f"\n  {code}" in out[out.index("exit status:"):]


def test_stop_without_a_detached_target(tmp_path, monkeypatch):
    import os
    env = {**os.environ, "HAILO_KIT_QEMU_CACHE": str(tmp_path)}
    p = run("stop", "--name", "nothing", env=env)
    assert p.returncode == 1
    assert "no detached target named 'nothing'" in p.stderr
    assert "Traceback" not in p.stderr


def test_stale_state_is_reported_and_cleared(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HAILO_KIT_QEMU_CACHE", str(tmp_path))
    state = {"pid": 999999999, "port": 2222, "host": "127.0.0.1", "username": "root",
             "key_path": str(tmp_path / "k"), "host_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIP+NNHA2JZUugaoHmzJajjAa2n7/lJBOBhx8+HgYY0oR",
             "host_key_fingerprint": "SHA256:x", "run_dir": str(tmp_path / "run"), "serial_log": "",
             "arch": "amd64", "image": None}
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs/default.json").write_text(json.dumps(state))
    assert cli.main(["ssh-info"]) == 1
    assert "not running" in capsys.readouterr().err
    assert cli.main(["stop"]) == 0
    assert "was not running" in capsys.readouterr().out
    assert not (tmp_path / "runs/default.json").exists()


def test_unknown_arch_is_an_argparse_error():
    p = run("build", "--arch", "sparc")
    assert p.returncode == 64 and "invalid choice" in p.stderr and "Traceback" not in p.stderr


def test_target_errors_are_one_line_messages(monkeypatch, capsys):
    from hailo_kit.qemu import TargetError

    def fail(args):
        raise TargetError("debootstrap is missing: install with `apt-get install debootstrap`")

    monkeypatch.setattr(cli, "cmd_build", fail)
    assert cli.main(["build"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("hailo-qemu: error: debootstrap is missing") and "Traceback" not in err


def test_usage_errors_exit_64_and_help_names_the_exit_codes():
    out = run("--help").stdout
    for line in ("0    done", "1    the target could not be", "64   usage error", "130  interrupted"):
        assert line in out, out
    for args in (("boot", "--timeout", "0"), ("boot", "--memory", "-5"), ("boot", "--port", "x"),
                 ("run", "--timeout", "-1", "--", "true"), ("frobnicate",)):
        p = run(*args)
        assert p.returncode == 64, (args, p.returncode, p.stderr)
        assert "Traceback" not in p.stderr

"""hailo-validate's command line, against the loopback SSH server (tests/validate/sshd.py)."""
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from hailo_kit import ssh
from hailo_kit.validate.cli import EXIT_USAGE, UsageError, main, parse_destination

from .sshd import LocalSSHServer

LAYER_CONF = Path(__file__).resolve().parents[2] / \
    "meta-hailo-libhailort/dynamic-layers/meta-python/recipes-hailo/python3-hailort-sim/files/hailort-sim.conf"


@pytest.mark.parametrize("text, expected", [
    ("root@board", ("root", "board", 22)),
    ("pi@10.0.0.7:2222", ("pi", "10.0.0.7", 2222)),
    ("board.local", ("root", "board.local", 22)),
    ("me@[fe80::1]:22", ("me", "fe80::1", 22)),
])
def test_destinations(text, expected):
    assert parse_destination(text) == expected


@pytest.mark.parametrize("text", ["root@", "a@b:c", "a@b:70000", "a b@c", ""])
def test_bad_destinations(text):
    with pytest.raises(UsageError):
        parse_destination(text)


def test_usage_errors_exit_64(capsys, tmp_path):
    assert main(["ssh", "root@h", "--only", "scan,nonsense"]) == EXIT_USAGE
    assert "nonsense" in capsys.readouterr().err
    assert main(["ssh", "root@h", "--key", str(tmp_path / "missing")]) == EXIT_USAGE
    (tmp_path / "garbage").write_text("not a key\n")
    assert main(["ssh", "root@h", "--key", str(tmp_path / "garbage")]) == EXIT_USAGE
    assert "is not a private key" in capsys.readouterr().err
    assert main(["ssh"]) == EXIT_USAGE   # no destination


@pytest.mark.parametrize("argv", [["ssh", "root@h", "--deadline", "0"], ["ssh", "root@h", "--deadline", "-5"],
                                  ["ssh", "root@h", "--deadline", "nan"], ["ssh", "root@h", "--deadline", "soon"],
                                  ["ssh", "root@h", "--connect-timeout", "0"], ["qemu", "--boot-timeout", "-1"],
                                  ["qemu", "--deadline", "0"]])
def test_times_of_zero_or_less_are_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert "seconds" in err and "Traceback" not in err


def test_list_shows_every_check_and_its_skip_reason(capsys):
    assert main(["list", "--profile", "simulated"]) == 0
    out = capsys.readouterr().out
    assert "scan" in out and "hailo_pci" in out and "SKIP (hardware only" in out


@pytest.fixture
def conf(tmp_path):
    path = tmp_path / "hailort-sim.conf"
    path.write_text(LAYER_CONF.read_text())
    return path


@pytest.fixture
def server(tmp_path, conf):
    env = dict(os.environ, HAILORT_SIM_CONFIG=str(conf))
    with LocalSSHServer(tmp_path, env=env) as srv:
        yield srv


def _ssh_args(srv, *extra):
    return ["ssh", f"tester@127.0.0.1:{srv.port}", "--key", srv.key_path,
            "--host-key", srv.host_key.fingerprint, "-q", *extra]


def test_ssh_run_writes_table_json_and_junit(server, tmp_path, capsys):
    j, x = tmp_path / "r.json", tmp_path / "r.xml"
    rc = main(_ssh_args(server, "--profile", "simulated", "--only", "sim-config,hailo_pci",
                        "--json", str(j), "--junit", str(x)))
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "VALIDATED" in out and "sim-config" in out
    data = json.loads(j.read_text())
    assert {r["id"]: r["result"] for r in data["records"]} == {"hailo_pci": "SKIP", "sim-config": "PASS"}
    suite = ET.parse(x).getroot()
    assert suite.get("tests") == "2" and suite.get("skipped") == "1" and suite.get("failures") == "0"


def test_ssh_run_exit_1_on_a_failed_check(server, conf, capsys):
    conf.write_text("# no device\n")
    assert main(_ssh_args(server, "--profile", "simulated", "--only", "sim-config")) == 1
    assert "declares no [deviceN] section" in " ".join(capsys.readouterr().out.split())


def test_ssh_run_exit_2_on_a_host_key_mismatch(server, tmp_path, capsys):
    args = _ssh_args(server, "--profile", "simulated", "--only", "sim-config")
    args[args.index("--host-key") + 1] = "SHA256:" + "A" * 43
    assert main(args) == 2
    out = capsys.readouterr().out
    assert "NOT RUN" in out and "host key mismatch" in " ".join(out.split())


def test_ssh_first_contact_flag(server, tmp_path, capsys):
    known = tmp_path / "known_hosts"
    base = ["ssh", f"tester@127.0.0.1:{server.port}", "--key", server.key_path, "-q", "--profile", "simulated",
            "--only", "sim-config", "--known-hosts", str(known)]
    assert main(base) == 2
    assert "--accept-new-host-key" in " ".join(capsys.readouterr().out.split())
    assert main(base + ["--accept-new-host-key"]) == 0
    assert ssh.host_key_line(server.host_key) in known.read_text()
    assert main(base) == 0  # now known


def test_unwritable_report_path_is_a_usage_error_before_the_run(tmp_path, capsys):
    assert main(["ssh", "root@h", "--json", str(tmp_path / "no" / "such" / "r.json")]) == EXIT_USAGE
    assert "does not exist" in capsys.readouterr().err
    assert main(["qemu", "--junit", str(tmp_path)]) == EXIT_USAGE

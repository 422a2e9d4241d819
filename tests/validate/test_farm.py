"""Many targets at once (farm.py, `hailo-validate ssh A B ...`) against loopback SSH servers:
one report per target, a combined JUnit that validates against the JUnit XSD (junit.xsd) and
a combined JSON; a target that drops off fails its own suite only."""
import json
import os
import sys
import threading
import time
from pathlib import Path

import pytest

from hailo_kit.validate.cli import EXIT_USAGE, main, read_destinations

from .sshd import LocalSSHServer

ROOT = Path(__file__).resolve().parents[2]
LAYER_CONF = ROOT / "meta-hailo-libhailort/dynamic-layers/meta-python/recipes-hailo/python3-hailort-sim/files/hailort-sim.conf"
XSD = Path(__file__).with_name("junit.xsd")
CHECKS = "hailortcli,scan,sim-config"


def assert_valid_junit(path):
    from lxml import etree
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    doc = etree.parse(str(path))
    assert schema.validate(doc), schema.error_log


@pytest.fixture
def servers(tmp_path):
    """Two targets with the simulated runtime of this machine; one key pair for both (they
    share the work directory), as a farm's boards often share a deploy key."""
    conf = tmp_path / "hailort-sim.conf"
    conf.write_text(LAYER_CONF.read_text())
    (tmp_path / "tmp").mkdir()
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}",
               HAILORT_SIM_CONFIG=str(conf), TMPDIR=str(tmp_path / "tmp"), HAILORT_LOGGER_PATH="NONE")
    with LocalSSHServer(tmp_path, env=env) as a, LocalSSHServer(tmp_path, env=env) as b:
        yield a, b


def _args(a, *extra):
    return ["ssh", "--key", a.key_path, "--host-key", a.host_key.fingerprint, "-q", "--profile", "simulated",
            "--only", CHECKS, *extra]


def test_two_targets_one_run(servers, tmp_path, capsys):
    a, b = servers
    j, x = tmp_path / "all.json", tmp_path / "all.xml"
    reports = tmp_path / "reports"
    reports.mkdir()
    rc = main(_args(a, f"tester@127.0.0.1:{a.port}", f"tester@127.0.0.1:{b.port}", "--json", str(j),
                    "--junit", str(x), "--report-dir", str(reports)))
    out = capsys.readouterr().out
    assert rc == 0, out
    assert out.count("VALIDATED: 3 PASS") == 2 and "2 targets in" in out
    data = json.loads(j.read_text())
    assert data["exit_code"] == 0 and [t["target"] for t in data["targets"]] == [
        f"tester@127.0.0.1:{a.port}", f"tester@127.0.0.1:{b.port}"]
    assert_valid_junit(x)
    from lxml import etree
    suites = etree.parse(str(x)).getroot().findall("testsuite")
    assert [s.get("hostname") for s in suites] == [t["target"] for t in data["targets"]]
    assert all(s.get("tests") == "3" and s.get("failures") == "0" and s.get("errors") == "0" for s in suites)
    names = sorted(p.name for p in reports.iterdir())
    assert names == sorted(f"tester@127.0.0.1_{p}.{ext}" for p in (a.port, b.port) for ext in ("json", "xml"))
    for xml in reports.glob("*.xml"):
        assert_valid_junit(xml)


def test_a_target_that_drops_off_fails_only_its_own_suite(servers, tmp_path, capsys):
    a, b = servers
    x = tmp_path / "all.xml"

    def cut_b():   # as soon as b runs its first check's command: a board that loses power
        end = time.monotonic() + 60
        while len(b.procs) < 2 and time.monotonic() < end:
            time.sleep(0.01)
        b.drop()
    threading.Thread(target=cut_b, daemon=True).start()
    rc = main(_args(a, f"tester@127.0.0.1:{a.port}", f"tester@127.0.0.1:{b.port}", "--junit", str(x), "-j", "1"))
    out = capsys.readouterr().out
    assert rc == 2, out
    assert_valid_junit(x)
    from lxml import etree
    first, second = etree.parse(str(x)).getroot().findall("testsuite")
    assert first.get("errors") == "0" and first.get("failures") == "0", etree.tostring(first).decode()
    assert int(second.get("errors")) >= 1 and second.find("system-err") is not None
    lost = [c for c in second.findall("testcase") if c.find("error") is not None]
    assert lost and all("target lost" in c.find("error").get("message") for c in lost)
    assert f"tester@127.0.0.1:{b.port}: NOT VALIDATED (exit 2): target lost" in out


def test_an_unreachable_target_does_not_stop_the_others(servers, tmp_path, capsys):
    a, _ = servers
    import socket
    with socket.socket() as s:   # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    x = tmp_path / "all.xml"
    rc = main(_args(a, f"tester@127.0.0.1:{a.port}", f"tester@127.0.0.1:{dead}", "--junit", str(x),
                    "--connect-timeout", "3"))
    out = capsys.readouterr().out
    assert rc == 2, out
    assert_valid_junit(x)
    assert "VALIDATED: 3 PASS" in out and f"tester@127.0.0.1:{dead}: NOT VALIDATED (exit 2)" in out


def test_targets_file_and_usage_errors(tmp_path, capsys):
    f = tmp_path / "farm.txt"
    f.write_text("# the lab\nroot@board1\n\nroot@board2:2222   # second rack\n")
    assert read_destinations(f) == ["root@board1", "root@board2:2222"]
    assert main(["ssh", "--targets", str(tmp_path / "missing.txt")]) == EXIT_USAGE
    assert main(["ssh"]) == EXIT_USAGE
    assert "no target" in capsys.readouterr().err
    assert main(["ssh", "root@a", "root@board1", "--targets", str(f)]) == EXIT_USAGE
    assert "given twice: root@board1" in capsys.readouterr().err
    f.write_text("root@bad host\n")
    assert main(["ssh", "--targets", str(f)]) == EXIT_USAGE
    with pytest.raises(SystemExit) as e:
        main(["ssh", "root@a", "--parallel", "0"])
    assert e.value.code == EXIT_USAGE

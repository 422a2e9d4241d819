"""The hailo command (runtime-spec §12.17, hailort-facts §2.5)."""
from hailort_sim.cli import hailo


def test_version(run_cli):
    result = run_cli("hailo", "--version")
    assert (result.returncode, result.stdout) == (0, "HailoRT v4.21.0\n")


def test_help_lists_name_and_help(run_cli):
    result = run_cli("hailo", "help")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "fw-update - Firmware update tool"
    assert "scan - Scans for devices (Ethernet or PCIE)" in lines
    assert "parse-hef -  Parse HEF to get information about its components" in lines
    assert len(lines) == len(hailo.COMMANDS)


def test_no_arguments_prints_help_and_fails(run_cli):
    result = run_cli("hailo")
    assert result.returncode == 1 and "Hailo Command Line Utility" in result.stdout


def test_arguments_are_forwarded_verbatim(run_cli):
    result = run_cli("hailo", "scan", "--bogus")
    assert result.returncode == 109
    assert result.stdout == "(hailo) Running command 'scan' with 'hailortcli'\n"
    assert "The following arguments were not expected: --bogus" in result.stderr


def test_forwards_to_hailortcli_on_path_first(run_cli, tmp_path):
    fake = tmp_path / "bin" / "hailortcli"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho fake \"$@\"\nexit 7\n")
    fake.chmod(0o755)
    result = run_cli("hailo", "run", "x.hef", "-t", "1", env={"PATH": str(fake.parent)})
    assert result.returncode == 7
    assert result.stdout == "(hailo) Running command 'run' with 'hailortcli'\nfake run x.hef -t 1\n"

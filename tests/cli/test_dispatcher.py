"""hailortcli as a whole: version, usage errors, unexpected failures, start-up imports."""
import pathlib
import subprocess
import sys

import pytest

import hailort_sim

from hailort_sim.cli import hailortcli


def test_version(run_cli):
    for flag in ("--version", "-v"):
        result = run_cli("hailortcli", flag)
        assert (result.returncode, result.stdout) == (0, "HailoRT-CLI version 4.21.0\n")


def test_help_lists_commands_without_importing_them(run_cli):
    result = run_cli("hailortcli", "--help")
    assert result.returncode == 0
    for name, _, _help_text in hailortcli.COMMANDS:
        assert name in result.stdout
    assert run_cli("hailortcli", "help").stdout == result.stdout


@pytest.mark.parametrize("args, code, message", [
    ([], 106, "A subcommand is required"),
    (["no-such-command"], 109, "The following argument was not expected: no-such-command"),
    (["scan", "extra"], 109, "The following arguments were not expected: extra"),
    (["parse-hef"], 106, "hef is required"),
])
def test_usage_errors(run_cli, args, code, message):
    result = run_cli("hailortcli", *args)
    assert result.returncode == code and result.stdout == ""
    assert result.stderr == message + "\nRun with --help for more information.\n"


def test_unexpected_exception_is_internal_failure_without_traceback(monkeypatch, capsys):
    def explode(*args):
        raise RuntimeError("boom")
    monkeypatch.setattr("hailort_sim.device.scan", explode)
    assert hailortcli.run(["scan"]) == 8
    err = capsys.readouterr().err
    assert err == ("[HailoRT CLI] [error] Unexpected internal failure: RuntimeError: boom\n"
                   "[HailoRT CLI] [error] CHECK_SUCCESS failed with status=HAILO_INTERNAL_FAILURE(8)\n")


def test_main_exits_with_the_status(monkeypatch, tmp_path):
    config = tmp_path / "c.conf"
    config.write_text("[simulator]\ndriver = missing\n")
    monkeypatch.setenv("HAILORT_SIM_CONFIG", str(config))
    monkeypatch.setenv("HAILORT_LOGGER_PATH", "NONE")
    with pytest.raises(SystemExit) as done:
        hailortcli.main(["scan"])
    assert done.value.code == 64


@pytest.mark.parametrize("args", [["--version"], ["scan"], ["fw-control", "identify"]])
def test_start_up_imports_neither_numpy_nor_protobuf(tmp_path, args):
    config = tmp_path / "c.conf"
    config.write_text("[device0]\n")
    code = ("import sys\nfrom hailort_sim.cli import hailortcli\n"
            "try:\n    hailortcli.main({!r})\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('numpy', 'google.protobuf') if m in sys.modules]\n"
            "sys.stderr.write('HEAVY=' + ','.join(heavy))\n").format(args)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"HAILORT_SIM_CONFIG": str(config), "HAILORT_LOGGER_PATH": "NONE"}, timeout=60)
    assert done.stderr.endswith("HEAVY="), done.stderr


def test_argument_free_fast_paths_equal_the_parsers_result():
    checked = 0
    for name, module, _ in hailortcli.COMMANDS:
        command = hailortcli._command_module(module)
        for words, values in getattr(command, "NO_ARGUMENTS", {}).items():
            argv = [name, *words]
            assert vars(hailortcli.build_parser(argv).parse_args(argv)) == dict(values, command=name)
            checked += 1
    assert checked >= 2


RUNTIME_DIR = str(pathlib.Path(hailort_sim.__file__).resolve().parents[1])


def test_scan_and_version_do_not_import_argparse(tmp_path):
    """-S: without site (an editable install's path hook imports re itself)."""
    config = tmp_path / "c.conf"
    config.write_text("[device0]\n")
    for args in (["scan"], ["--version"], ["fw-control", "identify"]):
        code = ("import sys\nfrom hailort_sim.cli import hailortcli\n"
                "try:\n    hailortcli.main({!r})\nexcept SystemExit:\n    pass\n"
                "sys.stderr.write('HEAVY=' + ','.join(m for m in ('argparse', 'configparser', 're') "
                "if m in sys.modules))\n").format(args)
        done = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, timeout=60,
                              env={"HAILORT_SIM_CONFIG": str(config), "HAILORT_LOGGER_PATH": "NONE",
                                   "PYTHONPATH": RUNTIME_DIR})
        assert done.stderr.endswith("HEAVY="), done.stderr

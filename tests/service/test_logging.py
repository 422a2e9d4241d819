"""HAILORT_LOGGER_PATH and HAILORT_CONSOLE_LOGGER_LEVEL (guide §6.7), in fresh processes."""
import os
import re
import subprocess
import sys

from service_helpers import RUNTIME

EMIT = ("from hailort_sim import log; log.debug('d-msg'); log.info('i-msg'); "
        "log.warning('w-msg'); log.error('e-msg'); log.critical('c-msg')")


def run(tmp_path, cwd=None, **env_vars):
    env = {k: v for k, v in os.environ.items()
           if k not in ("HAILORT_LOGGER_PATH", "HAILORT_CONSOLE_LOGGER_LEVEL")}
    env.update(env_vars, PYTHONPATH=RUNTIME)
    return subprocess.run([sys.executable, "-c", EMIT], env=env, cwd=str(cwd or tmp_path),
                          capture_output=True, text=True, timeout=30)


def test_default_file_in_cwd_and_console_from_warning(tmp_path):
    result = run(tmp_path)
    assert result.stderr.splitlines() == ["[HailoRT] [warning] w-msg", "[HailoRT] [error] e-msg",
                                          "[HailoRT] [critical] c-msg"]
    lines = (tmp_path / "hailort.log").read_text().splitlines()
    assert len(lines) == 4 and "d-msg" not in "".join(lines)
    pattern = r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] \[\d+\] \[\d+\] \[HailoRT\] \[info\] i-msg$"
    assert re.match(pattern, lines[0])


def test_logger_path_directory_and_none(tmp_path):
    run(tmp_path, HAILORT_LOGGER_PATH=str(tmp_path / "logs" / "deep"))
    assert "e-msg" in (tmp_path / "logs" / "deep" / "hailort.log").read_text()
    assert not (tmp_path / "hailort.log").exists()
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    result = run(tmp_path, cwd=fresh, HAILORT_LOGGER_PATH="NONE")
    assert list(fresh.iterdir()) == []          # no file anywhere: not in the cwd either
    assert "[HailoRT] [error] e-msg" in result.stderr


def test_console_levels(tmp_path):
    expected = {"info": ["info", "warning", "error", "critical"], "warning": ["warning", "error", "critical"],
                "error": ["error", "critical"], "critical": ["critical"]}
    for level, shown in expected.items():
        result = run(tmp_path, HAILORT_CONSOLE_LOGGER_LEVEL=level, HAILORT_LOGGER_PATH="NONE")
        assert [re.match(r"\[HailoRT\] \[(\w+)\]", line).group(1)
                for line in result.stderr.splitlines()] == shown


def test_invalid_level_warns_and_uses_warning(tmp_path):
    result = run(tmp_path, HAILORT_CONSOLE_LOGGER_LEVEL="verbose", HAILORT_LOGGER_PATH="NONE")
    lines = result.stderr.splitlines()
    assert "HAILORT_CONSOLE_LOGGER_LEVEL" in lines[0] and "'verbose'" in lines[0]
    assert lines[1:] == ["[HailoRT] [warning] w-msg", "[HailoRT] [error] e-msg", "[HailoRT] [critical] c-msg"]


def test_unwritable_directory_is_reported_once(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run(tmp_path, HAILORT_LOGGER_PATH=str(blocker))   # a file, not a directory
    assert result.returncode == 0
    assert result.stderr.count("Cannot open log file") == 1
    assert "[HailoRT] [error] e-msg" in result.stderr


def test_rotation_keeps_one_spare(tmp_path, monkeypatch):
    from hailort_sim import log
    monkeypatch.setenv("HAILORT_LOGGER_PATH", str(tmp_path))
    monkeypatch.setenv("HAILORT_CONSOLE_LOGGER_LEVEL", "critical")
    monkeypatch.setattr(log, "_MAX_FILE_SIZE", 4096)
    log.reconfigure()
    try:
        for index in range(300):
            log.info("line {:04d} {}".format(index, "x" * 40))
    finally:
        log.close()
        monkeypatch.delenv("HAILORT_LOGGER_PATH")
        log.reconfigure()
        log.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hailort.1.log", "hailort.log"]
    assert (tmp_path / "hailort.1.log").stat().st_size >= 4096
    assert "line 0299" in (tmp_path / "hailort.log").read_text()

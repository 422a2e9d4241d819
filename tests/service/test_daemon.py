"""hailort_service as systemd runs it, checked against the layer's unit and environment file."""
import configparser
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time

import pytest

from service_helpers import REPO, socket_path, wait_for_socket

FILES = os.path.join(REPO, "meta-hailo-libhailort", "recipes-hailo", "hailort", "files")
UNIT = os.path.join(FILES, "hailort.service")
ENV_FILE = os.path.join(FILES, "hailort_service")


def read_unit():
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(UNIT)
    return parser


def read_environment_file():
    """As systemd's EnvironmentFile= reads it: comments and non-assignments are skipped,
    one level of double quotes is removed."""
    env = {}
    with open(ENV_FILE) as handle:
        for line in handle:
            line = line.strip()
            if not line or line[0] in "#;" or "=" not in line:
                continue
            key, value = line.split("=", 1)
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            env[key] = value
    return env


def test_unit_matches_the_real_service_and_the_daemon():
    unit = read_unit()["Service"]
    assert unit["Type"] == "forking"
    assert unit["EnvironmentFile"] == "/etc/default/hailort_service"
    assert unit["ExecStart"] == "/usr/bin/hailort_service"   # our console script (bindir)
    assert unit["PIDFile"] == "/run/hailo/hailort_service.pid"
    assert unit["Restart"] == "on-failure"
    assert unit["ExecReload"] == "/bin/kill -HUP $MAINPID"
    from hailort_sim.service import daemon
    assert unit["PIDFile"] == daemon.DEFAULT_PIDFILE
    assert read_unit()["Install"]["WantedBy"] == "multi-user.target"
    pyproject = open(os.path.join(REPO, "runtime", "pyproject.toml")).read()
    assert 'hailort_service = "hailort_sim.service.daemon:main"' in pyproject


def test_environment_file_is_the_real_one():
    text = open(ENV_FILE).read()
    assert "\n[Service]\n" in "\n" + text
    assert read_environment_file() == {
        "HAILORT_LOGGER_PATH": "/var/log/hailo", "HAILO_MONITOR": "0", "HAILO_TRACE": "0",
        "HAILO_TRACE_TIME_IN_SECONDS_BOUNDED_DUMP": "0", "HAILO_TRACE_SIZE_IN_KB_BOUNDED_DUMP": "0",
        "HAILO_TRACE_PATH": ""}


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_unit_passes_systemd_analyze_verify(tmp_path):
    script = shutil.which("hailort_service") or os.path.join(os.path.dirname(sys.executable), "hailort_service")
    if not os.path.exists(script):
        pytest.skip("the hailort_service console script is not installed in this environment")
    unit = tmp_path / "hailort.service"
    unit.write_text(open(UNIT).read().replace("/usr/bin/hailort_service", script))
    result = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_forking_daemon_pidfile_sighup_sigterm(sim_env, tmp_path):
    env = dict(sim_env, **read_environment_file())
    env["HAILORT_LOGGER_PATH"] = str(tmp_path / "var-log-hailo")   # instead of /var/log/hailo
    pidfile = env["HAILORT_SIM_SERVICE_PIDFILE"]
    sock = socket_path(env)
    # ExecStart: the parent returns only once the daemon serves (Type=forking)
    started = subprocess.run([sys.executable, "-m", "hailort_sim.service.daemon"], env=env,
                             capture_output=True, timeout=20)
    assert started.returncode == 0, started.stderr
    pid = int(open(pidfile).read())
    try:
        assert os.path.exists(sock)
        assert stat.S_IMODE(os.stat(sock).st_mode) == 0o606
        assert os.getsid(pid) == pid                      # its own session, no terminal
        assert os.readlink("/proc/{}/cwd".format(pid)) == "/"
        probe = socket.socket(socket.AF_UNIX)
        probe.connect(sock)
        probe.close()
        log_file = tmp_path / "var-log-hailo" / "hailort.log"
        assert "started on" in log_file.read_text()
        # ExecReload: SIGHUP reopens the log (logrotate moved it) and keeps serving
        os.rename(log_file, str(log_file) + ".old")
        os.kill(pid, signal.SIGHUP)
        time.sleep(0.8)
        os.kill(pid, 0)
        # a second instance refuses to start while this one serves
        second = subprocess.run([sys.executable, "-m", "hailort_sim.service.daemon", "standalone"],
                                env=env, capture_output=True, text=True, timeout=20)
        assert second.returncode != 0 and "already running" in second.stderr
    finally:
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and os.path.exists("/proc/{}".format(pid)):
        time.sleep(0.05)
    assert not os.path.exists("/proc/{}".format(pid)) or \
        open("/proc/{}/stat".format(pid)).read().split()[2] == "Z"
    assert not os.path.exists(pidfile) and not os.path.exists(sock)
    assert "stopping" in (tmp_path / "var-log-hailo" / "hailort.log").read_text()


def test_stale_socket_is_removed(sim_env, service):
    path = socket_path(sim_env)
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(path)
    stale.close()        # a socket file nobody listens on: what a crashed service leaves
    service()
    probe = socket.socket(socket.AF_UNIX)
    probe.connect(path)
    probe.close()


def test_bad_arguments_and_bad_address(sim_env):
    result = subprocess.run([sys.executable, "-m", "hailort_sim.service.daemon", "--bogus"],
                            env=sim_env, capture_output=True, text=True, timeout=20)
    assert result.returncode == 2 and "usage: hailort_service [standalone]" in result.stderr
    env = dict(sim_env, HAILORT_SERVICE_ADDRESS="nonsense")
    result = subprocess.run([sys.executable, "-m", "hailort_sim.service.daemon", "standalone"],
                            env=env, capture_output=True, text=True, timeout=20)
    assert result.returncode == 2   # HAILO_INVALID_ARGUMENT
    assert "HAILORT_SERVICE_ADDRESS" in result.stderr and "Traceback" not in result.stderr


def test_no_service_is_rpc_failed(sim_env):
    from hailort_sim.service.remote_backend import RemoteBackend
    from hailort_sim.status import HailoRTException, HailoStatus
    with pytest.raises(HailoRTException) as raised:
        RemoteBackend({"scheduling_algorithm": 1})
    assert raised.value.status == HailoStatus.HAILO_RPC_FAILED
    assert "libhailort failed with error: 77 (HAILO_RPC_FAILED)" in str(raised.value)
    assert "hailort_service" in str(raised.value)


def test_version_mismatch_is_invalid_service_version(sim_env):
    from hailort_sim.service.remote_backend import RemoteBackend
    from hailort_sim.status import HailoRTException, HailoStatus
    code = ("import sys, hailort_sim; hailort_sim.HAILORT_VERSION = '4.20.0'; "
            "from hailort_sim.service.daemon import main; sys.exit(main(['standalone']))")
    proc = subprocess.Popen([sys.executable, "-c", code], env=sim_env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for_socket(socket_path(sim_env), proc)
        with pytest.raises(HailoRTException) as raised:
            RemoteBackend({"scheduling_algorithm": 1})
        assert raised.value.status == HailoStatus.HAILO_INVALID_SERVICE_VERSION
        assert "4.20.0" in str(raised.value) and "4.21.0" in str(raised.value)
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stderr.close()


def test_scheduler_none_is_refused_by_the_service(service):
    service()
    from hailort_sim.service.remote_backend import RemoteBackend
    from hailort_sim.status import HailoRTException, HailoStatus
    with pytest.raises(HailoRTException) as raised:
        RemoteBackend({"scheduling_algorithm": 0})
    assert raised.value.status == HailoStatus.HAILO_INVALID_ARGUMENT


REAL_PATHS_SCRIPT = r"""
set -e
mount -t tmpfs none /run
# The checkout (and the venv) may live under /tmp: bind what Python needs back over the new tmpfs.
i=0; for d in $KEEP_UNDER_TMP; do mkdir -p /run/keep/$i; mount --bind "$d" /run/keep/$i; i=$((i+1)); done
mount -t tmpfs none /tmp
i=0; for d in $KEEP_UNDER_TMP; do mkdir -p "$d"; mount --bind /run/keep/$i "$d"; i=$((i+1)); done
mount -t tmpfs none /var/log
printf '%s' "$SIM_CONFIG_TEXT" > /run/hailort-sim.conf    # the test's config was under /tmp
export HAILORT_SIM_CONFIG=/run/hailort-sim.conf
"$PYTHON" -m hailort_sim.service.daemon         # ExecStart: returns once the daemon serves
pid=$(cat /run/hailo/hailort_service.pid)       # PIDFile=
trap 'kill -9 "$pid" 2>/dev/null || true' EXIT  # never leave it running, even on failure
stat -c '%a' /tmp/hailort_uds.sock
"$PYTHON" -c 'from hailort_sim.service.remote_backend import RemoteBackend as R; b = R({"scheduling_algorithm": 1}); print(b.device_ids); b.release()'
kill -HUP "$pid"; sleep 0.3; kill -0 "$pid"      # ExecReload
kill "$pid"                                     # systemctl stop
for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
test ! -e /run/hailo/hailort_service.pid && test ! -e /tmp/hailort_uds.sock && echo cleaned
grep -c 'Client pid' /var/log/hailo/hailort.log
"""


def _under(top, paths):
    """The outermost existing directories among `paths` that lie under `top` (no spaces)."""
    found = sorted({os.path.realpath(p) for p in paths if p and os.path.isdir(p)})
    found = [p for p in found if p.startswith(top.rstrip("/") + "/")]
    outer = [p for p in found if not any(p != q and p.startswith(q + "/") for q in found)]
    assert not any(" " in p for p in outer), f"paths with spaces under {top}: {outer}"
    return outer


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None,
                    reason="needs root and unshare (a private mount namespace for /run, /tmp, /var/log)")
def test_real_default_paths_in_a_private_mount_namespace(sim_env):
    """The daemon with the unit's real paths (/run/hailo, /tmp/hailort_uds.sock,
    /var/log/hailo) and the layer's environment file, in a private mount namespace with
    empty tmpfs over /run, /tmp and /var/log: the host's running system is never touched."""
    env = {k: v for k, v in sim_env.items() if k not in (
        "HAILORT_SERVICE_ADDRESS", "HAILORT_SIM_SERVICE_PIDFILE", "HAILORT_LOGGER_PATH", "TMPDIR")}
    env.update(read_environment_file(), PYTHON=sys.executable)     # EnvironmentFile=
    env["SIM_CONFIG_TEXT"] = open(sim_env["HAILORT_SIM_CONFIG"]).read()
    env["KEEP_UNDER_TMP"] = " ".join(_under("/tmp", sys.path + [sys.prefix, os.path.dirname(os.path.realpath(sys.executable))]))
    result = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                             REAL_PATHS_SCRIPT], env=env, capture_output=True, text=True, timeout=60)
    if result.returncode != 0 and "unshare failed" in result.stderr:
        pytest.skip("mount namespaces are not available: " + result.stderr.strip())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["606", "['0000:01:00.0']", "cleaned", "2"]

"""hailortcli fw-config read|write: the simulated device's user config (spec §12.8, §15.2)."""
import json
import os
import subprocess
import sys

from hailo_platform import Device


def cli(tmp_path, *argv):
    # the autouse sim_device fixture has set HAILORT_SIM_CONFIG and TMPDIR (the state directory)
    return subprocess.run([sys.executable, "-m", "hailort_sim.cli.hailortcli", *argv], capture_output=True,
                          text=True, env=dict(os.environ), cwd=str(tmp_path), timeout=60)


def test_fw_config_write_then_read(tmp_path):
    proc = cli(tmp_path, "fw-config", "read")
    assert proc.returncode == 18 and "HAILO_FW_CONTROL_FAILURE" in proc.stderr
    assert "No user config is loaded" in proc.stderr
    example = {"network": {"static_netmask": "255.255.255.0", "should_use_dhcp": False,
                           "mac_address": "80:00:DE:AD:BE:EF"},
               "system": {"name": "Hailo-8", "supported_aspm_states": "ASPM L1 ONLY",
                          "temperature_throttling_enable": True}}
    source = tmp_path / "config.json"
    source.write_text(json.dumps(example))
    proc = cli(tmp_path, "fw-config", "write", str(source), "-s", "0000:01:00.0")
    assert proc.returncode == 0, proc.stderr
    assert "restart it for the change to take effect" in proc.stdout
    proc = cli(tmp_path, "fw-config", "read")
    assert proc.returncode == 0 and json.loads(proc.stdout) == example
    proc = cli(tmp_path, "fw-config", "read", "--output-file", "out.json")
    assert proc.returncode == 0 and json.loads((tmp_path / "out.json").read_text()) == example
    with Device() as device:      # the Python API sees the same stored config
        assert json.loads(device.control.read_user_config()) == example
    source.write_text('{"system": {"name": "x", "turbo": true}}')
    proc = cli(tmp_path, "fw-config", "write", str(source))
    assert proc.returncode == 2 and "Unknown user config field 'system.turbo'" in proc.stderr
    proc = cli(tmp_path, "fw-config", "write", str(tmp_path / "missing.json"))
    assert proc.returncode != 0 and "cannot read" in proc.stderr and "Traceback" not in proc.stderr
    assert json.loads(cli(tmp_path, "fw-config", "read").stdout) == example

"""hailortcli scan / hailo scan (runtime-spec §12.1, hailort-facts §3.2)."""
import pytest

ARCHS = {"HAILO8": "0000:01:00.0", "HAILO8L": "0000:01:00.0", "HAILO10H": "0000:01:00.0",
         "HAILO15H": "[integrated]", "HAILO15M": "[integrated]"}


def test_no_device(run_cli):
    result = run_cli("hailortcli", "scan")
    assert (result.returncode, result.stdout, result.stderr) == (0, "Hailo devices not found\n", "")


@pytest.mark.parametrize("arch", sorted(ARCHS))
def test_each_architecture(run_cli, sim_conf, arch):
    result = run_cli("hailortcli", "scan", config=sim_conf("[device0]\narchitecture = {}\n".format(arch)))
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout == "Hailo Devices:\n[-] Device: {}\n".format(ARCHS[arch])


def test_several_devices_in_file_order(run_cli, sim_conf):
    config = sim_conf("[device0]\n[device1]\narchitecture = HAILO8L\n[device2]\ndevice_id = 0001:0a:00.1\n")
    result = run_cli("hailortcli", "scan", config=config)
    assert result.stdout == ("Hailo Devices:\n[-] Device: 0000:01:00.0\n[-] Device: 0000:02:00.0\n"
                             "[-] Device: 0001:0a:00.1\n")


def test_driver_not_installed(run_cli, sim_conf):
    result = run_cli("hailortcli", "scan", config=sim_conf("[simulator]\ndriver = missing\n[device0]\n"))
    assert result.returncode == 64 and result.stdout == ""
    assert result.stderr == (
        "[HailoRT] [error] Can't find hailort driver class. Can happen if the driver is not installed, if the "
        "kernel was updated or on some driver failure (then read driver dmesg log)\n"
        "[HailoRT CLI] [error] CHECK_SUCCESS failed with status=HAILO_DRIVER_NOT_INSTALLED(64)\n")


def test_bad_config_is_a_clear_error(run_cli, sim_conf):
    config = sim_conf("[device0]\narchitecture = HAILO9\n")
    result = run_cli("hailortcli", "scan", config=config)
    assert result.returncode == 2
    assert "[HailoRT] [error] {}: [device0] architecture: 'HAILO9' is not one of".format(config) in result.stderr
    assert "status=HAILO_INVALID_ARGUMENT(2)" in result.stderr


def test_ethernet_options(run_cli):
    assert run_cli("hailortcli", "scan", "--interface", "eth0").stdout == "Hailo Ethernet Devices:\n"
    both = run_cli("hailortcli", "scan", "--interface", "eth0", "--interface-ip", "10.0.0.1")
    assert both.returncode == 108 and "excludes" in both.stderr


def test_hailo_scan_forwards(run_cli, sim_conf):
    result = run_cli("hailo", "scan", config=sim_conf("[device0]\n"))
    assert result.returncode == 0
    assert result.stdout == ("(hailo) Running command 'scan' with 'hailortcli'\n"
                             "Hailo Devices:\n[-] Device: 0000:01:00.0\n")


def test_config_named_by_environment_must_exist(run_cli, tmp_path):
    result = run_cli("hailortcli", "scan", config=tmp_path / "missing.conf")
    assert result.returncode == 13 and result.stdout == ""
    assert "HAILORT_SIM_CONFIG names {}, which does not exist".format(tmp_path / "missing.conf") in result.stderr
    assert result.stderr.endswith("status=HAILO_OPEN_FILE_FAILURE(13)\n")

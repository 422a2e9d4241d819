"""hailortcli fw-control identify (runtime-spec §12.10, hailort-facts §3.2)."""
import pytest

HAILO8 = """Executing on device: 0000:01:00.0
Identifying board
Control Protocol Version: 2
Firmware Version: 4.21.0 (release,app,extended context switch buffer)
Logger Version: 0
Board Name: Hailo-8
Device Architecture: HAILO8
Serial Number: HLLWM2B233400123
Part Number: HM218B1C2FAE
Product Name: HAILO-8 AI ACC M.2 M KEY MODULE EXT TEMP

"""
HAILO8L = """Executing on device: 0000:01:00.0
Identifying board
Control Protocol Version: 2
Firmware Version: 4.21.0 (release,app,extended context switch buffer)
Logger Version: 0
Board Name: Hailo-8
Device Architecture: HAILO8L
Serial Number: HLDDLBB234500054
Part Number: HM21LB1C2LAE
Product Name: HAILO-8L AI ACC M.2 B+M KEY MODULE EXT TMP

"""
HAILO10H = """Executing on device: 0000:01:00.0
Identifying board
Control Protocol Version: 2
Firmware Version: 4.21.0 (release,app,extended context switch buffer)
Logger Version: 0
Board Name: Hailo-10H
Device Architecture: HAILO10H
Serial Number: HLLWM2B245100021
Part Number: HM30HB1C2LAE
Product Name: HAILO-10H AI ACC M.2 M KEY MODULE

"""
HAILO15H = """Executing on device: [integrated]
Identifying board
Control Protocol Version: 2
Firmware Version: 4.21.0 (release,app)
Logger Version: 0
Board Name: Hailo-15H
Device Architecture: HAILO15H
Serial Number: <N/A>
Part Number: <N/A>
Product Name: <N/A>

"""
HAILO15M = HAILO15H.replace("15H", "15M")


@pytest.mark.parametrize("arch, expected", [("HAILO8", HAILO8), ("HAILO8L", HAILO8L), ("HAILO10H", HAILO10H),
                                            ("HAILO15H", HAILO15H), ("HAILO15M", HAILO15M)])
def test_identify_each_architecture(run_cli, sim_conf, arch, expected):
    result = run_cli("hailortcli", "fw-control", "identify", config=sim_conf("[device0]\narchitecture = " + arch))
    assert (result.returncode, result.stdout, result.stderr) == (0, expected, "")


def test_identify_runs_on_every_device_or_the_selected_ones(run_cli, sim_conf):
    config = sim_conf("[device0]\n[device1]\narchitecture = HAILO8L\n")
    both = HAILO8 + HAILO8L.replace("0000:01:00.0", "0000:02:00.0")
    assert run_cli("hailortcli", "fw-control", "identify", config=config).stdout == both
    assert run_cli("hailortcli", "fw-control", "identify", "-s", "*", config=config).stdout == both
    second = run_cli("hailortcli", "fw-control", "identify", "--device-id", "0000:02:00.0", config=config)
    assert second.stdout == HAILO8L.replace("0000:01:00.0", "0000:02:00.0")
    assert run_cli("hailortcli", "fw-control", "identify", "--bdf", "01:00.0", config=config).stdout == HAILO8


def test_identify_with_no_device_prints_nothing(run_cli):
    result = run_cli("hailortcli", "fw-control", "identify")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_extended(run_cli, sim_conf):
    config = sim_conf("[device0]\nmac_address = 80:00:de:ad:be:ef\nsoc_id = 0a0b\ngpio_mask = 0x1f\nlcs = 0\n"
                      "supported_features = pcie, ethernet, current_monitoring, mdio, mipi\n")
    result = run_cli("hailortcli", "fw-control", "identify", "--extended", config=config)
    assert result.returncode == 0
    assert result.stdout == HAILO8[:-1] + (
        "Boot source: PCIE\n"
        "Neural Network Core Clock Rate: 400MHz\n"
        "Device supported features: Current Monitoring, Ethernet, MIPI, MDIO, PCIE\n"
        "LCS: <N/A>\n"
        "SoC ID: 0A0B" + "00" * 30 + "\n"
        "MAC Address: 80:00:DE:AD:BE:EF\n"
        "GPIO Mask: 001f\n\n")


def test_extended_default_hailo8(run_cli, sim_conf):
    result = run_cli("hailortcli", "fw-control", "identify", "--extended", config=sim_conf("[device0]\n"))
    assert result.stdout.endswith("Product Name: HAILO-8 AI ACC M.2 M KEY MODULE EXT TEMP\nBoot source: PCIE\n"
                                  "Neural Network Core Clock Rate: 400MHz\n"
                                  "Device supported features: Current Monitoring, PCIE\nLCS: 3\n\n")


@pytest.mark.parametrize("device_id, message", [("0000:05:00.0", "Requested device not found"),
                                                 ("not-a-device", "Invalid device id not-a-device")])
def test_unknown_device(run_cli, sim_conf, device_id, message):
    result = run_cli("hailortcli", "fw-control", "identify", "-s", device_id, config=sim_conf("[device0]\n"))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == "[HailoRT] [error] {}\n[HailoRT CLI] [error] CHECK_SUCCESS failed with " \
                            "status=HAILO_INVALID_ARGUMENT(2)\n".format(message)


def test_firmware_mismatch(run_cli, sim_conf):
    config = sim_conf("[device0]\nfirmware_version = 4.20.0\n")
    plain = run_cli("hailortcli", "fw-control", "identify", config=config)
    assert plain.returncode == 0 and "Firmware Version: 4.20.0 (release,app," in plain.stdout
    assert plain.stderr == "[HailoRT] [warning] Unsupported firmware operation. Host: 4.21.0, Device: 4.20.0\n"
    extended = run_cli("hailortcli", "fw-control", "identify", "--extended", config=config)
    assert extended.returncode == 16
    assert extended.stdout.endswith("Product Name: HAILO-8 AI ACC M.2 M KEY MODULE EXT TEMP\n")
    assert extended.stderr.endswith(
        "[HailoRT CLI] [error] CHECK_SUCCESS failed with status=HAILO_UNSUPPORTED_FW_VERSION(16)\n"
        "Failed to execute on device: 0000:01:00.0. status= HAILO_UNSUPPORTED_FW_VERSION(16)\n")


@pytest.mark.parametrize("args, code, message", [
    (["--bdf", "01:00.0", "-s", "0000:01:00.0"], 111, "Only one of -s,--device-id, --bdf, --ip Can bet set"),
    (["-s", "*", "0000:01:00.0"], 111, "passing '*' in combination with other device ids is not allowed"),
    (["--bdf", "zz:00"], 105, "Invalid PCIe BDF zz:00"),
    (["--bogus"], 109, "The following arguments were not expected: --bogus"),
])
def test_option_errors_are_cli11s(run_cli, sim_conf, args, code, message):
    result = run_cli("hailortcli", "fw-control", "identify", *args, config=sim_conf("[device0]\n"))
    assert result.returncode == code and result.stdout == ""
    assert message in result.stderr and "Run with --help for more information." in result.stderr


def test_hailo_fw_control_identify(run_cli, sim_conf):
    result = run_cli("hailo", "fw-control", "identify", config=sim_conf("[device0]\n"))
    assert result.stdout == "(hailo) Running command 'fw-control' with 'hailortcli'\n" + HAILO8


def test_identify_without_driver(run_cli, sim_conf):
    result = run_cli("hailortcli", "fw-control", "identify", config=sim_conf("[simulator]\ndriver = missing\n"))
    assert result.returncode == 64 and result.stdout == ""
    assert result.stderr.startswith("[HailoRT] [error] Can't find hailort driver class.")
    assert result.stderr.endswith("status=HAILO_DRIVER_NOT_INSTALLED(64)\n")


def test_ethernet_target_is_not_simulated(run_cli, sim_conf):
    result = run_cli("hailortcli", "fw-control", "identify", "--ip", "10.0.0.2", config=sim_conf("[device0]\n"))
    assert result.returncode == 4 and result.stdout == ""
    assert "No Hailo Ethernet device answered at 10.0.0.2" in result.stderr

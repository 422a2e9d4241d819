"""hailortcli fw-update, ssb-update, board-config, fw-logger, sensor-config, fw-control reset and
udp-rate-limiter on the simulated flash (outputs and statuses of the real commands)."""
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "inference"))
from firmware_images import firmware, second_stage  # noqa: E402

ONE = "[device0]\narchitecture = HAILO8\n"


@pytest.fixture
def cli(run_cli, sim_conf, tmp_path):
    config = sim_conf(ONE)

    def run(*args, config_text=None):
        return run_cli("hailortcli", *args, config=sim_conf(config_text) if config_text else config,
                       env={"TMPDIR": str(tmp_path)})      # the simulated flash lives under TMPDIR
    return run


def identify_version(cli):
    done = cli("fw-control", "identify")
    return next(line for line in done.stdout.splitlines() if line.startswith("Firmware Version:"))


def test_fw_update_then_identify_shows_the_new_firmware(cli, tmp_path):
    image = tmp_path / "fw.bin"
    image.write_bytes(firmware(4, 21, 5))
    done = cli("fw-update", image)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Executing on device: 0000:01:00.0\nUpdating firmware\nFirmware has been updated\n"
    assert identify_version(cli).startswith("Firmware Version: 4.21.5 (release,app")


def test_fw_update_skip_reset_waits_for_fw_control_reset(cli, tmp_path):
    image = tmp_path / "fw.bin"
    image.write_bytes(firmware(4, 21, 6))
    assert cli("fw-update", image, "--skip-reset").returncode == 0
    assert identify_version(cli).startswith("Firmware Version: 4.21.0 ")
    done = cli("fw-control", "reset", "--reset-type", "soft")
    assert (done.returncode, done.stdout) == (0, "Executing on device: 0000:01:00.0\nBoard has been reset "
                                                 "successfully\n")
    assert identify_version(cli).startswith("Firmware Version: 4.21.6 ")
    bad = cli("fw-control", "reset", "--reset-type", "hard")
    assert bad.returncode == 105 and "--reset-type: hard not in {chip,nn_core,soft,forced_soft}" in bad.stderr
    assert cli("fw-control", "reset").returncode == 106


def test_a_bad_firmware_file_gives_the_real_status(cli, tmp_path):
    image = tmp_path / "bad.bin"
    image.write_bytes(b"\x00" * 200)
    done = cli("fw-update", image)
    assert done.returncode == 23                                                    # HAILO_INVALID_FIRMWARE
    assert "Update firmware failed, error code HAILO_INVALID_FIRMWARE(23)" in done.stderr
    assert "[HailoRT] [error] FW update validation failed with status" in done.stderr
    assert "Failed to execute on device: 0000:01:00.0. status= HAILO_INVALID_FIRMWARE(23)" in done.stderr
    missing = cli("fw-update", tmp_path / "nope.bin")
    assert missing.returncode == 105 and "File does not exist" in missing.stderr


def test_ssb_update(cli, tmp_path):
    good, bad = tmp_path / "ssb.bin", tmp_path / "old.bin"
    good.write_bytes(second_stage(1, 3, 0))
    bad.write_bytes(second_stage(1, 0, 9))
    done = cli("ssb-update", good)
    assert done.returncode == 0 and done.stdout.endswith(
        "Updating second stage boot...\nsecond stage boot has been updated successfully\n")
    done = cli("ssb-update", bad)
    assert done.returncode == 67 and "Update second stage boot failed with error: HAILO_INVALID_SECOND_STAGE(67)" \
        in done.stderr


def test_board_config_write_then_read(cli, tmp_path):
    config, dump = tmp_path / "board.bin", tmp_path / "dump.bin"
    config.write_bytes(b"\x01\x02board")
    assert cli("board-config", "write", config).returncode == 0
    assert cli("board-config", "read", dump).returncode == 0
    assert dump.read_bytes() == b"\x01\x02board" + bytes(493)
    config.write_bytes(bytes(501))
    done = cli("board-config", "write", config)
    assert done.returncode == 6 and "Invalid size of board config. data_length=501,  max_size=500" in done.stderr
    two = cli("board-config", "read", dump, config_text=ONE + "[device1]\n")
    assert two.returncode == 6 and "'board-config read' command should get a specific device-id." in two.stderr


def test_fw_logger_writes_the_firmware_log(cli, tmp_path):
    image = tmp_path / "fw.bin"
    image.write_bytes(firmware(4, 21, 7))
    assert cli("fw-update", image).returncode == 0
    out = tmp_path / "fw.log"
    done = cli("fw-logger", out)
    assert done.returncode == 0 and done.stdout == "Executing on device: 0000:01:00.0\n"
    assert out.read_bytes() == b"Firmware update to 4.21.7 written\nDevice reset\n"
    assert cli("fw-logger", out).returncode == 0          # appends (nothing new)
    assert out.read_bytes() == b"Firmware update to 4.21.7 written\nDevice reset\n"
    assert cli("fw-control", "reset", "--reset-type", "chip").returncode == 0
    done = cli("fw-logger", out, "--stdout")
    assert (done.returncode, done.stdout) == (0, "Device reset\n")      # only the log on stdout


def test_sensor_config_store_info_dump_and_load(cli, tmp_path):
    csv = tmp_path / "sensor.csv"
    csv.write_text("SENSOR_CONFIG_OPCODES_WR,16,-1,301A,FFFF,10DC\nSENSOR_CONFIG_OPCODES_DELAY,8,0,0,FF,64\n")
    done = cli("sensor-config", "store-sensor-config", "2", csv, "SENSOR_RASPICAM", "--config-name", "imx",
               "--config-height", "1080", "--config-width", "1920", "--config-fps", "30")
    assert done.returncode == 0, done.stderr
    info = cli("sensor-config", "get-sections-info").stdout.split("\n")
    assert info[1:4] == ["======== section_index: 0 =========", "Section is not active", ""]
    start = info.index("======== section_index: 2 =========")
    assert info[start + 1:start + 12] == [
        "Configuration Name:               imx", "Sensor Type:                      SENSOR_RASPICAM",
        "Configuration lines number:       2", "Configuration size in bytes:      30",
        "Reset configuration:              not valid", "Reset configuration lines number: 0",
        "Configuration resolution:         [height 1080 : width 1920]", "Configuration fps:                30",
        "Section configuration version:    1", "Section is active", ""]
    dump = tmp_path / "dump.csv"
    assert cli("sensor-config", "get-config", "2", dump).returncode == 0
    assert dump.read_text() == ("SENSOR_CONFIG_OPCODES_WR,16,-1,0x301A,0xFFFF,0x10DC\n"
                                "SENSOR_CONFIG_OPCODES_DELAY,8,0,0x0000,0xFF,0x64\n")
    assert cli("sensor-config", "load-config", "2").returncode == 0
    assert cli("sensor-config", "reset-sensor", "2").returncode == 0
    free = cli("sensor-config", "load-config", "3")
    assert free.returncode == 61 and "Section 3 is not active" in free.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("SENSOR_CONFIG_OPCODES_XX,16,0,1,2,3\n")
    done = cli("sensor-config", "store-sensor-config", "1", bad, "SENSOR_GENERIC")
    assert done.returncode == 61 and "Failed getting opcode value by name: SENSOR_CONFIG_OPCODES_XX" in done.stderr
    done = cli("sensor-config", "store-sensor-config", "7", csv, "SENSOR_GENERIC")
    assert done.returncode == 2 and "Cannot store sensor config in invalid section 7" in done.stderr


def test_udp_rate_limiter_has_no_ethernet_board_to_limit(cli, tmp_path):
    usage = cli("udp-rate-limiter", "set", "--kbit-rate", "1000")
    assert usage.returncode == 111 and "Either --board-ip or --interface-name must be set" in usage.stderr
    done = cli("udp-rate-limiter", "set", "--kbit-rate", "1000", "--board-ip", "10.0.0.5", "--dport", "32401")
    assert done.returncode == 20
    assert done.stdout == ("Failed creating TrafficControlUtil for 10.0.0.5:32401 with status "
                           "HAILO_ETH_INTERFACE_NOT_FOUND(20); Continuing\n")
    reset = cli("udp-rate-limiter", "reset", "--board-ip", "10.0.0.5")
    assert reset.returncode == 8 and reset.stdout.count("Failed creating TrafficControlUtil") == 16
    scan = cli("udp-rate-limiter", "reset", "--interface-name", "nosuchif0")
    assert scan.returncode == 20 and "Failed scanning ethernet device from interface name " \
                                     "(HAILO_ETH_INTERFACE_NOT_FOUND(20))" in scan.stderr

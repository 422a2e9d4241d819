"""Device presence and identity from the config file."""
import pytest

from hailort_sim.device import SimDevice, load_inventory, scan
from hailort_sim.hef.model import Architecture
from hailort_sim.status import HailoRTException, HailoStatus

ALL_ARCHS = ["HAILO8", "HAILO8L", "HAILO15H", "HAILO15M", "HAILO10H"]


def test_no_config_file_means_no_device():
    assert scan() == []


def test_missing_file_named_by_the_environment_is_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv("HAILORT_SIM_CONFIG", str(tmp_path / "nope.conf"))
    with pytest.raises(HailoRTException) as error:
        load_inventory()
    assert error.value.status == HailoStatus.HAILO_OPEN_FILE_FAILURE
    assert "nope.conf" in str(error.value)


def test_default_path_absent_is_no_device(monkeypatch):
    monkeypatch.delenv("HAILORT_SIM_CONFIG")
    monkeypatch.setattr("hailort_sim.device.inventory.DEFAULT_CONFIG_PATH", "/nonexistent/hailort-sim.conf")
    assert load_inventory().devices == ()


def test_file_without_sections_means_no_device(sim_config):
    sim_config("# nothing\n")
    assert scan() == []


@pytest.mark.parametrize("arch", ALL_ARCHS)
def test_each_architecture_has_a_realistic_identity(sim_config, arch):
    sim_config("[device0]\narchitecture = {}\n".format(arch))
    device = SimDevice.open()
    identity = device.identify()
    assert identity.device_architecture == Architecture[arch]
    assert identity.fw_version == (4, 21, 0) and identity.is_release
    assert identity.protocol_version == 2 and identity.logger_version == 0
    assert identity.board_name.startswith("Hailo-")
    if arch.startswith("HAILO15"):
        assert device.device_id == "[integrated]"
    else:
        assert device.device_id == "0000:01:00.0"
        assert identity.serial_number and identity.part_number and identity.product_name
        assert "pcie" in device.extended_info().supported_features


def test_device_ids_count_up_and_overrides_apply(sim_config):
    sim_config("""
[device0]
architecture = HAILO8
[device1]
architecture = hailo8l
device_id = 4:0.0
board_name = My board
serial_number = SN1
part_number =
product_name = Custom product
firmware_version = 4.20.1
firmware_mode = develop
extended_context_switch_buffer = no
[device2]
architecture = HAILO10H
""")
    assert scan() == ["0000:01:00.0", "0000:04:00.0", "0000:03:00.0"]
    identity = SimDevice.open("0000:04:00.0").identify()
    assert (identity.board_name, identity.serial_number, identity.part_number, identity.product_name) == \
        ("My board", "SN1", "", "Custom product")
    assert identity.fw_version == (4, 20, 1) and not identity.is_release
    assert not identity.extended_context_switch_buffer


def test_open_by_short_bdf_and_first_device(sim_config):
    sim_config("[device0]\narchitecture = HAILO8\n[device1]\narchitecture = HAILO8L\n")
    assert SimDevice.open().device_id == "0000:01:00.0"
    assert SimDevice.open("2:0.0").architecture == Architecture.HAILO8L


@pytest.mark.parametrize("device_id, text", [("0000:07:00.0", "Requested device not found"),
                                              ("garbage", "Invalid device id garbage")])
def test_open_unknown_device(sim_config, device_id, text):
    sim_config("[device0]\n")
    with pytest.raises(HailoRTException) as error:
        SimDevice.open(device_id)
    assert error.value.status == HailoStatus.HAILO_INVALID_ARGUMENT
    assert text in str(error.value)


def test_open_with_no_device(sim_config):
    sim_config("")
    with pytest.raises(HailoRTException) as error:
        SimDevice.open()
    assert error.value.status == HailoStatus.HAILO_INVALID_OPERATION


def test_driver_missing_scenario(sim_config):
    sim_config("[simulator]\ndriver = missing\n[device0]\n")
    with pytest.raises(HailoRTException) as error:
        scan()
    assert error.value.status == HailoStatus.HAILO_DRIVER_NOT_INSTALLED == 64
    assert "Can't find hailort driver class" in str(error.value)


@pytest.mark.parametrize("text, key", [
    ("[device0]\narchitecture = HAILO9\n", "architecture"),
    ("[device0]\ndevice_id = 01:00\n", "device_id"),
    ("[device0]\nfps = fast\n", "fps"),
    ("[device0]\nserial_number = 0123456789abcdefXYZ\n", "serial_number"),
    ("[device0]\nfirmware_version = 4.21\n", "firmware_version"),
    ("[device0]\ncolour = blue\n", "colour"),
    ("[device0]\nsupported_features = pcie, wifi\n", "supported_features"),
    ("[device0]\n[device1]\ndevice_id = 0000:01:00.0\n", "device_id"),
    ("[printer]\n", "printer"),
    ("no section header\n", "expected 'key = value'"),
    ("key = 1\n[device0]\n", "before any [section]"),
    ("[device0]\n[device0]\n", "appears twice"),
    ("[device0]\nfps = 1\nFPS = 2\n", "appears twice"),
    ("[device0\n", "section header"),
    ("[device0]\nlcs = 256\n", "lcs"),
    ("[device0]\ngpio_mask = 0x10000\n", "gpio_mask"),
])
def test_bad_config_names_the_key(sim_config, text, key):
    path = sim_config(text)
    with pytest.raises(HailoRTException) as error:
        scan()
    assert error.value.status == HailoStatus.HAILO_INVALID_ARGUMENT
    assert path in str(error.value) and key in str(error.value)


def test_firmware_mismatch_allows_identify_but_not_controls(sim_config, capsys):
    sim_config("[device0]\nfirmware_version = 4.20.0\n")
    device = SimDevice.open()
    assert "Unsupported firmware operation. Host: 4.21.0, Device: 4.20.0" in capsys.readouterr().err
    assert device.identify().fw_version == (4, 20, 0)
    with pytest.raises(HailoRTException) as error:
        device.extended_info()
    assert error.value.status == HailoStatus.HAILO_UNSUPPORTED_FW_VERSION


@pytest.mark.parametrize("fault, operation, status", [
    ("in_use", "open", HailoStatus.HAILO_DEVICE_IN_USE),
    ("driver_operation_failed", "infer", HailoStatus.HAILO_DRIVER_OPERATION_FAILED),
    ("timeout", "infer", HailoStatus.HAILO_TIMEOUT),
])
def test_injected_faults(sim_config, fault, operation, status):
    sim_config("[device0]\nfault = {}\n".format(fault))
    device = SimDevice.open()
    device.check_fault("open" if operation == "infer" else "infer")   # the other operation is fine
    with pytest.raises(HailoRTException) as error:
        device.check_fault(operation)
    assert error.value.status == status


def test_shipped_layer_config_is_one_hailo8(monkeypatch):
    import pathlib
    path = pathlib.Path(__file__).resolve().parents[2] / \
        "meta-hailo-libhailort/dynamic-layers/meta-python/recipes-hailo/python3-hailort-sim/files/hailort-sim.conf"
    monkeypatch.setenv("HAILORT_SIM_CONFIG", str(path))
    assert scan() == ["0000:01:00.0"]
    assert SimDevice.open().architecture == Architecture.HAILO8


def test_comments_and_case(sim_config):
    sim_config("""# a comment
; another
[simulator]
DRIVER = installed   # inline comment
[device0]
architecture = hailo8l ; inline too
board_name = Board#1
""")
    identity = SimDevice.open().identify()
    assert identity.architecture_name == "HAILO8L"
    assert identity.board_name == "Board#1"     # "#" not after whitespace is part of the value


@pytest.mark.parametrize("text, normalized", [("0000:01:00.0", "0000:01:00.0"), ("1:0.0", "0000:01:00.0"),
                                              ("0001:0A:1f.7", "0001:0a:1f.7"), ("01:00", None), ("1:0.8", None),
                                              ("x:01:00.0", None), ("00000:01:00.0", None), ("0x1:00.0", None),
                                              ("[integrated]", None)])
def test_parse_bdf(text, normalized):
    from hailort_sim.device.inventory import parse_bdf
    assert parse_bdf(text) == normalized


def test_any_config_text_gives_devices_or_a_hailort_error(tmp_path):
    """Whatever the file holds: an inventory or a HailoRTException, never another exception."""
    from hypothesis import given, settings, strategies as st
    path = tmp_path / "fuzz.conf"
    pieces = st.sampled_from(["[device0]", "[device1]", "[simulator]", "[network_group x]", "[", "]", "=", "#", ";",
                              "architecture = HAILO8L", "device_id = 2:0.0", "fps = 0", "fps = -1", "lcs = 300",
                              "soc_id = zz", "gpio_mask = 0x10", "driver = missing", "fault = timeout", "\t",
                              "serial_number = " + "x" * 20, "firmware_version = 4.21.0.1", "\u00e9", "\x00"])
    lines = st.lists(st.one_of(pieces, st.text(max_size=20)), max_size=12)

    @settings(max_examples=100, deadline=None)
    @given(lines)
    def check(text_lines):
        path.write_text("\n".join(text_lines), encoding="utf-8")
        try:
            inventory = load_inventory(str(path))
        except HailoRTException:
            return
        for device in inventory.devices:
            assert device.device_id == "[integrated]" or device.device_id.count(":") == 2
    check()

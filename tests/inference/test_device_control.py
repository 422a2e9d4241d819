"""Device, Control, power measurement and temperature (spec §2.5, §3.16, §3.17, §4.1)."""
import time

import pytest

import hailo_platform
from hailo_platform import (AveragingFactor, Device, DvmTypes, MeasurementBufferIndex, PowerMeasurementTypes,
                            SamplingPeriod)
from hailo_platform.pyhailort.pyhailort import (HailoRTException, HailoRTInvalidArgumentException,
                                                HailoRTInvalidOperationException)


def test_top_level_surface():
    assert hailo_platform.__version__ == "4.21.0"
    for name in hailo_platform.__all__:
        assert hasattr(hailo_platform, name), name
    assert repr(DvmTypes.AUTO) == "<DvmTypes.AUTO: 2147483647>"
    assert str(SamplingPeriod.PERIOD_1100us) == "SamplingPeriod.PERIOD_1100us"
    assert int(AveragingFactor.AVERAGE_256) == 5 and MeasurementBufferIndex(3).name == "MEASUREMENT_BUFFER_INDEX_3"
    assert getattr(hailo_platform.FormatOrder, "12_BIT_BAYER_RGB") == 8
    assert hailo_platform.HailoStreamInterface.PCIe == 0 and hailo_platform.HailoSchedulingAlgorithm.ROUND_ROBIN == 1
    from hailo_platform.pyhailort.pyhailort import get_status_message
    assert get_status_message(4) == "HAILO_TIMEOUT"


def test_scan_identify_release():
    assert Device.scan() == ["0000:01:00.0"]
    device = Device()
    assert repr(device) == "Device('0000:01:00.0')"
    text = str(device.control.identify())
    assert text.startswith("Control Protocol Version: 2\nFirmware Version: 4.21.0 (release,app")
    assert "Device Architecture: HAILO8\n" in text and text.endswith("\n")
    temperature = device.control.get_chip_temperature()
    assert 20.0 < temperature.ts0_temperature < 90.0 and temperature.sample_count >= 1
    device.release()
    device.release()
    with pytest.raises(HailoRTInvalidOperationException, match="has been released"):
        device.control.power_measurement()
    with Device("01:00.0") as short_form:
        assert short_form.device_id == "0000:01:00.0"
    with pytest.raises(HailoRTInvalidArgumentException):
        Device("0000:07:00.0")


def test_no_device(sim_config):
    sim_config("")
    assert Device.scan() == []
    with pytest.raises(HailoRTException, match="HailoRT device not found in the system"):
        Device()


def test_power_measurement_buffers():
    device = Device()
    control = device.control
    single = control.power_measurement()
    assert isinstance(single, float) and 0.5 < single < 5.0
    with pytest.raises(HailoRTInvalidArgumentException, match="only power"):
        control.power_measurement(measurement_type=PowerMeasurementTypes.CURRENT)
    assert control.power_measurement(DvmTypes.VDD_CORE, PowerMeasurementTypes.CURRENT) > 0
    control.set_power_measurement(buffer_index=MeasurementBufferIndex.MEASUREMENT_BUFFER_INDEX_1)
    control.start_power_measurement(averaging_factor=AveragingFactor.AVERAGE_1,
                                    sampling_period=SamplingPeriod.PERIOD_140us)   # a sample every 0.28 ms
    time.sleep(0.05)
    data = control.get_power_measurement(buffer_index=MeasurementBufferIndex.MEASUREMENT_BUFFER_INDEX_1,
                                         should_clear=True)
    assert data.total_number_of_samples > 10
    assert data.min_value <= data.average_value <= data.max_value
    assert data.average_time_value_milliseconds == pytest.approx(0.28)
    control.stop_power_measurement()
    device.release()


def test_hailo15_has_no_power_sensor(sim_config):
    sim_config("[device0]\narchitecture = HAILO15H\n")
    with Device() as device:
        assert device.device_id == "[integrated]"
        with pytest.raises(HailoRTException, match="not supported"):
            device.control.power_measurement()


def test_core_identify_extended_info_throttling():
    with Device() as device:
        control = device.control
        assert str(control.core_identify()).startswith("Core Firmware Version: 4.21.0 (release,core")
        text = str(control.get_extended_device_information())
        assert text.startswith("Neural Network Core Clock Rate: 400.0MHz\nDevice supported features: \n")
        assert "PCIE: Enabled\nCurrent Monitoring: Enabled\n" in text and "Boot source: PCIE\n" in text
        assert control.get_throttling_state() is True
        control.set_throttling_state(False)
        assert control.get_throttling_state() is False
        control.soft_reset()


def test_p2_modules_import_and_fail_cleanly():
    import warnings
    from hailo_platform.pyhailort import i2c_slaves
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from hailo_platform.drivers.hailort.pyhailort import VDevice as OldVDevice
    from hailo_platform import VDevice
    assert OldVDevice is VDevice
    assert i2c_slaves.I2C_SLAVE_EEPROM.register_address_size == 2
    with Device() as device:
        with pytest.raises(HailoRTException) as error:
            i2c_slaves.set_i2c_switch(device.control, i2c_slaves.I2C_SLAVE_RASPICAM)
        assert error.value.status == 79     # HAILO_NOT_SUPPORTED


def test_pcie_device_info():
    from hailo_platform.pyhailort.pyhailort import PcieDeviceInfo
    info = PcieDeviceInfo.from_string("0000:01:00.0")
    assert str(info) == "0000:01:00.0" and repr(info) == "PcieDeviceInfo(0000:01:00.0)"
    assert str(PcieDeviceInfo.from_string("01:00.0")) == "01:00.0"
    assert info == PcieDeviceInfo(1, 0, 0, 0)
    import argparse
    with pytest.raises(argparse.ArgumentTypeError, match="Invalid device info string"):
        PcieDeviceInfo.argument_type("nonsense")


def test_user_config_persists_per_device(tmp_path):
    import json
    import subprocess
    import sys
    from hailo_platform.pyhailort.pyhailort import HailoRTFirmwareControlFailedException
    config = {"system": {"name": "Hailo8 Test", "max_neural_network_core_clock_rate": "100MHZ",
                         "overcurrent_parameters_source": "USER_CONFIG_VALUES",
                         "overcurrent_monitoring_red_threshold": 1100}}
    with Device() as device:
        with pytest.raises(HailoRTFirmwareControlFailedException, match="No user config is loaded"):
            device.control.read_user_config()
        device.control.write_user_config(json.dumps(config).encode())
        for bad, message in ((b"\x00\x01", "not a JSON document"), (b'{"sytem": {}}', "category 'sytem'"),
                             (b'{"system": {"nmae": "x"}}', "field 'system.nmae'"),
                             (json.dumps({"system": {"name": "x" * 33}}).encode(), "at most 32")):
            with pytest.raises(HailoRTInvalidArgumentException, match=message):
                device.control.write_user_config(bad)
    # stored like flash: another process reads what this one wrote (the rejected writes changed nothing)
    code = "from hailo_platform import Device; import sys; sys.stdout.buffer.write(Device().control.read_user_config())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True).stdout
    assert isinstance(out, bytes) and json.loads(out) == config

"""Control's flash, logger, watchdog and health-monitor calls, Device.read_log, and the
HailoRT transform utilities of the real pyHailoRT 4.21.0."""
import threading

import numpy as np
import pytest

from hailo_platform import Device, HailoCpuId, HailoSchedulingAlgorithm, VDevice
from hailo_platform.pyhailort._pyhailort import NotificationId
from hailo_platform.pyhailort.pyhailort import (HailoFirmwareMode, HailoFirmwareType, HailoFirmwareVersion,
                                                HailoRTException, HailoRTTransformUtils, HealthInformation,
                                                TemperatureThrottlingLevel)
from hailort_sim.status import HailoStatus

from firmware_images import DEV_BIT, EXTENDED_BIT, firmware, image, second_stage
from inference_models import shortcut


def status_of(call, *args):
    with pytest.raises(HailoRTException) as failure:
        call(*args)
    return HailoStatus(failure.value.status).name


def version(info):
    v = info.firmware_version
    return "{}.{}.{} {} {}".format(v.major, v.minor, v.revision, v.mode.value, v.fw_type.value)


def test_firmware_update_shows_in_identify_after_a_reset():
    with Device() as device:
        control = device.control
        assert version(control.identify()) == "4.21.0 release app"
        control.firmware_update(firmware(4, 21, 3), should_reset=False)
        assert version(control.identify()) == "4.21.0 release app"     # not running yet
        control.soft_reset()
        assert version(control.identify()) == "4.21.3 release app"
        assert version(control.core_identify()) == "4.21.3 release core"
    with Device() as device:                         # flash outlives the process's handles
        control = device.control
        control.firmware_update(firmware(4, 21, 4 | DEV_BIT))
        assert version(control.identify()) == "4.21.4 develop app"


@pytest.mark.parametrize("binary", [
    b"", b"\x00" * 64,                                                  # too short, wrong magic
    firmware(magic=0xE905DAAB),                                         # a Hailo-15 image on a Hailo-8
    firmware(header_version=1), firmware(code_size=8),                  # header version, code size
    firmware() + b"x",                                                  # leftover bytes
    image(4, 22, 0),                                                    # no certificate, no core image
    firmware(4, 22, 0, core_revision=1),                                # app and core versions differ
    firmware(4, 22, EXTENDED_BIT)])                                     # extended context switch buffer
def test_a_bad_firmware_is_invalid_firmware(binary):
    with Device() as device:
        assert status_of(device.control.firmware_update, binary) == "HAILO_INVALID_FIRMWARE"
        assert version(device.control.identify()) == "4.21.0 release app"


def test_second_stage_update():
    with Device() as device:
        device.control.second_stage_update(second_stage(1, 2, 0))
        assert status_of(device.control.second_stage_update, second_stage(1, 0, 0)) == "HAILO_INVALID_SECOND_STAGE"
        assert status_of(device.control.second_stage_update, firmware()) == "HAILO_INVALID_SECOND_STAGE"


def test_board_config_is_stored_per_device():
    with Device() as device:
        assert device.control.read_board_config() == bytes(500)
        device.control.write_board_config(b"board-config")
        assert device.control.read_board_config() == b"board-config" + bytes(488)
        assert status_of(device.control.write_board_config, bytes(501)) == "HAILO_INVALID_OPERATION"


def test_logger_watchdog_and_previous_state():
    with Device() as device:
        control = device.control
        control.set_fw_logger(2, 1)
        control.wd_config(HailoCpuId.CPU0, 100000, 0)
        control.wd_enable(HailoCpuId.CPU0)
        control.wd_disable(HailoCpuId.CPU1)
        assert control.previous_system_state(HailoCpuId.CPU0) == 0
        assert status_of(control.wd_enable, 2) == "HAILO_INVALID_ARGUMENT"
        control.firmware_update(firmware(4, 21, 1))
        log = b""
        while True:
            chunk = device.read_log(16, HailoCpuId.CPU0)
            assert len(chunk) <= 16
            if not chunk:
                break
            log += chunk
        assert log == b"Firmware update to 4.21.1 written\nDevice reset\n"
        assert device.read_log(256, HailoCpuId.CPU1) == b""


def test_temperature_alarm_notification_from_the_health_monitor(write_model, tmp_path):
    from hailort_sim.pipeline import device_link
    with Device() as device:
        # thresholds low enough for the simulated thermal model (ambient 38 C + 15 C at full load)
        device.control.write_user_config(b'{"system": {"temperature_orange_threshold": 42, '
                                         b'"temperature_orange_hysteresis_threshold": 40}}')
    received = threading.Event()
    calls = []

    def callback(handle, notification, opaque):
        calls.append((notification.notification_id, notification.body, opaque))
        received.set()

    path = write_model(shortcut(shape=(1, 1, 16), fps=200))
    device = Device()
    try:
        device.control.set_notification_callback(callback, NotificationId.HEALTH_MONITOR_TEMPERATURE_ALARM, "me")
        params = VDevice.create_params()
        params.scheduling_algorithm = HailoSchedulingAlgorithm.ROUND_ROBIN
        device_link.set_timing_override(lambda group, dev: (0.005, 0.005))      # 200 fps: the device stays busy
        with VDevice(params) as vdevice, vdevice.create_infer_model(path).configure() as configured:
            bindings = configured.create_bindings()
            bindings.input().set_buffer(np.zeros((1, 1, 16), np.uint8))
            bindings.output().set_buffer(np.zeros((1, 1, 16), np.uint8))
            while not received.is_set():
                configured.wait_for_async_ready(timeout_ms=1000)
                configured.run_async([bindings])
                assert len(calls) < 10
        device.control.remove_notification_callback(NotificationId.HEALTH_MONITOR_TEMPERATURE_ALARM)
    finally:
        device.release()
    notification_id, body, opaque = calls[0]
    assert notification_id == NotificationId.HEALTH_MONITOR_TEMPERATURE_ALARM and opaque == "me"
    alarm = body.health_monitor_temperature_alarm_notification
    assert alarm.temperature_zone == 1 and max(alarm.ts0_temperature, alarm.ts1_temperature) > 42


def test_firmware_version_members():
    version = HailoFirmwareVersion.construct_from_params(4, 21, 2 | HailoFirmwareVersion.DEV_BIT, False, True,
                                                         HailoFirmwareType.CORE)
    assert (version.major, version.minor, version.revision) == (4, 21, 2)
    assert version.mode is HailoFirmwareMode.DEVELOP and version.fw_type is HailoFirmwareType.CORE
    assert str(version) == "4.21.2 (develop,core,extended context switch buffer)"
    older = HailoFirmwareVersion(b"\x04\x00\x00\x00\x14\x00\x00\x00\x09\x00\x00\x00", True, False,
                                 HailoFirmwareType.APP)
    assert older < version and version.check_protocol_compatibility(
        HailoFirmwareVersion.construct_from_params(4, 21, 0, True, False, HailoFirmwareType.APP))
    assert not older.check_protocol_compatibility(version)
    assert version.comparable_value == (4 << 64) + (21 << 32) + 2


def test_health_information_keeps_one_level_per_clock():
    levels = [TemperatureThrottlingLevel(0, 90, 85, 400), TemperatureThrottlingLevel(1, 95, 90, 300),
              TemperatureThrottlingLevel(2, 100, 95, 300)]
    info = HealthInformation(True, 0, 1100, True, True, 0, 0, levels, 104, 99, 120, 116, 400, 400)
    assert [level.throttling_nn_clock_freq for level in info.temperature_throttling_levels] == [400, 300]
    assert "Temperature Protection Orange Threshold: 104" in str(info)
    off = HealthInformation(True, 0, 1100, True, False, 0, 0, levels, 104, 99, 120, 116, 400, 400)
    assert off.temperature_throttling_levels == [] and "<Temperature throttling is disabled>" in str(off)


def test_nms_conversions_of_by_class_buffers():
    # two classes, up to 2 boxes each: class 0 has one box, class 1 none
    frame = np.array([1, 0.1, 0.2, 0.3, 0.4, 0.9, 0], np.float32)
    per_class = HailoRTTransformUtils.output_raw_buffer_to_nms_format_single_frame(frame, 2)
    assert per_class[0].tolist() == [pytest.approx([0.1, 0.2, 0.3, 0.4, 0.9])] and per_class[1].shape == (0, 5)
    assert len(HailoRTTransformUtils.output_raw_buffer_to_nms_format([frame, frame], 2)) == 2
    raw = np.concatenate([np.pad(frame, (0, 2 * (5 * 2 + 1) - frame.size))] * 2)
    tf = HailoRTTransformUtils.output_raw_buffer_to_nms_tf_format(raw, (2, 2, 5, 2), np.float32, 0)
    assert tf.shape == (2, 2, 5, 2)
    assert tf[0, 0, :, 0].tolist() == pytest.approx([0.1, 0.2, 0.3, 0.4, 0.9])
    assert not tf[0, 0, :, 1].any() and not tf[0, 1].any()

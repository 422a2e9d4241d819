"""HEF architecture compatibility (runtime-spec §13.2, libhailort is_hef_compatible)."""
import pytest

from hailort_sim.device import SimDevice, check_compatible
from hailort_sim.hef.model import Architecture, ProtoHwArch
from hailort_sim.status import HailoRTException, HailoRTHEFNotCompatibleWithDevice, HailoStatus

from sim_models import model

A, P = Architecture, ProtoHwArch
ACCEPTED = {
    A.HAILO8: {P.HAILO8, P.HAILO8P, P.HAILO8R, P.HAILO8L},
    A.HAILO8L: {P.HAILO8L},
    A.HAILO15H: {P.HAILO15H, P.HAILO15M, P.HAILO10H, P.GINGER, P.LAVENDER},
    A.HAILO10H: {P.HAILO15H, P.HAILO15M, P.HAILO10H, P.GINGER, P.LAVENDER},
    A.HAILO15M: {P.HAILO15M},
}


@pytest.mark.parametrize("device", list(ACCEPTED))
@pytest.mark.parametrize("hef", [P.HAILO8, P.HAILO8L, P.HAILO15H, P.HAILO15M, P.HAILO10H, P.HAILO15L])
def test_matrix(device, hef):
    if hef in ACCEPTED[device]:
        check_compatible(device, model(hef))
    else:
        with pytest.raises(HailoRTHEFNotCompatibleWithDevice) as error:
            check_compatible(device, model(hef))
        assert error.value.status == HailoStatus.HAILO_HEF_NOT_COMPATIBLE_WITH_DEVICE == 93


def test_error_text_is_libhailorts(capsys):
    with pytest.raises(HailoRTException) as error:
        check_compatible("HAILO15H", model(P.HAILO8))
    text = "HEF format is not compatible with device. Device arch: HAILO15H, HEF arch: HAILO8"
    assert text in str(error.value)
    assert "[HailoRT] [error] " + text in capsys.readouterr().err


def test_lower_performance_warning(capsys):
    check_compatible(A.HAILO8, model(P.HAILO8L))
    assert "HEF was compiled for Hailo8L device, while the device itself is Hailo8" in capsys.readouterr().err


def test_device_check_needs_supported_firmware(sim_config):
    sim_config("[device0]\narchitecture = HAILO8L\n[device1]\nfirmware_version = 4.18.0\n")
    SimDevice.open("0000:01:00.0").check_compatible(model(P.HAILO8L))
    with pytest.raises(HailoRTException) as error:
        SimDevice.open("0000:01:00.0").check_compatible(model(P.HAILO8))
    assert error.value.status == HailoStatus.HAILO_HEF_NOT_COMPATIBLE_WITH_DEVICE
    with pytest.raises(HailoRTException) as error:
        SimDevice.open("0000:02:00.0").check_compatible(model(P.HAILO8))
    assert error.value.status == HailoStatus.HAILO_UNSUPPORTED_FW_VERSION

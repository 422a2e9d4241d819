"""A VDevice that goes through the service checks HEF compatibility like an in-process one."""
import pytest

from hailort_sim.hef.samples import sample_bytes


def _vdevice(service_on):
    from hailo_platform import HailoSchedulingAlgorithm, VDevice
    params = VDevice.create_params()
    params.scheduling_algorithm = HailoSchedulingAlgorithm.ROUND_ROBIN
    params.multi_process_service = service_on
    return VDevice(params)


@pytest.mark.parametrize("service_on", [False, True], ids=["in-process", "service"])
def test_hef_for_another_architecture_is_refused(service, service_on):
    from hailo_platform.pyhailort.pyhailort import HailoRTHEFNotCompatibleWithDevice
    service()
    with _vdevice(service_on) as vdevice:
        with pytest.raises(HailoRTHEFNotCompatibleWithDevice):
            vdevice.create_infer_model(sample_bytes("shortcut_net_hailo15h"))
        assert vdevice.create_infer_model(sample_bytes("shortcut_net_hailo8")).inputs

"""Deprecated device classes (P2, spec §5.1). Ethernet devices are not simulated."""
from hailo_platform.pyhailort.pyhailort import Device, HailoRTException, default_logger


class HailoHWObjectException(Exception):
    pass


class InferenceTargets:
    UNINITIALIZED = "uninitialized"
    UDP_CONTROLLER = "udp"
    PCIE_CONTROLLER = "pcie"


class PcieDevice(Device):
    """Deprecated: use Device / VDevice."""
    NAME = InferenceTargets.PCIE_CONTROLLER

    def __init__(self, device_info=None):
        default_logger().warning("PcieDevice is deprecated! Please use VDevice/Device object.")
        super().__init__(None if device_info is None else str(device_info))

    @staticmethod
    def scan_devices():
        return Device.scan()


class EthernetDevice:
    """Deprecated Hailo-8 Ethernet device: the simulator has no Ethernet devices."""
    NAME = InferenceTargets.UDP_CONTROLLER

    def __init__(self, remote_ip, remote_control_port=22401):
        raise HailoRTException(f"No simulated Ethernet device at {remote_ip}")

    @staticmethod
    def scan_devices(interface_name, timeout_seconds=3):
        return []

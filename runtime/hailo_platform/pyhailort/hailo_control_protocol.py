"""``hailo_platform.pyhailort.hailo_control_protocol``: deprecated re-exports, as in pyHailoRT 4.21.0."""
import warnings

from hailo_platform.pyhailort.pyhailort import (  # noqa: F401  (re-exported names)
    SUPPORTED_FW_MAJOR, SUPPORTED_FW_MINOR, SUPPORTED_FW_REVISION, SUPPORTED_PROTOCOL_VERSION, BoardInformation,
    CoreInformation, DeviceArchitectureTypes, ExtendedDeviceInformation, HailoFirmwareMode, HailoFirmwareType,
    HailoFirmwareVersion, HealthInformation, SupportedFeatures, TemperatureThrottlingLevel)

warnings.warn("Importing hailo_control_protocol directly is deprecated. One should use direct hailo_platform instead")  # noqa: B028 (as pyhailort warns)

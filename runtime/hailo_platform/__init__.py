"""pyHailoRT 4.21.0 compatible API (``hailo_platform``) over the simulated runtime.

Same import paths, names and behaviour as the real package; inference runs on the
simulated devices of ``hailort_sim`` (see docs/architecture.md).
"""
import os

from hailo_platform.pyhailort._pyhailort import __version__ as _native_version
from hailo_platform.pyhailort.pyhailort import (  # noqa: F401
    HEF, AsyncInferJob, AveragingFactor, ConfigureParams, Device, DvmTypes, Endianness, FormatOrder, FormatType,
    HailoCommunicationClosedException, HailoCpuId, HailoFormatFlags, HailoPowerMode, HailoRTException,
    HailoRTStreamAbortedByUser, HailoSchedulingAlgorithm, HailoStreamDirection, HailoStreamInterface,
    InferVStreams, InputVStreamParams, InputVStreams, MeasurementBufferIndex, OutputVStreamParams, OutputVStreams,
    PowerMeasurementTypes, SamplingPeriod, VDevice)
from hailo_platform.pyhailort.hw_object import EthernetDevice, PcieDevice  # noqa: F401
from hailo_platform.pyhailort.mipi import (  # noqa: F401
    IspLightFrequency, MipiClockSelection, MipiDataTypeRx, MipiIspImageInOrder, MipiIspImageOutDataType,
    MipiPixelsPerClock)
from hailo_platform.tools.udp_rate_limiter import UDPRateLimiter  # noqa: F401

__version__ = "4.21.0"
if _native_version != __version__:
    raise ImportError(f"_pyhailort version ({_native_version}) does not match pyhailort version ({__version__})")


def join_drivers_path(path):
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "drivers", path)


__all__ = ["EthernetDevice", "DvmTypes", "PowerMeasurementTypes", "SamplingPeriod", "AveragingFactor",
           "MeasurementBufferIndex", "UDPRateLimiter", "PcieDevice", "HEF", "ConfigureParams", "FormatType",
           "FormatOrder", "MipiDataTypeRx", "MipiPixelsPerClock", "MipiClockSelection", "MipiIspImageInOrder",
           "MipiIspImageOutDataType", "join_drivers_path", "IspLightFrequency", "HailoPowerMode", "Endianness",
           "HailoStreamInterface", "InputVStreamParams", "OutputVStreamParams", "InputVStreams", "OutputVStreams",
           "InferVStreams", "HailoStreamDirection", "HailoFormatFlags", "HailoCpuId", "Device", "VDevice",
           "HailoRTException", "HailoSchedulingAlgorithm", "HailoRTStreamAbortedByUser", "AsyncInferJob",
           "HailoCommunicationClosedException"]

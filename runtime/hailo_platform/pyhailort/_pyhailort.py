"""Stand-in for pyHailoRT's native extension ``_pyhailort``: its enums, info/struct types and
parameter objects, with the real names and values (spec §3.2, §3.4, §3.14-§3.17, §4.6).

Enums behave like pybind11 enums: ``repr`` ``<FormatType.UINT8: 1>``, ``str``
``FormatType.UINT8``, ``.name``/``.value``, int comparison and construction from int.
"""
from enum import IntEnum
from typing import List

from hailort_sim.hef import model as _model
from hailort_sim.pipeline import formats as _formats
from hailort_sim.status import (HailoRTException as _HailoRTException, HailoStatus as _HailoStatus,
                                get_status_message)

__version__ = "4.21.0"


class _PybindEnum(IntEnum):
    def __str__(self):
        return f"{type(self).__name__}.{self.name}"

    def __format__(self, spec):
        return int.__format__(int(self), spec) if spec else str(self)


FormatType = _PybindEnum("FormatType", [("AUTO", 0), ("UINT8", 1), ("UINT16", 2), ("FLOAT32", 3)],
                         module=__name__)
# Value 9 (HAILO_NMS) is not exposed in 4.21 (spec §3.14, §19 #13); '12_BIT_BAYER_RGB' is
# only reachable with getattr, as in pybind.
FormatOrder = _PybindEnum("FormatOrder", [
    ("AUTO", 0), ("NHWC", 1), ("NHCW", 2), ("FCR", 3), ("F8CR", 4), ("NHW", 5), ("NC", 6), ("BAYER_RGB", 7),
    ("12_BIT_BAYER_RGB", 8), ("RGB888", 10), ("NCHW", 11), ("YUY2", 12), ("NV12", 13), ("NV21", 14),
    ("YYUV", 15), ("YYVU", 16), ("RGB4", 17), ("I420", 18), ("YYYYUV", 19), ("HAILO_NMS_WITH_BYTE_MASK", 20),
    ("HAILO_NMS_ON_CHIP", 21), ("HAILO_NMS_BY_CLASS", 22), ("HAILO_NMS_BY_SCORE", 23)], module=__name__)
FormatFlags = _PybindEnum("FormatFlags", [("NONE", 0), ("TRANSPOSED", 2)], module=__name__)
SchedulingAlgorithm = _PybindEnum("SchedulingAlgorithm", [("NONE", 0), ("ROUND_ROBIN", 1)], module=__name__)
StreamInterface = _PybindEnum("StreamInterface", [("PCIe", 0), ("ETH", 1), ("MIPI", 2), ("INTEGRATED", 3)],
                              module=__name__)
StreamDirection = _PybindEnum("StreamDirection", [("H2D", 0), ("D2H", 1)], module=__name__)
PowerMode = _PybindEnum("PowerMode", [("PERFORMANCE", 0), ("ULTRA_PERFORMANCE", 1)], module=__name__)
CpuId = _PybindEnum("CpuId", [("CPU0", 0), ("CPU1", 1)], module=__name__)
Endianness = _PybindEnum("Endianness", [("BIG_ENDIAN", 0), ("LITTLE_ENDIAN", 1)], module=__name__)
DvmTypes = _PybindEnum("DvmTypes", [
    ("VDD_CORE", 0), ("VDD_IO", 1), ("MIPI_AVDD", 2), ("MIPI_AVDD_H", 3), ("USB_AVDD_IO", 4), ("VDD_TOP", 5),
    ("USB_AVDD_IO_HV", 6), ("AVDD_H", 7), ("SDIO_VDD_IO", 8), ("OVERCURRENT_PROTECTION", 9),
    ("AUTO", 2147483647)], module=__name__)
PowerMeasurementTypes = _PybindEnum("PowerMeasurementTypes", [
    ("SHUNT_VOLTAGE", 0), ("BUS_VOLTAGE", 1), ("POWER", 2), ("CURRENT", 3), ("AUTO", 2147483647)],
    module=__name__)
SamplingPeriod = _PybindEnum("SamplingPeriod", [
    ("PERIOD_140us", 0), ("PERIOD_204us", 1), ("PERIOD_332us", 2), ("PERIOD_588us", 3), ("PERIOD_1100us", 4),
    ("PERIOD_2116us", 5), ("PERIOD_4156us", 6), ("PERIOD_8244us", 7)], module=__name__)
AveragingFactor = _PybindEnum("AveragingFactor", [
    ("AVERAGE_1", 0), ("AVERAGE_4", 1), ("AVERAGE_16", 2), ("AVERAGE_64", 3), ("AVERAGE_128", 4),
    ("AVERAGE_256", 5), ("AVERAGE_512", 6), ("AVERAGE_1024", 7)], module=__name__)
MeasurementBufferIndex = _PybindEnum("MeasurementBufferIndex", [
    ("MEASUREMENT_BUFFER_INDEX_0", 0), ("MEASUREMENT_BUFFER_INDEX_1", 1), ("MEASUREMENT_BUFFER_INDEX_2", 2),
    ("MEASUREMENT_BUFFER_INDEX_3", 3)], module=__name__)
DeviceArchitecture = _PybindEnum("DeviceArchitecture", [(a.name, a.value) for a in _model.Architecture],
                                 module=__name__)
BootSource = _PybindEnum("BootSource", [("INVALID", 0), ("PCIE", 1), ("FLASH", 2)], module=__name__)
ResetDeviceMode = _PybindEnum("ResetDeviceMode", [("CHIP", 0), ("NN_CORE", 1), ("SOFT", 2), ("FORCED_SOFT", 3)],
                              module=__name__)
LatencyMeasurementFlags = _PybindEnum("LatencyMeasurementFlags", [("NONE", 0), ("MEASURE", 1),
                                                                 ("CLEAR_AFTER_GET", 2)], module=__name__)

NotificationId = _PybindEnum("NotificationId", [
    ("ETHERNET_RX_ERROR", 0), ("HEALTH_MONITOR_TEMPERATURE_ALARM", 1), ("HEALTH_MONITOR_DATAFLOW_SHUTDOWN", 2),
    ("HEALTH_MONITOR_OVERCURRENT_ALARM", 3), ("HEALTH_MONITOR_LCU_ECC_CORRECTABLE_ERROR", 4),
    ("HEALTH_MONITOR_LCU_ECC_UNCORRECTABLE_ERROR", 5), ("HEALTH_MONITOR_CPU_ECC_ERROR", 6),
    ("HEALTH_MONITOR_CPU_ECC_FATAL", 7), ("DEBUG", 8), ("CONTEXT_SWITCH_BREAKPOINT_REACHED", 9),
    ("HEALTH_MONITOR_CLOCK_CHANGED_EVENT", 10)], module=__name__)
WatchdogMode = _PybindEnum("WatchdogMode", [("WATCHDOG_MODE_HW_SW", 0), ("WATCHDOG_MODE_HW_ONLY", 1)],
                           module=__name__)
SensorConfigTypes = _PybindEnum("SensorConfigTypes", [
    ("SENSOR_GENERIC", 0), ("ONSEMI_AR0220AT", 1), ("SENSOR_RASPICAM", 2), ("ONSEMI_AS0149AT", 3),
    ("HAILO8_ISP", 0x80000000)], module=__name__)
OvercurrentAlertState = _PybindEnum("OvercurrentAlertState", [("OVERCURRENT_ZONE_GREEN", 0),
                                                              ("OVERCURRENT_ZONE_RED", 1)], module=__name__)
TemperatureZone = _PybindEnum("TemperatureZone", [("TEMPERATURE_ZONE_GREEN", 0), ("TEMPERATURE_ZONE_ORANGE", 1),
                                                  ("TEMPERATURE_ZONE_RED", 2)], module=__name__)
FwLoggerLevel = _PybindEnum("FwLoggerLevel", [("TRACE", 0), ("DEBUG", 1), ("INFO", 2), ("WARN", 3), ("ERROR", 4),
                                              ("FATAL", 5)], module=__name__)
FwLoggerInterface = _PybindEnum("FwLoggerInterface", [("PCIE", 1), ("UART", 2)], module=__name__)
SleepState = _PybindEnum("SleepState", [("SLEEP_STATE_SLEEPING", 0), ("SLEEP_STATE_AWAKE", 1)], module=__name__)
TransformMode = _PybindEnum("TransformMode", [("NO_TRANSFORM", 0), ("TRANSFORM_COPY", 1)], module=__name__)
VStreamStatsFlags = _PybindEnum("VStreamStatsFlags", [("NONE", 0), ("MEASURE_FPS", 1), ("MEASURE_LATENCY", 2)],
                                module=__name__)
PipelineElemStatsFlags = _PybindEnum("PipelineElemStatsFlags", [
    ("NONE", 0), ("MEASURE_FPS", 1), ("MEASURE_LATENCY", 2), ("MEASURE_QUEUE_SIZE", 4)], module=__name__)

PCIE_ANY_DOMAIN = 0xFFFFFFFF


class PcieDeviceInfo:
    """``hailo_pcie_device_info_t``: domain, bus, device, func."""

    def __init__(self, bus=0, device=0, func=0, domain=PCIE_ANY_DOMAIN):
        self.domain, self.bus, self.device, self.func = domain, bus, device, func


SAMPLING_PERIOD_US = {0: 140, 1: 204, 2: 332, 3: 588, 4: 1100, 5: 2116, 6: 4156, 7: 8244}
AVERAGING_FACTOR = {0: 1, 1: 4, 2: 16, 3: 64, 4: 128, 5: 256, 6: 512, 7: 1024}


# The native module raises HailoRTStatusException(str(status)) where pyhailort does not wrap a
# call (spec §6.3). Here every call site raises the mapped HailoRTException subclass (with the
# status in ``.status``); naming the base class this way keeps ``except
# _pyhailort.HailoRTStatusException`` clauses written for those call sites working.
HailoRTStatusException = _HailoRTException


class HailoRTCustomException(Exception):
    """Native custom errors (e.g. "Format order has no shape"); not a HailoRTException."""


class QuantInfo:
    def __init__(self, qp_zp=0.0, qp_scale=0.0, limvals_min=0.0, limvals_max=0.0):
        self.qp_zp, self.qp_scale = float(qp_zp), float(qp_scale)
        self.limvals_min, self.limvals_max = float(limvals_min), float(limvals_max)

    @classmethod
    def _from_model(cls, q: _model.QuantInfo) -> "QuantInfo":
        return cls(q.qp_zp, q.qp_scale, q.limvals_min, q.limvals_max)

    def _to_model(self) -> _model.QuantInfo:
        return _model.QuantInfo(self.qp_zp, self.qp_scale, self.limvals_min, self.limvals_max)

    def __eq__(self, other):
        return isinstance(other, QuantInfo) and vars(self) == vars(other)

    def __repr__(self):
        return (f"QuantInfo(qp_zp={self.qp_zp}, qp_scale={self.qp_scale}, limvals_min={self.limvals_min}, "
                f"limvals_max={self.limvals_max})")


class HailoFormat:
    def __init__(self, type=FormatType.AUTO, order=FormatOrder.AUTO, flags=FormatFlags.NONE):
        self.type, self.order, self.flags = FormatType(int(type)), FormatOrder(int(order)), flags

    def equals(self, other) -> bool:
        return (int(self.type), int(self.order), int(self.flags)) == (int(other.type), int(other.order),
                                                                      int(other.flags))

    __eq__ = equals
    __hash__ = object.__hash__

    def __repr__(self):
        return f"HailoFormat(type={self.type}, order={self.order}, flags={self.flags})"


def _format(fmt: _model.Format) -> HailoFormat:
    order = 0 if int(fmt.order) == 9 else int(fmt.order)
    return HailoFormat(int(fmt.type), order, FormatFlags(int(fmt.flags) & 2))


class NmsShape:
    def __init__(self, nms: _model.NmsInfo):
        self._nms = nms

    number_of_classes = property(lambda self: self._nms.number_of_classes)
    max_bboxes_per_class = property(lambda self: self._nms.max_bboxes_per_class)
    max_bboxes_total = property(lambda self: _formats.nms_max_total(self._nms))
    max_accumulated_mask_size = property(lambda self: self._nms.max_accumulated_mask_size)


class VStreamInfo:
    """``hailo_vstream_info_t`` (host side)."""

    def __init__(self, info: _model.VStreamInfo):
        self._info = info
        self.name = info.name
        self.network_name = info.network_name
        self.direction = StreamDirection(int(info.direction))
        self.format = _format(info.format)
        self.quant_info = QuantInfo._from_model(info.quant_info)

    @property
    def shape(self):
        if self._info.is_nms and int(self.format.order) != int(FormatOrder.HAILO_NMS_BY_CLASS):
            raise HailoRTCustomException("Format order has no shape")
        return _formats.vstream_info_shape(self._info)

    @property
    def nms_shape(self):
        if not self._info.is_nms:
            raise HailoRTCustomException("nms_shape is availale only on nms order vstreams")
        return NmsShape(self._info.nms_info)

    def __repr__(self):
        return f'VStreamInfo("{self.name}")'

    def __reduce__(self):
        return (VStreamInfo, (self._info,))


class StreamInfo:
    """``hailo_stream_info_t`` (device side): ``shape`` is the padded hw shape."""

    def __init__(self, info: _model.StreamInfo):
        self._info = info
        self.name = info.name
        self.direction = StreamDirection(int(info.direction))
        self.format = _format(info.format)
        self.quant_info = QuantInfo._from_model(info.quant_info)
        self.sys_index = info.sys_index
        self.data_bytes = 2 if int(info.format.type) == 2 else 1

    @property
    def shape(self):
        # As pyhailort.cpp's StreamInfo.shape: by the stream's format order (checked against the
        # real pyhailort, docs/oracle.md): an NC stream is (features,), not (1, 1, features).
        order = int(self.format.order)
        height, width, features = self._info.hw_shape
        if order == FormatOrder.NC:
            return (features,)
        if order == FormatOrder.NHW:
            return (height, width)
        if order == FormatOrder.HAILO_NMS_ON_CHIP:
            return (self._info.hw_frame_size,)
        return (height, width, features)

    @property
    def nms_shape(self):
        # A stream's NMS shape is its frame size as a 1-tuple (pyhailort.cpp), not an NmsShape.
        if int(self.format.order) != FormatOrder.HAILO_NMS_ON_CHIP:
            raise HailoRTCustomException("nms_shape is availale only on nms order streams")
        return (self._info.hw_frame_size,)

    def __repr__(self):
        return f'StreamInfo("{self.name}")'

    def __reduce__(self):
        return (StreamInfo, (self._info,))


class NetworkGroupInfo:
    def __init__(self, name: str, is_multi_context: bool):
        self.name, self.is_multi_context = name, is_multi_context

    def __repr__(self):
        return f'NetworkGroupInfo("{self.name}")'


class ImageShape:
    def __init__(self, height=0, width=0, features=0):
        self.height, self.width, self.features = height, width, features


class VDeviceParams:
    """``hailo_vdevice_params_t`` with the Python defaults (scheduler NONE, spec §3.2, §19 #3)."""

    def __init__(self):
        self.device_count = 1
        self._device_ids: List[str] = []
        self._scheduling_algorithm = 0
        self.group_id = "UNIQUE"
        self.multi_process_service = False

    @property
    def device_ids(self):
        return list(self._device_ids)

    @device_ids.setter
    def device_ids(self, ids):
        self._device_ids = [str(i) for i in ids]
        self.device_count = len(self._device_ids)

    @property
    def scheduling_algorithm(self):
        return int(self._scheduling_algorithm)     # the pybind getter returns a plain int

    @scheduling_algorithm.setter
    def scheduling_algorithm(self, value):
        self._scheduling_algorithm = int(value)


class NetworkParameters:
    def __init__(self, batch_size=0):
        self.batch_size = batch_size


class StreamParameters:
    def __init__(self, stream_interface=StreamInterface.PCIe, direction=StreamDirection.H2D):
        self.stream_interface, self.direction = stream_interface, direction


class ConfigureParams:
    """``hailo_configure_network_group_params_t``."""

    def __init__(self):
        self.batch_size = 0
        self.power_mode = PowerMode.PERFORMANCE
        self.stream_params_by_name = {}
        self.network_params_by_name = {}


class ActivateNetworkGroupParams:
    """Opaque, default-constructed (spec §3.5)."""


class VStreamParams:
    def __init__(self, user_buffer_format=None, timeout_ms=10000, queue_size=2):
        self.user_buffer_format = user_buffer_format or HailoFormat()
        self.timeout_ms = timeout_ms
        self.queue_size = queue_size
        self.vstream_stats_flags = 0
        self.pipeline_elements_stats_flags = 0


class PowerMeasurementData:
    def __init__(self, average_value, average_time_value_milliseconds, min_value, max_value,
                 total_number_of_samples):
        self._values = (float(average_value), float(average_time_value_milliseconds), float(min_value),
                        float(max_value), int(total_number_of_samples))

    average_value = property(lambda self: self._values[0])
    average_time_value_milliseconds = property(lambda self: self._values[1])
    min_value = property(lambda self: self._values[2])
    max_value = property(lambda self: self._values[3])
    total_number_of_samples = property(lambda self: self._values[4])

    def equals(self, other) -> bool:
        return self._values == other._values

    def __reduce__(self):
        return (PowerMeasurementData, self._values)


class TemperatureInfo:
    def __init__(self, ts0_temperature, ts1_temperature, sample_count):
        self.ts0_temperature, self.ts1_temperature = float(ts0_temperature), float(ts1_temperature)
        self.sample_count = int(sample_count)

    def equals(self, other) -> bool:
        return (self.ts0_temperature, self.ts1_temperature, self.sample_count) == (
            other.ts0_temperature, other.ts1_temperature, other.sample_count)


def get_format_data_bytes(fmt) -> int:
    return {0: 1, 1: 1, 2: 2, 3: 4}[int(fmt.type)]


def is_qp_valid(quant_info) -> bool:
    return any((quant_info.qp_zp, quant_info.qp_scale, quant_info.limvals_min, quant_info.limvals_max))


__all__ = [n for n in dir() if not n.startswith("_") or n in ("__version__",)]
_unused = (_HailoStatus, get_status_message)

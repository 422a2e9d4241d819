"""``hailo_platform.pyhailort.pyhailort``: pyHailoRT 4.21.0's classes with their real names,
signatures, defaults, return types and exceptions, over ``hailort_sim.pipeline``.

No logic lives here beyond argument shaping and the Python-side behaviour the real package
implements in Python (warnings, dtype casts, NMS result views). Where the guide and the real
package disagree, the choice is noted at the spot with its spec §19 number.
"""
import gc
import logging
import os
import struct
import sys
from dataclasses import dataclass
from enum import Enum
from typing import List

import numpy as np

from hailort_sim import status as _status
from hailort_sim.device import flash as _flash
from hailort_sim.hef.model import Direction as _Direction, HefModel as _HefModel
from hailort_sim.pipeline import device_control as _control
from hailort_sim.pipeline import device_link as _link
from hailort_sim.pipeline import formats as _formats
from hailort_sim.pipeline import health as _health
from hailort_sim.pipeline import infer_model as _im
from hailort_sim.pipeline import network as _net
from hailort_sim.pipeline import vdevice as _vd
from hailo_platform.pyhailort import _pyhailort
from hailo_platform.pyhailort._pyhailort import (  # noqa: F401  (re-exported names)
    ActivateNetworkGroupParams, AveragingFactor, BootSource, DvmTypes, FormatFlags, FormatOrder, FormatType,
    HailoFormat, MeasurementBufferIndex, NetworkGroupInfo, NotificationId, OvercurrentAlertState,
    PowerMeasurementData, PowerMeasurementTypes, QuantInfo, SamplingPeriod, SensorConfigTypes, StreamInfo,
    TemperatureInfo, VStreamInfo, WatchdogMode)
from hailo_platform.pyhailort.mipi import (  # noqa: F401  (re-exported names)
    IspLightFrequency, MipiClockSelection, MipiDataTypeRx, MipiIspImageInOrder, MipiIspImageOutDataType,
    MipiPixelsPerClock)
from hailort_sim.status import (  # noqa: F401  (the exception classes, real names)
    HailoCommunicationClosedException, HailoRTDriverOperationFailedException, HailoRTEthException, HailoRTException,
    HailoRTFirmwareControlFailedException, HailoRTHEFNotCompatibleWithDevice, HailoRTInvalidArgumentException,
    HailoRTInvalidFrameException, HailoRTInvalidHEFException, HailoRTInvalidOperationException,
    HailoRTNetworkGroupNotActivatedException, HailoRTNotFoundException, HailoRTPCIeDriverException,
    HailoRTStreamAborted, HailoRTStreamAbortedByUser, HailoRTTimeout, HailoRTUnsupportedOpcodeException,
    HailoStatusInvalidValueException, InvalidProtocolVersionException, UdpRecvError, get_status_message)

BBOX_PARAMS = 5
BBOX_WITH_MASK_PARAMS = 6
DEFAULT_VSTREAM_TIMEOUT_MS = 10000
DEFAULT_VSTREAM_QUEUE_SIZE = 2
HAILO_DEFAULT_ETH_CONTROL_PORT = 22401
INPUT_DATAFLOW_BASE_PORT = 32401
OUTPUT_DATAFLOW_BASE_PORT = 32501
PCIE_ANY_DOMAIN = 4294967295
HAILO_UNIQUE_VDEVICE_GROUP_ID = "UNIQUE"
BOARD_INFO_NOT_CONFIGURED_ATTR = "<N/A>"
SUPPORTED_PROTOCOL_VERSION = 2
SUPPORTED_FW_MAJOR = 4
SUPPORTED_FW_MINOR = 21
SUPPORTED_FW_REVISION = 0
MEGA_MULTIPLIER = 1e6


HailoSchedulingAlgorithm = _pyhailort.SchedulingAlgorithm
HailoStreamInterface = _pyhailort.StreamInterface
HailoStreamDirection = _pyhailort.StreamDirection
HailoPowerMode = _pyhailort.PowerMode
HailoFormatFlags = _pyhailort.FormatFlags
HailoCpuId = _pyhailort.CpuId
Endianness = _pyhailort.Endianness
DeviceArchitectureTypes = _pyhailort.DeviceArchitecture

_logger = None


def default_logger():
    """pyhailort's logger: INFO to stdout (message only) and to ./pyhailort.log (spec §1.4)."""
    global _logger
    if _logger is None:
        _logger = logging.getLogger("pyhailort")
        _logger.setLevel(logging.INFO)
        _logger.propagate = False
        console = logging.StreamHandler(sys.stdout)
        console.setFormatter(logging.Formatter("%(message)s"))
        _logger.addHandler(console)
        try:
            handler = logging.FileHandler("./pyhailort.log")
            handler.setFormatter(logging.Formatter(
                "%(asctime)s - %(levelname)s - %(filename)s:%(lineno)s - %(message)s"))
            _logger.addHandler(handler)
        except OSError:
            pass
    return _logger


def _warn(message: str) -> None:
    default_logger().warning(message)


# --- HEF ---------------------------------------------------------------------------------

def _require_layers(group, network, direction):
    """CoreOpMetadata::get_*_layer_infos: a network (or group) without layers in a direction is
    HAILO_NOT_FOUND, raised untranslated as the real HEF's info queries do."""
    for wanted, streams in ((_Direction.H2D, group.input_streams), (_Direction.D2H, group.output_streams)):
        if direction in (None, wanted) and not group.streams_of(network, streams):
            _status.raise_native(_status.HailoStatus.HAILO_NOT_FOUND)


class HEF:
    """A HEF file (path) or buffer (bytes)."""

    def __init__(self, hef_source):
        if isinstance(hef_source, str):
            self._path = hef_source
        elif type(hef_source) is bytes:
            self._path = None
        elif isinstance(hef_source, _HefModel):   # internal: already-parsed model
            self._path = None
        else:
            raise ValueError("HEF can only be created from a file path (str) or a buffer (bytes)")
        self._model = _link.load_hef(hef_source)
        self._sorted_output_names = {}

    @property
    def path(self):
        return self._path

    def _group(self, name=None):
        return self._model.network_group(name)

    def _group_and_network(self, name):
        """``name`` may be a network group or a network name; None: the default group."""
        if name:
            for group in self._model.network_groups:
                if name in group.networks:
                    return group, name
        return self._group(name), None

    def get_network_group_names(self) -> List[str]:
        return [g.name for g in self._model.network_groups]

    def get_network_groups_infos(self) -> List[NetworkGroupInfo]:
        return [NetworkGroupInfo(g.name, g.is_multi_context) for g in self._model.network_groups]

    def get_networks_names(self, network_group_name=None) -> List[str]:
        return list(self._group(network_group_name).networks)

    def _vinfos(self, name, direction):
        group, network = self._group_and_network(name)
        _require_layers(group, network, direction)
        def of_network(vstreams):
            return [v for v in vstreams if network is None or v.network_name == network]
        items = []
        if direction in (None, _Direction.H2D):
            items += of_network(group.input_vstreams)
        if direction in (None, _Direction.D2H):
            outputs = of_network(group.output_vstreams)
            if group.unsorted_outputs(outputs):
                _status.raise_native(_status.HailoStatus.HAILO_INTERNAL_FAILURE)
            items += outputs
        return [VStreamInfo(v) for v in items]

    def _sinfos(self, name, direction):
        group, network = self._group_and_network(name)
        _require_layers(group, network, direction)
        items = []
        if direction in (None, _Direction.H2D):
            items += list(group.input_streams)
        if direction in (None, _Direction.D2H):
            items += list(group.output_streams)
        return [StreamInfo(s) for s in items if network is None or not s.network_name or s.network_name == network]

    def get_input_vstream_infos(self, name=None):
        return self._vinfos(name, _Direction.H2D)

    def get_output_vstream_infos(self, name=None):
        return self._vinfos(name, _Direction.D2H)

    def get_all_vstream_infos(self, name=None):
        return self._vinfos(name, None)

    def get_input_stream_infos(self, name=None):
        return self._sinfos(name, _Direction.H2D)

    def get_output_stream_infos(self, name=None):
        return self._sinfos(name, _Direction.D2H)

    def get_all_stream_infos(self, name=None):
        return self._sinfos(name, None)

    def get_sorted_output_names(self, network_group_name=None) -> List[str]:
        group = self._group(network_group_name)
        if group.name not in self._sorted_output_names:
            self._sorted_output_names[group.name] = (list(getattr(group, "sorted_output_names", ()))
                                                     or [v.name for v in group.output_vstreams])
        return list(self._sorted_output_names[group.name])

    def bottleneck_fps(self, network_group_name=None) -> float:
        fps = self._group(network_group_name).bottleneck_fps
        if not fps:
            raise HailoRTException("bottleneck_fps is zero")
        return fps

    def _vstream(self, vstream_name, network_group_name):
        group = self._group(network_group_name)
        for v in group.input_vstreams + group.output_vstreams:
            if v.name == vstream_name:
                return group, v
        _status.raise_status(_status.HailoStatus.HAILO_NOT_FOUND, f"vstream {vstream_name} not found")

    def get_vstream_name_from_original_name(self, original_name, network_group_name=None) -> str:
        group = self._group(network_group_name)
        for v in group.input_vstreams + group.output_vstreams:
            if original_name in v.original_names:
                return v.name
        _status.raise_status(_status.HailoStatus.HAILO_NOT_FOUND, f"original name {original_name} not found")

    def get_original_names_from_vstream_name(self, vstream_name, network_group_name=None) -> List[str]:
        return list(self._vstream(vstream_name, network_group_name)[1].original_names)

    def get_stream_names_from_vstream_name(self, vstream_name, network_group_name=None) -> List[str]:
        return list(self._vstream(vstream_name, network_group_name)[1].stream_names)

    def get_vstream_names_from_stream_name(self, stream_name, network_group_name=None) -> List[str]:
        group = self._group(network_group_name)
        return [v.name for v in group.input_vstreams + group.output_vstreams if stream_name in v.stream_names]


# --- VDevice -----------------------------------------------------------------------------

class VDevice:
    """A virtual device over one or more simulated physical devices (guide §6.6)."""

    def __init__(self, params=None, *, device_ids=None):
        gc.collect()
        self._shared = None
        self._creation_pid = os.getpid()
        self._loaded_network_groups = []
        self._infer_models = []
        if params is None:
            params = VDevice.create_params()
        if device_ids:
            if params.device_ids:
                print("VDevice device_ids can be set in params or device_ids argument. "
                      "Both parameters were passed to the c'tor", file=sys.stderr)
                raise HailoRTInvalidOperationException(
                    "VDevice device_ids can be set in params or device_ids argument")
            params.device_ids = list(device_ids)
            params.scheduling_algorithm = HailoSchedulingAlgorithm.NONE
        self._params = params
        config = _vd.VDeviceConfig(device_count=params.device_count, device_ids=list(params.device_ids),
                                   scheduling_algorithm=int(params.scheduling_algorithm), group_id=params.group_id,
                                   multi_process_service=bool(params.multi_process_service))
        self._shared = _vd.acquire(config)

    @staticmethod
    def create_params():
        return _pyhailort.VDeviceParams()

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.release()
        return False

    def __del__(self):
        try:
            self.release()
        except Exception:
            pass

    def release(self):
        shared, self._shared = self._shared, None
        if shared is None or os.getpid() != self._creation_pid:
            return
        for network in self._loaded_network_groups:
            network._core.release()
        _vd.release(shared)

    def _check(self, what):
        if self._shared is None:
            raise HailoRTException("VDevice was released")
        if os.getpid() != self._creation_pid:
            raise HailoRTException(what)

    def configure(self, hef, configure_params_by_name={}):  # noqa: B006 (pyhailort's signature; never mutated)
        self._check("VDevice can only be configured from the process it was created in.")
        configured = []
        for group in hef._model.network_groups:
            params = configure_params_by_name.get(group.name) if configure_params_by_name else None
            batch = int(getattr(params, "batch_size", 0) or 0)
            _link.check_compatible(hef._model, self._shared.devices)
            core = _net.ConfiguredNetworkCore(self._shared, hef._model, group, batch)
            configured.append(ConfiguredNetwork(core, hef))
        self._loaded_network_groups.extend(configured)
        return configured

    def create_infer_model(self, hef_source, name=""):
        self._check("InferModel can be created only from the process VDevice was created in.")
        if not isinstance(hef_source, (str, bytes, _HefModel)):
            raise ValueError("hef_source must be a path (str) or a buffer (bytes)")
        model = _link.load_hef(hef_source)
        _link.check_compatible(model, self._shared.devices)
        infer_model = InferModel(_im.InferModelCore(self._shared, model, name),
                                 hef_source if isinstance(hef_source, str) else None, model)
        infer_model._vdevice = self     # the InferModel keeps the VDevice alive (guide)
        return infer_model

    def get_physical_devices_ids(self) -> List[str]:
        self._check("VDevice is used from a different process")
        return list(self._shared.device_ids)

    def get_physical_devices(self):
        return [Device(device_id) for device_id in self.get_physical_devices_ids()]

    @property
    def loaded_network_groups(self):
        return list(self._loaded_network_groups)


# --- InferModel API ----------------------------------------------------------------------

class InferModel:
    """A model loaded for the InferModel (async) API; ``configure()`` makes the pipeline."""

    class InferStream:
        def __init__(self, config: _im.InferStreamConfig):
            self._config = config

        @property
        def name(self) -> str:
            return self._config.name

        @property
        def shape(self) -> List[int]:
            return _formats.infer_stream_shape(self._config.resolved())

        @property
        def format(self) -> HailoFormat:
            fmt = self._config.resolved()
            return HailoFormat(int(fmt.type), int(fmt.order), FormatFlags(int(fmt.flags) & 2))

        def set_format_type(self, type):
            self._config.set_type(type)

        def set_format_order(self, order):
            self._config.set_order(order)

        @property
        def quant_infos(self) -> List[QuantInfo]:
            info = self._config.info
            return [QuantInfo._from_model(q) for q in (info.quant_infos or (info.quant_info,))]

        @property
        def is_nms(self) -> bool:
            return self._config.info.is_nms

        def set_nms_score_threshold(self, threshold):
            self._config.nms_score_threshold = float(threshold)

        def set_nms_iou_threshold(self, threshold):
            self._config.nms_iou_threshold = float(threshold)

        def set_nms_max_proposals_per_class(self, max_proposals):
            self._config.nms_max_proposals_per_class = int(max_proposals)

        def set_nms_max_accumulated_mask_size(self, max_accumulated_mask_size):
            self._config.nms_max_accumulated_mask_size = int(max_accumulated_mask_size)
            self._config._resolved = None

    def __init__(self, infer_model, hef_path, _model=None):
        self._core = infer_model
        self._hef_path = hef_path
        self._hef = HEF(_model) if _model is not None and hef_path is None else None
        self._streams = {}

    @property
    def hef(self):
        if self._hef is None:
            self._hef = HEF(self._hef_path)
        return self._hef

    def _stream(self, config):
        stream = self._streams.get(config.name)
        if stream is None:
            stream = self._streams[config.name] = InferModel.InferStream(config)
        return stream

    def set_batch_size(self, batch_size):
        self._core.set_batch_size(batch_size)

    def set_power_mode(self, power_mode):
        self._core.power_mode = int(power_mode)

    def configure(self):
        return ConfiguredInferModel(self._core.configure(), self)

    @property
    def input_names(self) -> List[str]:
        return list(self._core.inputs)

    @property
    def output_names(self) -> List[str]:
        return list(self._core.outputs)

    @property
    def inputs(self):
        return [self._stream(c) for c in self._core.inputs.values()]

    @property
    def outputs(self):
        return [self._stream(c) for c in self._core.outputs.values()]

    def input(self, name=""):
        return self._stream(self._core.input(name))

    def output(self, name=""):
        return self._stream(self._core.output(name))


class Detection:
    """One detection of a HAILO_NMS_BY_SCORE output."""

    def __init__(self, record):
        self._y_min, self._x_min = float(record["y_min"]), float(record["x_min"])
        self._y_max, self._x_max = float(record["y_max"]), float(record["x_max"])
        self._score, self._class_id = float(record["score"]), int(record["class_id"])

    y_min = property(lambda self: self._y_min)
    x_min = property(lambda self: self._x_min)
    y_max = property(lambda self: self._y_max)
    x_max = property(lambda self: self._x_max)
    score = property(lambda self: self._score)
    class_id = property(lambda self: self._class_id)

    def __repr__(self):
        return (f"Detection(y_min={self.y_min:.4f}, x_min={self.x_min:.4f}, y_max={self.y_max:.4f}, "
                f"x_max={self.x_max:.4f}, score={self.score:.4f}, class_id={self.class_id})")


class DetectionWithByteMask(Detection):
    """A detection of a HAILO_NMS_WITH_BYTE_MASK output with its instance mask (uint8, 1 = object,
    ``ceil((y_max-y_min)*H) x ceil((x_max-x_min)*W)``, first pixel at (x_min*W, y_min*H))."""

    def __init__(self, record, mask):
        super().__init__(record)
        self._mask = mask

    mask = property(lambda self: self._mask)


class AsyncInferCompletionInfo:
    """What an async callback receives as ``completion_info``."""

    def __init__(self, exception):
        self._exception = exception

    @property
    def exception(self):
        return self._exception


def _exception_for(status):
    if status == _status.HailoStatus.HAILO_SUCCESS:
        return None
    return _status.exception_for(status, "async inference failed")


class AsyncInferJob:
    MILLISECOND = 0.001

    def __init__(self, job):
        self._job = job

    def wait(self, timeout_ms):
        self._job.wait(timeout_ms)


class ConfiguredInferModel:
    """The configured pipeline of an InferModel (guide §6.5)."""

    @dataclass
    class NmsTransformationInfo:
        """What converting an NMS output needs."""
        format_order: FormatOrder
        input_height: int
        input_width: int
        number_of_classes: int
        max_bboxes_per_class: int
        quant_info: QuantInfo
        output_dtype: np.dtype = np.dtype("float32")

    @dataclass
    class NmsHailoTransformationInfo(NmsTransformationInfo):
        """NMS transformation into the Hailo (per class) format."""
        use_tf_nms_format: bool = False

    @dataclass
    class NmsTfTransformationInfo(NmsTransformationInfo):
        """NMS transformation into the TF format."""
        use_tf_nms_format: bool = True

    class Bindings:
        class InferStream:
            def __init__(self, buffers, name, fmt):
                self._buffers, self._name, self._fmt = buffers, name, fmt

            def set_buffer(self, buffer):
                if not isinstance(buffer, np.ndarray):
                    raise HailoRTException("Buffer must be a numpy array")
                if not buffer.flags.c_contiguous:
                    raise HailoRTException("Buffer must be C_CONTIGUOUS")
                if self._fmt.order in (FormatOrder.HAILO_NMS_BY_SCORE, FormatOrder.HAILO_NMS_WITH_BYTE_MASK) \
                        and buffer.dtype != np.uint8:
                    raise HailoRTException(f"Buffer must be of type uint8 for {FormatOrder(int(self._fmt.order)).name}"
                                           f" format order. Got {buffer.dtype}.")
                self._buffers[self._name] = buffer

            def get_buffer(self, tf_format=False):
                buffer = self._buffers.get(self._name)
                if buffer is None:
                    _status.raise_status(_status.HailoStatus.HAILO_NOT_FOUND, f"No buffer was set for '{self._name}'")
                fmt = self._fmt
                if not fmt.is_nms or tf_format is None:
                    return buffer
                nms = fmt.info.nms_info
                if fmt.order == FormatOrder.HAILO_NMS_WITH_BYTE_MASK:
                    detections = _formats.nms_byte_mask_decode(buffer, fmt.image_hw)
                    if tf_format:
                        return _formats.nms_byte_mask_to_tf(detections, _formats.nms_max_total(nms), fmt.image_hw)
                    return [DetectionWithByteMask(record, mask) for record, mask in detections]
                if fmt.order == FormatOrder.HAILO_NMS_BY_SCORE:
                    if tf_format:
                        raise HailoRTException(f"Use of tf format is unsupported for format order: "
                                               f"{FormatOrder(int(fmt.order)).name}")
                    return [Detection(r) for r in _formats.nms_by_score_decode(buffer)]
                per_class = _formats.nms_by_class_decode(buffer.reshape(-1).view(np.float32),
                                                         nms.number_of_classes)
                if tf_format:
                    return _formats.nms_by_class_to_tf(per_class, nms, fmt.info.quant_info)
                return per_class

        def __init__(self, bindings, input_names, output_names, formats_by_name):
            self._bindings = bindings
            self._input_names, self._output_names = input_names, output_names
            self._formats = formats_by_name
            self._streams = {}

        def _get_stream(self, name, names, buffers, kind):
            if not name:
                if len(names) != 1:
                    _status.raise_status(_status.HailoStatus.HAILO_INVALID_OPERATION,
                                         f"Model has more than one {kind}! Pass a name, one of {names}")
                name = names[0]
            elif name not in names:
                _status.raise_status(_status.HailoStatus.HAILO_NOT_FOUND,
                                     f"{kind.capitalize()} {name} not found! The model's {kind}s are {names}")
            key = (kind, name)
            stream = self._streams.get(key)
            if stream is None:
                stream = self._streams[key] = ConfiguredInferModel.Bindings.InferStream(
                    buffers, name, self._formats[name])
            return stream

        def input(self, name=""):
            return self._get_stream(name, self._input_names, self._bindings.inputs, "input")

        def output(self, name=""):
            return self._get_stream(name, self._output_names, self._bindings.outputs, "output")

        def get(self):
            return self._bindings

    def __init__(self, configured_infer_model, infer_model):
        self._core = configured_infer_model
        self._infer_model = infer_model
        self._formats = dict(self._core.in_formats)
        self._formats.update(self._core.out_formats)

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.shutdown()
        return False

    def __del__(self):
        try:
            self._core.shutdown()
        except Exception:
            pass

    def activate(self):
        self._core.activate()

    def deactivate(self):
        self._core.deactivate()

    def create_bindings(self, input_buffers=None, output_buffers=None):
        bindings = ConfiguredInferModel.Bindings(self._core.create_bindings(), self._core.input_names,
                                                 self._core.output_names, self._formats)
        for name, buffer in (input_buffers or {}).items():
            bindings.input(name).set_buffer(buffer)
        for name, buffer in (output_buffers or {}).items():
            bindings.output(name).set_buffer(buffer)
        return bindings

    def wait_for_async_ready(self, timeout_ms=1000, frames_count=1):
        self._core.wait_for_async_ready(timeout_ms, frames_count)

    def run(self, bindings, timeout):
        self._core.run([b._bindings for b in bindings], timeout)

    def run_async(self, bindings, callback=None):
        core_bindings = [b._bindings for b in bindings]
        if callback is None:
            return AsyncInferJob(self._core.run_async(core_bindings))

        def on_done(status):
            callback(completion_info=AsyncInferCompletionInfo(_exception_for(status)))
        return AsyncInferJob(self._core.run_async(core_bindings, on_done))

    def set_scheduler_timeout(self, timeout_ms):
        self._core.set_scheduler_timeout(timeout_ms)

    def set_scheduler_threshold(self, threshold):
        self._core.set_scheduler_threshold(threshold)

    def set_scheduler_priority(self, priority):
        self._core.set_scheduler_priority(priority)

    def get_async_queue_size(self) -> int:
        return self._core.queue_size

    def shutdown(self):
        self._core.shutdown()


# --- VStreams API ------------------------------------------------------------------------

class ConfigureParams:
    @staticmethod
    def create_from_hef(hef, interface):
        """``{network group name: ConfigureParams}`` for every network group of the HEF."""
        result = {}
        for group in hef._model.network_groups:
            params = _pyhailort.ConfigureParams()
            for stream in group.input_streams + group.output_streams:
                params.stream_params_by_name[stream.name] = _pyhailort.StreamParameters(
                    interface, HailoStreamDirection(int(stream.direction)))
            for network in group.networks:
                params.network_params_by_name[network] = _pyhailort.NetworkParameters()
            result[group.name] = params
        return result


class ActivatedNetwork:
    def __init__(self, configured_network):
        self._configured_network = configured_network

    @property
    def name(self):
        return self._configured_network.name

    def get_number_of_invalid_frames(self, clear=True) -> int:
        return 0    # the simulated device never produces invalid frames

    def validate_all_frames_are_valid(self):
        invalid = self.get_number_of_invalid_frames(True)
        if invalid:
            raise HailoRTException(f"There are {invalid} invalid frames.")

    def get_sorted_output_names(self):
        return self._configured_network.get_sorted_output_names()


class ActivatedNetworkContextManager:
    def __init__(self, configured_network, activated_network=None):
        self._configured_network = configured_network
        self._active = None

    def __enter__(self):
        self._configured_network._core.activate()
        self._active = ActivatedNetwork(self._configured_network)
        return self._active

    def __exit__(self, *args):
        self._configured_network._core.deactivate()
        return False


class _EmptyContextManager:
    def __enter__(self):
        return None

    def __exit__(self, *args):
        return False


class ConfiguredNetwork:
    """A network group configured on a VDevice (``VDevice.configure``)."""

    def __init__(self, configured_network, hef=None):
        self._core = configured_network
        self._hef = hef

    @property
    def name(self):
        return self._core.name

    def get_networks_names(self):
        return list(self._core.group.networks)

    def activate(self, network_group_params=None):
        if self._core.scheduler_enabled:
            # The guide says activate() "will return None" with the scheduler; the real package
            # warns and returns an empty context manager, which the tutorials need (§19 #4).
            _warn("Calls to `activate()` when working with scheduler are deprecated! On future versions "
                  "this call will raise an error.")
            return _EmptyContextManager()
        return ActivatedNetworkContextManager(self)

    def wait_for_activation(self, timeout_ms=None):
        self._core.wait_for_activation(timeout_ms)

    @staticmethod
    def create_params():
        return _pyhailort.ActivateNetworkGroupParams()

    def _hef_view(self):
        return self._hef or HEF(self._core.model)

    def get_sorted_output_names(self):
        return self._hef_view().get_sorted_output_names(self.name)

    def get_output_shapes(self):
        infos = {i.name: i for i in self.get_output_vstream_infos()}
        return tuple(infos[n].shape for n in self.get_sorted_output_names())

    def _infos(self, method, network_name):
        return getattr(self._hef_view(), method)(network_name or self.name)

    def get_input_vstream_infos(self, network_name=None):
        return self._infos("get_input_vstream_infos", network_name)

    def get_output_vstream_infos(self, network_name=None):
        return self._infos("get_output_vstream_infos", network_name)

    def get_all_vstream_infos(self, network_name=None):
        return self._infos("get_all_vstream_infos", network_name)

    def get_input_stream_infos(self, network_name=None):
        return self._infos("get_input_stream_infos", network_name)

    def get_output_stream_infos(self, network_name=None):
        return self._infos("get_output_stream_infos", network_name)

    def get_all_stream_infos(self, network_name=None):
        return self._infos("get_all_stream_infos", network_name)

    def get_stream_names_from_vstream_name(self, vstream_name):
        return self._hef_view().get_stream_names_from_vstream_name(vstream_name, self.name)

    def get_vstream_names_from_stream_name(self, stream_name):
        return self._hef_view().get_vstream_names_from_stream_name(stream_name, self.name)

    def _check_network_name(self, network_name, what):
        if network_name and network_name not in (self.name, self._core.group.networks[0]):
            _status.raise_status(_status.HailoStatus.HAILO_NOT_IMPLEMENTED,
                                 f"Setting scheduler {what} for a specific network is currently not supported")

    def set_scheduler_timeout(self, timeout_ms, network_name=None):
        self._check_network_name(network_name, "timeout")
        self._core.set_scheduler_params(timeout_ms=timeout_ms)

    def set_scheduler_threshold(self, threshold):
        self._core.set_scheduler_params(threshold=threshold)

    def set_scheduler_priority(self, priority):
        self._core.set_scheduler_params(priority=priority)


def _make_vstream_params(configured_network, direction, format_type, timeout_ms, queue_size, network_name):
    group = configured_network._core.group
    infos = group.input_vstreams if direction == _Direction.H2D else group.output_vstreams
    result = {}
    for info in infos:
        if network_name and info.network_name != network_name:
            continue
        fmt = HailoFormat(FormatType.AUTO if format_type is None else format_type, FormatOrder.AUTO,
                          FormatFlags.NONE)
        result[info.name] = _pyhailort.VStreamParams(
            fmt, DEFAULT_VSTREAM_TIMEOUT_MS if timeout_ms is None else timeout_ms,
            DEFAULT_VSTREAM_QUEUE_SIZE if queue_size is None else queue_size)
    return result


class InputVStreamParams:
    @staticmethod
    def make(configured_network, quantized=None, format_type=None, timeout_ms=None, queue_size=None,
             network_name=None):
        """``quantized`` is ignored since 4.15: the types alone decide (de)quantization."""
        return _make_vstream_params(configured_network, _Direction.H2D, format_type, timeout_ms, queue_size,
                                    network_name)

    make_from_network_group = make


class OutputVStreamParams:
    @staticmethod
    def make(configured_network, quantized=None, format_type=None, timeout_ms=None, queue_size=None,
             network_name=None):
        return _make_vstream_params(configured_network, _Direction.D2H, format_type, timeout_ms, queue_size,
                                    network_name)

    make_from_network_group = make

    @staticmethod
    def make_groups(configured_network, quantized=None, format_type=None, timeout_ms=None, queue_size=None):
        """One dict per device output stream: vstreams sharing a stream share a group."""
        params = OutputVStreamParams.make(configured_network, quantized, format_type, timeout_ms, queue_size)
        groups, by_stream = [], {}
        for info in configured_network._core.group.output_vstreams:
            key = info.stream_names[0] if info.stream_names else info.name
            if key not in by_stream:
                by_stream[key] = {}
                groups.append(by_stream[key])
            by_stream[key][info.name] = params[info.name]
        return groups


def _resolve_params(configured_network, params_by_name, direction):
    group = configured_network._core.group
    infos = {v.name: v for v in (group.input_vstreams if direction == _Direction.H2D else group.output_vstreams)}
    resolved = {}
    for name, params in params_by_name.items():
        if name not in infos:
            _status.raise_status(_status.HailoStatus.HAILO_NOT_FOUND, f"vstream {name} not found in {group.name}")
        fmt = params.user_buffer_format
        resolved[name] = (_formats.resolve(infos[name], int(fmt.type), int(fmt.order),
                                           image_hw=_formats.image_hw_of(group)), params)
    return resolved


def _nms_frame(fmt, per_class, tf_nms_format):
    if fmt.order == FormatOrder.HAILO_NMS_WITH_BYTE_MASK:
        raw = _formats.nms_byte_mask_encode(per_class, fmt.info.nms_info, fmt.image_hw)
        detections = _formats.nms_byte_mask_decode(raw, fmt.image_hw)
        if tf_nms_format:
            return _formats.nms_byte_mask_to_tf(detections, _formats.nms_max_total(fmt.info.nms_info),
                                                fmt.image_hw)[0]
        return [DetectionWithByteMask(record, mask) for record, mask in detections]
    if tf_nms_format:
        return _formats.nms_by_class_to_tf(per_class, fmt.info.nms_info, fmt.info.quant_info)
    return [np.asarray(b, dtype=np.float32).reshape(-1, BBOX_PARAMS) for b in per_class]


class _HostNmsSetters:
    """The vstream API's host-NMS setters; the class's ``_set_nms(key, value)`` stores them."""

    def set_nms_score_threshold(self, threshold):
        self._set_nms("score_threshold", float(threshold))

    def set_nms_iou_threshold(self, threshold):
        self._set_nms("iou_threshold", float(threshold))

    def set_nms_max_proposals_per_class(self, max_proposals_per_class):
        self._set_nms("max_proposals_per_class", int(max_proposals_per_class))

    def set_nms_max_accumulated_mask_size(self, max_accumulated_mask_size):
        _status.raise_status(_status.HailoStatus.HAILO_INVALID_OPERATION,
                             "max_accumulated_mask_size applies to byte-mask NMS outputs (InferModel API only)")


class InferVStreams(_HostNmsSetters):
    """Blocking inference: ``infer({input name: frames})`` -> ``{output name: frames}``."""

    def __init__(self, configured_net_group, input_vstreams_params, output_vstreams_params, tf_nms_format=False):
        self._configured_net_group = configured_net_group
        self._inputs = _resolve_params(configured_net_group, input_vstreams_params, _Direction.H2D)
        self._outputs = _resolve_params(configured_net_group, output_vstreams_params, _Direction.D2H)
        for name, (fmt, _) in self._outputs.items():
            if fmt.order == FormatOrder.HAILO_NMS_BY_SCORE:
                # spec §19 #12: BY_SCORE exists for the async API only
                _status.raise_status(_status.HailoStatus.HAILO_NOT_SUPPORTED,
                                     f"HAILO_NMS_BY_SCORE is not supported in sync inference ('{name}')")
        self._tf_nms_format = tf_nms_format
        self._nms_params = {}
        self._hw_time = self._total_time = 0.0

    def __enter__(self):
        return self

    def __exit__(self, *args):
        return False

    def _prepare(self, input_data):
        if isinstance(input_data, np.ndarray):
            if len(self._inputs) != 1:
                raise Exception("when there is more than one input, the input_data should be of type dict, "
                                f"mapping between each input_name, and his input_data tensor. number of inputs: "
                                f"{len(self._inputs)}")
            input_data = {next(iter(self._inputs)): input_data}
        if not input_data:
            raise ValueError("Input_data can't be empty")
        prepared, counts = {}, set()
        for name, (fmt, _) in self._inputs.items():
            if name not in input_data:
                _status.raise_status(_status.HailoStatus.HAILO_NOT_FOUND,
                                     f"No input data for input vstream '{name}' (expected shape "
                                     f"[N, {', '.join(map(str, fmt.shape))}])")
            data = input_data[name]
            if not isinstance(data, np.ndarray):
                data = np.asarray(data)
            if data.shape[1:] != fmt.shape:
                _status.raise_status(_status.HailoStatus.HAILO_INVALID_ARGUMENT,
                                     f"Input data of '{name}' has shape {list(data.shape)}; expected "
                                     f"[N, {', '.join(map(str, fmt.shape))}] (frames first)")
            if data.dtype != fmt.dtype:
                _warn(f"Given input data dtype ({data.dtype}) is different than inferred dtype ({fmt.dtype}). "
                      "conversion for every frame will reduce performance")
                data = data.astype(fmt.dtype)
            if not data.flags.c_contiguous:
                _warn("Converting input numpy array to be C_CONTIGUOUS")
                data = np.ascontiguousarray(data)
            prepared[name] = data
            counts.add((name, data.shape[0]))
        sizes = sorted({c for _, c in counts})
        if len(sizes) > 1:
            raise ValueError("The number of frames on all input_tensors should be equal! different sizes "
                             f"detected: {sizes[0]} != {sizes[1]}")
        return prepared

    def infer(self, input_data):
        import time as _time
        start = _time.perf_counter()
        prepared = self._prepare(input_data)
        timeout_s = max(p.timeout_ms for _, p in list(self._inputs.values()) + list(self._outputs.values())) / 1000
        hw_start = _time.perf_counter()
        results = self._configured_net_group._core.infer(
            {n: f for n, (f, _) in self._inputs.items()}, {n: f for n, (f, _) in self._outputs.items()},
            prepared, timeout_s)
        self._hw_time = _time.perf_counter() - hw_start
        for name, (fmt, _) in self._outputs.items():
            if fmt.is_nms:
                params = self._nms_params.get(name, {})
                frames = [_nms_frame(fmt, _formats.nms_filter(per_class, **params) if params else per_class,
                                     self._tf_nms_format) for per_class in results[name]]
                results[name] = np.stack(frames) if self._tf_nms_format else frames
        self._total_time = _time.perf_counter() - start
        return results

    def get_hw_time(self):
        return self._hw_time

    def get_total_time(self):
        return self._total_time

    def _set_nms(self, key, value):
        group = self._configured_net_group._core.group
        hosts = [name for name, (fmt, _) in self._outputs.items()
                 if fmt.is_nms and _formats.host_nms_op(group, name) is not None]
        if not hosts:
            _status.raise_status(_status.HailoStatus.HAILO_INVALID_OPERATION,
                                 "NMS parameters can be set only on NMS outputs performed on the host")
        _formats.check_nms_params(hosts[0], **{key: value})
        for name in hosts:
            self._nms_params.setdefault(name, {})[key] = value


class InputVStream:
    def __init__(self, configured_network, name, fmt, params):
        self._cn, self._name, self._fmt, self._params = configured_network, name, fmt, params

    shape = property(lambda self: tuple(self._fmt.shape))
    dtype = property(lambda self: self._fmt.dtype)
    name = property(lambda self: self._name)
    network_name = property(lambda self: self._fmt.info.network_name)
    info = property(lambda self: VStreamInfo(self._fmt.info))

    def send(self, input_data):
        fmt = self._fmt
        data = np.asarray(input_data)
        if data.shape == fmt.shape:
            data = data.reshape((1,) + fmt.shape)
        if data.shape[1:] != fmt.shape:
            _status.raise_status(_status.HailoStatus.HAILO_INVALID_ARGUMENT,
                                 f"send to '{self._name}' got shape {list(data.shape)}; expected "
                                 f"[N, {', '.join(map(str, fmt.shape))}]")
        if data.dtype != fmt.dtype:
            data = data.astype(fmt.dtype)
        if not data.flags.c_contiguous:
            _warn("Warning - Converting input numpy array to be C_CONTIGUOUS")
            data = np.ascontiguousarray(data)
        session = self._cn._core.session()
        device = _formats.to_device(fmt, data)
        for i in range(device.shape[0]):
            session.send(self._name, device[i:i + 1], self._params.timeout_ms / 1000.0)

    def flush(self):
        self._cn._core.session().flush(self._params.timeout_ms / 1000.0)


class OutputVStream(_HostNmsSetters):
    def __init__(self, configured_network, name, fmt, params, tf_nms_format=False):
        self._cn, self._name, self._fmt, self._params = configured_network, name, fmt, params
        self._tf_nms_format = tf_nms_format
        self._nms_params = {}

    output_order = property(lambda self: FormatOrder(int(self._fmt.order)))
    shape = property(lambda self: tuple(self._fmt.shape) if not self._fmt.is_nms
                     else _formats.vstream_info_shape(self._fmt.info))
    dtype = property(lambda self: self._fmt.dtype)
    name = property(lambda self: self._name)
    network_name = property(lambda self: self._fmt.info.network_name)
    info = property(lambda self: VStreamInfo(self._fmt.info))

    def recv(self):
        frame = self._cn._core.session().recv(self._name, self._params.timeout_ms / 1000.0)
        if self._fmt.is_nms:
            params = self._nms_params
            return _nms_frame(self._fmt, _formats.nms_filter(frame, **params) if params else frame,
                              self._tf_nms_format)
        return _formats.from_device(self._fmt, frame[np.newaxis])[0]

    def _set_nms(self, key, value):
        if not self._fmt.is_nms or _formats.host_nms_op(self._cn._core.group, self._name) is None:
            _status.raise_status(_status.HailoStatus.HAILO_INVALID_OPERATION,
                                 f"'{self._name}' is not an NMS output performed on the host")
        _formats.check_nms_params(self._name, **{key: value})
        self._nms_params[key] = value


class _VStreams:
    _kind = "input"

    def __init__(self, configured_network, vstreams_params, tf_nms_format=False):
        self._cn = configured_network
        direction = _Direction.H2D if self._kind == "input" else _Direction.D2H
        resolved = _resolve_params(configured_network, vstreams_params, direction)
        self._vstreams = {name: self._make(name, fmt, params, tf_nms_format)
                          for name, (fmt, params) in resolved.items()}

    def __enter__(self):
        return self

    def __exit__(self, *args):
        return False

    def get(self, name=None):
        if name is None:
            if len(self._vstreams) != 1:
                raise HailoRTException(f"There is no single {self._kind} vStream. You must give a name")
            return next(iter(self._vstreams.values()))
        return self._vstreams[name]

    def clear(self):
        self._cn._core.session().clear()

    def __iter__(self):
        return iter(self._vstreams.values())


class InputVStreams(_VStreams):
    _kind = "input"

    def __init__(self, configured_network, input_vstreams_params):
        super().__init__(configured_network, input_vstreams_params)

    def _make(self, name, fmt, params, tf_nms_format):
        return InputVStream(self._cn, name, fmt, params)


class OutputVStreams(_VStreams):
    _kind = "output"

    def __init__(self, configured_network, output_vstreams_params, tf_nms_format=False):
        super().__init__(configured_network, output_vstreams_params, tf_nms_format)

    def _make(self, name, fmt, params, tf_nms_format):
        return OutputVStream(self._cn, name, fmt, params, tf_nms_format)


# --- Device / Control --------------------------------------------------------------------

class HailoPowerMeasurementUtils:
    @staticmethod
    def return_real_sampling_period(sampling_period):
        """The sampling period in microseconds."""
        return _pyhailort.SAMPLING_PERIOD_US[int(sampling_period)]

    @staticmethod
    def return_real_averaging_factor(averaging_factor):
        """The number of samples averaged."""
        return _pyhailort.AVERAGING_FACTOR[int(averaging_factor)]


class HailoFirmwareMode(Enum):
    """Whether a firmware is a release (stable, official) or a develop build."""
    DEVELOP = "develop"
    RELEASE = "release"


class HailoFirmwareType(Enum):
    """Which CPU a firmware runs on."""
    CORE = "core"
    APP = "app"


class HailoFirmwareVersion:
    """A firmware version, from the firmware's packed ``<III`` version struct (real signature)."""
    CORE_BIT = 0x08000000
    EXTENDED_CONTEXT_SWITCH_BUFFER_BIT = 0x40000000
    DEV_BIT = 0x80000000
    FW_VERSION_FORMAT = "<III"

    def __init__(self, firmware_version_buffer, is_release, extended_context_switch_buffer, fw_type):
        self.major, self.minor, revision = struct.unpack(self.FW_VERSION_FORMAT, firmware_version_buffer)
        self.revision = revision & ~(self.CORE_BIT | self.EXTENDED_CONTEXT_SWITCH_BUFFER_BIT | self.DEV_BIT)
        self.fw_type = fw_type
        self.mode = HailoFirmwareMode.RELEASE if is_release else HailoFirmwareMode.DEVELOP
        self.extended_context_switch_buffer = extended_context_switch_buffer

    @classmethod
    def construct_from_params(cls, major, minor, revision, is_release, extended_context_switch_buffer, fw_type):
        return cls(struct.pack(cls.FW_VERSION_FORMAT, major, minor, revision), is_release,
                   extended_context_switch_buffer, fw_type)

    def __str__(self):
        extended = ",extended context switch buffer" if self.extended_context_switch_buffer else ""
        return f"{self.major}.{self.minor}.{self.revision} ({self.mode.value},{self.fw_type.value}{extended})"

    @property
    def comparable_value(self):
        """One integer ordering versions by major, minor, revision."""
        return (self.major << 64) + (self.minor << 32) + self.revision

    def __hash__(self):
        return self.comparable_value

    def __eq__(self, other):
        return self.comparable_value == other.comparable_value

    def __lt__(self, other):
        return self.comparable_value < other.comparable_value

    def check_protocol_compatibility(self, other):
        return (self.major, self.minor) == (other.major, other.minor)


class TemperatureThrottlingLevel:
    def __init__(self, level_number, temperature_threshold, hysteresis_temperature_threshold,
                 throttling_nn_clock_freq):
        self.level_number = level_number
        self.temperature_threshold = temperature_threshold
        self.hysteresis_temperature_threshold = hysteresis_temperature_threshold
        self.throttling_nn_clock_freq = throttling_nn_clock_freq

    def __str__(self):
        return (f"Temperature Throttling Level {self.level_number}: \n"
                f"Temperature Threshold: {self.temperature_threshold}\n"
                f"Hysteresis Temperature Threshold: {self.hysteresis_temperature_threshold}\n"
                f"Throttling NN Clock Frequency: {self.throttling_nn_clock_freq}\n")

    __repr__ = __str__


class HealthInformation:
    """The firmware's health state (``Control._get_health_information`` in the real package)."""

    def __init__(self, overcurrent_protection_active, current_overcurrent_zone, red_overcurrent_threshold,
                 overcurrent_throttling_active, temperature_throttling_active, current_temperature_zone,
                 current_temperature_throttling_level, temperature_throttling_levels, orange_temperature_threshold,
                 orange_hysteresis_temperature_threshold, red_temperature_threshold,
                 red_hysteresis_temperature_threshold, requested_overcurrent_clock_freq,
                 requested_temperature_clock_freq):
        self.overcurrent_protection_active = overcurrent_protection_active
        self.current_overcurrent_zone = current_overcurrent_zone
        self.red_overcurrent_threshold = red_overcurrent_threshold
        self.overcurrent_throttling_active = overcurrent_throttling_active
        self.temperature_throttling_active = temperature_throttling_active
        self.current_temperature_zone = current_temperature_zone
        self.current_temperature_throttling_level = current_temperature_throttling_level
        self.orange_temperature_threshold = orange_temperature_threshold
        self.orange_hysteresis_temperature_threshold = orange_hysteresis_temperature_threshold
        self.red_temperature_threshold = red_temperature_threshold
        self.red_hysteresis_temperature_threshold = red_hysteresis_temperature_threshold
        self.requested_overcurrent_clock_freq = requested_overcurrent_clock_freq
        self.requested_temperature_clock_freq = requested_temperature_clock_freq
        # One level per distinct clock frequency (only the last levels may share one).
        self.temperature_throttling_levels = []
        if temperature_throttling_active:
            seen = set()
            for number, level in enumerate(temperature_throttling_levels):
                if level.throttling_nn_clock_freq not in seen:
                    seen.add(level.throttling_nn_clock_freq)
                    self.temperature_throttling_levels.append(TemperatureThrottlingLevel(
                        number, level.temperature_threshold, level.hysteresis_temperature_threshold,
                        level.throttling_nn_clock_freq))

    def __str__(self):
        levels = ("\n".join("\n\n{}\n".format(level) for level in self.temperature_throttling_levels)
                  if self.temperature_throttling_active else "<Temperature throttling is disabled>")
        return (f"Overcurrent Protection Active: {self.overcurrent_protection_active}\n"
                f"Overcurrent Protection Current Overcurrent Zone: {self.current_overcurrent_zone}\n"
                f"Overcurrent Protection Red Threshold: {self.red_overcurrent_threshold}\n"
                f"Overcurrent Protection Throttling State: {self.overcurrent_throttling_active}\n"
                f"Temperature Protection Red Threshold: {self.red_temperature_threshold}\n"
                f"Temperature Protection Red Hysteresis Threshold: {self.red_hysteresis_temperature_threshold}\n"
                f"Temperature Protection Orange Threshold: {self.orange_temperature_threshold}\n"
                f"Temperature Protection Orange Hysteresis Threshold: "
                f"{self.orange_hysteresis_temperature_threshold}\n"
                f"Temperature Protection Throttling State: {self.temperature_throttling_active}\n"
                f"Temperature Protection Current Zone: {self.current_temperature_zone}\n"
                f"Temperature Protection Current Throttling Level: {self.current_temperature_throttling_level}\n"
                f"Temperature Protection Throttling Levels: {levels}")

    __repr__ = __str__


class BoardInformation:
    def __init__(self, protocol_version, fw_version_major, fw_version_minor, fw_version_revision, logger_version,
                 board_name, is_release, extended_context_switch_buffer, device_architecture, serial_number,
                 part_number, product_name):
        self.protocol_version = protocol_version
        self.firmware_version = HailoFirmwareVersion.construct_from_params(
            fw_version_major, fw_version_minor, fw_version_revision, is_release, extended_context_switch_buffer,
            HailoFirmwareType.APP)
        self.logger_version = logger_version
        self.board_name = board_name
        self.is_release = is_release
        self.extended_context_switch_buffer = extended_context_switch_buffer
        self.device_architecture = DeviceArchitectureTypes(int(device_architecture))
        self.serial_number = serial_number
        self.part_number = part_number
        self.product_name = product_name

    def __str__(self):
        na = BOARD_INFO_NOT_CONFIGURED_ATTR
        return ("Control Protocol Version: {}\nFirmware Version: {}\nLogger Version: {}\nBoard Name: {}\n"
                "Device Architecture: {}\nSerial Number: {}\nPart Number: {}\nProduct Name: {}\n").format(
            self.protocol_version, self.firmware_version, self.logger_version, self.board_name,
            self.device_architecture.name, self.serial_number or na, self.part_number or na,
            self.product_name or na)

    @staticmethod
    def get_hw_arch_str(device_arch):
        name = DeviceArchitectureTypes(int(device_arch)).name
        if name in ("HAILO8", "HAILO8L"):
            return "hailo8"
        if name in ("HAILO15H", "HAILO15M"):
            return "hailo15"
        if name == "HAILO10H":
            return "hailo10"
        raise HailoRTException("Unsupported device architecture.")


class CoreInformation:
    def __init__(self, fw_version_major, fw_version_minor, fw_version_revision, is_release,
                 extended_context_switch_buffer):
        self.firmware_version = HailoFirmwareVersion.construct_from_params(
            fw_version_major, fw_version_minor, fw_version_revision, is_release, extended_context_switch_buffer,
            HailoFirmwareType.CORE)
        self.is_release = is_release
        self.extended_context_switch_buffer = extended_context_switch_buffer

    def __str__(self):
        return "Core Firmware Version: {}".format(self.firmware_version)


class SupportedFeatures:
    def __init__(self, ethernet, mipi, pcie, current_monitoring, mdio):
        self.ethernet, self.mipi, self.pcie = ethernet, mipi, pcie
        self.current_monitoring, self.mdio = current_monitoring, mdio


class ExtendedDeviceInformation:
    def __init__(self, neural_network_core_clock_rate, supported_features, boot_source, lcs, soc_id,
                 eth_mac_address, unit_level_tracking_id, soc_pm_values, gpio_mask=0):
        self.neural_network_core_clock_rate = neural_network_core_clock_rate
        self.supported_features = supported_features
        self.boot_source = BootSource(int(boot_source))
        self.lcs = lcs
        self.soc_id, self.eth_mac_address = bytes(soc_id), bytes(eth_mac_address)
        self.unit_level_tracking_id, self.soc_pm_values = bytes(unit_level_tracking_id), bytes(soc_pm_values)
        self.gpio_mask = gpio_mask

    def __str__(self):
        f = self.supported_features
        lines = ["Neural Network Core Clock Rate: {}MHz".format(self.neural_network_core_clock_rate / MEGA_MULTIPLIER),
                 "Device supported features: "]
        for label, value in (("Ethernet", f.ethernet), ("MIPI", f.mipi), ("PCIE", f.pcie),
                             ("Current Monitoring", f.current_monitoring), ("MDIO", f.mdio)):
            lines.append("{}: {}".format(label, "Enabled" if value else "Disabled"))
        lines.append("Boot source: " + self.boot_source.name)
        lines.append("LCS: {}".format(self.lcs or BOARD_INFO_NOT_CONFIGURED_ATTR))
        for label, value, sep in (("SoC ID", self.soc_id, ""), ("MAC Address", self.eth_mac_address, ":"),
                                  ("ULT ID", self.unit_level_tracking_id, ""), ("PM Values", self.soc_pm_values, "")):
            if any(value):
                lines.append("{}: {}".format(label, sep.join("{:02X}".format(b) for b in value)))
        if self.gpio_mask:
            lines.append("GPIO Mask: {:04x}".format(self.gpio_mask))
        return "\n".join(lines) + "\n"


class Control:
    """Device control (``Device.control``): identify, power measurement, temperature."""
    WORD_SIZE = 4

    def __init__(self, device):
        self._device = device
        self.identify()

    def _phys(self):
        if self._device._phys is None:
            raise HailoRTInvalidOperationException(
                "The device in use has been released. This can happen if 'device.release()' has been called, "
                "or one-liner usage of control 'Device().control.XX()'")
        return self._device._phys

    @property
    def device_id(self):
        return self._device.device_id

    def open(self):
        pass

    def close(self):
        pass

    def identify(self):
        info, _ = _control.identity(self._phys())
        major, minor, revision = info.fw_version
        return BoardInformation(info.protocol_version, major, minor, revision, info.logger_version,
                                info.board_name, info.is_release, info.extended_context_switch_buffer,
                                int(info.device_architecture), info.serial_number, info.part_number,
                                info.product_name)

    def core_identify(self):
        info, _ = _control.identity(self._phys())
        major, minor, revision = info.fw_version
        return CoreInformation(major, minor, revision, info.is_release, info.extended_context_switch_buffer)

    def get_extended_device_information(self):
        _link.sim(self._phys()).require_control("get_extended_device_information")
        _, ext = _control.identity(self._phys())
        features = SupportedFeatures(*(name in ext.supported_features
                                       for name in ("ethernet", "mipi", "pcie", "current_monitoring", "mdio")))
        return ExtendedDeviceInformation(ext.neural_network_core_clock_rate, features, ext.boot_source, ext.lcs,
                                         ext.soc_id, ext.eth_mac_address, ext.unit_level_tracking_id,
                                         ext.soc_pm_values, ext.gpio_mask)

    def set_throttling_state(self, should_activate):
        self._phys()
        _control.THROTTLING[self.device_id] = bool(should_activate)

    def get_throttling_state(self):
        self._phys()
        return _control.THROTTLING.get(self.device_id, True)

    def _reset(self):
        """A reset: a firmware written with ``firmware_update(should_reset=False)`` starts running."""
        device = self._phys()
        _link.sim(device).require_control("reset")
        _flash.reset(device.device_id)

    chip_reset = nn_core_reset = soft_reset = forced_soft_reset = _reset

    def _no_bus(self, *args, **kwargs):
        self._phys()
        _status.raise_status(_status.HailoStatus.HAILO_NOT_SUPPORTED,
                             "The simulated device has no I2C bus, sensors or raw memory access")

    i2c_write = i2c_read = read_memory = write_memory = _no_bus

    def get_chip_temperature(self):
        return TemperatureInfo(*_control.temperature(self._phys()))

    # --- flash, logger, watchdog (hailort_sim.device.flash) --------------------------------
    def _flash(self, operation):
        device = self._phys()
        _link.sim(device).require_control(operation)
        return device

    def read_board_config(self):
        """The board configuration section (BOARD_CONFIG_SIZE = 500 bytes)."""
        return _flash.read_board_config(self._flash("read_board_config").device_id)

    def write_board_config(self, configuration):
        _flash.write_board_config(self._flash("write_board_config").device_id, configuration)

    def set_fw_logger(self, level, interface_mask):
        _flash.set_fw_logger(self._flash("set_fw_logger").device_id, int(level), int(interface_mask))

    def firmware_update(self, firmware_binary, should_reset=True):
        """Flash a firmware binary (app + core images); after a reset identify shows its version."""
        device = self._phys()
        _flash.firmware_update(device.device_id, device.architecture.name, firmware_binary, should_reset)

    def second_stage_update(self, second_stage_binary):
        device = self._phys()
        _flash.second_stage_update(device.device_id, device.architecture.name, second_stage_binary)

    def wd_enable(self, cpu_id):
        _flash.watchdog(self._flash("wd_enable").device_id, cpu_id, enabled=True)

    def wd_disable(self, cpu_id):
        _flash.watchdog(self._flash("wd_disable").device_id, cpu_id, enabled=False)

    def wd_config(self, cpu_id, wd_cycles, wd_mode):
        _flash.watchdog(self._flash("wd_config").device_id, cpu_id, cycles=int(wd_cycles), mode=int(wd_mode))

    def previous_system_state(self, cpu_id):
        return _flash.previous_system_state(self._flash("previous_system_state").device_id, cpu_id)

    # --- notifications (hailort_sim.pipeline.health) ---------------------------------------
    def set_notification_callback(self, callback_func, notification_id, opaque):
        """``callback_func(device, notification, opaque)``, from the health monitor's thread, for
        the simulated firmware's temperature and overcurrent alarms."""
        monitor = _health.HealthMonitor.of(self._phys())
        handle = id(self._device)

        def deliver(notification_id, body):
            callback_func(handle, _Notification(notification_id, body), opaque)
        monitor.set_callback(int(notification_id), deliver)

    def remove_notification_callback(self, notification_id):
        _health.HealthMonitor.of(self._phys()).remove_callback(int(notification_id))

    def read_user_config(self):
        """The stored user config as bytes (spec §19 #27); the simulated device's is its JSON."""
        return _control.read_user_config(self._phys())

    def write_user_config(self, configuration):
        _control.write_user_config(self._phys(), configuration)

    def _sensor(self):
        return _control.PowerSensor.of(self._phys())

    def power_measurement(self, dvm=DvmTypes.AUTO, measurement_type=PowerMeasurementTypes.AUTO):
        sensor = self._sensor()
        sensor.check_dvm(int(dvm), int(measurement_type))
        return sensor.value(int(measurement_type))

    def start_power_measurement(self, averaging_factor=AveragingFactor.AVERAGE_256,
                                sampling_period=SamplingPeriod.PERIOD_1100us):
        self._sensor().start(_pyhailort.AVERAGING_FACTOR[int(averaging_factor)],
                             _pyhailort.SAMPLING_PERIOD_US[int(sampling_period)])

    def set_power_measurement(self, buffer_index=MeasurementBufferIndex.MEASUREMENT_BUFFER_INDEX_0,
                              dvm=DvmTypes.AUTO, measurement_type=PowerMeasurementTypes.AUTO):
        self._sensor().set_buffer(int(buffer_index), int(dvm), int(measurement_type))

    def get_power_measurement(self, buffer_index=MeasurementBufferIndex.MEASUREMENT_BUFFER_INDEX_0,
                              should_clear=True):
        return PowerMeasurementData(*self._sensor().get(int(buffer_index), bool(should_clear)))

    def stop_power_measurement(self):
        self._sensor().stop()


class _NotificationBody:
    """``NotificationMessageParameters``: the union's member for the notification's kind."""
    _MEMBERS = {_health.TEMPERATURE_ALARM: "health_monitor_temperature_alarm_notification",
                _health.OVERCURRENT_ALARM: "health_monitor_overcurrent_alert_notification"}

    def __init__(self, notification_id, message):
        setattr(self, self._MEMBERS[notification_id], message)


class _Notification:
    """``_pyhailort.Notification``: ``notification_id``, ``sequence``, ``body``."""
    _sequence = 0

    def __init__(self, notification_id, message):
        _Notification._sequence += 1
        self.notification_id = _pyhailort.NotificationId(notification_id)
        self.sequence = _Notification._sequence
        self.body = _NotificationBody(notification_id, message)


class Device:
    """A physical device for control operations; inference goes through VDevice."""

    def __init__(self, device_id=None):
        gc.collect()
        self._phys = None
        try:
            self._phys = _control.find_device(device_id)
        except HailoRTNotFoundException:
            raise HailoRTException("HailoRT device not found in the system") from None
        self._device_id = self._phys.device_id
        self._control = Control(self)

    @classmethod
    def scan(cls) -> List[str]:
        return [d.device_id for d in _link.scan()]

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.release()
        return False

    def release(self):
        self._phys = None

    @property
    def device_id(self):
        return self._device_id

    @property
    def control(self):
        return self._control

    @property
    def loaded_network_groups(self):
        return []   # Device.configure was removed in 4.20

    def read_log(self, count, cpu_id):
        """Up to ``count`` bytes of the firmware log of CPU ``cpu_id`` (consumed as read)."""
        if self._phys is None:
            raise HailoRTInvalidOperationException("The device in use has been released")
        return _flash.read_log(self._phys.device_id, int(count), cpu_id)

    def __repr__(self):
        return f"Device('{self._device_id}')"


# --- PCIe device info --------------------------------------------------------------------

BOARD_LOCATION_HELP_STRING = ('Board location in the format of the command: "lspci -d 1e60: | cut -d\' \' -f1" '
                              '([<domain>]:<bus>:<device>.<func>). If not specified the first board is taken.')


class PcieDeviceInfo(_pyhailort.PcieDeviceInfo):
    """A PCIe board location; ``str()`` is its BDF (``0000:01:00.0``, or ``01:00.0`` for any domain)."""

    def __init__(self, bus, device, func, domain=None):
        super().__init__(bus, device, func, PCIE_ANY_DOMAIN if domain is None else domain)

    def __eq__(self, other):
        return (self.domain, self.bus, self.device, self.func) == (other.domain, other.bus, other.device, other.func)

    def __hash__(self):
        return hash((self.domain, self.bus, self.device, self.func))

    def __str__(self):
        short = "{:02x}:{:02x}.{}".format(self.bus, self.device, self.func)
        return short if self.domain == PCIE_ANY_DOMAIN else "{:04x}:{}".format(self.domain, short)

    def __repr__(self):
        return "PcieDeviceInfo({})".format(str(self))

    @classmethod
    def from_string(cls, board_location_str):
        import re
        match = re.fullmatch(r"(?:([0-9a-fA-F]+):)?([0-9a-fA-F]+):([0-9a-fA-F]+)\.([0-9a-fA-F]+)",
                             board_location_str.strip())
        if not match:
            raise ValueError("Invalid device info string, format is [<domain>]:<bus>:<device>.<func>")
        domain = None if match.group(1) is None else int(match.group(1), 16)
        return cls(int(match.group(2), 16), int(match.group(3), 16), int(match.group(4), 16), domain)

    @classmethod
    def argument_type(cls, board_location_str):
        import argparse
        try:
            return cls.from_string(board_location_str)
        except ValueError:
            raise argparse.ArgumentTypeError("Invalid device info string, format is [<domain>]:<bus>:<device>.<func>") from None


# --- transform utils ---------------------------------------------------------------------

class HailoRTTransformUtils:
    @staticmethod
    def get_dtype(data_bytes):
        dtypes = {1: np.uint8, 2: np.uint16, 4: np.float32}
        if data_bytes not in dtypes:
            raise HailoRTException("unsupported data bytes value")
        return dtypes[data_bytes]

    @staticmethod
    def _check(buffer, quant_info):
        if buffer.dtype not in (np.uint8, np.uint16, np.float32):
            raise HailoRTException(f"unsupported data type {buffer.dtype}")
        if not _pyhailort.is_qp_valid(quant_info):
            raise HailoRTInvalidOperationException(
                "quant_info is invalid as the model was compiled with multiple quant_infos. "
                "Please compile again or provide a list of quant_infos.")
        return quant_info._to_model()

    @staticmethod
    def quantize_input_buffer(src_buffer, dst_buffer, elements_count, quant_info):
        qi = HailoRTTransformUtils._check(dst_buffer, quant_info)
        src, dst = src_buffer.reshape(-1), dst_buffer.reshape(-1)
        dst[:elements_count] = _formats.quantize(src[:elements_count], qi, dst.dtype)

    @staticmethod
    def dequantize_output_buffer(src_buffer, dst_buffer, elements_count, quant_info):
        qi = HailoRTTransformUtils._check(src_buffer, quant_info)
        src, dst = src_buffer.reshape(-1), dst_buffer.reshape(-1)
        dst[:elements_count] = _formats.dequantize(src[:elements_count], qi).astype(dst.dtype)

    @staticmethod
    def output_raw_buffer_to_nms_format_single_frame(raw_output_buffer, number_of_classes, offset=0):
        """One HAILO_NMS_BY_CLASS frame (per class: a count, then count x 5 values) -> a list of
        ``(count, 5)`` arrays, one per class."""
        frame = []
        for _ in range(number_of_classes):
            count = int(raw_output_buffer[offset])
            offset += 1
            frame.append(np.asarray(raw_output_buffer[offset:offset + BBOX_PARAMS * count]).reshape(count, BBOX_PARAMS)
                         if count else np.empty([0, BBOX_PARAMS]))
            offset += BBOX_PARAMS * count
        return frame

    @staticmethod
    def output_raw_buffer_to_nms_format(raw_output_buffer, number_of_classes):
        return [HailoRTTransformUtils.output_raw_buffer_to_nms_format_single_frame(frame, number_of_classes)
                for frame in raw_output_buffer]

    @staticmethod
    def output_raw_buffer_to_nms_tf_format_single_frame(raw_output_buffer, converted_output_frame, number_of_classes,
                                                        max_bboxes_per_class, quantized_empty_bbox, offset=0):
        """Fill ``converted_output_frame`` (classes, max boxes, 5) from one by-class frame; the
        unused rows get ``quantized_empty_bbox``."""
        for class_index in range(number_of_classes):
            count = int(raw_output_buffer[offset])
            offset += 1
            rows = converted_output_frame[class_index]
            if count:
                rows[:count] = np.asarray(raw_output_buffer[offset:offset + BBOX_PARAMS * count]).reshape(
                    count, BBOX_PARAMS)
                offset += BBOX_PARAMS * count
            rows[count:max_bboxes_per_class] = quantized_empty_bbox

    @staticmethod
    def output_raw_buffer_to_nms_tf_format(raw_output_buffer, shape, dtype, quantized_empty_bbox):
        """By-class frames -> ``shape`` = (frames, classes, 5, max boxes) in TF order."""
        frames, classes, _, max_boxes = shape
        converted = np.empty([frames, classes, max_boxes, BBOX_PARAMS], dtype=dtype)
        frame_size = classes * (BBOX_PARAMS * max_boxes + 1)
        for frame in range(frames):
            HailoRTTransformUtils.output_raw_buffer_to_nms_tf_format_single_frame(
                raw_output_buffer, converted[frame], classes, max_boxes, quantized_empty_bbox, frame * frame_size)
        return np.swapaxes(converted, 2, 3)

    @staticmethod
    def dequantize_output_buffer_in_place(raw_buffer, dst_dtype, elements_count, quant_info):
        qi = HailoRTTransformUtils._check(raw_buffer, quant_info)
        flat = raw_buffer.reshape(-1)
        values = _formats.dequantize(flat[:elements_count].astype(np.dtype(raw_buffer.dtype)), qi)
        flat.view(dst_dtype)[:elements_count] = values.astype(dst_dtype)



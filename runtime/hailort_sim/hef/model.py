"""The model description: what a HEF says, as plain typed values.

This is the contract between the HEF reader/writer (``hailort_sim.hef``), the simulated
device (``hailort_sim.device``), the inference pipeline and the CLI. It holds no I/O and
no numpy, so importing it is cheap. Enum values are libhailort's C values (``hailort.h``),
not the protobuf ones; the reader maps between them.
"""
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Optional, Tuple


class Architecture(IntEnum):
    """``hailo_device_architecture_t``."""
    HAILO8_A0 = 0
    HAILO8 = 1
    HAILO8L = 2
    HAILO15H = 3
    HAILO15L = 4
    HAILO15M = 5
    HAILO10H = 6


class ProtoHwArch(IntEnum):
    """``ProtoHEFHwArch``: the architecture a HEF was compiled for, as stored in the file."""
    HAILO8 = 0
    HAILO8P = 1
    HAILO8R = 2
    HAILO8L = 3
    HAILO15M = 4
    HAILO10H = 5
    HAILO15L = 6
    SAGE_A0 = 100
    SAGE_B0 = 101
    PAPRIKA_B0 = 102
    HAILO15H = 103
    GINGER = 104
    LAVENDER = 105
    PLUTO = 106


class FormatType(IntEnum):
    """``hailo_format_type_t``."""
    AUTO = 0
    UINT8 = 1
    UINT16 = 2
    FLOAT32 = 3


class FormatOrder(IntEnum):
    """``hailo_format_order_t``."""
    AUTO = 0
    NHWC = 1
    NHCW = 2
    FCR = 3
    F8CR = 4
    NHW = 5
    NC = 6
    BAYER_RGB = 7
    BAYER_RGB_12_BIT = 8  # HAILO_FORMAT_ORDER_12_BIT_BAYER_RGB
    HAILO_NMS = 9
    RGB888 = 10
    NCHW = 11
    YUY2 = 12
    NV12 = 13
    NV21 = 14
    HAILO_YYUV = 15
    HAILO_YYVU = 16
    RGB4 = 17
    I420 = 18
    HAILO_YYYYUV = 19
    HAILO_NMS_WITH_BYTE_MASK = 20
    HAILO_NMS_ON_CHIP = 21
    HAILO_NMS_BY_CLASS = 22
    HAILO_NMS_BY_SCORE = 23


class FormatFlags(IntEnum):
    """``hailo_format_flags_t``."""
    NONE = 0
    QUANTIZED = 1
    TRANSPOSED = 2


class Direction(IntEnum):
    """``hailo_stream_direction_t``: H2D is an input, D2H an output."""
    H2D = 0
    D2H = 1


@dataclass(frozen=True)
class QuantInfo:
    """``hailo_quant_info_t``. All four zero means "invalid" (per-feature QPs are in use)."""
    qp_zp: float = 0.0
    qp_scale: float = 1.0
    limvals_min: float = 0.0
    limvals_max: float = 255.0

    @property
    def is_valid(self) -> bool:
        return any((self.qp_zp, self.qp_scale, self.limvals_min, self.limvals_max))


@dataclass(frozen=True)
class NmsInfo:
    """``hailo_nms_info_t`` plus what the host-side NMS vstream exposes."""
    number_of_classes: int
    max_bboxes_per_class: int
    bbox_size: int = 0
    chunks_per_frame: int = 1
    is_defused: bool = False
    burst_size: int = 0
    burst_type: int = 0
    max_bboxes_total: int = 0
    max_accumulated_mask_size: int = 0


@dataclass(frozen=True)
class Format:
    """``hailo_format_t``."""
    type: FormatType
    order: FormatOrder
    flags: FormatFlags = FormatFlags.NONE


@dataclass(frozen=True)
class StreamInfo:
    """A device-side (raw) stream: one boundary edge layer of the core op."""
    name: str
    direction: Direction
    format: Format                      # device format: order from the compiler code, type from data_bytes
    shape: Tuple[int, int, int]         # (height, width, features), transposed if the flag is set
    hw_shape: Tuple[int, int, int]      # padded (height, width, features)
    hw_frame_size: int                  # bytes per frame on the device
    sys_index: int
    quant_info: QuantInfo
    quant_infos: Tuple[QuantInfo, ...] = ()   # per-feature QPs (OUTPUT_SCALE_PER_FEATURE)
    nms_info: Optional[NmsInfo] = None
    network_name: str = ""


@dataclass(frozen=True)
class VStreamInfo:
    """A host-side (virtual) stream: what users bind buffers to."""
    name: str
    network_name: str
    direction: Direction
    format: Format                      # default host format (order mapped from the device order)
    shape: Tuple[int, ...]              # host shape as VStreamInfo.shape reports it for the order
    quant_info: QuantInfo
    quant_infos: Tuple[QuantInfo, ...] = ()
    nms_info: Optional[NmsInfo] = None
    stream_names: Tuple[str, ...] = ()  # the device streams it is made of
    original_names: Tuple[str, ...] = ()  # layer names in the original (framework) model

    @property
    def is_nms(self) -> bool:
        return self.nms_info is not None


@dataclass(frozen=True)
class PostProcessOp:
    """A host-side post-processing op of a net-flow HEF (NMS, argmax, softmax).

    Its output is one output vstream (``output_name``) that replaces the core-op output
    streams it reads (``input_names``); ``description`` is libhailort's op description, which
    ``parse-hef`` prints under "Operation:" split at ", ".
    """
    type: str                           # YOLOV5, YOLOV8, YOLOX, SSD, YOLOV5SEG, IOU, ARGMAX, SOFTMAX
    name: str                           # libhailort's op name, e.g. "YOLOV8-Post-Process"
    output_name: str
    input_names: Tuple[str, ...]
    score_threshold: float = 0.0
    iou_threshold: float = 0.0
    classes: int = 0
    max_proposals_per_class: int = 0
    max_proposals_total: int = 0
    background_removal: bool = False
    background_removal_index: int = 0
    image_height: float = 0.0
    image_width: float = 0.0
    bbox_only: bool = False
    description: str = ""


@dataclass(frozen=True)
class NetworkGroup:
    name: str
    networks: Tuple[str, ...]           # "<ng>/<network>", at least one
    input_streams: Tuple[StreamInfo, ...]
    output_streams: Tuple[StreamInfo, ...]
    input_vstreams: Tuple[VStreamInfo, ...]
    output_vstreams: Tuple[VStreamInfo, ...]   # in sorted-output order
    contexts_count: int = 1
    bottleneck_fps: float = 0.0
    latency_ms: float = 0.0
    sorted_output_names: Tuple[str, ...] = ()  # as Hef::get_sorted_output_names
    ops: Tuple[PostProcessOp, ...] = ()        # net-flow post-processing, in file order
    # Hef::get_network_groups_infos names a group after its core op (the first layout's on
    # HAILO8L/HAILO15M) and counts that core op's contexts; None / 0: the group's own
    info_name: Optional[str] = None
    info_contexts: int = 0
    core_op_name: Optional[str] = None         # names the default network "<op>/<op>"; None: the group's

    @property
    def is_multi_context(self) -> bool:
        return self.contexts_count > 1

    def unsorted_outputs(self, vstreams) -> Tuple[str, ...]:
        """Names of output ``vstreams`` missing from the sorted output names, where libhailort's
        query (NetworkGroupMetadata::get_output_vstream_infos) fails with HAILO_INTERNAL_FAILURE:
        its std::sort compares, so checks, only when there are two or more. A group built in code
        without sorted names is taken as sorted."""
        if len(vstreams) < 2 or not self.sorted_output_names:
            return ()
        return tuple(v.name for v in vstreams if v.name not in self.sorted_output_names)

    def streams_of(self, network: Optional[str], streams) -> Tuple[StreamInfo, ...]:
        """The ``streams`` of ``network`` (None: the group's default network "<ng>/<ng>"), as
        CoreOpMetadata::get_*_layer_infos: all of them when it names the core op's default network."""
        network = network or f"{self.name}/{self.name}"
        core = self.name if self.core_op_name is None else self.core_op_name
        if network == f"{core}/{core}":
            return tuple(streams)
        return tuple(s for s in streams if s.network_name == network)


@dataclass(frozen=True)
class HefModel:
    """Everything the runtime needs from one HEF file."""
    hw_arch: ProtoHwArch
    network_groups: Tuple[NetworkGroup, ...]   # in the order libhailort exposes them (reverse of the file)
    header_version: int = 2                    # file header version, 0..3
    proto_version: int = 1                     # ProtoHEFHeader.version
    sdk_version: str = ""
    hash: str = ""                             # lowercase hex, as Hef::hash()
    extensions: Tuple[str, ...] = field(default=())

    def network_group(self, name: Optional[str] = None) -> NetworkGroup:
        """The named network group, or the default one when name is None or empty."""
        if not name:
            return self.network_groups[0]
        for group in self.network_groups:
            if group.name == name:
                return group
        from hailort_sim.status import HailoStatus, raise_status
        raise_status(HailoStatus.HAILO_NOT_FOUND, f"Network group {name!r} not found in the HEF")

"""Read a HEF (path or bytes) into the typed ``HefModel``.

The interpretation follows libhailort 4.21.0 (``hef.cpp``, ``core_op_metadata.cpp``,
``layer_info.hpp``, the net-flow op metadata): which protobuf fields are used, in which order
things come out, and which status each semantic problem gives. See README.md here.
"""
import collections
import operator
import os
import struct
import warnings
from typing import Dict, List, Optional, Tuple

from hailort_sim.hef import container as _container
from hailort_sim.hef.model import (
    Direction, Format, FormatFlags, FormatOrder, FormatType, HefModel, NetworkGroup, NmsInfo,
    PostProcessOp, ProtoHwArch, QuantInfo, StreamInfo, VStreamInfo,
)
from hailort_sim.status import HailoStatus, raise_status

S = HailoStatus

# ProtoHEFExtensionType values this runtime needs.
EXT_MULTI_NETWORK_VARIABLE_BATCH_SIZE = 8
EXT_HW_PADDING = 11
EXT_HAILO_NET_FLOW = 13
EXT_NMS_OUTPUT_BURST = 19
EXT_OUTPUT_SCALE_PER_FEATURE = 25
EXT_PERIPH_CALCULATION_IN_HAILORT = 26
EXT_SHARED_CONFIG = 32          # "aligned CCWs": only header version 3 carries them
# libhailort 4.21.0 SUPPORTED_EXTENSIONS: every type up to SHARED_CONFIG (32) but TEST_ONE and
# MULTI_NETWORK_VARIABLE_BATCH_SIZE, which are only valid as optional extensions.
SUPPORTED_EXTENSIONS = frozenset(range(33)) - {7, 8}

# Compiler format code (ProtoHEFEdgeLayerBase.format) -> device format order.
DEVICE_ORDER_BY_CODE = {
    0: FormatOrder.NHWC, 1: FormatOrder.NHCW, 2: FormatOrder.NC, 3: FormatOrder.FCR,
    4: FormatOrder.BAYER_RGB, 5: FormatOrder.NHW, 6: FormatOrder.HAILO_NMS_ON_CHIP,
    7: FormatOrder.F8CR, 8: FormatOrder.RGB888, 11: FormatOrder.YUY2, 13: FormatOrder.NHWC,
    14: FormatOrder.HAILO_YYUV, 15: FormatOrder.HAILO_YYVU, 16: FormatOrder.HAILO_YYYYUV,
}
NMS_FORMAT_CODE = 6

# HailoRTDefaults::get_default_host_format_order
HOST_ORDER = {
    FormatOrder.NHCW: FormatOrder.NHWC, FormatOrder.RGB888: FormatOrder.NHWC,
    FormatOrder.HAILO_YYUV: FormatOrder.NV12, FormatOrder.HAILO_YYVU: FormatOrder.NV21,
    FormatOrder.HAILO_YYYYUV: FormatOrder.I420, FormatOrder.HAILO_NMS_ON_CHIP: FormatOrder.HAILO_NMS_BY_CLASS,
}
PLANES_ORDER = {0: FormatOrder.NV12, 1: FormatOrder.NV21, 2: FormatOrder.I420}

H8_FAMILY = {ProtoHwArch.HAILO8, ProtoHwArch.HAILO8P, ProtoHwArch.HAILO8R, ProtoHwArch.SAGE_B0, ProtoHwArch.HAILO8L}
H15_FAMILY = {ProtoHwArch.HAILO15H, ProtoHwArch.HAILO15M, ProtoHwArch.HAILO10H, ProtoHwArch.GINGER,
              ProtoHwArch.LAVENDER, ProtoHwArch.PLUTO, ProtoHwArch.HAILO15L}
MULTI_LAYOUT_ARCHS = {ProtoHwArch.HAILO8L, ProtoHwArch.HAILO15M}
HAILO8_INBOUND_DATA_STREAM_SIZE = 0x10000
HAILO1X_PERIPH_BYTES_PER_BUFFER_MAX_SIZE = 0x2000

# hailo_nms_burst_type_t
BURST_H8_BBOX, BURST_H15_BBOX, BURST_H8_PER_CLASS, BURST_H15_PER_CLASS, BURST_H15_PER_FRAME = range(5)
MAX_NMS_BURST_SIZE = 65536
MAX_DEFUSED_LAYER_COUNT = 9
MAX_NAME_SIZE = 128
BBOX_PARAMS = 5
NMS_NUMBER_OF_QPS = 2
HW_DATA_ALIGNMENT = 8
NMS_BBOX_COUNTER_BYTES = 2
NMS_HOST_BBOX_BYTES = 20        # sizeof(hailo_bbox_float32_t)
INVALID_QP = QuantInfo(0.0, 0.0, 0.0, 0.0)
OP_NMS_KINDS = {  # ProtoHEFNmsOp oneof field -> (type, libhailort op name)
    "yolo_nms_op": ("YOLOV5", "YOLOv5-Post-Process"),
    "yolox_nms_op": ("YOLOX", "YOLOX-Post-Process"),
    "ssd_nms_op": ("SSD", "SSD-Post-Process"),
    "iou_op": ("IOU", "IoU-Post-Process"),
    "yolo_seg_op": ("YOLOV5SEG", "YOLOv5Seg-Post-Process"),
    "yolov8_nms_op": ("YOLOV8", "YOLOV8-Post-Process"),
}
BBOX_ONLY_NAMES = {"YOLOV5": "YOLOv5Bbox-Only-Post-Process", "YOLOV8": "YOLOv8Bbox-Only-Post-Process"}

# Context-switch operations (hef.cpp parse_trigger_action, parse_action): the fields each trigger
# and action keeps in a uint8 (or the given number of bits).
TRIGGER_FIELDS = {
    "trigger_lcu": ("cluster_index", "lcu_index"),
    "trigger_all_data_was_sent": ("shmifo_index",),
    "trigger_dma_idle": ("shmifo_index",),
    "trigger_nms": ("aggregator_index", "pred_cluster_ob_index", "pred_cluster_ob_cluster_index",
                    "pred_cluster_ob_interface", "succ_prepost_ob_index", "succ_prepost_ob_interface"),
    "trigger_none": (),
}
ACTION_FIELDS = {
    "disable_lcu": (("cluster_index", 8), ("lcu_index", 8)),
    "enable_lcu": (("cluster_index", 8), ("lcu_index", 8), ("lcu_kernel_done_address", 16)),
    "switch_lcu_batch": (("cluster_index", 8), ("lcu_index", 8)),
    "enable_sequencer": (("cluster_index", 8),),
    "wait_for_seqeuncer": (("cluster_index", 8),),
    "allow_input_dataflow": (("sys_index", 8),),
    "wait_for_module_config_done": (("index", 8),),
    "enable_nms": (("nms_unit_index", 8), ("network_index", 8)),
    "write_data_by_type": (("address", 32),),
    "none": (), "debug": (),
}
MIN_SLEEP_TIME_USEC = 1000
WRITE_BY_TYPE_MAX_SIZE = 4

_F32 = struct.Struct("<f")


def _f32(value: float) -> float:
    """Round to float32, as libhailort stores every QP in a float32_t."""
    try:
        return _F32.unpack(_F32.pack(value))[0]
    except OverflowError:
        return float("inf") if value > 0 else float("-inf")


def read_hef(source) -> HefModel:
    """The model of a HEF given as a path (str / os.PathLike) or as its bytes."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        hef = _container.parse_container(bytes(source), from_file=False)
    elif isinstance(source, (str, os.PathLike)):
        hef = _container.parse_container(_container.read_file(source), from_file=True)
    else:
        raise TypeError("HEF can only be created from a file path (str) or a buffer (bytes)")
    return model_from_proto(parse_proto(hef.proto), hef)


def parse_proto(data):
    """The ``ProtoHEFHef`` message, or HAILO_HEF_FILE_CORRUPTED as libhailort's ParseFromArray."""
    from hailort_sim.hef.proto import ProtoHEFHef, WARNS_ON_STRAY_END_GROUP
    message = ProtoHEFHef()
    if not WARNS_ON_STRAY_END_GROUP:
        try:
            message.ParseFromString(bytes(data))
        except Exception as error:  # DecodeError, or RecursionError/ValueError from nested garbage
            raise_status(S.HAILO_HEF_FILE_CORRUPTED, f"Failed parsing HEF file: {error}")
        return message
    # protobuf's C++ backend (Debian's python3-protobuf) only warns about a stray end-group tag
    # where libhailort's parser fails. catch_warnings is process-global, so only here.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            message.ParseFromString(bytes(data))
        except Exception as error:
            raise_status(S.HAILO_HEF_FILE_CORRUPTED, f"Failed parsing HEF file: {error}")
    if any(issubclass(w.category, RuntimeWarning) for w in caught):
        raise_status(S.HAILO_HEF_FILE_CORRUPTED, f"Failed parsing HEF file: {caught[0].message}")
    return message


class _Features:
    """libhailort's SupportedFeatures: extensions count only when header.version > 0."""

    def __init__(self, message):
        active = message.header.version > 0
        self.required = {e.type_index for e in message.extensions} if active else set()
        self.optional = {e.type_index for e in message.optional_extensions} if active else set()
        self.net_flow = EXT_HAILO_NET_FLOW in self.required
        self.nms_burst = EXT_NMS_OUTPUT_BURST in self.required
        self.scale_per_feature = EXT_OUTPUT_SCALE_PER_FEATURE in self.required
        self.periph_in_hailort = EXT_PERIPH_CALCULATION_IN_HAILORT in self.required
        self.aligned_ccws = EXT_SHARED_CONFIG in self.required
        self.multi_network = EXT_MULTI_NETWORK_VARIABLE_BATCH_SIZE in self.optional
        self.hw_padding_in_dfc = EXT_HW_PADDING in self.optional


class _CoreOp:
    """ProtoHEFCoreOpMock: the fields 1-6 shared by a legacy network group and a net-flow core op."""

    def __init__(self, proto, partials=()):
        self.metadata = proto.network_group_metadata
        self.preliminary = proto.preliminary_config.operation
        self.contexts = proto.contexts
        self.sorted_outputs_order = proto.sorted_outputs_order
        self.fused = proto.fused_layers_metadata
        self.networks_names = list(proto.networks_names)
        self.partials = list(partials)            # [(layout bitmap, _CoreOp)]

    @property
    def name(self) -> str:
        return self.metadata.network_group_name


class _Layer:
    """LayerInfo: one boundary edge layer (info, mux or planes) after libhailort's parsing."""
    __slots__ = ("name", "network_name", "direction", "order", "type", "flags", "shape", "hw_shape",
                 "quant", "quants", "nms", "sys_index", "is_mux", "predecessors", "planes",
                 "is_planes", "fused", "pad_index", "original_names", "max_shmifo_size")

    def __init__(self):
        self.is_mux = self.is_planes = False
        self.predecessors: List["_Layer"] = []
        self.planes: List["_Layer"] = []
        self.fused: Optional["_Layer"] = None
        self.nms: Optional[NmsInfo] = None
        self.pad_index: Optional[int] = None
        self.original_names: Tuple[str, ...] = ()
        self.flags = FormatFlags.NONE
        self.quant = QuantInfo(0.0, 0.0, 0.0, 0.0)
        self.quants: Tuple[QuantInfo, ...] = ()
        self.sys_index = 0
        self.max_shmifo_size = 0


class _Reader:
    def __init__(self, message, hef):
        self.message = message
        self.hef = hef
        self.features = _Features(message)
        self.ops_metadata_names = set()   # core-op names libhailort keys its post-process ops by
        try:
            self.arch: Optional[ProtoHwArch] = ProtoHwArch(message.header.hw_arch)
        except ValueError:
            self.arch = None   # libhailort finds out at the first edge layer (_check_arch)

    def _check_arch(self):
        """HefConfigurator::max_periph_bytes_value, asked for every edge layer."""
        if self.arch is None:
            raise_status(S.HAILO_INVALID_ARGUMENT, "Unknown device architecture! "
                         f"(hw_arch {self.message.header.hw_arch})")

    # ---- whole file ----------------------------------------------------------------------
    def model(self) -> HefModel:
        core_ops: Dict[str, List[_CoreOp]] = {}
        groups = list(self.message.network_groups)[::-1]   # libhailort pops with ReleaseLast()
        for group in groups:
            core_ops.setdefault(self._group_name(group), []).append(self._core_op_of(group))
        result = []
        seen = set()
        for group in groups:
            name = self._group_name(group)
            if name in seen:
                raise_status(S.HAILO_INVALID_OPERATION,
                             f"Network group with the name {name} is already configured on the device")
            seen.add(name)
            result.append(self._network_group(group, name, core_ops[name][0]))
        self._check_extensions()
        self._check_arch()   # a file without edge layers
        return HefModel(
            hw_arch=self.arch, network_groups=tuple(result), header_version=self.hef.version,
            proto_version=int(self.message.header.version), sdk_version=self.message.header.sdk_version,
            hash=self.hef.hash, extensions=tuple(e.name for e in self.message.extensions))

    def _check_extensions(self):
        unsupported = [e.name for e in self.message.extensions if e.type_index not in SUPPORTED_EXTENSIONS]
        if unsupported:
            raise_status(S.HAILO_HEF_NOT_SUPPORTED,
                         "Failed opening non-compatible HEF with the following unsupported extensions: "
                         + ", ".join(unsupported))
        if not self.features.periph_in_hailort:
            raise_status(S.HAILO_HEF_NOT_SUPPORTED,
                         "Hef has periph_calculation_in_hailort feature disabled - this HEF is outdated "
                         "and no longer supported. Please update HEF")

    @staticmethod
    def _group_name(group) -> str:
        if len(group.partial_network_groups):
            return group.partial_network_groups[0].network_group.network_group_metadata.network_group_name
        return group.network_group_metadata.network_group_name

    def _core_op_of(self, group) -> _CoreOp:
        if self.features.net_flow:
            for op in group.ops:
                if op.WhichOneof("op") == "core_op":
                    core = op.core_op
                    partials = [(p.layout.partial_clusters_layout_bitmap, _CoreOp(p.core_op))
                                for p in core.partial_core_ops]
                    return _CoreOp(core, partials)
            raise_status(S.HAILO_INVALID_HEF,
                         f"Network group {self._group_name(group)!r} has no core op (HAILO_NET_FLOW HEF)")
        partials = [(p.layout.partial_clusters_layout_bitmap, _CoreOp(p.network_group))
                    for p in group.partial_network_groups]
        return _CoreOp(group, partials)

    # ---- one network group ---------------------------------------------------------------
    def _network_group(self, group, name: str, core_op: _CoreOp) -> NetworkGroup:
        networks = self._network_names(group, name, core_op)
        if self.arch in MULTI_LAYOUT_ARCHS:
            if not core_op.partials:
                raise_status(S.HAILO_INVALID_HEF,
                             f"Network group {name!r}: a {self.arch.name} HEF needs partial network groups "
                             "(one per cluster layout)")
            layouts = core_op.partials
        else:
            layouts = [(None, core_op)]
        parsed, ops = {}, None
        for bitmap, layout in layouts:   # libhailort builds the metadata and the ops of every layout
            inputs, outputs = self._contexts(layout)
            layout_ops = self._ops(group, layout, outputs) if self.features.net_flow else []
            parsed[bitmap] = (layout, inputs, outputs)
            # the ops are kept by core-op name with map::insert: the first layout's stay
            ops = layout_ops if ops is None else ops
        # CoreOpMetadataPerArch is a std::map: "any layout" means the lowest bitmap.
        layout_core, inputs, outputs = parsed[None] if None in parsed else parsed[min(parsed)]
        self.ops_metadata_names.update(layout.name for _, layout in layouts)
        sorted_names = self._sorted_output_names(group, core_op)
        if name not in self.ops_metadata_names:
            # libhailort keys the group's post-process ops by its core op's name and looks them
            # up by the group's name: std::map::at throws, and hailortcli aborts (4.21.0).
            raise_status(S.HAILO_INVALID_HEF,
                         f"Network group {name!r}: its core op is named {core_op.name!r}, not after the group")

        input_vstreams = [v for layer in inputs for v in self._vstreams(layer)]
        op_inputs = {n for entry in ops for n in entry[0].input_names}
        output_vstreams: List[VStreamInfo] = []
        for layer in outputs:
            if layer.name in op_inputs:
                continue
            for vstream in self._vstreams(layer):
                if all(v.name != vstream.name for v in output_vstreams):
                    output_vstreams.append(vstream)
        default_network = f"{name}/{name}"
        for entry in ops:
            output_vstreams.append(self._op_vstream(entry, default_network))
        # A name missing from the sorted names fails the query that sorts it (NetworkGroup.unsorted_outputs)
        order = {n: i for i, n in reversed(list(enumerate(sorted_names)))}
        output_vstreams.sort(key=lambda v: order.get(v.name, len(order)))
        metadata = layout_core.metadata
        first = layouts[0][1]
        return NetworkGroup(
            name=name, networks=tuple(networks),
            input_streams=tuple(s for layer in inputs for s in self._streams(layer)),
            output_streams=tuple(s for layer in outputs for s in self._streams(layer)),
            input_vstreams=tuple(input_vstreams), output_vstreams=tuple(output_vstreams),
            contexts_count=len(layout_core.contexts), bottleneck_fps=metadata.bottleneck_fps,
            latency_ms=metadata.latency, sorted_output_names=tuple(sorted_names),
            ops=tuple(entry[0] for entry in ops), info_name=first.name, info_contexts=len(first.contexts),
            core_op_name=layout_core.name)

    def _network_names(self, group, name, core_op) -> List[str]:
        names: List[str] = []
        if self.features.multi_network:
            if len(group.networks_names):
                names = [f"{name}/{n}" for n in core_op.networks_names]
            elif len(group.partial_network_groups):
                names = [f"{name}/{n}" for n in group.partial_network_groups[0].network_group.networks_names]
        return names or [f"{name}/{name}"]

    def _sorted_output_names(self, group, core_op) -> List[str]:
        if core_op.fused.network_has_fused_layers:
            return list(core_op.fused.updated_sorted_output_names)
        if (not self.features.net_flow and len(group.partial_network_groups)
                and len(group.partial_network_groups[0].network_group.sorted_outputs_order)):
            return list(group.partial_network_groups[0].network_group.sorted_outputs_order)
        if len(group.sorted_outputs_order):
            return list(group.sorted_outputs_order)
        if not len(core_op.contexts) or not len(core_op.contexts[-1].metadata.sorted_outputs_order):
            raise_status(S.HAILO_INVALID_HEF, "Sorted output names is not set up in the HEF.")
        return list(core_op.contexts[-1].metadata.sorted_outputs_order)

    # ---- contexts and edge layers --------------------------------------------------------
    def _contexts(self, core_op: _CoreOp):
        if not len(core_op.contexts):
            raise_status(S.HAILO_INVALID_HEF, f"Core op {core_op.name!r} has no contexts")
        self._operations(core_op.preliminary)
        inputs: List[_Layer] = []
        outputs: List[_Layer] = []
        for context in core_op.contexts:
            self._operations(context.operations)
            for edge in context.metadata.edge_layers:
                kind = edge.context_switch_info.edge_connection_type
                if kind == 0:   # BOUNDARY: the only layers users see
                    layer = self._boundary_layer(core_op, edge)
                    (outputs if layer.direction == Direction.D2H else inputs).append(layer)
                elif kind not in (1, 2, 3):
                    raise_status(S.HAILO_INVALID_HEF, f"Unsupported edge connection type given {kind}")
        names = set()
        for layer in inputs + outputs:
            if layer.name in names:
                raise_status(S.HAILO_INVALID_HEF,
                             f"Layer name should be unique. name '{layer.name}' appears more than once")
            names.add(layer.name)
        if core_op.metadata.cfg_channels_count > 0xFF:
            raise_status(S.HAILO_INVALID_HEF, "Invalid cfg channels count")
        return inputs, outputs

    # ---- context-switch operations -------------------------------------------------------
    def _operations(self, operations):
        """Check triggers and actions as libhailort parses them when it loads the HEF (the
        simulated device runs none of them)."""
        version = self.hef.version
        ccw_kind, other_ccw = ("write_data_ccw", "write_data_ccw_ptr") if version == 0 \
            else ("write_data_ccw_ptr", "write_data_ccw")
        for operation in operations:
            self._trigger(operation.trigger)
            actions = operation.actions
            # A burst is a run of config-word actions, counted per config channel: only a run of
            # more than 0xFFFF actions can overflow one, so per-channel counts are kept for such a
            # run only (a 10 MB HEF has ~50k of these actions: this loop is most of read_hef).
            run, bursts = 0, None
            channel_of = operator.attrgetter(ccw_kind + ".cfg_channel_index")
            for index, action in enumerate(actions):
                kind = action.WhichOneof("action")
                if kind != ccw_kind:
                    if kind == other_ccw:
                        raise_status(S.HAILO_INVALID_HEF, f"{kind} action is not supported for hef version {version}")
                    run, bursts = 0, None
                    self._action(kind, action)
                    continue
                channel = channel_of(action)
                if channel > 0xFF:
                    raise_status(S.HAILO_INVALID_HEF, "Invalid cfg channel index")
                run += 1
                if version > 0 and run > 0xFFFF:
                    if bursts is None:
                        bursts = collections.Counter(map(channel_of, actions[index + 1 - run:index]))
                    bursts[channel] += 1
                    if bursts[channel] > 0xFFFF:
                        raise_status(S.HAILO_INVALID_HEF, f"Too many ccw burst {bursts[channel]} (must fit in uint16)")
            if version > 0 and self.features.aligned_ccws and version != 3:
                raise_status(S.HAILO_HEF_NOT_SUPPORTED, f"Aligned_ccws is not supported on hef version {version}")

    @staticmethod
    def _trigger(trigger):
        kind = trigger.WhichOneof("trigger")
        if kind == "trigger_all_data_was_received":
            raise_status(S.HAILO_NOT_IMPLEMENTED, "kTriggerAllDataWasReceived trigger is not supported")
        if kind not in TRIGGER_FIELDS:
            raise_status(S.HAILO_INVALID_HEF, "Unsupported trigger given 0")
        detail = getattr(trigger, kind)
        for field in TRIGGER_FIELDS[kind]:
            if getattr(detail, field) > 0xFF:
                raise_status(S.HAILO_INVALID_HEF, f"Failed to parse HEF. Invalid {field}: {getattr(detail, field)}.")

    @staticmethod
    def _action(kind, action):
        if kind not in ACTION_FIELDS:   # unset, write_data, write_compressed_data
            raise_status(S.HAILO_INTERNAL_FAILURE, f"Action {kind or 'unset'} not implemented")
        detail = getattr(action, kind)
        for field, bits in ACTION_FIELDS[kind]:
            if getattr(detail, field) >> bits:
                raise_status(S.HAILO_INVALID_HEF, f"Failed to parse HEF. Invalid {field}: {getattr(detail, field)}.")
        if kind == "enable_sequencer" and detail.initial_l3_info.includes_initial_l3_info:
            if detail.initial_l3_info.initial_l3_index > 0xFF or detail.initial_l3_info.initial_l3_offset > 0xFFFF:
                raise_status(S.HAILO_INVALID_HEF, "Initial l3 cut or offset is out of range")
        elif kind == "enable_nms":
            if not detail.number_of_classes or not detail.burst_size:
                raise_status(S.HAILO_INVALID_HEF, "Enable NMS Action must have number of classes and burst size")
            if detail.division_factor > 0xFF:
                raise_status(S.HAILO_INVALID_HEF, f"Failed to parse HEF. Invalid division factor: {detail.division_factor}.")
        elif kind == "write_data_by_type":
            if detail.address % 4 or detail.data_type not in (0, 1) or len(detail.data) > WRITE_BY_TYPE_MAX_SIZE \
                    or detail.shift > 0xFF:
                raise_status(S.HAILO_INVALID_HEF, "Failed to parse HEF. Invalid write_data_by_type action")
        elif kind == "debug":
            sleep = detail.WhichOneof("action")
            if sleep is None:
                raise_status(S.HAILO_INVALID_HEF, "Debug action must have sleep or halt field")
            if sleep == "sleep" and detail.sleep.duration_in_usec < MIN_SLEEP_TIME_USEC:
                raise_status(S.HAILO_INVALID_HEF, f"Sleep time must be at least {MIN_SLEEP_TIME_USEC} microseconds")

    def _boundary_layer(self, core_op: _CoreOp, edge) -> _Layer:
        direction = Direction.D2H if edge.direction == 1 else Direction.H2D
        index = edge.network_index if self.features.multi_network else 0
        if self.features.multi_network:
            if index >= len(core_op.networks_names):
                raise_status(S.HAILO_INVALID_ARGUMENT,
                             f"Requested name for network_index={index}, however there are only "
                             f"{len(core_op.networks_names)} networks in the network group")
            partial_name = core_op.networks_names[index]
        else:
            partial_name = core_op.name
        if len(partial_name) + 1 > MAX_NAME_SIZE:
            raise_status(S.HAILO_INTERNAL_FAILURE,
                         f"The network '{partial_name}' has a too long name (max is HAILO_MAX_NETWORK_NAME_SIZE)")
        network = f"{core_op.name}/{partial_name}"
        kind = edge.edge_layer_type
        if kind == 0:
            layer = self._info_layer(edge.layer_info, core_op, direction, network, False)
        elif kind == 1:
            layer = self._mux_layer(edge.layer_mux, core_op, direction, network)
        elif kind == 2:
            layer = self._planes_layer(edge.layer_planes, core_op, direction, network)
        else:
            raise_status(S.HAILO_INTERNAL_FAILURE, f"Invalid layer type {kind}")
        if edge.HasField("pad_index"):
            layer.pad_index = edge.pad_index
        return layer

    def _check_name(self, name: str):
        if len(name.encode("utf-8")) + 1 > MAX_NAME_SIZE:
            raise_status(S.HAILO_INTERNAL_FAILURE,
                         f"The edge layer '{name}' has a too long name (max is HAILO_MAX_STREAM_NAME_SIZE)")

    def _base(self, layer: _Layer, base, core_op: _CoreOp, transposed: bool, in_mux: bool):
        order = DEVICE_ORDER_BY_CODE.get(base.format)
        if order is None:
            raise_status(S.HAILO_INTERNAL_FAILURE, f"Invalid compiler_format_order ({base.format})")
        layer.order = order
        if base.format == NMS_FORMAT_CODE:
            nms = base.additional_info.nms_info
            shape = [nms.number_of_classes, BBOX_PARAMS, nms.max_output_size * nms.input_division_factor]
        else:
            shape = [base.height, base.width, base.features]
        if (core_op.metadata.transposed_net or transposed) and order != FormatOrder.NC:
            shape[0], shape[1] = shape[1], shape[0]
            layer.flags = FormatFlags.TRANSPOSED
        layer.shape = tuple(shape)
        if base.host_argmax:
            raise_status(S.HAILO_HEF_NOT_SUPPORTED,
                         "Using legacy implementation of Argmax in host. Please re-compile your model "
                         "with latest DFC version")
        layer.type = _format_type(base.data_bytes)
        self._check_arch()
        layer.max_shmifo_size = base.max_shmifo_size
        padding_in_core = (not in_mux) and self._core_hw_padding(layer, base)
        if base.core_bytes_per_buffer > 0xFFFF:
            raise_status(S.HAILO_INVALID_HEF, "core_bytes_per_buffer is too big")
        if base.core_buffers_per_frame > 0xFFFF:
            raise_status(S.HAILO_INVALID_HEF, "core_buffers_per_frame is too big")
        if padding_in_core and base.width * base.data_bytes > 0xFFFF:
            raise_status(S.HAILO_INVALID_HEF, f"frame width {base.width * base.data_bytes} is too big")
        if padding_in_core:
            layer.hw_shape = (base.height, base.width, base.features)
        else:
            layer.hw_shape = (base.padded_height, base.padded_width, base.padded_features)
        if base.sys_index > 0xFF:
            raise_status(S.HAILO_INVALID_HEF, f"Failed to parse HEF. Invalid sys_index: {base.sys_index}.")
        layer.sys_index = base.sys_index
        if base.engine_id > 0xFF:
            raise_status(S.HAILO_INVALID_HEF, f"Failed to parse HEF. Invalid engine_id: {base.engine_id}.")
        if order == FormatOrder.HAILO_NMS_ON_CHIP:
            layer.nms = self._nms_info(base.additional_info.nms_info)

    def _max_periph_bytes(self, shmifo: int) -> int:
        arch_max = HAILO8_INBOUND_DATA_STREAM_SIZE if self.arch in H8_FAMILY | {ProtoHwArch.SAGE_A0, ProtoHwArch.PAPRIKA_B0} \
            else HAILO1X_PERIPH_BYTES_PER_BUFFER_MAX_SIZE
        return arch_max if shmifo == 0 else min(arch_max, shmifo)

    def _core_hw_padding(self, layer: _Layer, base) -> bool:
        """HefConfigurator::is_core_hw_padding_supported: hw shape is then the unpadded shape."""
        if self.features.hw_padding_in_dfc or layer.order != FormatOrder.NHCW:
            return False
        height, width = base.height, base.width
        if base.core_buffers_per_frame != height:
            return False
        if (width * base.features) % 8:
            return False
        return width * base.features * base.data_bytes <= self._max_periph_bytes(base.max_shmifo_size) - 1

    def _nms_info(self, nms) -> NmsInfo:
        classes, per_class = nms.number_of_classes, nms.max_output_size
        if self.features.nms_burst:
            burst_size = nms.burst_size
            if self.arch in H8_FAMILY and nms.burst_type == 1:
                burst_type = BURST_H8_PER_CLASS
            elif self.arch in H15_FAMILY and nms.burst_type in (2, 3):
                burst_type = BURST_H15_PER_CLASS if nms.burst_type == 2 else BURST_H15_PER_FRAME
            elif self.arch in H8_FAMILY | H15_FAMILY:
                raise_status(S.HAILO_INVALID_HEF,
                             f"Unsupported burst type was given {nms.burst_type} for arch {int(self.arch)}")
            else:
                raise_status(S.HAILO_INTERNAL_FAILURE, f"Not supported hef arch {int(self.arch)}")
            if burst_size * nms.bbox_size > MAX_NMS_BURST_SIZE:
                raise_status(S.HAILO_INVALID_HEF,
                             f"Invalid HEF, nms burst size {burst_size * nms.bbox_size} larger than maximum "
                             f"burst size {MAX_NMS_BURST_SIZE}")
        else:
            if nms.burst_type != 0:
                raise_status(S.HAILO_INVALID_HEF,
                             f"Invalid HEF, nms burst extension is disabled yet burst type {nms.burst_type} is not zero")
            burst_size = 1
            if self.arch in H8_FAMILY:
                burst_type = BURST_H8_BBOX
            elif self.arch in H15_FAMILY:
                burst_type = BURST_H15_BBOX
            else:
                raise_status(S.HAILO_INTERNAL_FAILURE, f"Not supported hef arch {int(self.arch)}")
        if nms.defuse_info.class_group_index >= MAX_DEFUSED_LAYER_COUNT:
            raise_status(S.HAILO_INVALID_HEF,
                         f"class_group_index from HEF is bigger than {MAX_DEFUSED_LAYER_COUNT}!")
        if len(nms.defuse_info.original_name.encode("utf-8")) + 1 > MAX_NAME_SIZE:
            raise_status(S.HAILO_INTERNAL_FAILURE,
                         f"original_name field '{nms.defuse_info.original_name}' has a too long name")
        # libhailort keeps these in uint32_t fields
        classes &= 0xFFFFFFFF
        per_class &= 0xFFFFFFFF
        return NmsInfo(number_of_classes=classes, max_bboxes_per_class=per_class,
                       bbox_size=nms.bbox_size & 0xFFFFFFFF,
                       chunks_per_frame=(nms.input_division_factor & 0xFFFFFFFF) or 1,
                       is_defused=nms.is_defused, burst_size=burst_size, burst_type=burst_type,
                       max_bboxes_total=(classes * per_class) & 0xFFFFFFFF)

    def _info_layer(self, info, core_op: _CoreOp, direction, network: str, in_mux: bool) -> _Layer:
        self._check_name(info.name)
        layer = _Layer()
        layer.name = info.name
        layer.network_name = network
        layer.direction = direction
        layer.original_names = tuple(info.original_names)
        numeric = info.numeric_info
        layer.quant = QuantInfo(_f32(numeric.qp_zp), _f32(numeric.qp_scale),
                                _f32(numeric.limvals_min), _f32(numeric.limvals_max))
        self._base(layer, info.edge_layer_base, core_op, info.transposed, in_mux)
        count = NMS_NUMBER_OF_QPS if layer.order == FormatOrder.HAILO_NMS_ON_CHIP else layer.shape[2]
        limits = (layer.quant.limvals_min, layer.quant.limvals_max)
        if self.features.scale_per_feature:
            if len(numeric.qp_zps) != count or len(numeric.qp_scales) != count:
                if direction == Direction.D2H or len(numeric.qp_zps) < count or len(numeric.qp_scales) < count:
                    raise_status(S.HAILO_INVALID_HEF, "Invalid quantization infos vector in HEF!")
            if direction == Direction.D2H:
                layer.quant = INVALID_QP
            layer.quants = tuple(QuantInfo(_f32(numeric.qp_zps[i]), _f32(numeric.qp_scales[i]), *limits)
                                 for i in range(count))
        else:
            layer.quants = (QuantInfo(layer.quant.qp_zp, layer.quant.qp_scale, *limits),)
        if direction == Direction.H2D and any(q != layer.quants[0] for q in layer.quants):
            raise_status(S.HAILO_INVALID_HEF,
                         "Different quantization infos are not allowed for input streams (H2D)!")
        if not len(info.edge_layer_base.buffer_indices):   # libhailort asserts one; a Release build reads the first
            raise_status(S.HAILO_INVALID_HEF,
                         f"Edge layer {info.name!r} must have exactly one buffer index, "
                         f"has {len(info.edge_layer_base.buffer_indices)}")
        if core_op.fused.network_has_fused_layers and layer.nms is not None and layer.nms.is_defused:
            original = info.edge_layer_base.additional_info.nms_info.defuse_info.original_name
            for fused in core_op.fused.fused_layers:
                if fused.layer_info.name == original:
                    layer.fused = self._fused_layer(fused, layer)
                    break
            else:
                raise_status(S.HAILO_NOT_FOUND, f"Could not find the fused layer {original}")
        return layer

    def _fused_layer(self, fused, defused: _Layer) -> _Layer:
        base = fused.layer_info.edge_layer_base
        layer = _Layer()
        order = DEVICE_ORDER_BY_CODE.get(base.format)
        if order is None:
            raise_status(S.HAILO_INTERNAL_FAILURE, f"Invalid compiler_format_order ({base.format})")
        layer.order = order
        nms = fused.nms_info
        layer.shape = (nms.number_of_classes, BBOX_PARAMS, nms.max_output_size * nms.input_division_factor)
        layer.hw_shape = layer.shape
        layer.type = _format_type(base.data_bytes)
        layer.nms = self._nms_info(nms)
        self._check_name(fused.layer_info.name)
        layer.name = fused.layer_info.name
        layer.network_name = defused.network_name
        layer.direction = Direction.D2H
        layer.quant = defused.quant   # the SDK leaves the fused layer's QP empty
        layer.quants = (defused.quant,)
        layer.original_names = tuple(fused.layer_info.original_names)
        if not len(base.buffer_indices):
            raise_status(S.HAILO_INVALID_HEF, f"Fused layer {layer.name!r} must have exactly one buffer index")
        return layer

    def _mux_layer(self, mux, core_op: _CoreOp, direction, network: str, depth: int = 0) -> _Layer:
        self._check_name(mux.name)
        if depth > 32:
            raise_status(S.HAILO_INVALID_HEF, f"Mux layer {mux.name!r} nests too deeply")
        layer = _Layer()
        layer.name = mux.name
        layer.network_name = network
        layer.direction = direction
        layer.is_mux = True
        layer.original_names = tuple(mux.original_names)
        self._base(layer, mux.edge_layer_base, core_op, False, True)
        if not len(mux.edge_layer_base.buffer_indices):
            raise_status(S.HAILO_INVALID_HEF, f"Mux layer {mux.name!r} must have exactly one buffer index")
        count = mux.mux_data.number_of_predecessors
        if count > len(mux.predecessors):
            raise_status(S.HAILO_INVALID_HEF,
                         f"Mux layer {mux.name!r} declares {count} predecessors but has {len(mux.predecessors)}")
        for i in range(count):
            pred = mux.predecessors[i]
            kind = pred.WhichOneof("edge")
            if kind == "layer_info":
                layer.predecessors.append(self._info_layer(pred.layer_info, core_op, direction, network, True))
            elif kind == "layer_mux":
                layer.predecessors.append(self._mux_layer(pred.layer_mux, core_op, direction, network, depth + 1))
            else:
                raise_status(S.HAILO_INTERNAL_FAILURE, f"Invalid layer type under mux {mux.name!r}")
        return layer

    def _planes_layer(self, planes, core_op: _CoreOp, direction, network: str) -> _Layer:
        layer = _Layer()
        layer.is_planes = True
        layer.direction = direction
        layer.shape = layer.hw_shape = (planes.height, planes.width, planes.features)
        if planes.planes_format not in PLANES_ORDER:
            raise_status(S.HAILO_INVALID_HEF, "Invalid planes format")
        layer.order = PLANES_ORDER[planes.planes_format]
        layer.quants = (QuantInfo(0.0, 0.0, 0.0, 0.0),)   # a logical layer has no QP
        self._check_name(planes.name)
        layer.name = planes.name
        layer.network_name = network
        for plane in planes.planes:
            if plane.WhichOneof("edge") != "layer_info":
                raise_status(S.HAILO_INTERNAL_FAILURE,
                             "Invalid layer type - only info layers are acceptible under a planes layer")
            layer.planes.append(self._info_layer(plane.layer_info, core_op, direction, network, False))
        if not layer.planes:
            raise_status(S.HAILO_INVALID_HEF, f"Planes layer {planes.name!r} has no planes")
        layer.type = layer.planes[0].type
        if any(p.type != layer.type for p in layer.planes):
            raise_status(S.HAILO_INVALID_HEF, f"Not all underlying layers of {planes.name} has the same format type")
        return layer

    # ---- infos ---------------------------------------------------------------------------
    def _streams(self, layer: _Layer) -> List[StreamInfo]:
        result = []
        for part in (layer.planes if layer.is_planes else [layer]):
            fmt = Format(part.type, part.order, part.flags)
            if part.order == FormatOrder.HAILO_NMS_ON_CHIP:
                nms = part.nms
                per_class = NMS_BBOX_COUNTER_BYTES + nms.bbox_size * max(nms.burst_size, nms.max_bboxes_per_class)
                frame = nms.chunks_per_frame * nms.number_of_classes * per_class + nms.bbox_size * nms.burst_size
                hw_shape = part.shape
            else:
                frame = _periph_frame_size(part.hw_shape, part.type)
                hw_shape = part.hw_shape
            result.append(StreamInfo(
                name=part.name, direction=part.direction, format=fmt, shape=part.shape, hw_shape=hw_shape,
                hw_frame_size=frame, sys_index=part.sys_index, quant_info=part.quant,
                quant_infos=part.quants, nms_info=part.nms, network_name=part.network_name))
        return result

    def _vstreams(self, layer: _Layer, stream: str = "") -> List[VStreamInfo]:
        """The vstreams a boundary layer carries; ``stream`` is the enclosing mux's stream."""
        if layer.is_mux:
            return [v for pred in layer.predecessors for v in self._vstreams(pred, stream or layer.name)]
        if layer.fused is not None:
            return [self._vstream(layer.fused, (stream or layer.name,))]
        stream_names = tuple(p.name for p in layer.planes) if layer.is_planes else (stream or layer.name,)
        return [self._vstream(layer, stream_names)]

    def _vstream(self, layer: _Layer, stream_names) -> VStreamInfo:
        order = layer.order if layer.is_planes else HOST_ORDER.get(layer.order, layer.order)
        nms = None
        if order == FormatOrder.HAILO_NMS_BY_CLASS:
            src = layer.nms
            per_class = (src.max_bboxes_per_class * src.chunks_per_frame) & 0xFFFFFFFF
            nms = NmsInfo(number_of_classes=src.number_of_classes, max_bboxes_per_class=per_class,
                          bbox_size=src.bbox_size, chunks_per_frame=src.chunks_per_frame,
                          is_defused=src.is_defused, burst_size=src.burst_size, burst_type=src.burst_type,
                          max_bboxes_total=(per_class * src.number_of_classes) & 0xFFFFFFFF)
            fmt = Format(FormatType.FLOAT32, order, layer.flags)
            shape = (nms.number_of_classes, BBOX_PARAMS, nms.max_bboxes_per_class)
        else:
            fmt = Format(layer.type, order, layer.flags)
            shape = host_shape(order, layer.shape)
        return VStreamInfo(
            name=layer.name, network_name=layer.network_name, direction=layer.direction, format=fmt,
            shape=shape, quant_info=layer.quant, quant_infos=layer.quants, nms_info=nms,
            stream_names=tuple(stream_names), original_names=layer.original_names)

    # ---- net-flow ops --------------------------------------------------------------------
    def _ops(self, group, core_op: _CoreOp, outputs: List[_Layer]):
        """[(PostProcessOp, input layers, output pad)] for the group's net-flow ops, in file order."""
        by_pad = {layer.pad_index: layer for layer in outputs if layer.pad_index is not None}
        feeds = {edge.dst: edge.src for edge in group.pad_edges}
        result = []
        for op in group.ops:
            kind = op.WhichOneof("op")
            if kind == "core_op":
                continue
            if kind == "nms_op":
                result.append(self._nms_op(op, by_pad, feeds))
            elif kind == "logits_op":
                result.append(self._logits_op(op, by_pad, feeds))
            else:
                raise_status(S.HAILO_INTERNAL_FAILURE, "Unsupported Net-Flow Op")
        return result

    @staticmethod
    def _op_input(op, pad, by_pad, feeds, what="NMS op") -> _Layer:
        if pad.index not in feeds:
            raise_status(S.HAILO_INVALID_HEF, f"{what} is not connected to core-op")
        if feeds[pad.index] not in by_pad:
            raise_status(S.HAILO_INVALID_HEF,
                         f"Pad {pad.index} of post-process {op.name} is not connected to any core output stream")
        return by_pad[feeds[pad.index]]

    def _nms_op(self, op, by_pad, feeds):
        inputs = [self._op_input(op, pad, by_pad, feeds) for pad in op.input_pads]
        inputs = list({layer.name: layer for layer in inputs}.values())   # libhailort keeps them in a map by name
        nms = op.nms_op
        kind = nms.WhichOneof("nms_op")
        if kind is None:
            raise_status(S.HAILO_INTERNAL_FAILURE, "Unsupported Net-Flow NMS-Op")
        op_type, op_name = OP_NMS_KINDS[kind]
        detail = getattr(nms, kind)
        if kind == "yolov8_nms_op":
            for decoder in detail.bbox_decoders:
                for index in (decoder.reg_pad_index, decoder.cls_pad_index):
                    if index not in by_pad:
                        raise_status(S.HAILO_INVALID_HEF,
                                     f"YOLOv8 decoder pad {index} of {op.name} is not a core output stream")
            _check_yolov8(detail, by_pad, inputs)
        if not len(op.output_pads):
            raise_status(S.HAILO_INVALID_HEF, f"Post-process op {op.name!r} has no output pad")
        bbox_only = bool(nms.bbox_decoding_only) and op_type in BBOX_ONLY_NAMES
        if bbox_only:
            op_name = BBOX_ONLY_NAMES[op_type]
        classes = nms.classes
        info = PostProcessOp(
            type=op_type, name=op_name, output_name=op.output_pads[0].name,
            input_names=tuple(layer.name for layer in inputs),
            score_threshold=_f32(nms.nms_score_th), iou_threshold=_f32(nms.nms_iou_th),
            classes=classes, max_proposals_per_class=nms.max_proposals_per_class,
            max_proposals_total=(nms.max_proposals_per_class * classes) & 0xFFFFFFFF,
            background_removal=nms.background_removal, background_removal_index=nms.background_removal_index,
            image_height=_f32(getattr(detail, "image_height", 0.0)),
            image_width=_f32(getattr(detail, "image_width", 0.0)), bbox_only=bbox_only)
        extra = ""
        if kind == "ssd_nms_op":
            extra = (f", Centers scales factor: {detail.centers_scale_factor}, Bbox dimension scale factor: "
                     f"{detail.bbox_dimensions_scale_factor}, Normalize boxes: false")
        description = _nms_description(info) + extra
        return _replace(info, description=description), inputs, op.output_pads[0]

    def _logits_op(self, op, by_pad, feeds):
        if len(op.input_pads) != 1:
            raise_status(S.HAILO_INVALID_HEF, "Logits op must have 1 input only")
        if len(op.output_pads) != 1:
            raise_status(S.HAILO_INVALID_HEF, "Logits op must have 1 output only")
        layer = self._op_input(op, op.input_pads[0], by_pad, feeds, "Logits op")
        logits = op.logits_op.logits_type
        if logits not in (0, 1):
            raise_status(S.HAILO_INTERNAL_FAILURE, f"Invalid Net-Flow Logits-Op {logits}")
        op_type, op_name = ("ARGMAX", "Argmax-Post-Process") if logits == 0 else ("SOFTMAX", "Softmax-Post-Process")
        info = PostProcessOp(type=op_type, name=op_name, output_name=op.output_pads[0].name,
                             input_names=(layer.name,), description=f"{op_type} Op, Name: {op_name}")
        return info, [layer], op.output_pads[0]

    def _op_vstream(self, op_entry, default_network: str) -> VStreamInfo:
        info, inputs = op_entry[0], op_entry[1]
        stream_names = tuple(layer.name for layer in inputs)
        if info.type in ("ARGMAX", "SOFTMAX"):
            pad = op_entry[2]
            source = inputs[0]
            shape3 = (source.shape[0], source.shape[1], 1) if info.type == "ARGMAX" else source.shape
            order = _enum(FormatOrder, pad.format_order, FormatOrder.AUTO)
            quant = source.quant   # Argmax/SoftmaxOpMetadata::get_output_vstream_info: the input's QP
            return VStreamInfo(
                name=info.output_name, network_name=default_network, direction=Direction.D2H,
                format=Format(_enum(FormatType, pad.format_type, FormatType.AUTO), order),
                shape=host_shape(order, shape3), quant_info=quant, quant_infos=(quant,),
                stream_names=stream_names)
        classes = info.classes - 1 if info.background_removal else info.classes
        classes &= 0xFFFFFFFF
        quant = QuantInfo(0.0, 1.0, 0.0, 0.0)   # "to pass is_qp_valid check in pyhailort"
        if info.bbox_only:
            order = FormatOrder.NHWC
            proposals = sum(layer.shape[0] * layer.shape[1] for layer in inputs)
            if info.type == "YOLOV8":
                proposals //= 2
            shape = (1, proposals, 4 + classes)
            nms = None
        else:
            order = FormatOrder.HAILO_NMS_WITH_BYTE_MASK if info.type == "YOLOV5SEG" else FormatOrder.HAILO_NMS_BY_CLASS
            # YOLOv5-seg: masks of up to twice the image area (libhailort's SIZE_FACTOR)
            mask_size = int(info.image_height * info.image_width * 2) & 0xFFFFFFFF \
                if info.type == "YOLOV5SEG" else 0
            nms = NmsInfo(number_of_classes=classes, max_bboxes_per_class=info.max_proposals_per_class,
                          bbox_size=NMS_HOST_BBOX_BYTES, chunks_per_frame=1, burst_size=1, burst_type=BURST_H8_BBOX,
                          max_bboxes_total=info.max_proposals_total, max_accumulated_mask_size=mask_size)
            shape = (classes, BBOX_PARAMS, info.max_proposals_per_class) \
                if order == FormatOrder.HAILO_NMS_BY_CLASS else ()
        return VStreamInfo(
            name=info.output_name, network_name=default_network, direction=Direction.D2H,
            format=Format(FormatType.FLOAT32, order), shape=shape, quant_info=quant, quant_infos=(quant,),
            nms_info=nms, stream_names=stream_names)


def _check_yolov8(detail, by_pad, inputs):
    """Yolov8OpMetadata::validate_params: each decoder's layers are op inputs of one grid and one
    format, the regression features a multiple of 4 (else HAILO_INVALID_ARGUMENT)."""
    names = {layer.name for layer in inputs}
    for decoder in detail.bbox_decoders:
        reg, cls = by_pad[decoder.reg_pad_index], by_pad[decoder.cls_pad_index]
        for role, layer in (("regression", reg), ("classification", cls)):
            if layer.name not in names:
                raise_status(S.HAILO_INVALID_ARGUMENT,
                             f"YOLOV8PostProcessOp: inputs_metadata does not contain {role} layer {layer.name}")
        if reg.shape[:2] != cls.shape[:2]:
            raise_status(S.HAILO_INVALID_ARGUMENT,
                         f"YOLOV8PostProcess: regression input {reg.name} has different shape than "
                         f"classification input {cls.name}")
        if (reg.type, reg.flags, reg.order) != (cls.type, cls.flags, cls.order):
            raise_status(S.HAILO_INVALID_ARGUMENT,
                         f"YOLOV8PostProcess: regression input {reg.name} has different format than "
                         f"classification input {cls.name}")
        if reg.shape[2] % 4:
            raise_status(S.HAILO_INVALID_ARGUMENT, f"YOLOV8PostProcess: regression input {reg.name} is not a multiple of 4")


def _replace(info: PostProcessOp, **changes) -> PostProcessOp:
    from dataclasses import replace
    return replace(info, **changes)


def _nms_description(op: PostProcessOp) -> str:
    text = (f"Op {op.type}, Name: {op.name}, Score threshold: {op.score_threshold:.3f}, "
            f"IoU threshold: {op.iou_threshold:.2f}, Classes: {op.classes}")
    if op.bbox_only or op.type != "YOLOV5SEG":
        text += f", Max bboxes per class: {op.max_proposals_per_class}"
    else:
        text += f", Max bboxes total: {op.max_proposals_total}"
    if op.background_removal:
        text += f", Background removal index: {op.background_removal_index}"
    if op.type != "IOU":
        text += f", Image height: {_c_int(op.image_height)}, Image width: {_c_int(op.image_width)}"
    return text


def _c_int(value: float) -> int:
    """static_cast<int>(float) for the finite values HEFs carry."""
    try:
        return int(value)
    except (OverflowError, ValueError):
        return 0


def _enum(cls, value, default):
    try:
        return cls(value)
    except ValueError:
        return default


def _format_type(data_bytes: int) -> FormatType:
    if data_bytes == 1:
        return FormatType.UINT8
    if data_bytes == 2:
        return FormatType.UINT16
    raise_status(S.HAILO_INVALID_ARGUMENT, f"Invalid HEF: edge layer data_bytes is {data_bytes}, must be 1 or 2")


def _periph_frame_size(shape, fmt_type: FormatType) -> int:
    height, width, features = shape
    size = height * width * features * (2 if fmt_type == FormatType.UINT16 else 1)
    return -(-size // HW_DATA_ALIGNMENT) * HW_DATA_ALIGNMENT


def host_shape(order: FormatOrder, shape) -> Tuple[int, ...]:
    """VStreamInfo.shape as pyhailort reports it: (C,) for NC, (H, W) for NHW, else (H, W, C)."""
    if order == FormatOrder.NC:
        return (shape[2],)
    if order == FormatOrder.NHW:
        return (shape[0], shape[1])
    return tuple(shape)


def model_from_proto(message, hef) -> HefModel:
    """Interpret a parsed ``ProtoHEFHef`` (with its container) as libhailort does."""
    return _Reader(message, hef).model()

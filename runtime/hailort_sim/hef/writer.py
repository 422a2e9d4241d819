"""Write HEF files in the real format from a short, readable description.

    from hailort_sim.hef.writer import HefSpec, NetworkGroupSpec, LayerSpec, write_hef
    spec = HefSpec(arch="HAILO8", network_groups=[NetworkGroupSpec(
        "shortcut_net",
        inputs=[LayerSpec("input_layer1", (32, 32, 3))],
        outputs=[LayerSpec("output_layer1", (32, 32, 3))])])
    data = write_hef(spec, header_version=2)       # bytes of a complete .hef file

Names without a "/" get the "<network group>/" prefix, as the Dataflow Compiler writes them.
``read_hef(write_hef(spec))`` gives back what the spec says; ``spec_from_model`` goes the
other way, so ``read_hef(write_hef(spec_from_model(m))) == m`` for any model this writer can
express.
"""
import hashlib
from dataclasses import dataclass
from typing import Optional, Sequence, Tuple

from hailort_sim.hef import container as _container
from hailort_sim.hef.model import Direction, FormatOrder, FormatType, HefModel, ProtoHwArch, QuantInfo

DEFAULT_TIMESTAMP = 1_700_000_000       # fixed, so that generated files are reproducible
DEFAULT_SDK_VERSION = "3.31.0"
DEFAULT_QUANT = QuantInfo(qp_zp=0.0, qp_scale=1.0, limvals_min=0.0, limvals_max=255.0)

# Device order name -> compiler format code (the inverse of reader.DEVICE_ORDER_BY_CODE).
FORMAT_CODES = {
    "NHWC": 0, "NHCW": 1, "NC": 2, "FCR": 3, "BAYER_RGB": 4, "NHW": 5, "HAILO_NMS_ON_CHIP": 6,
    "F8CR": 7, "RGB888": 8, "YUY2": 11, "HAILO_YYUV": 14, "HAILO_YYVU": 15, "HAILO_YYYYUV": 16,
}
EXTENSION_NAMES = {
    4: "IS_MULTI_CONTEXTS", 8: "MULTI_NETWORK_VARIABLE_BATCH_SIZE", 13: "HAILO_NET_FLOW",
    14: "HAILO_NET_FLOW_YOLOV5_NMS", 19: "NMS_OUTPUT_BURST", 25: "OUTPUT_SCALE_PER_FEATURE",
    26: "PERIPH_CALCULATION_IN_HAILORT", 27: "HAILO_NET_FLOW_YOLOV8_NMS",
    21: "HAILO_NET_FLOW_ARGMAX", 22: "HAILO_NET_FLOW_SOFTMAX",
}
H8_ARCHS = {"HAILO8", "HAILO8P", "HAILO8R", "HAILO8L"}
MULTI_LAYOUT_ARCHS = {"HAILO8L", "HAILO15M"}
PARTIAL_LAYOUTS = (0b00110011, 0b11001100)   # cluster bitmaps of the two layouts DFC 3.31 writes for HAILO8L


@dataclass(frozen=True)
class OnChipNms:
    """An NMS computed by the device (compiler format 6): the output becomes HAILO_NMS_BY_CLASS."""
    classes: int
    max_bboxes_per_class: int
    bbox_size: int = 8
    division_factor: int = 1
    burst_size: int = 0          # > 0: burst mode (NMS_OUTPUT_BURST) with this many boxes per burst


@dataclass(frozen=True)
class LayerSpec:
    """A boundary layer: one input or output stream and the vstream(s) it carries.

    ``shape`` is the stream shape the reader reports: (H, W, C), (C,) for NC, (H, W) for NHW
    (already transposed when ``transposed``). ``order`` is the *device* order; empty picks NHCW
    for 3-d shapes (what the Dataflow Compiler uses, shown to users as NHWC), NC for 1-d and
    NHW for 2-d shapes.
    ``predecessors`` makes this output a mux whose vstreams are those layers.
    """
    name: str
    shape: Tuple[int, ...] = ()
    order: str = ""
    type: str = "UINT8"
    quant: QuantInfo = DEFAULT_QUANT
    quant_per_feature: Tuple[QuantInfo, ...] = ()
    transposed: bool = False
    network: str = ""
    original_names: Tuple[str, ...] = ()
    nms: Optional[OnChipNms] = None
    hw_shape: Tuple[int, int, int] = ()
    sys_index: Optional[int] = None
    context: int = 0
    predecessors: Tuple["LayerSpec", ...] = ()


@dataclass(frozen=True)
class NmsOpSpec:
    """Net-flow NMS run by HailoRT on the host, fed by core outputs.

    ``decoders``: YOLOV8 -> (reg output, cls output, stride) triples; YOLOV5 -> (output, stride).
    """
    decoders: Tuple[tuple, ...]
    kind: str = "YOLOV8"
    classes: int = 80
    max_proposals_per_class: int = 100
    score_threshold: float = 0.2
    iou_threshold: float = 0.7
    image_size: Tuple[int, int] = (640, 640)
    output_name: str = ""
    background_removal_index: Optional[int] = None


@dataclass(frozen=True)
class LogitsOpSpec:
    """Net-flow ARGMAX or SOFTMAX on the host over one core output."""
    input: str
    kind: str = "ARGMAX"
    output_name: str = ""
    type: str = "UINT8"
    order: str = ""              # host order of the op output; default NHWC


@dataclass(frozen=True)
class NetworkGroupSpec:
    name: str
    inputs: Sequence[LayerSpec]
    outputs: Sequence[LayerSpec]
    networks: Sequence[str] = ()        # partial network names (makes the HEF multi-network)
    contexts: int = 1
    ops: Sequence[object] = ()          # NmsOpSpec / LogitsOpSpec
    bottleneck_fps: float = 0.0
    latency: float = 0.0
    sorted_outputs: Sequence[str] = ()  # output vstream order; default: the order of ``outputs``


@dataclass(frozen=True)
class HefSpec:
    """A whole HEF. ``network_groups`` are in the order the runtime lists them (default first);
    the file stores them reversed, as the compiler does."""
    network_groups: Sequence[NetworkGroupSpec]
    arch: str = "HAILO8"
    sdk_version: str = DEFAULT_SDK_VERSION
    timestamp: int = DEFAULT_TIMESTAMP
    proto_version: int = 5
    net_flow: bool = True               # modern layout (ops + core op); False: the legacy layout
    ccws_size: int = 0                  # bytes of (deterministic) config words to carry
    extra_extensions: Tuple[Tuple[int, str], ...] = ()
    optional_extensions: Tuple[Tuple[int, str], ...] = ()
    periph_calculation_in_hailort: bool = True


def write_hef(spec: HefSpec, header_version: int = 2) -> bytes:
    """The bytes of a HEF file (header version 0-3) describing ``spec``."""
    proto, ccws = build_proto(spec, header_version)
    return _container.build_container(proto, header_version, ccws=ccws)


# ---------------------------------------------------------------------------------------------
def _full(group: str, name: str) -> str:
    return name if "/" in name else f"{group}/{name}"


def _dims(layer: LayerSpec, direction: Direction):
    """(order name, (h, w, f)) of a non-NMS layer as the reader will report them."""
    shape = tuple(layer.shape)
    order = layer.order or {1: "NC", 2: "NHW"}.get(len(shape), "NHCW")
    if len(shape) == 1:
        hwf = (1, 1, shape[0])
    elif len(shape) == 2:
        hwf = (shape[0], shape[1], 1)
    elif len(shape) == 3:
        hwf = shape
    else:
        raise ValueError(f"layer {layer.name}: shape must have 1 to 3 dimensions, not {shape!r}")
    if order not in FORMAT_CODES or order == "HAILO_NMS_ON_CHIP":
        raise ValueError(f"layer {layer.name}: unknown device order {order!r}")
    return order, hwf


def _align(value: int, to: int) -> int:
    return -(-value // to) * to


def _padded(order: str, hwf, data_bytes: int, direction: Direction):
    h, w, f = hwf
    if order in ("NC",) or (order == "FCR" and direction == Direction.H2D):
        return h, w, _align(f * data_bytes, 8) // data_bytes
    if order == "F8CR":
        return h, w, _align(f, 8)
    if order in ("NHWC", "NHCW", "NHW", "BAYER_RGB", "FCR"):
        return h, _align(w * data_bytes, 8) // data_bytes, f
    if order == "RGB888":
        return h, _align(w, 8), 4
    return hwf


class _Builder:
    def __init__(self, spec: HefSpec, header_version: int):
        from hailort_sim.hef import proto
        self.proto = proto
        self.spec = spec
        self.header_version = header_version
        self.arch = ProtoHwArch[spec.arch]
        self.extensions = {26} if spec.periph_calculation_in_hailort else set()
        self.optional = set()
        # MULTI_NETWORK_VARIABLE_BATCH_SIZE is HEF-wide: then every group lists its networks.
        self.multi_network = any(g.networks for g in spec.network_groups)
        if self.multi_network:
            self.optional.add(8)
        if spec.net_flow:
            self.extensions.add(13)
        self.per_feature = any(layer.quant_per_feature for g in spec.network_groups for layer in _all_layers(g))
        if self.per_feature:
            self.extensions.add(25)
        nms_layers = [layer.nms for g in spec.network_groups for layer in _all_layers(g) if layer.nms]
        self.burst = any(n.burst_size for n in nms_layers)
        if self.burst:
            if not all(n.burst_size for n in nms_layers):
                raise ValueError("NMS burst mode is HEF-wide: give every OnChipNms a burst_size, or none")
            self.extensions.add(19)

    def build(self) -> Tuple[bytes, bytes]:
        message = self.proto.ProtoHEFHef()
        header = message.header
        header.hw_arch = int(self.arch)
        header.timestamp = self.spec.timestamp
        header.sdk_version = self.spec.sdk_version
        header.version = self.spec.proto_version
        groups = list(self.spec.network_groups)
        if not groups:
            raise ValueError("a HEF needs at least one network group")
        for index, group in enumerate(reversed(groups)):
            self._group(message.network_groups.add(), group, index)
        ccws = self._config_words(message)
        for type_index in sorted(self.extensions):
            ext = message.extensions.add()
            ext.type_index, ext.name = type_index, EXTENSION_NAMES.get(type_index, f"EXTENSION_{type_index}")
        for type_index, name in self.spec.extra_extensions:
            ext = message.extensions.add()
            ext.type_index, ext.name = type_index, name
        for type_index in sorted(self.optional):
            ext = message.optional_extensions.add()
            ext.type_index, ext.name = type_index, EXTENSION_NAMES[type_index]
        for type_index, name in self.spec.optional_extensions:
            ext = message.optional_extensions.add()
            ext.type_index, ext.name = type_index, name
        return message.SerializeToString(deterministic=True), ccws

    # ---- network groups ------------------------------------------------------------------
    def _group(self, proto_group, group: NetworkGroupSpec, index: int):
        name = group.name
        if group.contexts > 1:
            self.extensions.add(4)
        sorted_names, pads = self._sorted_names_and_pads(group)
        multi_layout = self.spec.arch in MULTI_LAYOUT_ARCHS
        if self.spec.net_flow and multi_layout:
            # As DFC 3.31 writes HAILO8L files: the group is named by metadata-only partial
            # network groups; the core op's partial_core_ops hold the contexts.
            for bitmap in PARTIAL_LAYOUTS:
                partial = proto_group.partial_network_groups.add()
                partial.layout.partial_clusters_layout_bitmap = bitmap
                partial.network_group.network_group_metadata.network_group_name = name
        else:
            proto_group.network_group_metadata.network_group_name = name
            proto_group.network_group_metadata.network_group_index = index
        if self.spec.net_flow:
            proto_group.sorted_outputs_order.extend(sorted_names)
            proto_group.networks_names.extend(self._networks(group))
            core = proto_group.ops.add()
            self._core_pads(core, group, pads)
            if multi_layout:
                core.core_op.networks_names.extend(self._networks(group))
                for bitmap in PARTIAL_LAYOUTS:
                    partial = core.core_op.partial_core_ops.add()
                    partial.layout.partial_clusters_layout_bitmap = bitmap
                    self._core(partial.core_op, group, sorted_names, pads)
            else:
                self._core(core.core_op, group, sorted_names, pads)
            for op in group.ops:
                self._op(proto_group, group, op, pads)
        else:
            if group.ops:
                raise ValueError("post-processing ops need the net-flow layout (HefSpec.net_flow=True)")
            if multi_layout:
                proto_group.networks_names.extend(self._networks(group))
                for bitmap in PARTIAL_LAYOUTS:
                    partial = proto_group.partial_network_groups.add()
                    partial.layout.partial_clusters_layout_bitmap = bitmap
                    self._core(partial.network_group, group, sorted_names, pads)
            else:
                self._core(proto_group, group, sorted_names, pads)

    @staticmethod
    def _core_pads(core, group: NetworkGroupSpec, pads):
        """The core op's pads, one per boundary layer (the reader does not need them; DFC writes them)."""
        for direction, layers in ((Direction.H2D, group.inputs), (Direction.D2H, group.outputs)):
            for layer in layers:
                pad = (core.input_pads if direction == Direction.H2D else core.output_pads).add()
                pad.name = _full(group.name, layer.name)
                pad.index = pads[pad.name]
                if not layer.nms and not layer.predecessors:
                    order = _dims(layer, direction)[0]
                    pad.format_order = int(FormatOrder[order]) if order in FormatOrder.__members__ else 0
                pad.format_type = {"UINT8": 1, "UINT16": 2}[layer.type]

    def _networks(self, group: NetworkGroupSpec):
        if group.networks:
            return list(group.networks)
        return [group.name] if self.multi_network else []

    def _sorted_names_and_pads(self, group: NetworkGroupSpec):
        consumed = set()
        op_outputs = []
        for op in group.ops:
            consumed.update(_full(group.name, n) for n in _op_inputs(op))
            op_outputs.append(_op_output_name(group.name, op))
        names = []
        for layer in group.outputs:
            if _full(group.name, layer.name) in consumed:
                continue
            names.extend(_vstream_names(group.name, layer))
        pads = {}
        for layer in list(group.inputs) + list(group.outputs):
            pads[_full(group.name, layer.name)] = len(pads)
        if group.sorted_outputs:
            return [_full(group.name, n) for n in group.sorted_outputs], pads
        return names + op_outputs, pads

    def _core(self, core, group: NetworkGroupSpec, sorted_names, pads):
        metadata = core.network_group_metadata
        metadata.network_group_name = group.name
        metadata.bottleneck_fps = group.bottleneck_fps
        metadata.latency = group.latency
        core.sorted_outputs_order.extend(sorted_names)
        core.networks_names.extend(self._networks(group))
        contexts = [core.contexts.add() for _ in range(max(1, group.contexts))]
        for i, context in enumerate(contexts):
            context.context_index = i
            context.metadata.name = f"context_{i}"
        sys_index = 0
        for direction, layers in ((Direction.H2D, group.inputs), (Direction.D2H, group.outputs)):
            for layer in layers:
                if layer.context >= len(contexts):
                    raise ValueError(f"layer {layer.name}: context {layer.context} but the group has {len(contexts)}")
                edge = contexts[layer.context].metadata.edge_layers.add()
                edge.direction = int(direction)
                edge.context_switch_info.edge_connection_type = 0
                edge.context_switch_info.context_index = layer.context
                if layer.network:
                    if layer.network not in self._networks(group):
                        raise ValueError(f"layer {layer.name}: network {layer.network!r} not in {list(group.networks)}")
                    edge.network_index = self._networks(group).index(layer.network)
                full = _full(group.name, layer.name)
                if self.spec.net_flow:
                    edge.pad_index = pads[full]
                index = layer.sys_index if layer.sys_index is not None else sys_index
                sys_index = max(sys_index, index) + 1
                if layer.predecessors:
                    edge.edge_layer_type = 1
                    self._mux(edge.layer_mux, group.name, layer, direction, index)
                else:
                    edge.edge_layer_type = 0
                    self._info(edge.layer_info, group.name, layer, direction, index)

    def _mux(self, mux, group_name, layer: LayerSpec, direction, sys_index):
        mux.name = _full(group_name, layer.name)
        mux.original_names.extend(layer.original_names)
        self._base(mux.edge_layer_base, layer, direction, sys_index)
        mux.mux_data.number_of_predecessors = len(layer.predecessors)
        for pred in layer.predecessors:
            edge = mux.predecessors.add()
            if pred.predecessors:
                self._mux(edge.layer_mux, group_name, pred, direction, sys_index)
            else:
                self._info(edge.layer_info, group_name, pred, direction, sys_index)

    def _info(self, info, group_name, layer: LayerSpec, direction, sys_index):
        info.name = _full(group_name, layer.name)
        info.original_names.extend(layer.original_names)
        info.transposed = layer.transposed
        numeric = info.numeric_info
        numeric.qp_zp, numeric.qp_scale = layer.quant.qp_zp, layer.quant.qp_scale
        numeric.limvals_min, numeric.limvals_max = layer.quant.limvals_min, layer.quant.limvals_max
        if self.per_feature:
            count = 2 if layer.nms else (_dims(layer, direction)[1][2])
            quants = layer.quant_per_feature or (layer.quant,) * count
            if len(quants) != count:
                raise ValueError(f"layer {layer.name}: {len(quants)} per-feature QPs for {count} features")
            numeric.qp_zps.extend(q.qp_zp for q in quants)
            numeric.qp_scales.extend(q.qp_scale for q in quants)
        self._base(info.edge_layer_base, layer, direction, sys_index)

    def _base(self, base, layer: LayerSpec, direction, sys_index):
        data_bytes = {"UINT8": 1, "UINT16": 2}[layer.type]
        base.data_bytes = data_bytes
        base.sys_index = sys_index
        buffer = base.buffer_indices.add()
        buffer.index = sys_index
        if layer.nms:
            if direction != Direction.D2H:
                raise ValueError(f"layer {layer.name}: on-chip NMS is an output")
            nms = layer.nms
            base.format = FORMAT_CODES["HAILO_NMS_ON_CHIP"]
            info = base.additional_info.nms_info
            info.number_of_classes = nms.classes
            info.max_output_size = nms.max_bboxes_per_class
            info.bbox_size = nms.bbox_size
            info.input_division_factor = nms.division_factor
            if nms.burst_size:
                info.burst_size = nms.burst_size
                info.burst_type = 1 if self.spec.arch in H8_ARCHS else 2
            base.height, base.width, base.features = 1, 1, nms.classes
            base.padded_height, base.padded_width, base.padded_features = 1, 1, nms.classes
            base.core_bytes_per_buffer, base.core_buffers_per_frame = nms.bbox_size, 1
            return
        order, (h, w, f) = _dims(layer, direction)
        if layer.transposed and order != "NC":
            h, w = w, h          # the reader swaps them back
        base.format = FORMAT_CODES[order]
        base.height, base.width, base.features = h, w, f
        # hw_shape is the raw padded (h, w, f) of the HEF: libhailort does not transpose it.
        ph, pw, pf = tuple(layer.hw_shape) or _padded(order, (h, w, f), data_bytes, direction)
        base.padded_height, base.padded_width, base.padded_features = ph, pw, pf
        row = pw * pf * data_bytes
        buffers = ph
        while row > 0xFFFF and row % 2 == 0:
            row //= 2
            buffers *= 2
        base.core_bytes_per_buffer = min(row, 0xFFFF)
        base.core_buffers_per_frame = min(buffers, 0xFFFF)

    # ---- net-flow ops --------------------------------------------------------------------
    def _op(self, proto_group, group: NetworkGroupSpec, op, pads):
        proto_op = proto_group.ops.add()
        next_pad = 1000 + 100 * len(proto_group.ops)
        inputs = [_full(group.name, n) for n in _op_inputs(op)]
        pad_of = {}
        for name in inputs:
            if name not in pads:
                raise ValueError(f"op input {name} is not an output of network group {group.name}")
            pad = proto_op.input_pads.add()
            pad.index = next_pad
            pad.name = name
            pad_of[name] = next_pad
            edge = proto_group.pad_edges.add()
            edge.src, edge.dst = pads[name], next_pad
            next_pad += 1
        out = proto_op.output_pads.add()
        out.index = next_pad
        out.name = _op_output_name(group.name, op)
        if isinstance(op, LogitsOpSpec):
            proto_op.name = f"{op.kind.lower()}_op"
            proto_op.logits_op.logits_type = {"ARGMAX": 0, "SOFTMAX": 1}[op.kind]
            self.extensions.add(21 if op.kind == "ARGMAX" else 22)
            out.format_order = int(FormatOrder[op.order or "NHWC"])
            out.format_type = int(FormatType[op.type])
            out.numeric_info.qp_scale = 1.0
            return
        proto_op.name = f"{op.kind.lower()}_nms_postprocess"
        nms = proto_op.nms_op
        nms.nms_score_th, nms.nms_iou_th = op.score_threshold, op.iou_threshold
        nms.max_proposals_per_class, nms.classes = op.max_proposals_per_class, op.classes
        if op.background_removal_index is not None:
            nms.background_removal = True
            nms.background_removal_index = op.background_removal_index
        height, width = op.image_size
        if op.kind == "YOLOV8":
            self.extensions.add(27)
            detail = nms.yolov8_nms_op
            detail.regression_length = 16
            for reg, cls, stride in op.decoders:
                decoder = detail.bbox_decoders.add()
                decoder.stride = stride
                decoder.reg_pad_index = pads[_full(group.name, reg)]
                decoder.cls_pad_index = pads[_full(group.name, cls)]
        elif op.kind == "YOLOV5":
            self.extensions.add(14)
            detail = nms.yolo_nms_op
            for layer, stride in op.decoders:
                decoder = detail.bbox_decoders.add()
                decoder.stride = stride
                decoder.pad_index = pads[_full(group.name, layer)]
                decoder.h.extend([stride * 2, stride * 3, stride * 4])
                decoder.w.extend([stride * 2, stride * 3, stride * 4])
        else:
            raise ValueError(f"NMS op kind must be YOLOV8 or YOLOV5, not {op.kind!r}")
        detail.image_height, detail.image_width = height, width
        out.nms_shape.number_of_classes = op.classes
        out.nms_shape.max_bboxes_per_class = op.max_proposals_per_class

    # ---- config words --------------------------------------------------------------------
    def _config_words(self, message) -> bytes:
        """Deterministic CCW records ({u32 words_count, u32 address} + words, little-endian)."""
        size = self.spec.ccws_size
        if size <= 0:
            return b""
        target = message.network_groups[-1]
        holder = target.ops[0].core_op if self.spec.net_flow else target
        if self.spec.arch in MULTI_LAYOUT_ARCHS:
            holder = (holder.partial_core_ops[0].core_op if self.spec.net_flow
                      else holder.partial_network_groups[0].network_group)
        operation = holder.preliminary_config.operation.add()
        operation.trigger.trigger_none.SetInParent()   # libhailort rejects an operation without a trigger
        payload = hashlib.shake_128(b"hailort_sim ccws").digest(size)
        records = bytearray()
        record_words = 1024
        offset = 0
        while offset < size:
            chunk = payload[offset:offset + record_words * 4]
            chunk += bytes(-len(chunk) % 4)
            words = len(chunk) // 4
            start = len(records)
            records += (words - 1).to_bytes(4, "little") + (0x10000000 + offset).to_bytes(4, "little") + chunk
            if (words - 1) % 2:
                records += bytes(4)
            action = operation.actions.add()
            action.unique_id = len(operation.actions)
            if self.header_version == 0:
                action.write_data_ccw.data = bytes(records[start:])
            else:
                action.write_data_ccw_ptr.offset = start
                action.write_data_ccw_ptr.size = len(records) - start
            offset += record_words * 4
        return b"" if self.header_version == 0 else bytes(records)


def build_proto(spec: HefSpec, header_version: int = 2) -> Tuple[bytes, bytes]:
    """(protobuf bytes, CCW section) for ``spec``; ``write_hef`` wraps them in a container."""
    return _Builder(spec, header_version).build()


def _all_layers(group: NetworkGroupSpec):
    stack = list(group.inputs) + list(group.outputs)
    while stack:
        layer = stack.pop()
        yield layer
        stack.extend(layer.predecessors)


def _vstream_names(group_name: str, layer: LayerSpec):
    if layer.predecessors:
        return [n for pred in layer.predecessors for n in _vstream_names(group_name, pred)]
    return [_full(group_name, layer.name)]


def _op_inputs(op):
    if isinstance(op, LogitsOpSpec):
        return [op.input]
    names = []
    for decoder in op.decoders:
        for item in decoder:
            if isinstance(item, str) and item not in names:
                names.append(item)
    return names


def _op_output_name(group_name: str, op) -> str:
    if op.output_name:
        return _full(group_name, op.output_name)
    if isinstance(op, LogitsOpSpec):
        return f"{group_name}/{op.kind.lower()}_output"
    return f"{group_name}/{op.kind.lower()}_nms_postprocess"


# ---------------------------------------------------------------------------------------------
def spec_from_model(model: HefModel, net_flow: bool = True) -> HefSpec:
    """A spec that writes a HEF reading back as ``model`` (for models without post-process ops
    or mux layers, which the model does not describe fully)."""
    groups = []
    for group in model.network_groups:
        if group.ops:
            raise ValueError(f"network group {group.name}: ops cannot be rebuilt from the model")
        partial = [n.split("/", 1)[1] for n in group.networks]
        multi = partial != [group.name]
        vstream_by_stream = {v.stream_names[0]: v for v in group.input_vstreams + group.output_vstreams}
        layers = {Direction.H2D: [], Direction.D2H: []}
        for stream in group.input_streams + group.output_streams:
            vstream = vstream_by_stream.get(stream.name)
            nms = None
            if stream.nms_info is not None:
                n = stream.nms_info
                nms = OnChipNms(n.number_of_classes, n.max_bboxes_per_class, n.bbox_size, n.chunks_per_frame,
                                n.burst_size if n.burst_type in (2, 3, 4) else 0)
            order = stream.format.order.name
            shape = stream.shape
            if order == "NC":
                shape = (shape[2],)
            elif order == "NHW":
                shape = (shape[0], shape[1])
            per_feature = stream.quant_infos if stream.direction == Direction.D2H and \
                not stream.quant_info.is_valid else ()
            layers[stream.direction].append(LayerSpec(
                name=stream.name, shape=shape if nms is None else (), order="" if nms else order,
                type=stream.format.type.name, quant=stream.quant_info if stream.quant_info.is_valid else
                QuantInfo(per_feature[0].qp_zp, per_feature[0].qp_scale, per_feature[0].limvals_min,
                          per_feature[0].limvals_max) if per_feature else stream.quant_info,
                quant_per_feature=tuple(per_feature),
                transposed=bool(stream.format.flags & 2), network=stream.network_name.split("/", 1)[1] if multi else "",
                original_names=vstream.original_names if vstream else (), nms=nms,
                hw_shape=stream.hw_shape if nms is None else (), sys_index=stream.sys_index))
        groups.append(NetworkGroupSpec(
            name=group.name, inputs=layers[Direction.H2D], outputs=layers[Direction.D2H],
            networks=partial if multi else (), contexts=group.contexts_count,
            bottleneck_fps=group.bottleneck_fps, latency=group.latency_ms,
            sorted_outputs=group.sorted_output_names))
    extra = tuple((i, n) for i, n in _known_extensions(model) if i not in (4, 13, 19, 25, 26, 8))
    return HefSpec(network_groups=groups, arch=model.hw_arch.name, sdk_version=model.sdk_version,
                   proto_version=model.proto_version, net_flow=net_flow, extra_extensions=extra)


def _known_extensions(model: HefModel):
    by_name = {v: k for k, v in EXTENSION_NAMES.items()}
    return [(by_name.get(name, -1), name) for name in model.extensions if name in by_name]

"""How the reader interprets the protobuf: libhailort 4.21.0's semantics and statuses."""
import dataclasses

import pytest

from hailort_sim.hef.container import build_container, parse_container
from hailort_sim.hef.model import Direction, FormatFlags, FormatOrder, FormatType, ProtoHwArch, QuantInfo
from hailort_sim.hef.proto import ProtoHEFHef
from hailort_sim.hef.reader import read_hef
from hailort_sim.hef.samples import sample_bytes, sample_spec
from hailort_sim.hef.writer import (
    HefSpec, LayerSpec, LogitsOpSpec, NetworkGroupSpec, NmsOpSpec, OnChipNms, build_proto, write_hef,
)

from hef_testutil import status_of


def edited(spec_or_name, edit, version=2) -> bytes:
    """A HEF whose protobuf was changed by ``edit(message)``, with a valid header and hash."""
    spec = sample_spec(spec_or_name) if isinstance(spec_or_name, str) else spec_or_name
    proto, ccws = build_proto(spec, version)
    message = ProtoHEFHef.FromString(proto)
    edit(message)
    return build_container(message.SerializeToString(), version, ccws=ccws)


def first_edge(message, group=-1, index=0):
    core = message.network_groups[group].ops[0].core_op
    return core.contexts[0].metadata.edge_layers[index]


def one_group(inputs, outputs, **kwargs):
    return HefSpec(network_groups=[NetworkGroupSpec("net", inputs=inputs, outputs=outputs, **kwargs)])


# ---- the tutorial models ---------------------------------------------------------------------
def test_resnet_v1_18():
    model = read_hef(sample_bytes("resnet_v1_18"))
    assert model.hw_arch == ProtoHwArch.HAILO8 and model.sdk_version == "3.31.0"
    (group,) = model.network_groups
    assert group.name == "resnet_v1_18" and group.networks == ("resnet_v1_18/resnet_v1_18",)
    (vin,), (vout,) = group.input_vstreams, group.output_vstreams
    assert (vin.name, vin.format.type, vin.format.order, vin.shape) == \
        ("resnet_v1_18/input_layer1", FormatType.UINT8, FormatOrder.NHWC, (224, 224, 3))
    assert (vout.name, vout.format.type, vout.format.order, vout.shape) == \
        ("resnet_v1_18/fc1", FormatType.UINT8, FormatOrder.NC, (1000,))
    assert vin.network_name == vout.network_name == "resnet_v1_18/resnet_v1_18"
    assert vin.quant_info.is_valid and vin.quant_info.qp_scale == pytest.approx(0.01863)
    assert vin.quant_info.limvals_min == pytest.approx(-118 * 0.01863, rel=1e-6)
    (sout,) = group.output_streams
    assert sout.format.order == FormatOrder.NC and sout.shape == (1, 1, 1000) and sout.hw_frame_size == 1000
    assert group.sorted_output_names == ("resnet_v1_18/fc1",) and not group.is_multi_context


def test_shortcut_net_is_shape_preserving():
    (group,) = read_hef(sample_bytes("shortcut_net")).network_groups
    (vin,), (vout,) = group.input_vstreams, group.output_vstreams
    assert vin.shape == vout.shape and vin.quant_info == vout.quant_info
    # device order NHCW is shown to users as NHWC
    assert group.output_streams[0].format.order == FormatOrder.NHCW
    assert vout.format.order == FormatOrder.NHWC


def test_network_groups_come_in_reverse_file_order():
    data = sample_bytes("multi_network_group")
    model = read_hef(data)
    assert [g.name for g in model.network_groups] == ["resnet_v1_18", "shortcut_net"]
    message = ProtoHEFHef.FromString(bytes(parse_container(data).proto))
    in_file = [g.network_group_metadata.network_group_name for g in message.network_groups]
    assert in_file == ["shortcut_net", "resnet_v1_18"]      # the default one is last in the file
    assert model.network_group().name == "resnet_v1_18"
    assert model.network_group("shortcut_net").name == "shortcut_net"
    assert status_of(model.network_group, "nope") == "HAILO_NOT_FOUND"


def test_multi_network_names_come_from_networks_names():
    (group,) = read_hef(sample_bytes("multi_network_shortcut_net")).network_groups
    assert group.networks == ("multi_network_shortcut_net/net0", "multi_network_shortcut_net/net1")
    assert [v.network_name for v in group.input_vstreams] == list(group.networks)


def test_without_the_optional_extension_a_group_has_one_network():
    def drop_optional(message):
        del message.optional_extensions[:]
    (group,) = read_hef(edited("multi_network_shortcut_net", drop_optional)).network_groups
    assert group.networks == ("multi_network_shortcut_net/multi_network_shortcut_net",)


def test_yolov8_net_flow_nms():
    (group,) = read_hef(sample_bytes("yolov8n")).network_groups
    assert len(group.output_streams) == 6
    (vout,) = group.output_vstreams
    assert vout.name == "yolov8n/yolov8n_nms_postprocess"
    assert (vout.format.type, vout.format.order, vout.shape) == \
        (FormatType.FLOAT32, FormatOrder.HAILO_NMS_BY_CLASS, (80, 5, 100))
    assert vout.nms_info.number_of_classes == 80 and vout.nms_info.max_bboxes_per_class == 100
    assert vout.nms_info.max_bboxes_total == 8000
    assert vout.quant_info == QuantInfo(0.0, 1.0, 0.0, 0.0)
    assert set(vout.stream_names) == {s.name for s in group.output_streams}
    (op,) = group.ops
    assert op.type == "YOLOV8" and op.output_name == vout.name and op.classes == 80
    assert op.description == ("Op YOLOV8, Name: YOLOV8-Post-Process, Score threshold: 0.200, IoU threshold: "
                              "0.70, Classes: 80, Max bboxes per class: 100, Image height: 640, Image width: 640")


def test_background_removal_drops_a_class():
    spec = one_group([LayerSpec("in", (64, 64, 3))],
                     [LayerSpec("reg", (8, 8, 64)), LayerSpec("cls", (8, 8, 3))],
                     ops=[NmsOpSpec(decoders=(("reg", "cls", 8),), classes=3, background_removal_index=0)])
    (group,) = read_hef(write_hef(spec)).network_groups
    assert group.output_vstreams[0].shape == (2, 5, 100)
    assert group.ops[0].description.endswith("Background removal index: 0, Image height: 640, Image width: 640")


def test_yolov5_and_logits_ops():
    spec = one_group([LayerSpec("in", (64, 64, 3))],
                     [LayerSpec("out1", (8, 8, 255)), LayerSpec("seg", (64, 64, 21))],
                     ops=[NmsOpSpec(decoders=(("out1", 8),), kind="YOLOV5", classes=80),
                          LogitsOpSpec("seg", kind="ARGMAX")])
    (group,) = read_hef(write_hef(spec)).network_groups
    assert [op.type for op in group.ops] == ["YOLOV5", "ARGMAX"]
    names = {v.name: v for v in group.output_vstreams}
    assert names["net/argmax_output"].shape == (64, 64, 1)
    assert names["net/yolov5_nms_postprocess"].format.order == FormatOrder.HAILO_NMS_BY_CLASS
    assert group.ops[1].description == "ARGMAX Op, Name: Argmax-Post-Process"


def test_on_chip_nms():
    (group,) = read_hef(sample_bytes("ssd_mobilenet_v1")).network_groups
    (stream,), (vout,) = group.output_streams, group.output_vstreams
    assert stream.format.order == FormatOrder.HAILO_NMS_ON_CHIP
    # per class: a uint16 count + bbox_size * max boxes; one extra burst (burst size 1, no burst mode)
    assert stream.hw_frame_size == 90 * (2 + 8 * 20) + 8
    assert (vout.format.type, vout.format.order, vout.shape) == \
        (FormatType.FLOAT32, FormatOrder.HAILO_NMS_BY_CLASS, (90, 5, 20))
    assert vout.nms_info.burst_type == 0 and vout.nms_info.chunks_per_frame == 1


def test_on_chip_nms_division_factor_multiplies_boxes():
    spec = one_group([LayerSpec("in", (300, 300, 3))],
                     [LayerSpec("nms", nms=OnChipNms(classes=4, max_bboxes_per_class=10, division_factor=3))])
    (group,) = read_hef(write_hef(spec)).network_groups
    assert group.output_vstreams[0].shape == (4, 5, 30)
    assert group.output_streams[0].nms_info.max_bboxes_per_class == 10


@pytest.mark.parametrize("arch,burst_type", [("HAILO8", 2), ("HAILO15H", 3)])
def test_nms_burst_mode(arch, burst_type):
    spec = dataclasses.replace(one_group([LayerSpec("in", (300, 300, 3))],
                                         [LayerSpec("nms", nms=OnChipNms(80, 100, burst_size=8))]), arch=arch)
    nms = read_hef(write_hef(spec)).network_groups[0].output_streams[0].nms_info
    assert (nms.burst_type, nms.burst_size) == (burst_type, 8)


def test_burst_type_must_match_the_arch():
    spec = one_group([LayerSpec("in", (300, 300, 3))], [LayerSpec("nms", nms=OnChipNms(80, 100, burst_size=8))])

    def h15_burst(message):
        first_edge(message, index=1).layer_info.edge_layer_base.additional_info.nms_info.burst_type = 2
    assert status_of(read_hef, edited(spec, h15_burst)) == "HAILO_INVALID_HEF"


def test_transposed_layers_swap_height_and_width():
    spec = one_group([LayerSpec("in", (20, 10, 3), transposed=True)], [LayerSpec("out", (7,), transposed=True)])
    (group,) = read_hef(write_hef(spec)).network_groups
    assert group.input_streams[0].shape == (20, 10, 3)
    assert group.input_streams[0].format.flags == FormatFlags.TRANSPOSED
    assert group.output_streams[0].format.flags == FormatFlags.NONE    # NC is never transposed
    message = ProtoHEFHef.FromString(build_proto(spec)[0])
    base = first_edge(message).layer_info.edge_layer_base
    assert (base.height, base.width) == (10, 20)


def test_per_feature_quantization():
    # limits are per layer: every feature's QP carries the layer's limvals
    qps = tuple(QuantInfo(float(i), 0.5 + i, -1.0, 1.0) for i in range(4))
    layer = LayerSpec("out", (8, 8, 4), quant=QuantInfo(0.0, 1.0, -1.0, 1.0), quant_per_feature=qps)
    spec = one_group([LayerSpec("in", (8, 8, 4))], [layer])
    model = read_hef(write_hef(spec))
    (group,) = model.network_groups
    vout = group.output_vstreams[0]
    assert "OUTPUT_SCALE_PER_FEATURE" in model.extensions
    assert not vout.quant_info.is_valid and vout.quant_infos == qps
    assert group.input_vstreams[0].quant_info.is_valid


def test_per_feature_vector_of_the_wrong_length_is_invalid():
    qps = tuple(QuantInfo(0.0, 1.0, 0.0, 1.0) for _ in range(4))
    spec = one_group([LayerSpec("in", (8, 8, 4))], [LayerSpec("out", (8, 8, 4), quant_per_feature=qps)])

    def shorten(message):
        del first_edge(message, index=1).layer_info.numeric_info.qp_zps[-1]
    assert status_of(read_hef, edited(spec, shorten)) == "HAILO_INVALID_HEF"


def test_mux_expands_to_its_predecessors():
    preds = (LayerSpec("a", (4, 4, 2)), LayerSpec("b", (4, 4, 3)))
    spec = one_group([LayerSpec("in", (4, 4, 3))], [LayerSpec("mux", (4, 4, 5), predecessors=preds)])
    (group,) = read_hef(write_hef(spec)).network_groups
    assert [s.name for s in group.output_streams] == ["net/mux"]
    assert [(v.name, v.shape, v.stream_names) for v in group.output_vstreams] == \
        [("net/a", (4, 4, 2), ("net/mux",)), ("net/b", (4, 4, 3), ("net/mux",))]


def test_multi_context_groups():
    spec = one_group([LayerSpec("in", (4, 4, 3))], [LayerSpec("out", (4, 4, 3), context=1)], contexts=3)
    model = read_hef(write_hef(spec))
    assert model.network_groups[0].contexts_count == 3 and model.network_groups[0].is_multi_context
    assert "IS_MULTI_CONTEXTS" in model.extensions


@pytest.mark.parametrize("arch", ["HAILO8L", "HAILO15M"])
@pytest.mark.parametrize("net_flow", [True, False])
def test_multi_layout_archs_read_partial_groups(arch, net_flow):
    spec = dataclasses.replace(sample_spec("resnet_v1_18"), arch=arch, net_flow=net_flow)
    model = read_hef(write_hef(spec))
    assert model.hw_arch == ProtoHwArch[arch]
    plain = read_hef(sample_bytes("resnet_v1_18")).network_groups[0]
    assert model.network_groups[0].output_vstreams == plain.output_vstreams

    def drop_partials(message):
        group = message.network_groups[0]
        if net_flow:
            del group.ops[0].core_op.partial_core_ops[:]
        else:
            del group.partial_network_groups[:]
    assert status_of(read_hef, edited(spec, drop_partials)) == "HAILO_INVALID_HEF"


def test_legacy_layout_reads_like_net_flow():
    for name in ("resnet_v1_18", "multi_network_group", "ssd_mobilenet_v1"):
        legacy = read_hef(write_hef(dataclasses.replace(sample_spec(name), net_flow=False)))
        modern = read_hef(sample_bytes(name))
        assert legacy.network_groups == modern.network_groups


@pytest.mark.parametrize("arch", ["HAILO8", "HAILO8L", "HAILO15H", "HAILO15M", "HAILO10H"])
def test_every_architecture(arch):
    model = read_hef(sample_bytes(f"yolov8n_{arch.lower()}"))
    assert model.hw_arch.name == arch
    assert model.network_groups[0].output_vstreams[0].shape == (80, 5, 100)


# ---- extensions ------------------------------------------------------------------------------
def test_periph_calculation_extension_is_mandatory():
    spec = dataclasses.replace(sample_spec("resnet_v1_18"), periph_calculation_in_hailort=False)
    with pytest.raises(Exception) as info:
        read_hef(write_hef(spec))
    assert info.value.status.name == "HAILO_HEF_NOT_SUPPORTED" and "outdated" in str(info.value)


def test_proto_version_0_ignores_extensions():
    def version_0(message):
        message.header.version = 0
    legacy = dataclasses.replace(sample_spec("resnet_v1_18"), net_flow=False)
    assert status_of(read_hef, edited(legacy, version_0)) == "HAILO_HEF_NOT_SUPPORTED"
    # without HAILO_NET_FLOW the legacy fields are read, and a net-flow HEF has none there
    assert status_of(read_hef, edited("resnet_v1_18", version_0)) == "HAILO_INVALID_HEF"


def test_unsupported_extensions_are_named():
    spec = dataclasses.replace(sample_spec("resnet_v1_18"),
                               extra_extensions=((7, "TEST_ONE"), (1234, "FROM_THE_FUTURE"), (11, "HW_PADDING")))
    with pytest.raises(Exception) as info:
        read_hef(write_hef(spec))
    assert info.value.status.name == "HAILO_HEF_NOT_SUPPORTED"
    assert str(info.value).endswith("Failed opening non-compatible HEF with the following unsupported "
                                    "extensions: TEST_ONE, FROM_THE_FUTURE")


def test_unknown_architecture_is_an_invalid_argument():
    """libhailort has no early check: the first edge layer asks for the arch's periph limits
    ("Unknown device architecture!", measured with the real 4.21.0)."""
    def arch(message):
        message.header.hw_arch = 77
    assert status_of(read_hef, edited("resnet_v1_18", arch)) == "HAILO_INVALID_ARGUMENT"


# ---- semantic errors -------------------------------------------------------------------------
def _set_base(field, value, index=0):
    def edit(message):
        setattr(first_edge(message, index=index).layer_info.edge_layer_base, field, value)
    return edit


@pytest.mark.parametrize("edit,status", [
    (_set_base("format", 9), "HAILO_INTERNAL_FAILURE"),          # unknown compiler format code
    (_set_base("data_bytes", 3), "HAILO_INVALID_ARGUMENT"),
    (_set_base("sys_index", 256), "HAILO_INVALID_HEF"),
    (_set_base("engine_id", 300), "HAILO_INVALID_HEF"),
    (_set_base("core_bytes_per_buffer", 0x10000), "HAILO_INVALID_HEF"),
    (_set_base("core_buffers_per_frame", 0x10000), "HAILO_INVALID_HEF"),
    (_set_base("host_argmax", True), "HAILO_HEF_NOT_SUPPORTED"),
])
def test_bad_edge_layer_fields(edit, status):
    assert status_of(read_hef, edited("resnet_v1_18", edit)) == status


def test_edge_layer_needs_exactly_one_buffer_index():
    def no_buffers(message):
        del first_edge(message).layer_info.edge_layer_base.buffer_indices[:]
    assert status_of(read_hef, edited("resnet_v1_18", no_buffers)) == "HAILO_INVALID_HEF"


def test_names_longer_than_127_characters():
    def long_name(message):
        first_edge(message).layer_info.name = "x" * 128
    assert status_of(read_hef, edited("resnet_v1_18", long_name)) == "HAILO_INTERNAL_FAILURE"


def test_duplicate_boundary_names():
    def duplicate(message):
        first_edge(message, index=1).layer_info.name = first_edge(message).layer_info.name
    assert status_of(read_hef, edited("resnet_v1_18", duplicate)) == "HAILO_INVALID_HEF"


def test_duplicate_network_group_names():
    def rename(message):
        message.network_groups[0].network_group_metadata.network_group_name = "resnet_v1_18"
    assert status_of(read_hef, edited("multi_network_group", rename)) == "HAILO_INVALID_OPERATION"


def test_output_missing_from_sorted_names():
    spec = one_group([LayerSpec("in", (4, 4, 3))], [LayerSpec("o1", (4, 4, 3)), LayerSpec("o2", (4, 4, 3))])

    def forget(message):
        del message.network_groups[0].sorted_outputs_order[-1]
    # libhailort loads it; the output vstream query fails (its std::sort meets the name)
    (group,) = read_hef(edited(spec, forget)).network_groups
    assert group.unsorted_outputs(group.output_vstreams) == ("net/o2",)
    assert group.unsorted_outputs(group.output_vstreams[1:]) == ()    # one vstream: nothing to sort
    from hailort_sim.cli.parse_hef import describe
    assert status_of(describe, read_hef(edited(spec, forget))) == "HAILO_INTERNAL_FAILURE"


def test_yolov8_decoder_layers_must_match():
    def grid(message):   # conv42 (the stride-8 classes) gets another height than conv41
        for edge in message.network_groups[0].ops[0].core_op.contexts[0].metadata.edge_layers:
            if edge.layer_info.name == "yolov8n/conv42":
                edge.layer_info.edge_layer_base.height = 40
    assert status_of(read_hef, edited("yolov8n", grid)) == "HAILO_INVALID_ARGUMENT"


def test_two_buffer_indices_read_as_the_first():
    def second(message):   # libhailort asserts exactly one, which a Release build compiles out
        first_edge(message).layer_info.edge_layer_base.buffer_indices.add()
    assert read_hef(edited("resnet_v1_18", second)).network_groups


def test_sorted_names_fall_back_to_the_last_context():
    spec = one_group([LayerSpec("in", (4, 4, 3))], [LayerSpec("o1", (4, 4, 3)), LayerSpec("o2", (4, 4, 3))])

    def move(message):
        group = message.network_groups[0]
        del group.sorted_outputs_order[:]
        group.ops[0].core_op.contexts[-1].metadata.sorted_outputs_order.extend(["net/o2", "net/o1"])
    (group,) = read_hef(edited(spec, move)).network_groups
    assert [v.name for v in group.output_vstreams] == ["net/o2", "net/o1"]

    def nothing(message):
        del message.network_groups[0].sorted_outputs_order[:]
    assert status_of(read_hef, edited(spec, nothing)) == "HAILO_INVALID_HEF"


def test_net_flow_group_without_core_op():
    def drop(message):
        del message.network_groups[0].ops[:]
    assert status_of(read_hef, edited("resnet_v1_18", drop)) == "HAILO_INVALID_HEF"


def test_group_without_contexts():
    def drop(message):
        del message.network_groups[0].ops[0].core_op.contexts[:]
    assert status_of(read_hef, edited("resnet_v1_18", drop)) == "HAILO_INVALID_HEF"


def test_nms_op_not_connected_to_the_core_op():
    def disconnect(message):
        del message.network_groups[0].pad_edges[0]
    assert status_of(read_hef, edited("yolov8n", disconnect)) == "HAILO_INVALID_HEF"


def test_output_vstreams_follow_sorted_output_order():
    spec = one_group([LayerSpec("in", (4, 4, 3))], [LayerSpec(n, (4, 4, 3)) for n in ("a", "b", "c")])

    def reorder(message):
        names = message.network_groups[0].sorted_outputs_order
        names[:] = ["net/c", "net/a", "net/b"]
    (group,) = read_hef(edited(spec, reorder)).network_groups
    assert [v.name for v in group.output_vstreams] == ["net/c", "net/a", "net/b"]
    assert [s.name for s in group.output_streams] == ["net/a", "net/b", "net/c"]   # streams: file order


def test_uint16_layers_and_frame_sizes():
    spec = one_group([LayerSpec("in", (3, 5, 3), type="UINT16")], [LayerSpec("out", (3, 5, 3), type="UINT16")])
    (group,) = read_hef(write_hef(spec)).network_groups
    stream = group.input_streams[0]
    assert stream.format.type == FormatType.UINT16
    assert stream.hw_shape == (3, 8, 3)            # width padded to 8 bytes
    assert stream.hw_frame_size == 3 * 8 * 3 * 2
    assert group.input_vstreams[0].direction == Direction.H2D


def test_hash_matches_the_container():
    data = sample_bytes("resnet_v1_18")
    assert read_hef(data).hash == parse_container(data).hash


def test_path_and_bytes_give_the_same_model(tmp_path):
    data = sample_bytes("yolov8n")
    path = tmp_path / "yolov8n.hef"
    path.write_bytes(data)
    assert read_hef(str(path)) == read_hef(data) == read_hef(path) == read_hef(bytearray(data))


def test_multi_planar_input():
    """An NV12 input: one vstream (host order NV12) over one stream per plane."""
    spec = one_group([LayerSpec("y", (8, 8, 1)), LayerSpec("uv", (4, 4, 2))], [LayerSpec("out", (8, 8, 3))])

    def to_planes(message):
        context = message.network_groups[0].ops[0].core_op.contexts[0].metadata
        y, uv = context.edge_layers[0], context.edge_layers[1]
        planes = context.edge_layers.add()
        planes.CopyFrom(y)
        planes.ClearField("layer_info")
        planes.edge_layer_type = 2
        planes.layer_planes.name = "net/input_nv12"
        planes.layer_planes.planes_format = 0
        planes.layer_planes.height, planes.layer_planes.width, planes.layer_planes.features = 8, 8, 3
        planes.layer_planes.planes.add().layer_info.CopyFrom(y.layer_info)
        planes.layer_planes.planes.add().layer_info.CopyFrom(uv.layer_info)
        del context.edge_layers[0:2]
    (group,) = read_hef(edited(spec, to_planes)).network_groups
    assert [s.name for s in group.input_streams] == ["net/y", "net/uv"]
    (vin,) = group.input_vstreams
    assert (vin.name, vin.format.order, vin.shape, vin.stream_names) == \
        ("net/input_nv12", FormatOrder.NV12, (8, 8, 3), ("net/y", "net/uv"))
    assert not vin.quant_info.is_valid


def test_defused_nms_outputs_map_to_the_fused_layer():
    spec = one_group([LayerSpec("in", (300, 300, 3))],
                     [LayerSpec("nms_part0", nms=OnChipNms(45, 20)), LayerSpec("nms_part1", nms=OnChipNms(45, 20))])

    def defuse(message):
        core = message.network_groups[0].ops[0].core_op
        edges = core.contexts[0].metadata.edge_layers
        fused = core.fused_layers_metadata
        fused.network_has_fused_layers = True
        fused.updated_sorted_output_names.append("net/nms")
        layer = fused.fused_layers.add()
        layer.layer_info.CopyFrom(edges[1].layer_info)
        layer.layer_info.name = "net/nms"
        layer.nms_info.CopyFrom(edges[1].layer_info.edge_layer_base.additional_info.nms_info)
        layer.nms_info.number_of_classes = 90
        for index, edge in enumerate(edges[1:]):
            nms = edge.layer_info.edge_layer_base.additional_info.nms_info
            nms.is_defused = True
            nms.defuse_info.original_name = "net/nms"
            nms.defuse_info.class_group_index = index
    (group,) = read_hef(edited(spec, defuse)).network_groups
    assert len(group.output_streams) == 2
    (vout,) = group.output_vstreams
    assert (vout.name, vout.shape, vout.format.order) == ("net/nms", (90, 5, 20), FormatOrder.HAILO_NMS_BY_CLASS)
    assert group.sorted_output_names == ("net/nms",)

    def lose_fused(message):
        defuse(message)
        message.network_groups[0].ops[0].core_op.fused_layers_metadata.fused_layers[0].layer_info.name = "net/x"
    assert status_of(read_hef, edited(spec, lose_fused)) == "HAILO_NOT_FOUND"


def test_yolov5_seg_op_gives_a_byte_mask_output():
    spec = one_group([LayerSpec("in", (64, 64, 3))], [LayerSpec("out1", (8, 8, 32))],
                     ops=[NmsOpSpec(decoders=(("out1", 8),), kind="YOLOV5", classes=80, image_size=(64, 64))])

    def to_seg(message):
        nms = message.network_groups[0].ops[1].nms_op
        yolo = nms.yolo_nms_op
        nms.yolo_seg_op.image_height, nms.yolo_seg_op.image_width = yolo.image_height, yolo.image_width
        nms.yolo_seg_op.proto_info.proto_layer = "net/out1"
    (group,) = read_hef(edited(spec, to_seg)).network_groups
    (vout,) = group.output_vstreams
    assert vout.format.order == FormatOrder.HAILO_NMS_WITH_BYTE_MASK and vout.shape == ()
    assert vout.nms_info.max_accumulated_mask_size == 64 * 64 * 2
    assert group.ops[0].type == "YOLOV5SEG" and "Max bboxes total: 8000" in group.ops[0].description


# ---- context-switch operations (hef.cpp parse_operation, parse_trigger_action, parse_action) ----
def _operation(edit_operation, version=2):
    """A HEF whose core op has one preliminary operation, shaped by ``edit_operation``."""
    def edit(message):
        edit_operation(message.network_groups[0].ops[0].core_op.preliminary_config.operation.add())
    return edited("resnet_v1_18", edit, version)


def _with(trigger=None, action=None, **fields):
    def edit(operation):
        if trigger:
            detail = getattr(operation.trigger, trigger)
            detail.SetInParent()
            for name, value in fields.items():
                setattr(detail, name, value)
        else:
            operation.trigger.trigger_none.SetInParent()
        if action:
            detail = getattr(operation.actions.add(), action)
            detail.SetInParent()
            for name, value in fields.items():
                if "." in name:
                    owner, name = name.split(".")
                    detail = getattr(detail, owner)
                setattr(detail, name, value)
    return edit


@pytest.mark.parametrize("edit,status", [
    (lambda operation: None, "HAILO_INVALID_HEF"),                    # "Unsupported trigger given 0"
    (_with("trigger_all_data_was_received"), "HAILO_NOT_IMPLEMENTED"),
    (_with("trigger_lcu", lcu_index=256), "HAILO_INVALID_HEF"),
    (_with("trigger_nms", succ_prepost_ob_interface=300), "HAILO_INVALID_HEF"),
    (_with("trigger_dma_idle", shmifo_index=0x100), "HAILO_INVALID_HEF"),
    (_with(action="write_data"), "HAILO_INTERNAL_FAILURE"),            # "Action 2 not implemented"
    (_with(action="enable_lcu", lcu_kernel_done_address=0x10000), "HAILO_INVALID_HEF"),
    (_with(action="enable_nms", number_of_classes=80), "HAILO_INVALID_HEF"),   # burst size 0
    (_with(action="write_data_by_type", address=6), "HAILO_INVALID_HEF"),      # not 4-byte aligned
    (_with(action="debug", **{"sleep.duration_in_usec": 999}), "HAILO_INVALID_HEF"),
    (_with(action="write_data_ccw"), "HAILO_INVALID_HEF"),             # inline config words need header v0
    (_with(action="write_data_ccw_ptr", cfg_channel_index=256), "HAILO_INVALID_HEF"),
])
def test_bad_operations(edit, status):
    assert status_of(read_hef, _operation(edit)) == status


def test_valid_operations_read():
    for edit in (_with("trigger_lcu", cluster_index=3, lcu_index=255), _with("trigger_nms"),
                 _with(action="enable_nms", number_of_classes=80, burst_size=1),
                 _with(action="debug", **{"sleep.duration_in_usec": 1000}), _with(action="write_data_ccw_ptr")):
        assert read_hef(_operation(edit)).network_groups[0].name == "resnet_v1_18"


def test_inline_config_words_only_in_header_version_0():
    assert read_hef(_operation(_with(action="write_data_ccw"), version=0)).network_groups
    assert status_of(read_hef, _operation(_with(action="write_data_ccw_ptr"), version=0)) == "HAILO_INVALID_HEF"


def test_aligned_ccws_need_header_version_3():
    def aligned(version):
        spec = dataclasses.replace(sample_spec("shortcut_net"), ccws_size=100)
        proto, ccws = build_proto(spec, version)
        message = ProtoHEFHef.FromString(proto)
        message.extensions.add(type_index=32, name="SHARED_CONFIG")
        return build_container(message.SerializeToString(), version, ccws=ccws)
    assert read_hef(aligned(3)).network_groups
    assert status_of(read_hef, aligned(2)) == "HAILO_HEF_NOT_SUPPORTED"


def test_core_op_named_unlike_its_group():
    """libhailort 4.21.0 aborts on this HEF (std::map::at); ours calls it invalid."""
    def rename(message):
        message.network_groups[0].ops[0].core_op.network_group_metadata.network_group_name = "other"
    assert status_of(read_hef, edited("resnet_v1_18", rename)) == "HAILO_INVALID_HEF"


def _ccw_burst(channels, kind="write_data_ccw_ptr"):
    """An operation of consecutive config-word actions, one on each channel given."""
    def edit(operation):
        operation.trigger.trigger_none.SetInParent()
        for channel in channels:
            getattr(operation.actions.add(), kind).cfg_channel_index = channel
    return edit


def test_a_config_word_burst_holds_at_most_0xffff_actions_per_channel():
    # libhailort counts a run of config-word actions per config channel, in a uint16.
    assert read_hef(_operation(_ccw_burst([0] * 0xFFFF))).network_groups
    assert read_hef(_operation(_ccw_burst([0, 1] * 0x8000))).network_groups    # 0x10000 in the run
    assert status_of(read_hef, _operation(_ccw_burst([1] + [0] * 0x10000))) == "HAILO_INVALID_HEF"
    assert status_of(read_hef, _operation(_ccw_burst([0] * 0x8000 + [1] + [0] * 0x8000))) == "HAILO_INVALID_HEF"
    # header version 0 (inline config words) has no such limit
    assert read_hef(_operation(_ccw_burst([0] * 0x10000, "write_data_ccw"), version=0)).network_groups


def test_another_action_ends_a_config_word_burst():
    def split(operation):
        _ccw_burst([0] * 0x8000)(operation)
        operation.actions.add().debug.sleep.duration_in_usec = 1000
        for _ in range(0x8000):
            operation.actions.add().write_data_ccw_ptr.cfg_channel_index = 0
    assert read_hef(_operation(split)).network_groups

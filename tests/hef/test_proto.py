"""Our hef.proto against the real format's field numbers, and the embedded descriptor against hef.proto."""
import pathlib

import pytest

from hailort_sim.hef import proto
from hailort_sim.hef._hef_descriptor import SERIALIZED

# Field numbers of the real format (HailoRT 4.21.0 hef.proto, as recorded in the project's
# hailort-facts.md section 1.2): (message, field) -> number.
REAL_FIELD_NUMBERS = {
    ("ProtoHEFHef", "header"): 1, ("ProtoHEFHef", "network_groups"): 2, ("ProtoHEFHef", "extensions"): 5,
    ("ProtoHEFHef", "optional_extensions"): 6, ("ProtoHEFHef", "external_resources"): 7,
    ("ProtoHEFHeader", "hw_arch"): 1, ("ProtoHEFHeader", "timestamp"): 2, ("ProtoHEFHeader", "sdk_version"): 3,
    ("ProtoHEFHeader", "version"): 4,
    ("ProtoHEFNetworkGroup", "network_group_metadata"): 1, ("ProtoHEFNetworkGroup", "contexts"): 3,
    ("ProtoHEFNetworkGroup", "sorted_outputs_order"): 4, ("ProtoHEFNetworkGroup", "fused_layers_metadata"): 5,
    ("ProtoHEFNetworkGroup", "networks_names"): 6, ("ProtoHEFNetworkGroup", "partial_network_groups"): 7,
    ("ProtoHEFNetworkGroup", "ops"): 8, ("ProtoHEFNetworkGroup", "pad_edges"): 9,
    ("ProtoHEFNetworkGroupMetadata", "network_group_name"): 1, ("ProtoHEFNetworkGroupMetadata", "transposed_net"): 3,
    ("ProtoHEFNetworkGroupMetadata", "bottleneck_fps"): 4, ("ProtoHEFNetworkGroupMetadata", "latency"): 6,
    ("ProtoHEFCoreOp", "partial_core_ops"): 7,
    ("ProtoHEFOp", "input_pads"): 2, ("ProtoHEFOp", "output_pads"): 3, ("ProtoHEFOp", "core_op"): 4,
    ("ProtoHEFOp", "nms_op"): 5, ("ProtoHEFOp", "logits_op"): 6,
    ("ProtoHEFContext", "metadata"): 3, ("ProtoHEFContextMetadata", "edge_layers"): 2,
    ("ProtoHEFContextMetadata", "sorted_outputs_order"): 5,
    ("ProtoHEFEdgeLayer", "direction"): 1, ("ProtoHEFEdgeLayer", "edge_layer_type"): 2,
    ("ProtoHEFEdgeLayer", "layer_info"): 3, ("ProtoHEFEdgeLayer", "layer_mux"): 4,
    ("ProtoHEFEdgeLayer", "context_switch_info"): 5, ("ProtoHEFEdgeLayer", "network_index"): 6,
    ("ProtoHEFEdgeLayer", "pad_index"): 7, ("ProtoHEFEdgeLayer", "layer_planes"): 8,
    ("ProtoHEFContextSwitchInformation", "edge_connection_type"): 3,
    ("ProtoHEFEdgeLayerInfo", "name"): 1, ("ProtoHEFEdgeLayerInfo", "edge_layer_base"): 2,
    ("ProtoHEFEdgeLayerInfo", "numeric_info"): 3, ("ProtoHEFEdgeLayerInfo", "original_names"): 5,
    ("ProtoHEFEdgeLayerInfo", "transposed"): 6,
    ("ProtoHEFEdgeLayerMux", "predecessors"): 5,
    ("ProtoHEFEdgeLayerBase", "format"): 7, ("ProtoHEFEdgeLayerBase", "sys_index"): 8,
    ("ProtoHEFEdgeLayerBase", "core_bytes_per_buffer"): 9, ("ProtoHEFEdgeLayerBase", "core_buffers_per_frame"): 10,
    ("ProtoHEFEdgeLayerBase", "additional_info"): 11, ("ProtoHEFEdgeLayerBase", "data_bytes"): 12,
    ("ProtoHEFEdgeLayerBase", "buffer_indices"): 13, ("ProtoHEFEdgeLayerBase", "host_argmax"): 14,
    ("ProtoHEFEdgeLayerBase", "engine_id"): 16,
    ("ProtoHEFEdgeLayerNumericInfo", "qp_zps"): 5, ("ProtoHEFEdgeLayerNumericInfo", "qp_scales"): 6,
    ("ProtoHEFNmsInfo", "number_of_classes"): 2, ("ProtoHEFNmsInfo", "max_output_size"): 3,
    ("ProtoHEFNmsInfo", "bbox_size"): 4, ("ProtoHEFNmsInfo", "input_division_factor"): 7,
    ("ProtoHEFNmsInfo", "burst_size"): 8, ("ProtoHEFNmsInfo", "burst_type"): 9,
    ("ProtoHEFNmsOp", "nms_score_th"): 1, ("ProtoHEFNmsOp", "classes"): 4, ("ProtoHEFNmsOp", "yolov8_nms_op"): 12,
    ("ProtoHEFNmsOp", "bbox_decoding_only"): 13,
    ("ProtoHEFYolov8NmsOp", "bbox_decoders"): 4, ("ProtoHEFYolov8BboxDecoder", "cls_pad_index"): 3,
    ("ProtoHEFAction", "write_data_ccw_ptr"): 16, ("ProtoHEFActionWriteDataCcwPtr", "offset"): 1,
}


@pytest.mark.parametrize("message,field_name", sorted(REAL_FIELD_NUMBERS))
def test_field_numbers_match_the_real_format(message, field_name):
    descriptor = proto._POOL.FindMessageTypeByName(message)
    assert descriptor.fields_by_name[field_name].number == REAL_FIELD_NUMBERS[(message, field_name)]


def test_hw_arch_values_match_the_model():
    from hailort_sim.hef.model import ProtoHwArch
    enum = proto._POOL.FindEnumTypeByName("ProtoHEFHwArch")
    assert {v.name.replace("PROTO__HW_ARCH__", ""): v.number for v in enum.values} == \
        {a.name: a.value for a in ProtoHwArch}


def test_embedded_descriptor_is_generated_from_hef_proto():
    gen = pytest.importorskip("grpc_tools", reason="grpcio-tools (protoc) regenerates the descriptor; "
                                                   "pip install grpcio-tools to check it")
    del gen
    from hailort_sim.gen_descriptor import build_descriptor_bytes
    assert build_descriptor_bytes("hailort_sim/hef/hef.proto") == SERIALIZED, \
        "run: python3 -m hailort_sim.gen_descriptor"


def test_proto_file_ships_with_the_package():
    proto_file = pathlib.Path(proto.__file__).with_name("hef.proto")
    assert "message ProtoHEFHef" in proto_file.read_text()

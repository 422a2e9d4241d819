"""hailortcli parse-hef (runtime-spec §12.2, hailort-facts §3.2).

Expected texts are written by hand from the spec's formats: 4-space TABs, two spaces after
"Input", network groups in alphabetical order, stream lines with the hw shape and device order.
"""
import dataclasses

import pytest

from hailort_sim.cli.parse_hef import describe
from hailort_sim.hef.model import (Direction, Format, FormatOrder as O, FormatType as T, HefModel, NetworkGroup,
                                   NmsInfo, ProtoHwArch, QuantInfo, StreamInfo, VStreamInfo)


def stream(name, direction, type_, order, hw_shape, network, nms=None):
    return StreamInfo(name=name, direction=direction, format=Format(type_, order), shape=hw_shape,
                      hw_shape=hw_shape, hw_frame_size=0, sys_index=0, quant_info=QuantInfo(), nms_info=nms,
                      network_name=network)


def vstream(name, direction, type_, order, shape, network, nms=None):
    return VStreamInfo(name=name, network_name=network, direction=direction, format=Format(type_, order),
                       shape=shape, quant_info=QuantInfo(), nms_info=nms)


def ng(name, networks, streams=None, vstreams=(), contexts=1, **extra):
    if streams is None:   # every vstream comes from a core stream; libhailort has no network without them
        streams = [stream(v.name, v.direction, v.format.type, v.format.order, (1, 1, 1), v.network_name)
                   for v in vstreams]
    return NetworkGroup(
        name=name, networks=networks,
        input_streams=tuple(s for s in streams if s.direction == Direction.H2D),
        output_streams=tuple(s for s in streams if s.direction == Direction.D2H),
        input_vstreams=tuple(v for v in vstreams if v.direction == Direction.H2D),
        output_vstreams=tuple(v for v in vstreams if v.direction == Direction.D2H), contexts_count=contexts, **extra)


IN, OUT = Direction.H2D, Direction.D2H
NET = "resnet_v1_18/resnet_v1_18"
RESNET = HefModel(hw_arch=ProtoHwArch.HAILO8P, network_groups=(ng(
    "resnet_v1_18", (NET,),
    streams=[stream("resnet_v1_18/input_layer1", IN, T.UINT8, O.NHCW, (224, 224, 3), NET),
             stream("resnet_v1_18/fc1", OUT, T.UINT8, O.NC, (1, 1, 1000), NET)],
    vstreams=[vstream("resnet_v1_18/input_layer1", IN, T.UINT8, O.NHWC, (224, 224, 3), NET),
              vstream("resnet_v1_18/fc1", OUT, T.UINT8, O.NC, (1000,), NET)]),))

RESNET_TEXT = """\
Architecture HEF was compiled for: HAILO8
Network group name: resnet_v1_18, Single Context
    Network name: resnet_v1_18/resnet_v1_18
        VStream infos:
            Input  resnet_v1_18/input_layer1 UINT8, NHWC(224x224x3)
            Output resnet_v1_18/fc1 UINT8, NC(1000)
"""

RESNET_STREAMS_TEXT = """\
Architecture HEF was compiled for: HAILO8
Network group name: resnet_v1_18, Single Context
    Network name: resnet_v1_18/resnet_v1_18
        Stream infos:
            Input  resnet_v1_18/input_layer1 UINT8, NHCW(224x224x3)
            Output resnet_v1_18/fc1 UINT8, NC(1000)
        VStream infos:
            Input  resnet_v1_18/input_layer1 UINT8, NHWC(224x224x3)
            Output resnet_v1_18/fc1 UINT8, NC(1000)
"""


def test_single_context_classifier():
    assert describe(RESNET) == RESNET_TEXT
    assert describe(RESNET, parse_streams=True) == RESNET_STREAMS_TEXT
    assert describe(RESNET, parse_streams=True, parse_vstreams=False) == RESNET_STREAMS_TEXT[:RESNET_STREAMS_TEXT.index("        VStream")]


A, B = "multi/net_a", "multi/net_b"
MULTI = HefModel(hw_arch=ProtoHwArch.HAILO15H, network_groups=(
    ng("zeta", ("zeta/zeta",), vstreams=[
        vstream("zeta/in", IN, T.UINT16, O.NHWC, (8, 8, 1), "zeta/zeta"),
        vstream("zeta/depth", OUT, T.UINT16, O.NHW, (60, 80), "zeta/zeta")]),
    ng("multi", (A, B), contexts=3, vstreams=[
        vstream("multi/in_a", IN, T.UINT8, O.NHWC, (32, 32, 3), A),
        vstream("multi/in_b", IN, T.UINT8, O.NHWC, (16, 16, 1), B),
        vstream("multi/out_a", OUT, T.UINT8, O.NHWC, (4, 4, 64), A),
        vstream("multi/out_b", OUT, T.FLOAT32, O.NC, (10,), B)]),
))

MULTI_TEXT = """\
Architecture HEF was compiled for: HAILO15H
Network group name: multi, Multi Context - Number of contexts: 3
    Network name: multi/net_a
        VStream infos:
            Input  multi/in_a UINT8, NHWC(32x32x3)
            Output multi/out_a UINT8, NHWC(4x4x64)
    Network name: multi/net_b
        VStream infos:
            Input  multi/in_b UINT8, NHWC(16x16x1)
            Output multi/out_b FLOAT32, NC(10)
Network group name: zeta, Single Context
    Network name: zeta/zeta
        VStream infos:
            Input  zeta/in UINT16, NHWC(8x8x1)
            Output zeta/depth UINT16, NHW(60x80)
"""


def test_network_groups_sorted_networks_split_multi_context():
    assert describe(MULTI) == MULTI_TEXT


def test_a_network_without_input_layers_is_not_found():
    """CoreOpMetadata::get_input_layer_infos: HAILO_NOT_FOUND (the real tool, measured on a HEF
    whose only input edge layer was removed)."""
    from hailort_sim.status import HailoRTException, HailoStatus
    no_input = dataclasses.replace(MULTI.network_groups[1], input_streams=MULTI.network_groups[1].input_streams[1:])
    with pytest.raises(HailoRTException) as error:
        describe(dataclasses.replace(MULTI, network_groups=(MULTI.network_groups[0], no_input)))
    assert error.value.status == HailoStatus.HAILO_NOT_FOUND


Y = "yolov5m/yolov5m"
NMS = NmsInfo(number_of_classes=80, max_bboxes_per_class=100, bbox_size=8)
YOLO = ng("yolov5m", (Y,),
          streams=[stream("yolov5m/input_layer1", IN, T.UINT8, O.NHCW, (640, 640, 3), Y),
                   stream("yolov5m/nms", OUT, T.UINT16, O.HAILO_NMS_ON_CHIP, (1, 1, 1), Y, nms=NMS)],
          vstreams=[vstream("yolov5m/input_layer1", IN, T.UINT8, O.NHWC, (640, 640, 3), Y),
                    vstream("yolov5m/nms", OUT, T.FLOAT32, O.HAILO_NMS_BY_CLASS, (40080,), Y, nms=NMS)])

YOLO_TEXT = """\
Architecture HEF was compiled for: HAILO8L
Network group name: yolov5m, Single Context
    Network name: yolov5m/yolov5m
        Stream infos:
            Input  yolov5m/input_layer1 UINT8, NHCW(640x640x3)
            Output yolov5m/nms UINT16, HAILO NMS ON CHIP(maximum frame size: 64160)
        VStream infos:
            Input  yolov5m/input_layer1 UINT8, NHWC(640x640x3)
            Output yolov5m/nms FLOAT32, HAILO NMS BY CLASS(number of classes: 80, maximum bounding boxes per class: 100, maximum frame size: 160320)
"""


def test_nms_on_chip_and_by_class():
    assert describe(HefModel(hw_arch=ProtoHwArch.HAILO8L, network_groups=(YOLO,)), parse_streams=True) == YOLO_TEXT


def test_nms_by_score():
    by_score = dataclasses.replace(YOLO.output_vstreams[0], format=Format(T.FLOAT32, O.HAILO_NMS_BY_SCORE),
                                   nms_info=dataclasses.replace(NMS, max_bboxes_total=100))
    group = dataclasses.replace(YOLO, output_vstreams=(by_score,))
    text = describe(HefModel(hw_arch=ProtoHwArch.HAILO8L, network_groups=(group,)))
    assert text.splitlines()[-1] == ("            Output yolov5m/nms FLOAT32, HAILO NMS BY SCORE(number of classes: 80, "
                                     "maximum bounding boxes total: 100, maximum frame size: 2202)")


@pytest.mark.skipif("ops" not in NetworkGroup.__dataclass_fields__, reason="HefModel has no post-process ops yet")
def test_operation_block_prints_the_op_description_split_at_commas():
    from hailort_sim.hef.model import PostProcessOp
    op = PostProcessOp(type="YOLOV5", name="YOLOv5-Post-Process", output_name="yolov5m/nms", input_names=(),
                       description="Op YOLOV5, Name: YOLOv5-Post-Process, Score threshold: 0.200, IoU threshold: 0.60, "
                                   "Classes: 80, Max bboxes per class: 100, Image height: 640, Image width: 640")
    group = dataclasses.replace(YOLO, ops=(op,))
    text = describe(HefModel(hw_arch=ProtoHwArch.HAILO8L, network_groups=(group,)))
    assert text.endswith("""maximum frame size: 160320)
            Operation:
                Op YOLOV5
                Name: YOLOv5-Post-Process
                Score threshold: 0.200
                IoU threshold: 0.60
                Classes: 80
                Max bboxes per class: 100
                Image height: 640
                Image width: 640
""")


@pytest.mark.parametrize("arch, name", [(ProtoHwArch.HAILO8, "HAILO8"), (ProtoHwArch.HAILO8R, "HAILO8"),
                                        (ProtoHwArch.SAGE_A0, "HAILO8_A0"), (ProtoHwArch.HAILO15M, "HAILO15M"),
                                        (ProtoHwArch.HAILO10H, "HAILO10H"), (ProtoHwArch.PLUTO, "HAILO15L")])
def test_architecture_names(arch, name):
    assert describe(dataclasses.replace(RESNET, hw_arch=arch)).splitlines()[0] == \
        "Architecture HEF was compiled for: " + name


def test_missing_path_is_a_cli11_validation_error(run_cli, tmp_path):
    result = run_cli("hailortcli", "parse-hef", tmp_path / "nope.hef")
    assert result.returncode == 105 and result.stdout == ""
    assert result.stderr == "hef: (File does not exist: {0}) OR (Directory does not exist: {0})\n" \
                            "Run with --help for more information.\n".format(tmp_path / "nope.hef")


def test_directory_without_hefs(run_cli, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("x")
    result = run_cli("hailortcli", "parse-hef", empty)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == "[HailoRT CLI] [error] CHECK failed - No HEF files were found in the directory: " \
                            "{}\n".format(empty)


@pytest.mark.parametrize("content", [b"", b"\x00" * 10, b"not a hef at all, just some text" * 10,
                                     b"\x01HEF" + b"\x00" * 60])
def test_broken_files_give_a_hef_status_not_a_traceback(run_cli, tmp_path, content):
    path = tmp_path / "broken.hef"
    path.write_bytes(content)
    result = run_cli("hailortcli", "parse-hef", path)
    # the reader picks the status (too short: HAILO_FILE_OPERATION_FAILURE, as libhailort's read fails)
    hef_statuses = {14: "HAILO_FILE_OPERATION_FAILURE", 26: "HAILO_INVALID_HEF", 91: "HAILO_HEF_FILE_CORRUPTED",
                    92: "HAILO_HEF_NOT_SUPPORTED"}
    assert result.returncode in hef_statuses, result.stderr
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == "[HailoRT CLI] [error] CHECK_SUCCESS failed with status={}({})".format(
        hef_statuses[result.returncode], result.returncode)
    assert result.stderr.startswith("[HailoRT] [error] ")


def test_hailo_parse_hef_forwards_exit_code(run_cli, tmp_path):
    result = run_cli("hailo", "parse-hef", tmp_path / "nope.hef")
    assert result.returncode == 105
    assert result.stdout == "(hailo) Running command 'parse-hef' with 'hailortcli'\n"

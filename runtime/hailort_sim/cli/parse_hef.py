"""``hailortcli parse-hef <hef|dir>`` (parse_hef_command.cpp, ``Hef::Impl::get_description``)."""
import os
import sys

from .common import existing_path

TAB = "    "
_ORDER_NAMES = {1: "NHWC", 2: "NHCW", 3: "FCR", 4: "F8CR", 5: "NHW", 6: "NC", 7: "BAYER RGB",
                8: "12 BIT BAYER RGB", 10: "RGB 888", 11: "NCHW", 12: "YUY2", 13: "NV12", 15: "YYUV",
                14: "NV21", 16: "YYVU", 17: "RGB4", 18: "I420", 19: "YYYYUV", 20: "HAILO NMS WITH BYTE MASK",
                21: "HAILO NMS ON CHIP", 22: "HAILO NMS BY CLASS", 23: "HAILO NMS BY SCORE"}
_TYPE_NAMES = {0: "AUTO", 1: "UINT8", 2: "UINT16", 3: "FLOAT32"}
_TYPE_BYTES = {1: 1, 2: 2, 3: 4}
_NC, _NHW, _NCHW, _NMS_WITH_BYTE_MASK, _NMS_ON_CHIP, _NMS_BY_CLASS, _NMS_BY_SCORE = 6, 5, 11, 20, 21, 22, 23
MAX_NAME_SIZE = 128             # HAILO_MAX_NETWORK_GROUP_NAME_SIZE, with its NUL
_DETECTION_SIZE = 22             # packed hailo_detection_t
_DETECTION_WITH_MASK_SIZE = 38   # packed hailo_detection_with_byte_mask_t (64-bit mask pointer)


def register(subparsers):
    parser = subparsers.add_parser("parse-hef", help="Parse HEF to get information about its components")
    parser.add_argument("hef", type=existing_path("hef"), help="An existing HEF file/directory path")
    parser.add_argument("--parse-streams", action="store_true", help="Parse stream infos")
    parser.add_argument("--parse-vstreams", action="store_true", default=True, help="Parse vstream infos")
    parser.set_defaults(execute=execute)


def _format(fmt):
    return "{}, {}".format(_TYPE_NAMES.get(int(fmt.type), "Nan"), _ORDER_NAMES.get(int(fmt.order), "Nan"))


def nms_hw_frame_size(nms):
    """``HailoRTCommon::get_nms_hw_frame_size``."""
    size_per_class = 2 + nms.bbox_size * max(nms.burst_size, nms.max_bboxes_per_class)
    return (max(nms.chunks_per_frame, 1) * nms.number_of_classes * size_per_class
            + nms.bbox_size * nms.burst_size) & 0xFFFFFFFF    # uint32_t, as libhailort's


def stream_shape_str(stream):
    order = int(stream.format.order)
    if order == _NMS_ON_CHIP and stream.nms_info is not None:
        return "{}(maximum frame size: {})".format(_format(stream.format), nms_hw_frame_size(stream.nms_info))
    height, width, features = stream.hw_shape
    if order == _NC:
        return "{}({})".format(_format(stream.format), features)
    if order == _NHW:
        return "{}({}x{})".format(_format(stream.format), height, width)
    return "{}({}x{}x{})".format(_format(stream.format), height, width, features)


def vstream_shape_str(vstream):
    order = int(vstream.format.order)
    nms = vstream.nms_info
    if nms is not None and order in (_NMS_BY_CLASS, _NMS_BY_SCORE, _NMS_WITH_BYTE_MASK):
        per_class = nms.max_bboxes_per_class   # a vstream's nms_shape already counts every chunk
        total = nms.max_bboxes_total or per_class * nms.number_of_classes
        if order == _NMS_BY_CLASS:
            size = (1 + 5 * per_class) * nms.number_of_classes * _TYPE_BYTES.get(int(vstream.format.type), 0)
            return "{}(number of classes: {}, maximum bounding boxes per class: {}, maximum frame size: {})".format(
                _format(vstream.format), nms.number_of_classes, per_class, size & 0xFFFFFFFF)
        size = 2 + total * _DETECTION_SIZE if order == _NMS_BY_SCORE else \
            2 + total * _DETECTION_WITH_MASK_SIZE + nms.max_accumulated_mask_size
        return "{}(number of classes: {}, maximum bounding boxes total: {}, maximum frame size: {})".format(
            _format(vstream.format), nms.number_of_classes, total, size & 0xFFFFFFFF)
    shape = tuple(vstream.shape)
    if order == _NC:
        return "{}({})".format(_format(vstream.format), shape[-1])
    if order == _NHW:
        return "{}({}x{})".format(_format(vstream.format), shape[0], shape[1])
    if order == _NCHW and len(shape) == 3:   # VStreamInfo.shape is (features, height, width) for NCHW
        shape = (shape[1], shape[2], shape[0])
    height, width, features = (tuple(shape) + (1, 1, 1))[:3]
    return "{}({}x{}x{})".format(_format(vstream.format), height, width, features)



def _io_lines(group, network, inputs, outputs, shape_str):
    """The "Input  <name> <shape>" and "Output <name> <shape>" lines of one network."""
    return [TAB * 3 + "{} {} {}".format(label, info.name, shape_str(info))
            for label, infos in (("Input ", inputs), ("Output", outputs))
            for info in _of_network(infos, network, group.networks)]

def _of_network(items, network, networks):
    return [item for item in items if item.network_name == network or (not item.network_name and len(networks) == 1)]


def _require_layers(group, network):
    """Every info query starts with CoreOpMetadata::get_{input,output}_layer_infos(network), which
    fails with HAILO_NOT_FOUND when the network has no layer of that direction."""
    from hailort_sim.status import HailoStatus, raise_status
    for streams in (group.input_streams, group.output_streams):
        if not group.streams_of(network, streams):
            raise_status(HailoStatus.HAILO_NOT_FOUND, f"Network name {network} is not found in networks metadata")


def operation_items(group):
    """libhailort prints the description of the network group's last op, split at ", "."""
    ops = getattr(group, "ops", ())
    text = ops[-1].description if ops else ""
    if not text:
        return []
    items = []
    while "," in text:
        position = text.index(",")
        items.append(text[:position])
        text = text[position + 2:]
    return items + [text]


def describe(model, parse_streams=False, parse_vstreams=True):
    """The text ``hailortcli parse-hef`` prints for a ``HefModel``."""
    from hailort_sim.status import HailoStatus, raise_status
    from hailort_sim.device.compat import hef_arch_name
    lines = ["Architecture HEF was compiled for: " + hef_arch_name(model.hw_arch)]
    by_name = {g.name: g for g in model.network_groups}
    for info in sorted(model.network_groups, key=lambda g: g.name):   # a std::map in libhailort
        # get_network_groups_infos names each group after its core op, and the description looks
        # that name up again (get_core_op_metadata)
        name = info.name if info.info_name is None else info.info_name
        if len(name.encode()) + 1 > MAX_NAME_SIZE:
            raise_status(HailoStatus.HAILO_INTERNAL_FAILURE, f"The network group '{name}' has a too long name")
        group = by_name.get(name)
        if group is None:
            raise_status(HailoStatus.HAILO_NOT_FOUND, f"Network group with name {name} wasn't found")
        contexts = "Multi Context - Number of contexts: {}".format(group.contexts_count) \
            if (info.info_contexts or info.contexts_count) > 1 else "Single Context"
        lines.append("Network group name: {}, {}".format(name, contexts))
        for network in group.networks:
            lines.append(TAB + "Network name: " + network)
            if parse_streams or parse_vstreams:
                _require_layers(group, network)
            if parse_streams:
                lines.append(TAB * 2 + "Stream infos:")
                lines += _io_lines(group, network, group.input_streams, group.output_streams, stream_shape_str)
            if parse_vstreams:
                unsorted = group.unsorted_outputs(_of_network(group.output_vstreams, network, group.networks))
                if unsorted:
                    raise_status(HailoStatus.HAILO_INTERNAL_FAILURE,
                                 f"VStream {unsorted[0]} not found in sorted output names")
                lines.append(TAB * 2 + "VStream infos:")
                lines += _io_lines(group, network, group.input_vstreams, group.output_vstreams, vstream_shape_str)
                items = operation_items(group)
                if items:
                    lines.append(TAB * 3 + "Operation:")
                    lines.extend(TAB * 4 + item for item in items)
    return "\n".join(lines) + "\n"


def load_model(path):
    from hailort_sim.hef import reader
    return reader.read_hef(path)


def parse_one(path, args):
    sys.stdout.write(describe(load_model(path), args.parse_streams, args.parse_vstreams))


def execute(args):
    from .common import cli_log, report_failure
    from hailort_sim.status import HailoRTException, HailoStatus, format_status
    if not os.path.isdir(args.hef):
        parse_one(args.hef, args)
        return 0
    directory = args.hef if args.hef.endswith("/") else args.hef + "/"
    found = False
    for name in sorted(os.listdir(directory)):
        path = directory + name
        if not name.endswith(".hef") or not os.path.isfile(path):
            continue
        found = True
        sys.stdout.write("*" * 80 + "\nParsing {}:\n".format(path))
        try:
            parse_one(path, args)
        except HailoRTException as error:   # as CHECK_SUCCESS(status, "Failed to parse HEF {}", path)
            status = report_failure(error)
            cli_log("error", "CHECK_SUCCESS failed with status={} - Failed to parse HEF {}".format(
                format_status(status), path))
            return status
    if not found:
        cli_log("error", "CHECK failed - No HEF files were found in the directory: " + args.hef)
        return int(HailoStatus.HAILO_INVALID_ARGUMENT)
    return 0

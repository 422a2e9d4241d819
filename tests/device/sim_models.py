"""Hand-made HEF models for the device and CLI tests (until the HEF writer, and beside it)."""
from hailort_sim.hef.model import (Direction, Format, FormatOrder, FormatType, HefModel, NetworkGroup,
                                   NmsInfo, ProtoHwArch, QuantInfo, VStreamInfo)


def vstream(name, shape, type_=FormatType.UINT8, order=FormatOrder.NHWC, direction=Direction.H2D,
            network="net/net", nms=None):
    return VStreamInfo(name=name, network_name=network, direction=direction, format=Format(type_, order),
                       shape=tuple(shape), quant_info=QuantInfo(), nms_info=nms)


def group(name="net", inputs=(), outputs=(), contexts=1, bottleneck_fps=0.0, latency_ms=0.0):
    return NetworkGroup(name=name, networks=(name + "/" + name,), input_streams=(), output_streams=(),
                        input_vstreams=tuple(inputs), output_vstreams=tuple(outputs), contexts_count=contexts,
                        bottleneck_fps=bottleneck_fps, latency_ms=latency_ms)


def model(arch=ProtoHwArch.HAILO8, *groups):
    return HefModel(hw_arch=arch, network_groups=tuple(groups) or (group(),))


def nms_vstream(name="net/nms", classes=80, per_class=100, total=0):
    return vstream(name, (classes * (1 + 5 * per_class),), FormatType.FLOAT32, FormatOrder.HAILO_NMS_BY_CLASS,
                   Direction.D2H, nms=NmsInfo(number_of_classes=classes, max_bboxes_per_class=per_class,
                                              bbox_size=10, max_bboxes_total=total))

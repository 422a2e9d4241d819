"""Small HEF models for the inference tests (written with the HEF writer) and a numpy
reference of the quantization rule."""
import numpy as np

from hailort_sim.hef.model import QuantInfo
from hailort_sim.hef.reader import read_hef
from hailort_sim.hef.writer import HefSpec, LayerSpec, NetworkGroupSpec, OnChipNms, write_hef

ONE_DEVICE = "[device0]\narchitecture = HAILO8\n"


def qp(zp, scale, bits=8):
    top = (1 << bits) - 1
    return QuantInfo(qp_zp=zp, qp_scale=scale, limvals_min=(0 - zp) * scale, limvals_max=(top - zp) * scale)


IDENTITY_QP = QuantInfo(0.0, 1.0, 0.0, 255.0)


def hef_bytes(*groups, arch="HAILO8"):
    return write_hef(HefSpec(list(groups), arch=arch))


def shortcut(name="shortcut", shape=(4, 6, 3), fps=0.0, quant=IDENTITY_QP, order="NHWC", type="UINT8"):
    return NetworkGroupSpec(name, inputs=[LayerSpec("input_layer1", shape, order=order, quant=quant, type=type)],
                            outputs=[LayerSpec("output_layer1", shape, order=order, quant=quant, type=type)],
                            bottleneck_fps=fps)


def classifier(name="classifier", fps=0.0):
    return NetworkGroupSpec(name, inputs=[LayerSpec("input_layer1", (8, 8, 3), order="NHWC", quant=qp(118.0, 0.0186))],
                            outputs=[LayerSpec("fc1", (10,), quant=qp(62.0, 0.127))], bottleneck_fps=fps)


def two_inputs(name="two_in"):
    return NetworkGroupSpec(name, inputs=[LayerSpec("in_a", (2, 2, 3), quant=IDENTITY_QP),
                                          LayerSpec("in_b", (3, 3, 1), quant=IDENTITY_QP)],
                            outputs=[LayerSpec("out_a", (2, 2, 3), quant=IDENTITY_QP),
                                     LayerSpec("out_b", (3, 3, 1), quant=IDENTITY_QP)])


def nms_model(name="detector", classes=3, max_boxes=4):
    return NetworkGroupSpec(name, inputs=[LayerSpec("input_layer1", (16, 16, 3), quant=qp(0.0, 1 / 255))],
                            outputs=[LayerSpec("nms1", quant=qp(0.0, 1 / 65535, 16), type="UINT16",
                                               nms=OnChipNms(classes=classes, max_bboxes_per_class=max_boxes))])


def model_of(*groups):
    return read_hef(hef_bytes(*groups))


def reference_quantize(x, q, dtype):
    """Spec §7.4 in plain numpy: rint(clip(x, limvals) / scale + zp) in float32; identity QP only rounds."""
    x = x.astype(np.float32)
    if q.qp_scale == 1.0 and q.qp_zp == 0.0:
        out = np.rint(x)
    else:
        out = np.rint(np.clip(x, np.float32(q.limvals_min), np.float32(q.limvals_max)) / np.float32(q.qp_scale)
                      + np.float32(q.qp_zp))
    info = np.iinfo(dtype)
    return np.clip(out, info.min, info.max).astype(dtype)

"""The sample HEFs used by the tests and installed in the target image.

    python3 -m hailort_sim.hef.samples OUTDIR        # writes every sample as OUTDIR/<name>.hef

They are generated, not committed: same code, same bytes (fixed timestamp, no randomness).
Names follow HailoRT's tutorial models (resnet_v1_18, shortcut_net, multi_network_shortcut_net)
and the model zoo's yolov8n; ``<model>_<arch>`` variants exist for every architecture.
"""
import argparse
import os
import sys
from typing import Callable, Dict, List

from hailort_sim.hef.model import QuantInfo
from hailort_sim.hef.writer import HefSpec, LayerSpec, NetworkGroupSpec, NmsOpSpec, OnChipNms, write_hef

ARCHS = ("HAILO8", "HAILO8L", "HAILO15H", "HAILO15M", "HAILO10H")
HEADER_VERSION = 2   # what the Dataflow Compiler 3.2x/3.3x writes


def _qp(zp: float, scale: float, bits: int = 8) -> QuantInfo:
    """A QP whose limits are the float range the quantized values cover."""
    top = (1 << bits) - 1
    return QuantInfo(qp_zp=zp, qp_scale=scale, limvals_min=(0 - zp) * scale, limvals_max=(top - zp) * scale)


def resnet_v1_18_group() -> NetworkGroupSpec:
    return NetworkGroupSpec(
        "resnet_v1_18",
        inputs=[LayerSpec("input_layer1", (224, 224, 3), quant=_qp(118.0, 0.01863),
                          original_names=("resnet_v1_18/input_layer1",))],
        outputs=[LayerSpec("fc1", (1000,), quant=_qp(62.0, 0.1271), original_names=("resnet_v1_18/fc1",))],
        bottleneck_fps=1331.5, latency=2.9)


def shortcut_net_group(name: str = "shortcut_net", networks=()) -> NetworkGroupSpec:
    """An identity network: every output has the shape and QP of its input."""
    qp = QuantInfo(qp_zp=0.0, qp_scale=1.0, limvals_min=0.0, limvals_max=255.0)
    if not networks:
        return NetworkGroupSpec(
            name,
            inputs=[LayerSpec("input_layer1", (224, 224, 3), quant=qp)],
            outputs=[LayerSpec("output_layer1", (224, 224, 3), quant=qp)],
            bottleneck_fps=260.0, latency=3.8)
    inputs, outputs = [], []
    for index, network in enumerate(networks, start=1):
        inputs.append(LayerSpec(f"input_layer{index}", (64, 64, 3), quant=qp, network=network))
        outputs.append(LayerSpec(f"output_layer{index}", (64, 64, 3), quant=qp, network=network))
    return NetworkGroupSpec(name, inputs=inputs, outputs=outputs, networks=networks)


def yolov8n_group() -> NetworkGroupSpec:
    """YOLOv8n as the model zoo compiles it: six core outputs and a host (net-flow) NMS."""
    outputs, decoders = [], []
    for stride, (reg, cls) in zip((8, 16, 32), (("conv41", "conv42"), ("conv52", "conv53"), ("conv62", "conv63"))):
        side = 640 // stride
        outputs.append(LayerSpec(reg, (side, side, 64), quant=_qp(0.0, 0.0625)))
        outputs.append(LayerSpec(cls, (side, side, 80), quant=_qp(0.0, 0.00390625)))
        decoders.append((reg, cls, stride))
    return NetworkGroupSpec(
        "yolov8n",
        inputs=[LayerSpec("input_layer1", (640, 640, 3), quant=_qp(0.0, 1.0 / 255))],
        outputs=outputs,
        ops=[NmsOpSpec(decoders=tuple(decoders), kind="YOLOV8", classes=80, max_proposals_per_class=100,
                       score_threshold=0.2, iou_threshold=0.7, image_size=(640, 640),
                       output_name="yolov8n_nms_postprocess")],
        bottleneck_fps=412.0, latency=6.1)


def ssd_mobilenet_v1_group() -> NetworkGroupSpec:
    """A detector whose NMS runs on the chip (HAILO_NMS_ON_CHIP output, 90 classes)."""
    return NetworkGroupSpec(
        "ssd_mobilenet_v1",
        inputs=[LayerSpec("input_layer1", (300, 300, 3), quant=_qp(128.0, 0.0078125))],
        outputs=[LayerSpec("nms1", nms=OnChipNms(classes=90, max_bboxes_per_class=20, bbox_size=8),
                           quant=QuantInfo(0.0, 0.0031, 0.0, 0.79))])


def _spec(groups, arch="HAILO8") -> HefSpec:
    return HefSpec(network_groups=groups, arch=arch)


def _catalogue() -> Dict[str, Callable[[], HefSpec]]:
    samples: Dict[str, Callable[[], HefSpec]] = {
        "resnet_v1_18": lambda: _spec([resnet_v1_18_group()]),
        "shortcut_net": lambda: _spec([shortcut_net_group()]),
        "yolov8n": lambda: _spec([yolov8n_group()]),
        "ssd_mobilenet_v1": lambda: _spec([ssd_mobilenet_v1_group()]),
        "multi_network_shortcut_net": lambda: _spec([shortcut_net_group("multi_network_shortcut_net",
                                                                        ("net0", "net1"))]),
        # Two network groups; the first listed is the default one (stored last in the file).
        "multi_network_group": lambda: _spec([resnet_v1_18_group(), shortcut_net_group()]),
    }
    for arch in ARCHS:
        for model, group in (("resnet_v1_18", resnet_v1_18_group), ("shortcut_net", shortcut_net_group),
                             ("yolov8n", yolov8n_group)):
            samples[f"{model}_{arch.lower()}"] = (lambda g=group, a=arch: _spec([g()], a))
    return samples


SAMPLES = _catalogue()


def sample_spec(name: str) -> HefSpec:
    try:
        return SAMPLES[name]()
    except KeyError:
        raise KeyError(f"no sample HEF {name!r}; samples: {', '.join(sorted(SAMPLES))}") from None


def sample_bytes(name: str, header_version: int = HEADER_VERSION) -> bytes:
    return write_hef(sample_spec(name), header_version)


def write_samples(outdir: str, names=None) -> List[str]:
    os.makedirs(outdir, exist_ok=True)
    paths = []
    for name in names or sorted(SAMPLES):
        path = os.path.join(outdir, f"{name}.hef")
        data = sample_bytes(name)
        with open(path, "wb") as handle:
            handle.write(data)
        paths.append(path)
    return paths


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m hailort_sim.hef.samples",
                                     description="Write the sample HEF files.")
    parser.add_argument("outdir", help="directory to write <name>.hef files into")
    parser.add_argument("names", nargs="*", help=f"samples to write (default: all {len(SAMPLES)})")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in SAMPLES]
    if unknown:
        parser.error(f"unknown sample(s) {', '.join(unknown)}; choose from {', '.join(sorted(SAMPLES))}")
    for path in write_samples(args.outdir, args.names):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

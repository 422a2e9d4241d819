"""Ways to break a HEF, shared by the fuzz test (hypothesis) and ``scripts/fuzz-hef``.

Each mutator takes a ``random.Random`` and valid HEF bytes and returns mutated bytes. The
"rehash" mutators fix the header hash afterwards, so that the damage reaches the protobuf
parser and the semantic reader instead of stopping at the integrity check.
"""
import dataclasses
import random
import struct

from hailort_sim.hef.container import HEADER_SIZES, build_container, parse_container
from hailort_sim.hef.proto import ProtoHEFHef
from hailort_sim.hef.samples import sample_spec
from hailort_sim.hef.model import QuantInfo
from hailort_sim.hef.writer import (
    HefSpec, LayerSpec, LogitsOpSpec, NetworkGroupSpec, NmsOpSpec, OnChipNms, write_hef,
)

# Small but varied seeds: every layout the writer produces.
SEED_SAMPLES = ("shortcut_net", "resnet_v1_18", "yolov8n", "ssd_mobilenet_v1", "multi_network_shortcut_net",
                "multi_network_group", "resnet_v1_18_hailo8l", "yolov8n_hailo15m")


def seed_hefs():
    """[(name, header version, bytes)] for every seed sample and header version."""
    seeds = []
    for name in SEED_SAMPLES:
        spec = sample_spec(name)
        for version in range(4):
            seeds.append((name, version, write_hef(spec, version)))
    legacy = dataclasses.replace(sample_spec("resnet_v1_18_hailo8l"), net_flow=False)
    seeds.append(("legacy_hailo8l", 2, write_hef(legacy, 2)))
    with_ccws = dataclasses.replace(sample_spec("shortcut_net"), ccws_size=3000)
    seeds.append(("with_ccws", 3, write_hef(with_ccws, 3)))
    # layouts the samples lack: mux, per-feature QPs, several contexts, logits and YOLOv5 ops, burst NMS
    qps = tuple(QuantInfo(float(i), 0.25, 0.0, 255.0) for i in range(3))
    odd = HefSpec(arch="HAILO15H", network_groups=[NetworkGroupSpec(
        "odd", contexts=2,
        inputs=[LayerSpec("in", (16, 16, 3), transposed=True)],
        outputs=[LayerSpec("mux", (8, 8, 5), predecessors=(LayerSpec("a", (8, 8, 2)), LayerSpec("b", (8, 8, 3)))),
                 LayerSpec("feat", (8, 8, 3), quant_per_feature=qps, context=1),
                 LayerSpec("yolo", (8, 8, 255)), LayerSpec("seg", (16, 16, 4), type="UINT16"),
                 LayerSpec("nms", nms=OnChipNms(10, 5, burst_size=4))],
        ops=[NmsOpSpec(decoders=(("yolo", 8),), kind="YOLOV5", classes=80, background_removal_index=0),
             LogitsOpSpec("seg", kind="SOFTMAX", type="FLOAT32")])])
    for version in (1, 2):
        seeds.append(("odd", version, write_hef(odd, version)))
    return seeds


# ---- raw byte damage (the integrity check should catch almost all of it) -----------------------
def bit_flips(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        position = rng.randrange(len(out))
        out[position] ^= 1 << rng.randrange(8)
    return bytes(out)


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[:rng.randrange(len(data))]


def splice(rng: random.Random, data: bytes, other: bytes = b"") -> bytes:
    donor = other or data
    start, length = rng.randrange(len(data)), rng.randint(1, 64)
    piece = donor[rng.randrange(len(donor)):][:length]
    if rng.random() < 0.5:
        return data[:start] + piece + data[start:]            # insert
    return data[:start] + piece + data[start + len(piece):]   # overwrite


def header_edit(rng: random.Random, data: bytes) -> bytes:
    """Rewrite one header integer: magic, version, proto size or a version-specific field."""
    out = bytearray(data)
    version = struct.unpack_from(">I", out, 4)[0]
    size = HEADER_SIZES.get(version, 12)
    offsets = [0, 4, 8] + list(range(12, min(size, len(out)) - 3, 4))
    offset = rng.choice(offsets)
    value = rng.choice([0, 1, 2, 3, 4, 0xFF, 0x01484546, 0xFFFFFFFF, rng.getrandbits(32),
                        struct.unpack_from(">I", out, offset)[0] + rng.choice((-1, 1))]) & 0xFFFFFFFF
    struct.pack_into(">I", out, offset, value)
    return bytes(out)


# ---- damage behind a valid hash ------------------------------------------------------------
def _rewrap(data: bytes, proto: bytes) -> bytes:
    hef = parse_container(data)
    version = hef.version
    return build_container(proto, version, ccws=bytes(hef.ccws) if version else b"",
                           additional_info=bytes(hef.additional_info) if version == 3 else b"")


def rehash_bytes(rng: random.Random, data: bytes) -> bytes:
    """Flip, cut or splice bytes of the protobuf section, then fix the hash."""
    proto = bytes(parse_container(data).proto)
    damage = rng.choice((bit_flips, truncate, splice))
    return _rewrap(data, damage(rng, proto) if proto else proto)


_INT_VALUES = (0, 1, 2, 3, 5, 6, 7, 8, 13, 26, 100, 103, 255, 256, 0xFFFF, 0x10000, 0xFFFFFFFF)


def _set_fields(message, path=()):
    """Every (message, field descriptor, index or None) of the fields set in ``message``."""
    found = []
    for descriptor, value in message.ListFields():
        repeated = _is_repeated(descriptor)
        items = list(enumerate(value)) if repeated else [(None, value)]
        for index, item in items:
            if descriptor.type == descriptor.TYPE_MESSAGE:
                found.append((message, descriptor, index))
                found.extend(_set_fields(item, path + (descriptor.name,)))
            else:
                found.append((message, descriptor, index))
    return found


def _is_repeated(descriptor) -> bool:
    flag = getattr(descriptor, "is_repeated", None)   # protobuf >= 6 deprecates .label
    return flag if flag is not None else descriptor.label == descriptor.LABEL_REPEATED


def _random_scalar(rng: random.Random, descriptor):
    kind = descriptor.type
    if kind in (descriptor.TYPE_STRING,):
        return rng.choice(("", "x", "a" * 200, "shortcut_net/output_layer1", "\u00e9/\u4e2d", "n/" * 70))
    if kind == descriptor.TYPE_BYTES:
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 16)))
    if kind == descriptor.TYPE_BOOL:
        return rng.random() < 0.5
    if kind in (descriptor.TYPE_FLOAT, descriptor.TYPE_DOUBLE):
        return rng.choice((0.0, -1.0, 1e-30, 3.4e38, float("nan"), float("inf"), rng.uniform(-1e6, 1e6)))
    if kind == descriptor.TYPE_ENUM:
        values = [v.number for v in descriptor.enum_type.values]
        return rng.choice(values + [rng.randint(0, 200)])
    if kind in (descriptor.TYPE_UINT64, descriptor.TYPE_FIXED64):
        return rng.choice(_INT_VALUES + (1 << 40, (1 << 64) - 1))
    if kind in (descriptor.TYPE_INT32, descriptor.TYPE_SINT32, descriptor.TYPE_SFIXED32):
        return rng.choice((0, 1, -1, 0x7FFFFFFF, -0x80000000))
    return rng.choice(_INT_VALUES)


def field_mutation(rng: random.Random, data: bytes) -> bytes:
    """Set, clear, duplicate or drop one protobuf field anywhere in the message; fix the hash."""
    message = ProtoHEFHef.FromString(bytes(parse_container(data).proto))
    for _ in range(rng.randint(1, 3)):
        fields = _set_fields(message)
        if not fields:
            break
        owner, descriptor, index = rng.choice(fields)
        action = rng.random()
        container = getattr(owner, descriptor.name)
        if descriptor.type == descriptor.TYPE_MESSAGE:
            if index is None:
                owner.ClearField(descriptor.name)
            elif action < 0.5:
                del container[index]
            else:
                container.add().CopyFrom(container[index])
        elif index is None:
            if action < 0.2:
                owner.ClearField(descriptor.name)
            else:
                setattr(owner, descriptor.name, _random_scalar(rng, descriptor))
        else:
            if action < 0.3:
                del container[index]
            elif action < 0.5:
                container.append(container[index])
            else:
                container[index] = _random_scalar(rng, descriptor)
    return _rewrap(data, message.SerializeToString())


RAW_MUTATORS = (bit_flips, truncate, splice, header_edit)
REHASH_MUTATORS = (rehash_bytes, field_mutation)
ALL_MUTATORS = RAW_MUTATORS + REHASH_MUTATORS


def mutate(rng: random.Random, data: bytes, mutators=ALL_MUTATORS) -> bytes:
    return rng.choice(mutators)(rng, data)


__all__ = ["seed_hefs", "mutate", "ALL_MUTATORS", "RAW_MUTATORS", "REHASH_MUTATORS"]

"""writer -> reader round trips: every header version, every sample, random specs."""
import dataclasses
import struct

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from hailort_sim.hef.model import Direction, FormatOrder, FormatType, ProtoHwArch, QuantInfo
from hailort_sim.hef.reader import HOST_ORDER, read_hef
from hailort_sim.hef.samples import SAMPLES, sample_spec
from hailort_sim.hef.writer import HefSpec, LayerSpec, NetworkGroupSpec, OnChipNms, spec_from_model, write_hef


def f32(value: float) -> float:
    return struct.unpack("<f", struct.pack("<f", value))[0]


def without_container(model):
    return dataclasses.replace(model, header_version=0, hash="")


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_header_version_gives_the_same_model(name):
    spec = sample_spec(name)
    models = [read_hef(write_hef(spec, version)) for version in range(4)]
    assert [m.header_version for m in models] == [0, 1, 2, 3]
    assert len({m.hash for m in models}) == 4
    assert all(without_container(m) == without_container(models[0]) for m in models)


@pytest.mark.parametrize("version", range(4))
def test_config_words_travel_in_every_version(version):
    spec = dataclasses.replace(sample_spec("shortcut_net"), ccws_size=50_000)
    data = write_hef(spec, version)
    model = read_hef(data)
    assert without_container(model) == without_container(read_hef(write_hef(sample_spec("shortcut_net"))))
    assert len(data) > 50_000


@pytest.mark.parametrize("name", [n for n in sorted(SAMPLES) if not sample_spec(n).network_groups[0].ops])
@pytest.mark.parametrize("version", [0, 3])
def test_model_to_spec_to_model(name, version):
    model = read_hef(write_hef(sample_spec(name), version))
    again = read_hef(write_hef(spec_from_model(model), version))
    assert without_container(again) == without_container(model)


# ---- random specs ----------------------------------------------------------------------------
ORDERS_3D = ("NHWC", "NHCW", "FCR", "F8CR", "BAYER_RGB", "RGB888", "YUY2", "HAILO_YYUV")
names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_", min_size=1, max_size=12)
floats = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, width=32)
quants = st.builds(QuantInfo, qp_zp=floats, qp_scale=st.floats(min_value=0.0009765625, max_value=128, width=32),
                   limvals_min=floats, limvals_max=floats)


@st.composite
def layers(draw, direction, name):
    kind = draw(st.sampled_from(("3d", "nc", "nhw", "nms") if direction == Direction.D2H else ("3d", "nc", "nhw")))
    common = dict(name=name, type=draw(st.sampled_from(("UINT8", "UINT16"))), quant=draw(quants),
                  original_names=tuple(draw(st.lists(names, max_size=2))))
    dim = st.integers(min_value=1, max_value=700)
    if kind == "nms":
        return LayerSpec(nms=OnChipNms(draw(st.integers(1, 100)), draw(st.integers(1, 200)),
                                       division_factor=draw(st.integers(1, 4))), **common)
    if kind == "nc":
        return LayerSpec(shape=(draw(dim),), **common)
    if kind == "nhw":
        return LayerSpec(shape=(draw(dim), draw(dim)), transposed=draw(st.booleans()), **common)
    return LayerSpec(shape=(draw(dim), draw(dim), draw(st.integers(1, 64))), order=draw(st.sampled_from(ORDERS_3D)),
                     transposed=draw(st.booleans()), **common)


@st.composite
def groups(draw, group_name):
    networks = draw(st.sampled_from(((), ("n0", "n1"), ("a", "b", "c"))))
    contexts = draw(st.integers(1, 3))
    layer_names = draw(st.lists(names, min_size=2, max_size=6, unique=True))
    split = draw(st.integers(1, len(layer_names) - 1))

    def place(layer):
        return dataclasses.replace(layer, network=draw(st.sampled_from(networks)) if networks else "",
                                   context=draw(st.integers(0, contexts - 1)))
    inputs = [place(draw(layers(Direction.H2D, n))) for n in layer_names[:split]]
    outputs = [place(draw(layers(Direction.D2H, n))) for n in layer_names[split:]]
    return NetworkGroupSpec(group_name, inputs=inputs, outputs=outputs, networks=networks, contexts=contexts,
                            bottleneck_fps=draw(st.floats(0, 1e4)), latency=draw(st.floats(0, 100)))


@st.composite
def specs(draw):
    group_names = draw(st.lists(names, min_size=1, max_size=3, unique=True))
    return HefSpec(network_groups=[draw(groups(n)) for n in group_names],
                   arch=draw(st.sampled_from(("HAILO8", "HAILO8L", "HAILO15H", "HAILO15M", "HAILO10H"))),
                   net_flow=draw(st.booleans()))


def expected_vstream_shape(layer: LayerSpec):
    if layer.nms:
        return (layer.nms.classes, 5, layer.nms.max_bboxes_per_class * layer.nms.division_factor)
    return tuple(layer.shape)


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(spec=specs(), version=st.integers(0, 3))
def test_random_specs_round_trip(spec, version):
    model = read_hef(write_hef(spec, version))
    assert model.hw_arch == ProtoHwArch[spec.arch] and model.header_version == version
    assert [g.name for g in model.network_groups] == [g.name for g in spec.network_groups]
    for group, group_spec in zip(model.network_groups, spec.network_groups):
        expected_networks = [f"{group.name}/{n}" for n in group_spec.networks] or [f"{group.name}/{group.name}"]
        assert list(group.networks) == expected_networks
        assert group.contexts_count == group_spec.contexts
        # streams: context by context, inputs of all contexts then outputs
        for streams, layer_specs in ((group.input_streams, group_spec.inputs), (group.output_streams, group_spec.outputs)):
            ordered = sorted(layer_specs, key=lambda spec: spec.context)
            assert [s.name for s in streams] == [f"{group.name}/{spec.name}" for spec in ordered]
            for stream, layer in zip(streams, ordered):
                assert stream.format.type == FormatType[layer.type]
                network = layer.network or group.name
                assert stream.network_name == f"{group.name}/{network}"
        by_name = {f"{group.name}/{spec.name}": spec for spec in list(group_spec.inputs) + list(group_spec.outputs)}
        assert [v.name for v in group.output_vstreams] == [f"{group.name}/{spec.name}" for spec in group_spec.outputs]
        for vstream in group.input_vstreams + group.output_vstreams:
            layer = by_name[vstream.name]
            assert vstream.shape == expected_vstream_shape(layer)
            assert vstream.original_names == layer.original_names
            if layer.nms:
                assert vstream.format.order == FormatOrder.HAILO_NMS_BY_CLASS
                assert vstream.format.type == FormatType.FLOAT32
            else:
                device = FormatOrder[layer.order] if layer.order else vstream.format.order
                assert vstream.format.order == HOST_ORDER.get(device, device)
                assert vstream.format.type == FormatType[layer.type]
            assert vstream.quant_info == QuantInfo(*(f32(v) for v in dataclasses.astuple(layer.quant)))
    # and back: the model is all the writer needs
    again = read_hef(write_hef(spec_from_model(model, net_flow=spec.net_flow), version))
    assert again == dataclasses.replace(model, hash=again.hash)

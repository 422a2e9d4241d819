"""The timing model: documented defaults and config overrides."""
import pytest

from hailort_sim.device import SimDevice
from hailort_sim.device.timing import timing_for
from hailort_sim.hef.model import Architecture

from sim_models import group


def test_hef_bottleneck_fps_and_latency_are_used():
    t = timing_for(Architecture.HAILO8, group("resnet_v1_18", bottleneck_fps=1200.0, latency_ms=3.0))
    assert t.fps == 1200.0 and t.latency_s == pytest.approx(0.003)
    assert t.frame_interval_s == pytest.approx(1 / 1200)
    assert t.batch_time(1) == pytest.approx(0.003)
    assert t.batch_time(8) == pytest.approx(0.003 + 7 / 1200)
    assert t.frame_time(8) == pytest.approx(8 / 1200)
    assert t.utilization(600) == pytest.approx(0.5) and t.utilization(5000) == 1.0


@pytest.mark.parametrize("arch, fps", [(Architecture.HAILO8, 1000.0), (Architecture.HAILO8L, 500.0),
                                       (Architecture.HAILO15H, 750.0), (Architecture.HAILO15M, 450.0),
                                       (Architecture.HAILO10H, 1500.0)])
def test_architecture_defaults_without_hef_figures(arch, fps):
    t = timing_for(arch, group())
    assert t.fps == fps and t.latency_s == pytest.approx(2 / fps)
    assert t.context_switch_s == pytest.approx(0.0005)
    multi = timing_for(arch, group(contexts=4))
    assert multi.fps == fps / 4 and multi.context_switch_s == pytest.approx(0.002)


def test_config_overrides_network_group_then_device(sim_config):
    sim_config("""
[device0]
fps = 100
latency_ms = 20
[network_group fast]
fps = 5000
context_switch_ms = 0
""")
    device = SimDevice.open()
    fast, other = device.timing(group("fast", bottleneck_fps=1200)), device.timing(group("other", bottleneck_fps=1200))
    assert (fast.fps, fast.latency_s, fast.context_switch_s) == (5000.0, 0.02, 0.0)
    assert (other.fps, other.latency_s) == (100.0, 0.02)

"""How long the simulated device takes: pure functions of the network group, no sleeping.

The pipeline's scheduler asks ``timing_for(...)`` once per configured network group and
paces frames with the result. Figures, first match wins (docs/simulated-device.md):

* frame rate: ``[network_group <name>] fps`` > the device's ``fps`` > the HEF's
  ``bottleneck_fps`` > the architecture default divided by the number of contexts;
* latency: ``[network_group <name>] latency_ms`` > the device's ``latency_ms`` > the HEF's
  ``latency_ms`` > two frame periods (a frame enters, the pipeline holds one more);
* context switch (the scheduler changing network group): ``context_switch_ms`` from the
  network group section or the device, else 0.5 ms for a single-context network group and
  2 ms for a multi-context one (its weights reload).
"""
from collections import namedtuple

from .identity import ARCH_DEFAULTS
from .inventory import TimingOverrides

SINGLE_CONTEXT_SWITCH_MS = 0.5
MULTI_CONTEXT_SWITCH_MS = 2.0


class Timing(namedtuple("Timing", ("fps", "latency_s", "context_switch_s"))):
    """fps: steady-state frames per second (the throughput bottleneck); latency_s: from a frame
    entering the device to its outputs being ready; context_switch_s: the scheduler switching to it."""
    __slots__ = ()

    @property
    def frame_interval_s(self) -> float:
        """Time between two frames leaving the device at full rate."""
        return 1.0 / self.fps

    def batch_time(self, batch: int) -> float:
        """Time to run ``batch`` frames back to back, from the first in to the last out."""
        return self.latency_s + max(batch - 1, 0) / self.fps

    def frame_time(self, batch: int = 1) -> float:
        """Device occupancy per batch at steady state (pipelined): ``batch`` frame periods."""
        return max(batch, 1) / self.fps

    def utilization(self, achieved_fps: float) -> float:
        """Share of the device's capacity that ``achieved_fps`` uses, in [0, 1]."""
        return min(max(achieved_fps / self.fps, 0.0), 1.0)


def _first(*values):
    for value in values:
        if value is not None and value > 0:
            return float(value)
    return None


def timing_for(architecture, group, device=TimingOverrides(), network_group=TimingOverrides()) -> Timing:
    """The Timing of ``group`` (a hef.model.NetworkGroup) on an ``architecture`` (name or enum)."""
    architecture = getattr(architecture, "name", architecture)
    contexts = max(group.contexts_count, 1)
    fps = _first(network_group.fps, device.fps, group.bottleneck_fps,
                 ARCH_DEFAULTS[architecture].fps / contexts)
    latency_ms = _first(network_group.latency_ms, device.latency_ms, group.latency_ms) or 2000.0 / fps
    switch_ms = next((v for v in (network_group.context_switch_ms, device.context_switch_ms) if v is not None),
                     MULTI_CONTEXT_SWITCH_MS if contexts > 1 else SINGLE_CONTEXT_SWITCH_MS)
    return Timing(fps=fps, latency_s=latency_ms / 1000.0, context_switch_s=switch_ms / 1000.0)

"""The pipeline's one link to the simulated device (``hailort_sim.device``).

The pipeline needs four things from the device package (docs/architecture.md):
the inventory (which devices exist and their architecture), the compute function on
quantized host-format arrays, the timing model (frame time and latency of a network group)
and the HEF/architecture compatibility check. This module is the only place the pipeline
calls ``hailort_sim.device`` (``SimDevice``), plus a test/benchmark hook that replaces the
timing model.
"""
import threading
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence

from hailort_sim.hef.model import Architecture, HefModel, NetworkGroup


@dataclass(frozen=True)
class PhysicalDevice:
    """A simulated physical device as the pipeline (and the service protocol) passes it around."""
    device_id: str
    architecture: Architecture
    section: str = ""


_sim_devices: Dict[str, object] = {}
_sim_lock = threading.Lock()


def sim(device: PhysicalDevice):
    """The ``hailort_sim.device.SimDevice`` behind a PhysicalDevice (one per id and process)."""
    found = _sim_devices.get(device.device_id)     # per frame: no lock once it exists
    if found is not None:
        return found
    with _sim_lock:
        found = _sim_devices.get(device.device_id)
        if found is None:
            from hailort_sim.device import SimDevice
            found = _sim_devices[device.device_id] = SimDevice.open(device.device_id)
        return found


def scan() -> List[PhysicalDevice]:
    """The simulated devices, in scan order (HAILO_DRIVER_NOT_INSTALLED if the config says so)."""
    from hailort_sim.device.device import present_inventory
    inventory = present_inventory()
    with _sim_lock:
        _sim_devices.clear()    # the config may have changed: re-read devices lazily
    return [PhysicalDevice(d.device_id, Architecture(d.architecture), d.section) for d in inventory.devices]


def claim(device: PhysicalDevice) -> None:
    """Taking a device for inference (the device's injected ``in_use`` fault fires here)."""
    sim(device).claim()


# --- compute ---------------------------------------------------------------------------

def compute(group: NetworkGroup, inputs: Dict[str, "object"], batch: int,
            device: Optional[PhysicalDevice] = None) -> Dict[str, object]:
    """Outputs of ``batch`` frames (device contract: quantized host-format arrays, batch first).

    Shortcut (identity) networks skip the device's output copy: like the real device DMA-ing
    into the user's buffer, the pipeline's single copy into the output buffer is the only one.
    """
    dev = sim(device) if device is not None else None
    if dev is None:
        from hailort_sim.device.compute import compute as plain_compute
        return plain_compute(group, inputs)
    identity = _identity_pairs(group)
    if identity is not None and dev.replay_directory(group) is None:
        dev.check_fault("infer")
        from hailort_sim.device.compute import check_inputs
        check_inputs(group, inputs)
        return {out: inputs[src] for out, src in identity.items()}
    return dev.infer(group, inputs)


_identity_cache: Dict[int, tuple] = {}


def _identity_pairs(group: NetworkGroup) -> Optional[Dict[str, str]]:
    """{output: input} when every output pairs with an input of the same shape and type, in
    order (the device contract's identity rule), else None."""
    cached = _identity_cache.get(id(group))
    if cached is not None and cached[0] is group:    # holding the group guards against id reuse
        return cached[1]
    unpaired, pairs = list(group.input_vstreams), {}
    for out in group.output_vstreams:
        src = next((i for i in unpaired if not out.is_nms and tuple(i.shape) == tuple(out.shape)
                    and i.format.type == out.format.type), None)
        if src is None:
            pairs = None
            break
        unpaired.remove(src)
        pairs[out.name] = src.name
    if len(_identity_cache) > 256:
        _identity_cache.clear()
    _identity_cache[id(group)] = (group, pairs)
    return pairs


# --- timing ----------------------------------------------------------------------------

# Test and benchmark hook: a function (group, device) -> (frame_time_s, latency_s) that replaces
# the device's timing model in this process (e.g. zero device time for throughput benchmarks).
_timing_override: Optional[Callable] = None


def set_timing_override(func: Optional[Callable]) -> None:
    global _timing_override
    _timing_override = func


@dataclass(frozen=True)
class Timing:
    frame_time: float           # seconds of device time per frame (1 / FPS)
    latency: float              # seconds from the start of a frame to its completion
    switch_time: float = 0.0    # device time for the scheduler switching to this network group


def timing(group: NetworkGroup, device: PhysicalDevice) -> Timing:
    if _timing_override is not None:
        frame_time, latency = _timing_override(group, device)
        return Timing(frame_time, max(latency, frame_time), 0.0)
    t = sim(device).timing(group)
    frame_time = 1.0 / t.fps
    return Timing(frame_time, max(t.latency_s, frame_time), t.context_switch_s)


def set_utilization(device: PhysicalDevice, fraction: float) -> None:
    sim(device).set_utilization(fraction)


def utilization(device_id: str) -> float:
    from hailort_sim.device import utilization_of
    return utilization_of(device_id)


# --- compatibility ---------------------------------------------------------------------

def check_compatible(model: HefModel, devices: Sequence[PhysicalDevice]) -> None:
    """HAILO_HEF_NOT_COMPATIBLE_WITH_DEVICE (or the firmware error) unless the HEF runs here."""
    for device in devices:
        sim(device).check_compatible(model)


def load_hef(source) -> HefModel:
    """A HefModel from a path or bytes (the HEF reader), or a HefModel passed through."""
    if isinstance(source, HefModel):
        return source
    from hailort_sim.hef.reader import read_hef
    return read_hef(source)

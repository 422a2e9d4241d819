"""VDevice semantics: choosing physical devices, group_id sharing and the backend a VDevice uses.

* ``group_id`` other than ``"UNIQUE"``: VDevices with the same id in one process share one
  underlying virtual device and scheduler (reference counted); their parameters must agree.
* A physical device is claimed by one underlying VDevice at a time: in this process through
  the registry below, across processes through an ``flock`` on a per-device lock file (the
  kernel drops it when the owner dies, so a crashed process never leaves a device busy).
* ``multi_process_service=True`` asks ``hailort_sim.service.client.open_backend(params)``
  for a remote backend implementing the ``backend.LocalBackend`` interface.
"""
import fcntl
import hashlib
import os
import threading
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from hailort_sim.pipeline import device_link
from hailort_sim.pipeline.backend import SCHEDULING_NONE, SCHEDULING_ROUND_ROBIN, LocalBackend
from hailort_sim.status import HailoStatus, raise_status

UNIQUE_GROUP_ID = "UNIQUE"
DEFAULT_DEVICE_COUNT = 1
_MULTI_DEVICE_FORBIDDEN = ("HAILO8L", "HAILO15M", "HAILO10H")


@dataclass
class VDeviceConfig:
    """``hailo_vdevice_params_t`` with the Python defaults (scheduler NONE, spec §3.2)."""
    device_count: int = DEFAULT_DEVICE_COUNT
    device_ids: List[str] = field(default_factory=list)
    scheduling_algorithm: int = SCHEDULING_NONE
    group_id: str = UNIQUE_GROUP_ID
    multi_process_service: bool = False


def lock_dir() -> str:
    from hailort_sim.device.flash import state_dir
    return state_dir()


class _Claim:
    """An exclusive claim on physical devices, released with the underlying VDevice."""

    _in_process: Dict[str, "_Claim"] = {}
    _lock = threading.Lock()

    def __init__(self, devices):
        self.devices = devices
        self._files = []

    @classmethod
    def try_claim(cls, device) -> Optional[int]:
        if device.device_id in cls._in_process:
            return None
        # Devices are named by their id within one inventory file: key the lock by the file too,
        # so simulators with different config files on one machine do not collide.
        from hailort_sim.device.inventory import config_path
        inventory = hashlib.sha1(os.path.realpath(config_path()).encode()).hexdigest()[:12]
        name = device.device_id.replace(":", "_").replace("[", "").replace("]", "") + "-" + inventory
        fd = os.open(os.path.join(lock_dir(), name + ".lock"), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return None
        return fd

    @classmethod
    def claim(cls, config: VDeviceConfig, available) -> "_Claim":
        with cls._lock:
            chosen, fds = [], []
            try:
                if config.device_ids:
                    by_id = {d.device_id: d for d in available}
                    for device_id in config.device_ids:
                        device = by_id.get(_normalize_id(device_id))
                        if device is None:
                            raise_status(HailoStatus.HAILO_INVALID_ARGUMENT,
                                         f"VDevice creation failed. device_id {device_id} not found")
                        fd = cls.try_claim(device)
                        if fd is None:
                            raise_status(HailoStatus.HAILO_DEVICE_IN_USE,
                                         f"Device {device.device_id} is already in use by another VDevice")
                        chosen.append(device)
                        fds.append(fd)
                else:
                    for device in available:
                        if len(chosen) == config.device_count:
                            break
                        fd = cls.try_claim(device)
                        if fd is not None:
                            chosen.append(device)
                            fds.append(fd)
                    if len(chosen) < config.device_count:
                        raise_status(HailoStatus.HAILO_OUT_OF_PHYSICAL_DEVICES,
                                     "Failed to create vdevice. there are not enough free devices. "
                                     f"requested: {config.device_count}, found: {len(chosen)}")
            except BaseException:
                for fd in fds:
                    os.close(fd)
                raise
            claim = cls(chosen)
            claim._files = fds
            for device in chosen:
                cls._in_process[device.device_id] = claim
            return claim

    def release(self):
        with self._lock:
            for device in self.devices:
                self._in_process.pop(device.device_id, None)
            for fd in self._files:
                os.close(fd)
            self._files = []


def _normalize_id(device_id: str) -> str:
    """Accept the short BDF form ``BB:DD.F`` as well as ``DDDD:BB:DD.F`` (spec §19 #6)."""
    from hailort_sim.device.inventory import parse_bdf
    return parse_bdf(device_id) or device_id


class SharedVDevice:
    """The underlying virtual device: physical devices plus one backend (scheduler)."""

    def __init__(self, config: VDeviceConfig, backend, claim: Optional[_Claim]):
        self.config = config
        self.backend = backend
        self.claim = claim
        self.refs = 0

    @property
    def devices(self) -> list:
        """The physical devices, from the backend: through the service, the claim is the service's."""
        return list(self.backend.devices)

    @property
    def device_ids(self) -> List[str]:
        return list(self.backend.device_ids)

    @property
    def scheduling_algorithm(self) -> int:
        return self.backend.scheduling_algorithm


_groups: Dict[str, SharedVDevice] = {}
_groups_lock = threading.Lock()


def validate(config: VDeviceConfig) -> None:
    if config.scheduling_algorithm not in (SCHEDULING_NONE, SCHEDULING_ROUND_ROBIN):
        raise_status(HailoStatus.HAILO_INVALID_ARGUMENT,
                     f"Invalid scheduling algorithm {config.scheduling_algorithm}")
    if config.device_ids:
        config.device_count = len(config.device_ids)
    if config.device_count <= 0:
        raise_status(HailoStatus.HAILO_INVALID_ARGUMENT,
                     f"VDevice creation failed. invalid device_count ({config.device_count}).")
    if config.multi_process_service and config.scheduling_algorithm == SCHEDULING_NONE:
        raise_status(HailoStatus.HAILO_INVALID_ARGUMENT,
                     "Multi-Process service is supported only with HailoRT scheduler, "
                     "please choose scheduling algorithm")


def _open_remote(config: VDeviceConfig):
    try:
        from hailort_sim.service import client
    except ImportError:
        client = None
    if client is None or not hasattr(client, "open_backend"):
        raise_status(HailoStatus.HAILO_RPC_FAILED,
                     "The HailoRT multi-process service is not available (start hailort_service)")
    return client.open_backend(config)


def _create(config: VDeviceConfig) -> SharedVDevice:
    if config.multi_process_service:
        return SharedVDevice(config, _open_remote(config), None)
    available = device_link.scan()
    claim = _Claim.claim(config, available)
    archs = {d.architecture for d in claim.devices}
    if len(claim.devices) > 1 and (len(archs) > 1 or any(a.name in _MULTI_DEVICE_FORBIDDEN for a in archs)):
        claim.release()
        status = HailoStatus.HAILO_INVALID_ARGUMENT if len(archs) > 1 else HailoStatus.HAILO_INVALID_OPERATION
        raise_status(status, "VDevice creation failed: a multi-device VDevice needs devices of one "
                             "architecture that supports it (not HAILO8L, HAILO15M or HAILO10H)")
    try:
        for device in claim.devices:
            device_link.claim(device)
    except BaseException:
        claim.release()
        raise
    backend = LocalBackend(claim.devices, config.scheduling_algorithm)
    from hailort_sim import monitor
    monitor.track(backend)
    return SharedVDevice(config, backend, claim)


def acquire(config: VDeviceConfig) -> SharedVDevice:
    """The underlying VDevice for these params: a new one, or the one of the same group_id."""
    validate(config)
    if config.group_id == UNIQUE_GROUP_ID:
        shared = _create(config)
        shared.refs = 1
        return shared
    with _groups_lock:
        shared = _groups.get(config.group_id)
        if shared is None:
            shared = _groups[config.group_id] = _create(config)
        else:
            _check_same(shared.config, config)
        shared.refs += 1
        return shared


def _check_same(existing: VDeviceConfig, config: VDeviceConfig) -> None:
    if existing.device_count != config.device_count:
        raise_status(HailoStatus.HAILO_INVALID_OPERATION,
                     f"Different VDevice device count used by group_id {config.group_id}: "
                     f"{existing.device_count} and {config.device_count}")
    for device_id in config.device_ids:
        if existing.device_ids and device_id not in existing.device_ids:
            raise_status(HailoStatus.HAILO_INVALID_OPERATION,
                         f"Device {device_id} not used by group_id {config.group_id}")
    if (existing.scheduling_algorithm != config.scheduling_algorithm
            or existing.multi_process_service != config.multi_process_service):
        raise_status(HailoStatus.HAILO_INVALID_OPERATION,
                     f"Different VDevice scheduling parameters used by group_id {config.group_id}")


def release(shared: SharedVDevice) -> None:
    with _groups_lock:
        shared.refs -= 1
        if shared.refs > 0:
            return
        if _groups.get(shared.config.group_id) is shared:
            del _groups[shared.config.group_id]
    shared.backend.release()
    if shared.claim is not None:
        shared.claim.release()


def _forget_after_fork():
    # A forked child has none of the parent's threads: it must not reuse the parent's
    # underlying VDevices. Its claims stay the parent's (the flock belongs to the parent's
    # open file), so a child's own VDevice cannot take the parent's devices.
    _groups.clear()
    _Claim._in_process.clear()
    _Claim._lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)

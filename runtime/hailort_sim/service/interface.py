"""What the service exposes: the pipeline's ``Backend`` interface
(``hailort_sim.pipeline.backend``), hosted on a ``LocalBackend`` shared by group_id.

A client's VDevice is a ``ServiceVDevice`` here; the core ops it configures are separate
objects the client refers to by handle. ``REMOTE_METHODS`` is the whole surface a client
can reach: ``{kind: {method: kind of the returned object, or None for plain data}}``.
"""
from ..status import HailoStatus, raise_status

REMOTE_METHODS = {
    "vdevice": {
        "info": None,
        "configure": "core_op",
        "submit": None,
        "set_scheduler_params": None,
        "activate": None,
        "deactivate": None,
        "is_active": None,
        "wait_for_activation": None,
    },
    "core_op": {},
}


def acquire(params):
    """The service-side VDevice for a client's params: the pipeline's own VDevice logic
    (device claims, sharing by group_id with reference counts), in this process."""
    from ..pipeline import vdevice
    from ..pipeline.backend import SCHEDULING_NONE
    params = dict(params or {})
    config = vdevice.VDeviceConfig(
        device_count=int(params.get("device_count") or vdevice.DEFAULT_DEVICE_COUNT),
        device_ids=list(params.get("device_ids") or []),
        scheduling_algorithm=int(params.get("scheduling_algorithm") or 0),
        group_id=str(params.get("group_id") or vdevice.UNIQUE_GROUP_ID),
        multi_process_service=False)
    if config.scheduling_algorithm == SCHEDULING_NONE:
        raise_status(HailoStatus.HAILO_INVALID_ARGUMENT,
                     "Multi-Process service is supported only with HailoRT scheduler, "
                     "please choose scheduling algorithm")
    return vdevice.acquire(config)   # it also shows the backend to the monitor


def release(shared):
    from ..pipeline import vdevice
    vdevice.release(shared)


class ServiceVDevice:
    """One client's VDevice inside the service, over a (possibly shared) backend."""

    def __init__(self, shared, client_pid):
        self.shared = shared
        self.backend = shared.backend
        self.client_pid = client_pid

    def info(self):
        return {"device_ids": list(self.backend.device_ids),
                "devices": list(self.shared.devices),
                "scheduling_algorithm": self.backend.scheduling_algorithm}

    def configure(self, group, batch_size=0):
        core_op = self.backend.configure(group, batch_size)
        core_op.client_pid = self.client_pid  # the monitor's PID column
        return core_op

    def submit(self, core_op, inputs, frames, done):
        self.backend.submit(core_op, inputs, frames, done)

    def set_scheduler_params(self, core_op, timeout_ms=None, threshold=None, priority=None):
        self.backend.set_scheduler_params(core_op, timeout_ms=timeout_ms, threshold=threshold,
                                          priority=priority)

    def activate(self, core_op):
        self.backend.activate(core_op)

    def deactivate(self, core_op):
        self.backend.deactivate(core_op)

    def is_active(self, core_op):
        return self.backend.is_active(core_op)

    def wait_for_activation(self, core_op, timeout_s):
        self.backend.wait_for_activation(core_op, timeout_s)

    def release_core_op(self, core_op):
        self.backend.release_core_op(core_op)

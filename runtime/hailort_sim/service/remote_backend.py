"""``RemoteBackend``: the pipeline's Backend interface (``hailort_sim.pipeline.backend``)
served by ``hailort_service``. A VDevice created with ``multi_process_service=True`` holds
one of these instead of a ``LocalBackend``; everything above the backend (InferModel,
vstreams, format conversion, user callbacks) stays in the application process.
"""
from ..status import HailoStatus, raise_status
from .client import ServiceConnection


class RemoteCoreOp:
    """The client's handle on a core op configured in the service."""

    def __init__(self, remote, group, batch_size):
        self.remote = remote
        self.group = group
        self.name = group.name
        self.batch_size = batch_size
        self.released = False

    @property
    def remote_handle(self):
        return self.remote.handle


class RemoteBackend:
    """Same methods and semantics as ``LocalBackend``; see its module docstring."""

    def __init__(self, params=None, address=None):
        """``params``: a dict with ``group_id``, ``scheduling_algorithm``, ``device_ids``,
        ``device_count`` (the VDevice params). Raises HAILO_RPC_FAILED when the service is
        not reachable, HAILO_INVALID_SERVICE_VERSION on a version mismatch."""
        self._connection = ServiceConnection(address)
        try:
            self._vdevice = self._connection.create_vdevice(dict(params or {}))
            info = self._vdevice.call("info")
        except BaseException:
            self._connection.close()
            raise
        self.device_ids = info["device_ids"]
        self.devices = info["devices"]
        self.scheduling_algorithm = info["scheduling_algorithm"]
        self._released = False

    def configure(self, group, batch_size=0):
        return RemoteCoreOp(self._vdevice.call("configure", group, batch_size), group, batch_size)

    def submit(self, core_op, inputs, frames, done):
        def on_done(error, result):
            if error is not None:
                done(HailoStatus(error.status or HailoStatus.HAILO_RPC_FAILED), None)
            else:
                args, _kwargs = result
                done(HailoStatus(args[0]), args[1])
        if self._released:   # as LocalBackend: nothing would deliver the completion
            raise_status(HailoStatus.HAILO_INVALID_OPERATION,
                         "The VDevice was released; create a new one to run inference")
        if core_op.released:
            done(HailoStatus.HAILO_STREAM_ABORT, None)
            return
        self._vdevice.submit("submit", [core_op, inputs, frames], {}, on_done, "done")

    def set_scheduler_params(self, core_op, timeout_ms=None, threshold=None, priority=None):
        self._vdevice.call("set_scheduler_params", core_op, timeout_ms=timeout_ms,
                           threshold=threshold, priority=priority)

    def activate(self, core_op):
        self._vdevice.call("activate", core_op)

    def deactivate(self, core_op):
        self._vdevice.call("deactivate", core_op)

    def is_active(self, core_op):
        return self._vdevice.call("is_active", core_op)

    def wait_for_activation(self, core_op, timeout_s):
        self._vdevice.call("wait_for_activation", core_op, timeout_s)

    def release_core_op(self, core_op):
        """Aborts the core op's pending frames (HAILO_STREAM_ABORT) and waits for their
        completions, as LocalBackend does."""
        if core_op.released:
            return
        core_op.released = True
        try:
            core_op.remote.release()
        except Exception:
            if self._connection._dead is None:
                raise
        self._connection.flush_callbacks()

    def release(self):
        if self._released:
            return
        self._released = True
        try:
            self._vdevice.release()
        except Exception:
            pass  # the service is gone: it released everything of ours already
        finally:
            self._connection.close()


def connect_check(address=None):
    """Raise HAILO_RPC_FAILED unless a service answers (for tools that only probe)."""
    ServiceConnection(address).close()


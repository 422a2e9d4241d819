"""``hailonet``: libgsthailo 4.21.0's inference element over the simulated device.

Same element name, pads (``sink``/``src``, ANY), caps (``video/x-raw`` of the HEF input),
properties (names, types, ranges, defaults) and flow as ``gsthailonet.cpp``: the element
creates a VDevice and an InferModel with ``hailo_platform`` (the InferModel async API, as the
real element uses libhailort's), runs each frame with ``run_async`` and pushes the frame
downstream, in order, with one output buffer per output tensor attached as the real element
attaches them (``tensor_meta``). Errors are posted as GStreamer errors naming the HailoRT
status, and the element fails its state change or returns GST_FLOW_ERROR: no hang, no traceback.
"""
import queue
import threading

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, GObject, Gst  # noqa: E402

from . import gtypes, tensor_meta  # noqa: E402

PLUGIN_AUTHOR = 'Hailo Technologies Ltd. ("Hailo")'
DESCRIPTION = ("Configure and Activate Hailo Network. Supports the \"flush\" signal which blocks until there are no "
               "buffers currently processesd in the element. When deactivating a hailonet during runtime (via "
               "set_property of \"is-active\" to False), make sure that no frames are being pushed into the "
               "hailonet, since this operation waits until there are no frames coming in.")
G_MAXUINT = 0xFFFFFFFF
RW = GObject.ParamFlags.READWRITE
WAIT_FOR_ASYNC_READY_TIMEOUT_MS = 10000
MAX_OUTPUTS_POOL_SIZE = 16      # DEFAULT_OUTPUTS_MIN_POOL_SIZE: output buffers in flight when max is 0
# gst_hailonet_get_format_string: format order -> the caps' video format
_YUV_FORMATS = {"YUY2": "YUY2", "NV12": "NV12", "NV21": "NV21", "I420": "I420"}

# What a new element holds, where it differs from the GParamSpec default (HailoNetProperties'
# constructor in gsthailonet.hpp): what the getters, and so gst-inspect-1.0, report.
INITIAL = {"hef-path": "", "device-id": "", "device-count": 0, "vdevice-group-id": "",
           "outputs-max-pool-size": 64}      # MAX_OUTPUTS_POOL_SIZE, MAX_GSTREAMER_BATCH_SIZE * 4

# The properties of gsthailonet.cpp's class_init, in its order: name -> GObject property tuple.
PROPERTIES = {
    "hef-path": (GObject.TYPE_STRING, "HEF Path Location", "Location of the HEF file to read", None, RW),
    "batch-size": (GObject.TYPE_UINT, "Inference Batch", "How many frame to send in one batch", 0, 16, 0, RW),
    "outputs-min-pool-size": (GObject.TYPE_UINT, "Outputs Minimun Pool Size",
                              "The minimum amount of buffers to allocate for each output layer", 0, G_MAXUINT, 16, RW),
    "outputs-max-pool-size": (GObject.TYPE_UINT, "Outputs Maximum Pool Size",
                              "The maximum amount of buffers to allocate for each output layer or 0 for unlimited",
                              0, G_MAXUINT, 0, RW),
    "device-id": (GObject.TYPE_STRING, "Device ID", "Device ID ([<domain>]:<bus>:<device>.<func>, same as in lspci command). "
                  "Excludes device-count.", None, RW),
    "device-count": (GObject.TYPE_UINT, "Number of devices to use", "Number of physical devices to use. Excludes device-id.",
                     1, 0xFFFF, 1, RW),
    "vdevice-group-id": (GObject.TYPE_STRING, "VDevice Group ID to share vdevices across hailonets",
                         "Used to share VDevices across different hailonet instances", "UNIQUE", RW),
    "is-active": (GObject.TYPE_BOOLEAN, "Is Network Activated", "Controls whether this element should be active. By default, the "
                  "hailonet element will not be active unless it is the only one. Setting this property in "
                  "combination with 'scheduling-algorithm' different than HAILO_SCHEDULING_ALGORITHM_NONE is not "
                  "supported.", False, RW),
    "pass-through": (GObject.TYPE_BOOLEAN, "Is element pass-through", "Controls whether the element will perform inference or "
                     "simply pass buffers through. By default, the hailonet element will not be pass-through. "
                     "Setting this property to true disables inference, regardless of the scheduler settings.",
                     False, RW),
    "force-writable": (GObject.TYPE_BOOLEAN, "Force writable", "Controls whether the element will force the input buffer to be "
                       "writable. By default, the hailonet element will not force the input buffer to be writable "
                       "and will raise an error when the buffer is read-only.", False, RW),
    "scheduling-algorithm": (gtypes.SCHEDULING_ALGORITHM, "Scheduling policy for automatic network group switching",
                             "Controls the Model Scheduler algorithm of HailoRT. Gets values from the enum "
                             "GstHailoSchedulingAlgorithms. Using Model Scheduler algorithm different than "
                             "HAILO_SCHEDULING_ALGORITHM_NONE, excludes the property 'is-active'. When using the same "
                             "VDevice across multiple hailonets, all should have the same 'scheduling-algorithm'. ",
                             1, RW),
    "scheduler-timeout-ms": (GObject.TYPE_UINT, "Timeout for for scheduler in ms", "The maximum time period that may pass before "
                             "getting run time from the scheduler, as long as at least one send request has been "
                             "sent.", 0, G_MAXUINT, 0, RW),
    "scheduler-threshold": (GObject.TYPE_UINT, "Frames threshold for scheduler", "The minimum number of send requests required "
                            "before the hailonet is considered ready to get run time from the scheduler.",
                            0, G_MAXUINT, 0, RW),
    "scheduler-priority": (GObject.TYPE_UINT, "Priority index for scheduler", "When the scheduler will choose the next hailonet to "
                           "run, higher priority will be prioritized in the selection. Bigger number represent "
                           "higher priority", 0, 31, 16, RW),
    "input-format-type": (gtypes.FORMAT_TYPE, "Input format type", "Input format type(auto, float32, uint16, uint8). "
                          "Default value is auto.Gets values from the enum GstHailoFormatType. ", 0, RW),
    "output-format-type": (gtypes.FORMAT_TYPE, "Output format type", "Output format type(auto, float32, uint16, "
                           "uint8). Default value is auto.Gets values from the enum GstHailoFormatType. ", 0, RW),
    "input-from-meta": (GObject.TYPE_BOOLEAN, "Enable input from meta", "Take network input from metadata instead of video frame.",
                        False, RW),
    "no-transform": (GObject.TYPE_BOOLEAN, "Disable transformations", "Format will remain the same as the HW format.", False, RW),
    "nms-score-threshold": (GObject.TYPE_FLOAT, "NMS score threshold", "Threshold used for filtering out candidates. Any box with "
                            "score<TH is suppressed.", 0.0, 1.0, 0.0, RW),
    "nms-iou-threshold": (GObject.TYPE_FLOAT, "NMS IoU threshold", "Intersection over union overlap Threshold, used in the NMS "
                          "iterative elimination process where potential duplicates of detected items are "
                          "suppressed.", 0.0, 1.0, 0.0, RW),
    "nms-max-proposals-per-class": (GObject.TYPE_UINT, "NMS max proposals per class",
                                    "Set a limit for the maximum number of boxes per class.", 0, G_MAXUINT, 0, RW),
    "nms-max-proposals-total": (GObject.TYPE_UINT, "NMS max proposals total", "Set a limit for the maximum number of boxes total.",
                                0, G_MAXUINT, 0, RW),
    "multi-process-service": (GObject.TYPE_BOOLEAN, "Should run over HailoRT service", "Controls wether to run HailoRT over its "
                              "service. To use this property, the service should be active and scheduling-algorithm "
                              "should be set. Defaults to false.", False, RW),
}
# Properties the real element refuses to change once the network is configured.
_FIXED_ONCE_CONFIGURED = set(PROPERTIES) - {"is-active", "pass-through", "force-writable", "no-transform"}


class HailoNetError(Exception):
    """An error to post on the bus: ``text`` ends with the HailoRT status as NAME(code)."""


def _status_text(error: Exception) -> str:
    status = getattr(error, "status", None)
    if status is None:
        return f"{error} (status = HAILO_INTERNAL_FAILURE(8))"
    return f"{error} (status = {status.name}({int(status)}))"


class _Frame:
    """One frame on its way through the element: pushed when ``done`` is set."""
    __slots__ = ("buffer", "done", "error", "mappings", "tensors")

    def __init__(self, buffer):
        self.buffer, self.done, self.error = buffer, threading.Event(), None
        self.mappings, self.tensors = [], []


class HailoNet(Gst.Element):
    __gtype_name__ = "GstHailoNet"
    __gstmetadata__ = ("hailonet element", "Hailo/Network", DESCRIPTION, PLUGIN_AUTHOR)
    __gsttemplates__ = (Gst.PadTemplate.new("sink", Gst.PadDirection.SINK, Gst.PadPresence.ALWAYS, Gst.Caps.new_any()),
                        Gst.PadTemplate.new("src", Gst.PadDirection.SRC, Gst.PadPresence.ALWAYS, Gst.Caps.new_any()))
    __gproperties__ = PROPERTIES
    __gsignals__ = {"flush": (GObject.SignalFlags.ACTION, None, ())}

    def __init__(self):
        super().__init__()
        self._props = {name: spec[-2] for name, spec in PROPERTIES.items()} | INITIAL
        self._changed = set()
        self.sinkpad = Gst.Pad.new_from_template(self.get_pad_template("sink"), "sink")
        self.sinkpad.set_chain_function_full(self._chain, None)
        self.sinkpad.set_event_function_full(self._sink_event, None)
        self.sinkpad.set_query_function_full(self._sink_query, None)
        self.add_pad(self.sinkpad)
        self.srcpad = Gst.Pad.new_from_template(self.get_pad_template("src"), "src")
        self.add_pad(self.srcpad)
        self._lock = threading.RLock()
        self._vdevice = self._infer_model = self._configured = None
        self._caps = None
        self._failed = False
        self._out = None            # queue of _Frame / Gst.Event / None (stop) for the push thread
        self._thread = None
        self._in_flight = 0         # ongoing_frames: frames on the device (run_async to its callback)
        self._idle = threading.Condition()
        # As gsthailonet.cpp: an ACTION signal without a class handler (GLib runs one only with
        # a RUN_* flag, which the real signal has not), and a handler on each instance.
        self.connect("flush", HailoNet._flush)
        global _instances
        with _instances_lock:
            _instances += 1

    # --- properties ---------------------------------------------------------------------
    def do_get_property(self, pspec):
        return self._props[pspec.name]

    def do_set_property(self, pspec, value):
        name = pspec.name
        if name == "is-active":
            self._set_active(bool(value))
            return
        if self._configured is not None and name in _FIXED_ONCE_CONFIGURED:
            self._warn(f"The network was already configured so changing {name} will not take place!")
            return
        if name == "device-id" and self._props["device-count"] != 0:
            self._warn(f"device-id and device-count excludes eachother. received device-id={value}")
            return
        if name == "device-count" and self._props["device-id"]:
            self._warn(f"device-id and device-count excludes eachother. received device-count={value}")
            return
        if name == "scheduling-algorithm" and "is-active" in self._changed and int(value) != 0:
            self._warn("scheduling-algorithm different than HAILO_SCHEDULING_ALGORITHM_NONE in combination with "
                       "'is-active' is not supported.")
            return
        self._props[name] = value
        self._changed.add(name)

    def _set_active(self, active):
        if "scheduling-algorithm" in self._changed and int(self._props["scheduling-algorithm"]) != 0:
            self._warn("scheduling-algorithm different than HAILO_SCHEDULING_ALGORITHM_NONE in combination with "
                       "'is-active' is not supported.")
            return
        with self._lock:
            was = self._props["is-active"]
            if self._configured is not None and was != active:
                try:
                    if active:
                        self._configured.activate()
                        _active.append(self._configured)
                    else:
                        self._wait_idle()
                        self._configured.deactivate()
                        _forget(self._configured)
                except Exception as e:     # an activation error: the element stays as it was
                    self._post_error(f"Changing is-active to {active} failed", e)
                    return
            self._props["is-active"] = active
            self._changed.add("is-active")

    def _warn(self, text):
        Gst.warning(f"hailonet: {text}")
        self.post_message(Gst.Message.new_warning(self, GLib.Error.new_literal(
            Gst.CoreError.quark(), text, int(Gst.CoreError.FAILED)), text))

    # --- errors -------------------------------------------------------------------------
    def _post_error(self, what, error=None):
        text = f"HailoNet Error: {what}" + (f": {_status_text(error)}" if error is not None else "")
        self.post_message(Gst.Message.new_error(self, GLib.Error.new_literal(
            Gst.ResourceError.quark(), text, int(Gst.ResourceError.FAILED)), text))
        self._failed = True     # after posting: upstream's "not-negotiated/error" must come second

    # --- open / configure / close ---------------------------------------------------------
    def _open(self):
        from hailo_platform import FormatOrder, FormatType, HailoSchedulingAlgorithm, VDevice
        props, changed = self._props, self._changed
        if not props["hef-path"]:
            raise HailoNetError("hef-path is not set (status = HAILO_INVALID_ARGUMENT(2))")
        params = VDevice.create_params()
        if "device-id" in changed and props["device-id"]:
            params.device_ids = [props["device-id"]]
        if "device-count" in changed:
            params.device_count = props["device-count"]
        if "vdevice-group-id" in changed:
            params.group_id = props["vdevice-group-id"]
        params.scheduling_algorithm = HailoSchedulingAlgorithm(int(props["scheduling-algorithm"]))
        if "multi-process-service" in changed:
            if int(props["scheduling-algorithm"]) == 0:
                raise HailoNetError("To use multi-process-service please set scheduling-algorithm to a value other "
                                    "than 'none' (status = HAILO_INVALID_OPERATION(6))")
            params.multi_process_service = props["multi-process-service"]
        self._vdevice = VDevice(params)
        model = self._infer_model = self._vdevice.create_infer_model(props["hef-path"])
        if not props["input-from-meta"] and len(model.inputs) != 1:
            raise HailoNetError("In case you want to run a multiple input model, please set the input-from-meta "
                                "flag. (status = HAILO_INVALID_OPERATION(6))")
        model.set_batch_size(props["batch-size"])
        if "input-format-type" in changed:
            for stream in model.inputs:
                stream.set_format_type(FormatType(int(props["input-format-type"])))
        if "output-format-type" in changed:
            for stream in model.outputs:
                stream.set_format_type(FormatType(int(props["output-format-type"])))
        self._set_nms_params(model)
        hef_inputs = {v.name: v for v in model.hef.get_input_vstream_infos()}
        for stream in model.inputs:
            if props["no-transform"]:
                stream.set_format_type(FormatType(int(hef_inputs[stream.name].format.type)))
            elif stream.format.order == FormatOrder.NHWC:
                stream.set_format_order(FormatOrder.RGB4)    # GStreamer pads each RGB row to 4 bytes
        if not props["input-from-meta"]:
            self._caps = self._input_caps(model.input(), hef_inputs[model.input().name])
        scheduled = int(props["scheduling-algorithm"]) != 0
        if scheduled or ("is-active" not in changed and _instances == 1):
            self._props["is-active"] = True
        self._configured = _configure(model, scheduled, self._props["is-active"])
        self._set_scheduler_params(self._configured)
        self._in_sizes = {s.name: _frame_size(s) for s in model.inputs}
        hef_outputs = {v.name: v for v in model.hef.get_output_vstream_infos()}
        self._outputs = [(s.name, _frame_size(s), _vstream_info(hef_outputs[s.name])) for s in model.outputs]

    def _set_nms_params(self, model):
        settings = [("nms-score-threshold", "set_nms_score_threshold", "NMS score threshold"),
                    ("nms-iou-threshold", "set_nms_iou_threshold", "NMS IoU threshold"),
                    ("nms-max-proposals-per-class", "set_nms_max_proposals_per_class", "NMS max proposals per class"),
                    ("nms-max-proposals-total", None, "NMS max proposals total")]
        has_nms = any(stream.is_nms for stream in model.outputs)
        for prop, setter, what in settings:
            if prop not in self._changed:
                continue
            if not has_nms:
                raise HailoNetError(f"{what} is set, but there is no NMS output in this model. "
                                    "(status = HAILO_INVALID_OPERATION(6))")
            for stream in model.outputs:
                # nms-max-proposals-total only applies to HAILO_NMS_BY_SCORE outputs, which the
                # InferModel API of 4.21.0 does not give GStreamer; like the real one it is kept.
                if stream.is_nms and setter:
                    getattr(stream, setter)(self._props[prop])

    def _set_scheduler_params(self, configured):
        for prop, setter in (("scheduler-timeout-ms", configured.set_scheduler_timeout),
                             ("scheduler-threshold", configured.set_scheduler_threshold),
                             ("scheduler-priority", configured.set_scheduler_priority)):
            if prop in self._changed:
                setter(self._props[prop])

    @staticmethod
    def _input_caps(stream, hef_info):
        height, width = hef_info.shape[0], hef_info.shape[1]
        features = hef_info.shape[2] if len(hef_info.shape) > 2 else 1
        order = stream.format.order.name
        if order in _YUV_FORMATS:
            fmt = _YUV_FORMATS[order]
        elif features == 4:
            fmt = "RGBA"
        elif features == 1:
            fmt = "GRAY8"
        elif features == 3:
            fmt = "RGB"
        else:
            raise HailoNetError(f"Features of input {stream.name} is not 3 for RGB format! (features={features}) "
                                "(status = HAILO_INVALID_ARGUMENT(2))")
        return Gst.Caps.from_string(f"video/x-raw,format={fmt},width={width},height={height}")

    def _close(self):
        self._stop_thread()
        configured, self._configured = self._configured, None
        if configured is not None:
            _forget(configured)
            try:
                configured.shutdown()
            except Exception:
                pass
        self._infer_model = None
        vdevice, self._vdevice = self._vdevice, None
        if vdevice is not None:
            vdevice.release()
        self._caps = None

    # --- state changes ------------------------------------------------------------------
    def do_change_state(self, transition):
        if transition == Gst.StateChange.READY_TO_PAUSED:
            self._failed = False
            try:
                self._open()
            except Exception as e:
                self._post_error(f"Configuring {self._props['hef-path'] or 'the network'} failed", e)
                self._close()
                return Gst.StateChangeReturn.FAILURE
            self._start_thread()
        result = Gst.Element.do_change_state(self, transition)
        if transition == Gst.StateChange.PAUSED_TO_READY:
            self._close()
        return result

    # --- the push thread ----------------------------------------------------------------
    def _start_thread(self):
        self._out = queue.Queue()
        self._thread = threading.Thread(target=self._push_loop, name="hailonet-push", daemon=True)
        self._thread.start()

    def _stop_thread(self):
        if self._thread is not None:
            self._out.put(None)
            self._thread.join()
            self._thread = None

    def _push_loop(self):
        while True:
            item = self._out.get()
            if item is None:
                return
            if isinstance(item, Gst.Event):
                self.srcpad.push_event(item)
                continue
            item.done.wait()
            if item.error is not None:
                if not self._failed:
                    self._post_error("Inference failed", item.error)
                continue
            result = self.srcpad.push(item.buffer)
            if result not in (Gst.FlowReturn.OK, Gst.FlowReturn.FLUSHING, Gst.FlowReturn.EOS) and not self._failed:
                self._failed = True
                Gst.warning(f"hailonet: gst_pad_push failed with status = {result}")

    def _wait_idle(self):
        with self._idle:
            self._idle.wait_for(lambda: self._in_flight == 0)

    @staticmethod
    def _flush(self):
        """The "flush" signal: blocks until no frame is being inferred (gst_hailonet_flush_callback);
        inferred frames may still wait for downstream."""
        self._wait_idle()

    # --- pads ---------------------------------------------------------------------------
    def _sink_query(self, pad, parent, query):
        if query.type == Gst.QueryType.CAPS and self._caps is not None:
            caps = self._caps
            filt = query.parse_caps()
            if filt is not None:
                caps = filt.intersect(caps)
                if caps.is_empty():
                    self._caps_mismatch(filt)
            query.set_caps_result(caps)
            return True
        if query.type == Gst.QueryType.ACCEPT_CAPS and self._caps is not None:
            caps = query.parse_accept_caps()
            ok = caps.can_intersect(self._caps)
            if not ok:
                self._caps_mismatch(caps)
            query.set_accept_caps_result(ok)
            return True
        return pad.query_default(parent, query)

    def _caps_mismatch(self, caps):
        if not self._failed:
            self._post_error(f"caps {_describe(caps)} do not match the HEF's input {_describe(self._caps)} "
                             "(status = HAILO_INVALID_ARGUMENT(2))")

    def _sink_event(self, pad, parent, event):
        serialized = Gst.EventType.get_flags(event.type) & Gst.EventTypeFlags.SERIALIZED
        if serialized and self._out is not None:
            self._out.put(event)    # keeps events (caps, segment, EOS) in order with the frames
            return True
        return pad.event_default(parent, event)

    def _chain(self, pad, parent, buffer):
        if self._failed:
            return Gst.FlowReturn.ERROR
        with self._lock:
            if self._props["pass-through"] or not self._props["is-active"] or self._configured is None:
                frame = _Frame(buffer)
                frame.done.set()
                self._out.put(frame)
                return Gst.FlowReturn.OK
            if not tensor_meta.is_writable(buffer):
                if not self._props["force-writable"]:
                    self._post_error("Input buffer is not writable! Use force-writable property to force the buffer "
                                     "to be writable (status = HAILO_INVALID_OPERATION(6))")
                    return Gst.FlowReturn.ERROR
                buffer = _shallow_copy(buffer)
            try:
                self._infer(_Frame(buffer))
            except Exception as e:
                self._post_error("Inference failed", e)
                return Gst.FlowReturn.ERROR
            return Gst.FlowReturn.OK

    def _infer(self, frame):
        configured = self._configured
        if self._props["input-from-meta"]:
            found = tensor_meta.output_tensors(frame.buffer)
            missing = [name for name in self._in_sizes if name not in found]
            if missing:
                raise HailoNetError(f"No GstHailoTensorMeta was found in buffer for input: {missing[0]} "
                                    "(status = HAILO_INTERNAL_FAILURE(8))")
            inputs = {name: _bytes_array(found[name].data) for name in self._in_sizes}
        else:
            mapping = tensor_meta.Mapping(frame.buffer)
            frame.mappings.append(mapping)
            (name, size), = self._in_sizes.items()
            if mapping.array.size != size:
                mapping.unmap()
                raise HailoNetError(f"Input buffer size {mapping.array.size if mapping.array is not None else 0} is "
                                    f"different than expected {size} for input '{name}' "
                                    "(status = HAILO_INVALID_OPERATION(6))")
            inputs = {name: mapping.array}
        outputs = {}
        for name, size, info in self._outputs:
            tensor = Gst.Buffer.new_allocate(None, size, None)
            mapping = tensor_meta.Mapping(tensor, write=True)
            frame.mappings.append(mapping)
            frame.tensors.append((tensor, info))
            outputs[name] = mapping.array
        bindings = configured.create_bindings(input_buffers=inputs, output_buffers=outputs)
        configured.wait_for_async_ready(timeout_ms=WAIT_FOR_ASYNC_READY_TIMEOUT_MS)
        with self._idle:
            self._in_flight += 1
        self._out.put(frame)
        try:
            configured.run_async([bindings], lambda completion_info: self._completed(frame, completion_info))
        except Exception as e:
            frame.error = e
            self._release(frame)
            self._finished(frame)

    def _completed(self, frame, completion_info):
        frame.error = completion_info.exception
        self._release(frame)
        if frame.error is None:
            try:
                for tensor, info in frame.tensors:
                    tensor_meta.attach(frame.buffer, tensor, info)
            except Exception as e:
                frame.error = e
        frame.tensors = []
        self._finished(frame)

    def _finished(self, frame):
        with self._idle:
            self._in_flight -= 1
            self._idle.notify_all()
        frame.done.set()

    @staticmethod
    def _release(frame):
        for mapping in frame.mappings:
            mapping.unmap()
        frame.mappings = []


def _shallow_copy(buffer):
    """gst_buffer_make_writable's copy: same memory, metas and timestamps, a buffer of its own.
    (PyGObject's ``Buffer.copy()`` returns a buffer with extra references, never writable.)"""
    flags = (Gst.BufferCopyFlags.FLAGS | Gst.BufferCopyFlags.TIMESTAMPS | Gst.BufferCopyFlags.META
             | Gst.BufferCopyFlags.MEMORY)
    return buffer.copy_region(flags, 0, buffer.get_size())


def _describe(caps) -> str:
    """The first structure of ``caps`` in a few words: ``video/x-raw RGB 224x224``."""
    if caps.is_any() or caps.is_empty():
        return caps.to_string()
    s = caps.get_structure(0)
    words = [s.get_name()]
    fmt = s.get_value("format") if s.has_field("format") else None
    if isinstance(fmt, str):
        words.append(fmt)
    size = [s.get_value(f) for f in ("width", "height") if s.has_field(f)]
    if len(size) == 2 and all(isinstance(v, int) for v in size):
        words.append(f"{size[0]}x{size[1]}")
    return " ".join(words)


def _frame_size(stream) -> int:
    import numpy as np
    dtype = {1: np.uint8, 2: np.uint16, 3: np.float32}[int(stream.format.type)]
    return int(np.prod(stream.shape)) * np.dtype(dtype).itemsize


def _bytes_array(data: bytes):
    import numpy as np
    return np.frombuffer(data, np.uint8)


def _vstream_info(info) -> tensor_meta.HailoVStreamInfo:
    """The HEF's ``hailo_vstream_info_t`` of an output (what the real element attaches)."""
    fmt = (int(info.format.type), int(info.format.order), int(info.format.flags))
    q = info.quant_info
    quant = (q.qp_zp, q.qp_scale, q.limvals_min, q.limvals_max)
    if int(info.format.order) in tensor_meta.NMS_ORDERS:
        n = info.nms_shape
        nms = (n.number_of_classes, n.max_bboxes_per_class, n.max_bboxes_total,
               getattr(n, "max_accumulated_mask_size", 0))
        return tensor_meta.vstream_info(info.name, info.network_name, fmt, None, quant, nms)
    shape = tuple(info.shape)
    if len(shape) == 1:
        shape = (1, 1, shape[0])            # NC: features only
    elif len(shape) == 2:
        shape = (shape[0], shape[1], 1)     # NHW
    elif int(info.format.order) == 11:      # NCHW reports (C, H, W)
        shape = (shape[1], shape[2], shape[0])
    return tensor_meta.vstream_info(info.name, info.network_name, fmt, shape, quant)


# Without the scheduler our runtime activates a model when it is configured (as pyhailort's
# configure does); libhailort's ConfiguredInferModel waits for activate(), which gsthailonet
# calls only when is-active. So configuring steps the active models of this process aside.
_active = []
_configure_lock = threading.Lock()


def _configure(model, scheduled, active):
    with _configure_lock:
        if scheduled:
            return model.configure()
        aside = list(_active)
        for configured in aside:
            configured.deactivate()
        try:
            configured = model.configure()
            configured.deactivate()
        finally:
            for other in aside:
                other.activate()
        if active:
            try:
                configured.activate()    # fails as libhailort does when another one is active
            except Exception:
                configured.shutdown()
                raise
            _active.append(configured)
        return configured


def _forget(configured):
    with _configure_lock:
        if configured in _active:
            _active.remove(configured)


_instances = 0     # hailonet_count: a lone hailonet is active by default
_instances_lock = threading.Lock()

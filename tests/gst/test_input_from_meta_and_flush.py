"""hailonet's `input-from-meta` property and `flush` action signal, as gsthailonet.cpp 4.21.0
has them: with input-from-meta the sink takes ANY caps and each input comes from a tensor meta
on the frame (a GstParentBufferMeta whose buffer carries a GstHailoTensorMeta naming the input),
a missing one being HAILO_INTERNAL_FAILURE; "flush" blocks until no frame is being inferred
(ongoing_frames == 0), whether or not downstream has taken the frames yet.

The scripts drive hailonet's sink pad directly (events, then chain), so the test knows which
frames are in the element when it emits "flush"."""
import json

# Shared by the scripts: hailonet between the test and an appsink, fed through its sink pad
# (force-writable: PyGObject keeps a reference to a buffer it hands to gst_pad_chain).
PRELUDE = r"""
import json, sys, threading
import gi
gi.require_version("Gst", "1.0")
from gi.repository import Gst
from hailort_sim.gst import output_tensors
Gst.init(None)

def start(properties):
    pipeline = Gst.parse_launch(f"hailonet name=net {properties} ! appsink name=out sync=false")
    net, out = pipeline.get_by_name("net"), pipeline.get_by_name("out")
    bus = pipeline.get_bus()
    pipeline.set_state(Gst.State.PLAYING)
    return pipeline, net, out, bus

def begin(net, caps):
    pad = net.get_static_pad("sink")
    pad.send_event(Gst.Event.new_stream_start("test"))
    pad.send_event(Gst.Event.new_caps(Gst.Caps.from_string(caps)))
    segment = Gst.Segment()
    segment.init(Gst.Format.TIME)
    pad.send_event(Gst.Event.new_segment(segment))
    return pad

def frame(data, index):
    buffer = Gst.Buffer.new_wrapped(bytes(data))
    buffer.pts = index * Gst.SECOND // 30
    return buffer

def error(bus):
    message = bus.pop_filtered(Gst.MessageType.ERROR)
    return message.parse_error()[1] if message else None
"""

INPUT_FROM_META = PRELUDE + r"""
import numpy as np
from hailo_platform import HEF
from hailort_sim.gst import tensor_meta

hef_path, frames, skip = sys.argv[1], int(sys.argv[2]), sys.argv[3]
inputs = HEF(hef_path).get_input_vstream_infos()
pipeline, net, out, bus = start(f"hef-path={hef_path} input-from-meta=true force-writable=true")
pad = net.get_static_pad("sink")
# any caps: what the frame holds does not matter, its metas do
caps = pad.query_caps(None).to_string()
pad = begin(net, "application/x-anything")
sent, results = {}, []
for i in range(frames):
    buffer = frame(b"not an image", i)
    for info in inputs:
        if info.name == skip:
            continue
        data = np.random.default_rng(i).integers(0, 256, int(np.prod(info.shape)), np.uint8).tobytes()
        if info.name.endswith("2"):
            data = data[::-1]
        sent[(i, info.name)] = data
        tensor = Gst.Buffer.new_wrapped(data)
        q = info.quant_info
        tensor_meta.attach(buffer, tensor, tensor_meta.vstream_info(
            info.name, info.network_name, (int(info.format.type), int(info.format.order), int(info.format.flags)),
            tuple(info.shape), (q.qp_zp, q.qp_scale, q.limvals_min, q.limvals_max)))
    flow = pad.chain(buffer)
    if flow != Gst.FlowReturn.OK:
        results.append({"flow": flow.value_nick, "error": error(bus)})
        break
else:
    for i in range(frames):
        tensors = output_tensors(out.emit("pull-sample").get_buffer())
        results.append({name: t.data == sent.get((i, name.replace("output", "input")))
                        for name, t in tensors.items()})
pipeline.set_state(Gst.State.NULL)
print(json.dumps({"caps": caps, "results": results}))
"""


def run_json(gst, script, *args):
    r = gst.python(script, *args)
    assert r.returncode == 0 and r.stdout.strip(), r.stderr[-3000:]
    assert "Traceback" not in r.stderr, r.stderr[-3000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_input_from_meta_infers_each_input_from_its_tensor_meta(gst, hefs):
    """A two-input model (two networks): each frame brings both inputs as tensor metas; the
    outputs (the networks copy their input) are attached next to them, per input."""
    result = run_json(gst, INPUT_FROM_META, hefs["multi_network_shortcut_net"], 4, "")
    assert result["caps"] == "ANY"
    names = ["multi_network_shortcut_net/input_layer1", "multi_network_shortcut_net/input_layer2",
             "multi_network_shortcut_net/output_layer1", "multi_network_shortcut_net/output_layer2"]
    # the inputs' metas stay on the frame (their own data compared with itself: True)
    assert result["results"] == [dict.fromkeys(names, True)] * 4


def test_input_from_meta_without_the_meta_of_an_input_is_an_error(gst, hefs):
    missing = "multi_network_shortcut_net/input_layer2"
    result = run_json(gst, INPUT_FROM_META, hefs["multi_network_shortcut_net"], 2, missing)
    (failure,) = result["results"]
    assert failure["flow"] == "error"
    assert f"No GstHailoTensorMeta was found in buffer for input: {missing}" in failure["error"]
    assert "HAILO_INTERNAL_FAILURE(8)" in failure["error"]


FLUSH = PRELUDE + r"""
from hailo_platform.pyhailort import pyhailort

hef_path, frames = sys.argv[1], int(sys.argv[2])
finished = []     # frames whose inference the device finished (before hailonet's callback)
run_async = pyhailort.ConfiguredInferModel.run_async

def recording_run_async(self, bindings, callback=None):
    def done(completion_info):
        finished.append(completion_info.exception is None)
        callback(completion_info=completion_info)
    return run_async(self, bindings, done)

pyhailort.ConfiguredInferModel.run_async = recording_run_async
pipeline, net, out, bus = start(f"hef-path={hef_path} force-writable=true")
# at once, on an element with nothing in it
net.emit("flush")
pad = begin(net, "video/x-raw,format=RGB,width=224,height=224,framerate=30/1")
# downstream takes nothing until the end: frames wait in hailonet once inferred
src = net.get_static_pad("src")
block = src.add_probe(Gst.PadProbeType.BLOCK | Gst.PadProbeType.BUFFER, lambda *a: Gst.PadProbeReturn.OK)
for i in range(frames):
    assert pad.chain(frame(bytes([i]) * 224 * 224 * 3, i)) == Gst.FlowReturn.OK
submitted = len(finished)
flush = threading.Thread(target=net.emit, args=("flush",))
flush.start()
flush.join(60)
returned = not flush.is_alive()
at_flush = len(finished)
src.remove_probe(block)
pad.send_event(Gst.Event.new_eos())
received = []
for i in range(frames):
    buffer = out.emit("pull-sample").get_buffer()
    (tensor,) = output_tensors(buffer).values()
    received.append(tensor.data[0])
pipeline.set_state(Gst.State.NULL)
print(json.dumps({"submitted": submitted, "returned": returned, "at_flush": at_flush, "finished": finished,
                  "received": received, "error": error(bus)}))
"""


def test_flush_waits_for_the_frames_being_inferred_not_for_downstream(gst, hefs, sim_config):
    """Frames are submitted faster than the device infers them (20 FPS, 300 ms latency), so
    when "flush" is emitted some are still on the device: it returns once all are inferred,
    although downstream has not taken one yet (its src pad is blocked)."""
    sim_config.write_text("[device0]\narchitecture = HAILO8\nfps = 20\nlatency_ms = 300\n")
    frames = 5
    result = run_json(gst, FLUSH, hefs["shortcut_net"], frames)
    assert result["returned"], "flush did not return while downstream was blocked"
    assert result["submitted"] < frames, "every frame was inferred before flush: nothing to wait for"
    assert result["at_flush"] == frames and result["finished"] == [True] * frames
    assert result["received"] == list(range(frames))
    assert result["error"] is None

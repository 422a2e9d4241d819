"""Runs a pipeline under the system's Python and prints, as JSON, what reached its appsinks.

    python3 pipeline_probe.py 'PIPELINE with appsinks' [TIMEOUT_S]

Every appsink gets its buffers recorded: arrival time (time.monotonic(), as "start", the moment
the pipeline was set to PLAYING), the frame's sha256, and each output
tensor hailonet attached (name, network, format, shape, quant info, size, sha256, first
values). The run ends at EOS, at the first error (its message) or at the timeout.
"""
import hashlib
import json
import sys
import time

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

from hailort_sim.gst import output_tensors  # noqa: E402


def describe(tensor):
    info = tensor.info
    q = info.quant_info
    record = {"network": info.network_name.decode(), "direction": info.direction,
              "format": [info.format.type, info.format.order, info.format.flags],
              "quant": [q.qp_zp, q.qp_scale, q.limvals_min, q.limvals_max],
              "size": len(tensor.data), "sha256": hashlib.sha256(tensor.data).hexdigest(),
              "first": tensor.array().reshape(-1)[:8].tolist()}
    if info.format.order in (9, 20, 21, 22, 23):
        n = info.nms_shape
        record["nms_shape"] = [n.number_of_classes, n.max_bboxes_per_class, n.max_bboxes_total,
                               n.max_accumulated_mask_size]
        if info.format.order == 22:     # HAILO_NMS_BY_CLASS: per class a count, then its boxes
            values, scores, at = tensor.array(), [], 0
            for _ in range(n.number_of_classes):
                count = int(values[at])
                scores += values[at + 1:at + 1 + 5 * count][4::5].tolist()
                at += 1 + 5 * count
            record["scores"] = scores
    else:
        s = info.shape
        record["shape"] = [s.height, s.width, s.features]
    return record


def main(pipeline_text, timeout):
    Gst.init(None)
    frames = {}
    pipeline = Gst.parse_launch(pipeline_text)

    def on_sample(sink):
        buffer = sink.emit("pull-sample").get_buffer()
        ok, info = buffer.map(Gst.MapFlags.READ)
        digest = hashlib.sha256(bytes(info.data)).hexdigest()
        buffer.unmap(info)
        frames[sink.get_name()].append({"t": time.monotonic(), "sha256": digest,
                                        "tensors": {n: describe(t) for n, t in output_tensors(buffer).items()}})
        return Gst.FlowReturn.OK

    for element in pipeline.iterate_sinks():
        if element.get_factory().get_name() == "appsink":
            frames[element.get_name()] = []
            element.set_property("emit-signals", True)
            element.connect("new-sample", on_sample)
    start = time.monotonic()
    result = {"error": None, "eos": False, "start": start}
    if pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
        result["state_change"] = "FAILURE"
    message = pipeline.get_bus().timed_pop_filtered(int(timeout * Gst.SECOND),
                                                    Gst.MessageType.EOS | Gst.MessageType.ERROR)
    if message is None:
        result["timeout"] = True
    elif message.type == Gst.MessageType.ERROR:
        error, _ = message.parse_error()
        result["error"] = {"source": message.src.get_name(), "message": error.message}
    else:
        result["eos"] = True
    result["elapsed"] = time.monotonic() - start
    pipeline.set_state(Gst.State.NULL)
    result["frames"] = frames
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 60.0)

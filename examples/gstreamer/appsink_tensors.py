#!/usr/bin/env python3
"""Read hailonet's output tensors from an appsink (works with libgsthailo and with hailort-sim).

    appsink_tensors.py MODEL.hef [FRAMES]

Runs ``videotestsrc ! hailonet hef-path=MODEL.hef ! appsink`` and prints, per frame, each
output tensor's name, shape and first values. hailonet attaches one buffer per output to the
frame (GstParentBufferMeta) carrying a GstHailoTensorMeta with the output's
hailo_vstream_info_t; ``hailort_sim.gst.output_tensors`` reads them.
"""
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

from hailort_sim.gst import output_tensors  # noqa: E402


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    hef, frames = argv[1], int(argv[2]) if len(argv) > 2 else 5
    Gst.init(None)
    pipeline = Gst.parse_launch(f"videotestsrc num-buffers={frames} ! hailonet hef-path={hef} ! "
                                "appsink name=sink sync=false emit-signals=false max-buffers=4")
    sink = pipeline.get_by_name("sink")
    pipeline.set_state(Gst.State.PLAYING)
    status = 0
    for index in range(frames):
        sample = sink.emit("pull-sample")   # None at EOS or on error
        if sample is None:
            break
        for name, tensor in output_tensors(sample.get_buffer()).items():
            values = tensor.array()
            q = tensor.info.quant_info
            print(f"frame {index}: {name} {values.dtype}{list(values.shape)} "
                  f"qp_zp={q.qp_zp:g} qp_scale={q.qp_scale:g} first={values.reshape(-1)[:4].tolist()}")
    message = pipeline.get_bus().timed_pop_filtered(5 * Gst.SECOND, Gst.MessageType.ERROR | Gst.MessageType.EOS)
    if message is not None and message.type == Gst.MessageType.ERROR:
        error, _ = message.parse_error()
        print(f"error from {message.src.get_name()}: {error.message}", file=sys.stderr)
        status = 1
    pipeline.set_state(Gst.State.NULL)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""hailonet's output tensors: one buffer per output on each frame (GstParentBufferMeta) with a
GstHailoTensorMeta holding the HEF's hailo_vstream_info_t, as libgsthailo attaches them; the
values are what InferModel gives for the same frame."""
import hashlib

import numpy as np
import pytest

RED = "videotestsrc num-buffers={n} pattern=red"


def sink(n=1):
    return "appsink name=sink0 sync=false"


def test_identity_model_returns_the_frame(gst, hefs):
    r = gst.probe(f"videotestsrc num-buffers=6 ! hailonet hef-path={hefs['shortcut_net']} ! {sink()}")
    assert r["eos"] and r["error"] is None, r
    frames = r["frames"]["sink0"]
    assert len(frames) == 6
    for frame in frames:
        (name, tensor), = frame["tensors"].items()
        assert name == "shortcut_net/output_layer1"
        assert tensor["sha256"] == frame["sha256"]          # RGB 224x224: rows need no padding
        assert tensor["network"] == "shortcut_net/shortcut_net"
        assert tensor["direction"] == 1                     # HAILO_D2H_STREAM
        assert tensor["format"] == [1, 1, 0]                # UINT8, NHWC, no flags
        assert tensor["shape"] == [224, 224, 3]
        assert tensor["quant"] == [0.0, 1.0, 0.0, 255.0]


def _infer_model_output(hef, frame, sim_config, output_type=None):
    """The same frame through hailo_platform's InferModel in this process."""
    import os
    os.environ["HAILORT_SIM_CONFIG"] = str(sim_config)
    from hailo_platform import FormatType, VDevice
    with VDevice() as vdevice:
        model = vdevice.create_infer_model(hef)
        if output_type:
            model.output().set_format_type(getattr(FormatType, output_type))
        with model.configure() as configured:
            out = np.empty(model.output().shape, dtype=np.float32 if output_type == "FLOAT32" else np.uint8)
            bindings = configured.create_bindings(input_buffers={model.input().name: frame},
                                                  output_buffers={model.output().name: out})
            configured.run([bindings], 10000)
            return out


@pytest.mark.parametrize("output_type", [None, "FLOAT32"])
def test_values_equal_infer_model(gst, hefs, sim_config, output_type, monkeypatch, tmp_path):
    prop = " output-format-type=float32" if output_type else ""
    r = gst.probe(f"{RED.format(n=3)} ! hailonet hef-path={hefs['resnet_v1_18']}{prop} ! {sink()}")
    assert r["eos"], r
    red = np.zeros((224, 224, 3), np.uint8)
    red[..., 0] = 255
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    expected = _infer_model_output(hefs["resnet_v1_18"], red, sim_config, output_type)
    for frame in r["frames"]["sink0"]:
        assert frame["sha256"] == hashlib.sha256(red.tobytes()).hexdigest()
        tensor = frame["tensors"]["resnet_v1_18/fc1"]
        assert tensor["size"] == expected.nbytes == 1000 * (4 if output_type else 1)
        assert tensor["sha256"] == hashlib.sha256(expected.tobytes()).hexdigest()
        # the info is the HEF's vstream info (libgsthailo attaches the same, whatever the user type)
        assert tensor["format"] == [1, 6, 0] and tensor["shape"] == [1, 1, 1000]   # UINT8, NC
        assert tensor["quant"][:2] == pytest.approx([62.0, 0.1271])


def test_nms_output(gst, hefs):
    r = gst.probe(f"videotestsrc num-buffers=2 ! hailonet hef-path={hefs['yolov8n']} ! {sink()}")
    assert r["eos"], r
    for frame in r["frames"]["sink0"]:
        tensor = frame["tensors"]["yolov8n/yolov8n_nms_postprocess"]
        assert tensor["format"][1] == 22                   # HAILO_FORMAT_ORDER_HAILO_NMS_BY_CLASS
        classes, per_class = tensor["nms_shape"][:2]
        assert (classes, per_class) == (80, 100)
        assert tensor["size"] == 4 * classes * (1 + 5 * per_class)   # float32 count + boxes per class


def test_nms_score_threshold(gst, hefs):
    """nms-score-threshold reaches the host NMS of the model (yolov8n's net-flow NMS)."""
    pipeline = "videotestsrc num-buffers=8 pattern=ball ! hailonet hef-path={} {}! appsink name=sink0 sync=false"
    default = gst.probe(pipeline.format(hefs["yolov8n"], ""))
    strict = gst.probe(pipeline.format(hefs["yolov8n"], "nms-score-threshold=0.6 "))
    scores = [s for f in default["frames"]["sink0"] for s in f["tensors"]["yolov8n/yolov8n_nms_postprocess"]["scores"]]
    kept = [s for f in strict["frames"]["sink0"] for s in f["tensors"]["yolov8n/yolov8n_nms_postprocess"]["scores"]]
    assert scores and min(scores) < 0.6, scores          # the device gives scores in [0.25, 1)
    assert all(s >= 0.6 for s in kept) and len(kept) < len(scores)
    assert sorted(kept) == sorted(s for s in scores if s >= 0.6)


def test_batch_size_and_many_frames_in_order(gst, hefs):
    r = gst.probe(f"videotestsrc num-buffers=37 pattern=ball ! hailonet hef-path={hefs['shortcut_net']} "
                  f"batch-size=4 ! {sink()}")
    assert r["eos"], r
    frames = r["frames"]["sink0"]
    assert len(frames) == 37
    assert all(f["tensors"]["shortcut_net/output_layer1"]["sha256"] == f["sha256"] for f in frames)
    assert len({f["sha256"] for f in frames}) > 1         # the ball moves: frames differ, order kept


def test_pass_through(gst, hefs):
    r = gst.probe(f"videotestsrc num-buffers=4 ! video/x-raw,width=320,height=240 ! "
                  f"hailonet hef-path={hefs['resnet_v1_18']} pass-through=true ! {sink()}")
    # pass-through still negotiates the HEF's caps; frames go through with no tensors
    assert r["error"] is not None and "HAILO_INVALID_ARGUMENT" in r["error"]["message"]
    r = gst.probe(f"videotestsrc num-buffers=4 ! hailonet hef-path={hefs['resnet_v1_18']} pass-through=true ! "
                  f"{sink()}")
    assert r["eos"], r
    assert len(r["frames"]["sink0"]) == 4
    assert all(f["tensors"] == {} for f in r["frames"]["sink0"])

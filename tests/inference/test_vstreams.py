"""HEF queries, ConfigureParams, activation and the VStreams API (spec §3.3-§3.9)."""
import threading

import numpy as np
import pytest

from hailo_platform import (HEF, ConfigureParams, FormatType, HailoSchedulingAlgorithm, HailoStreamInterface,
                            InferVStreams, InputVStreamParams, InputVStreams, OutputVStreamParams, OutputVStreams,
                            VDevice)
from hailo_platform.pyhailort._pyhailort import HailoRTCustomException
from hailo_platform.pyhailort.pyhailort import (ConfiguredNetwork, HailoRTException,
                                                HailoRTInvalidArgumentException, HailoRTInvalidOperationException,
                                                HailoRTNetworkGroupNotActivatedException, HailoRTTimeout)
from hailort_sim.status import HailoStatus

from inference_models import classifier, nms_model, shortcut, two_inputs


def configure(vdevice, path):
    hef = HEF(path)
    params = ConfigureParams.create_from_hef(hef=hef, interface=HailoStreamInterface.PCIe)
    return hef, vdevice.configure(hef, params)[0]


def test_hef_queries(write_model):
    path = write_model(classifier(), nms_model())
    hef = HEF(path)
    assert hef.path == path
    names = hef.get_network_group_names()
    assert sorted(names) == ["classifier", "detector"]
    assert [i.name for i in hef.get_network_groups_infos()] == names
    assert hef.get_networks_names("classifier") == ["classifier/classifier"]
    info = hef.get_output_vstream_infos("classifier")[0]
    assert info.shape == (10,) and repr(info) == 'VStreamInfo("classifier/fc1")'
    assert info.format.type == FormatType.UINT8
    with pytest.raises(HailoRTCustomException, match="nms_shape is availale only"):
        info.nms_shape  # noqa: B018 (the property raises)
    nms = hef.get_output_vstream_infos("detector")[0]
    assert nms.shape == (3, 5, 4) and nms.nms_shape.max_bboxes_per_class == 4
    assert hef.get_input_vstream_infos("classifier/classifier")[0].shape == (8, 8, 3)
    assert [s.name for s in hef.get_all_stream_infos("classifier")] == ["classifier/input_layer1", "classifier/fc1"]
    assert hef.get_sorted_output_names("classifier") == ["classifier/fc1"]
    assert hef.get_stream_names_from_vstream_name("classifier/fc1", "classifier") == ["classifier/fc1"]
    assert HEF(open(path, "rb").read()).path is None
    # Stream shapes go by the stream's format order, as pyhailort.cpp's StreamInfo.shape (and the
    # real pyhailort, docs/oracle.md): NC is (hw features,), here 10 padded to 16, not (1, 1, 16);
    # an on-chip NMS stream is its frame size.
    fc1 = hef.get_output_stream_infos("classifier")[0]
    assert fc1.shape == (16,) and fc1.format.order.name == "NC"
    nms_stream = hef.get_output_stream_infos("detector")[0]
    assert nms_stream.format.order.name == "HAILO_NMS_ON_CHIP"
    assert nms_stream.nms_shape == nms_stream.shape and len(nms_stream.shape) == 1 and nms_stream.shape[0] > 0
    with pytest.raises(HailoRTCustomException, match="nms_shape is availale only on nms order streams"):
        fc1.nms_shape  # noqa: B018 (the property raises)
    with pytest.raises(ValueError, match="file path"):
        HEF(123)
    with pytest.raises(HailoRTException):
        HEF(path + ".missing")


def test_info_queries_of_a_network_without_inputs_are_not_found():
    """As the real pyhailort (oracle, docs/oracle.md): the six info queries are not wrapped, so the
    native HailoRTStatusException with the status number escapes."""
    from hailort_sim.hef.model import Direction
    from hailort_sim.hef.reader import read_hef
    from hailort_sim.hef.samples import sample_bytes
    import dataclasses
    model = read_hef(sample_bytes("resnet_v1_18"))
    group = model.network_groups[0]
    hef = HEF(dataclasses.replace(model, network_groups=(dataclasses.replace(group, input_streams=()),)))
    for query in (hef.get_input_stream_infos, hef.get_input_vstream_infos, hef.get_all_stream_infos):
        with pytest.raises(HailoRTException) as error:
            query("resnet_v1_18")
        assert type(error.value).__name__ == "HailoRTStatusException" and str(error.value) == "61"
    assert [s.direction for s in hef.get_output_stream_infos("resnet_v1_18")] == [Direction.D2H]


def test_configure_params_and_infer_vstreams(write_model):
    path = write_model(classifier())
    target = VDevice()
    hef = HEF(path)
    params = ConfigureParams.create_from_hef(hef=hef, interface=HailoStreamInterface.PCIe)
    assert list(params) == ["classifier"] and params["classifier"].batch_size == 0
    params["classifier"].batch_size = 2
    groups = target.configure(hef, params)
    assert len(groups) == 1 and isinstance(groups[0], ConfiguredNetwork)
    group = groups[0]
    in_params = InputVStreamParams.make(group, format_type=FormatType.FLOAT32)
    out_params = OutputVStreamParams.make(group, format_type=FormatType.UINT8)
    assert list(in_params) == ["classifier/input_layer1"] and in_params["classifier/input_layer1"].timeout_ms == 10000
    data = np.random.default_rng(0).uniform(-1, 1, (5, 8, 8, 3)).astype(np.float32)
    with InferVStreams(group, in_params, out_params) as pipeline:
        with pytest.raises(HailoRTNetworkGroupNotActivatedException):
            pipeline.infer({"classifier/input_layer1": data})
        with group.activate(group.create_params()) as activated:
            assert activated.name == "classifier" and activated.get_number_of_invalid_frames() == 0
            results = pipeline.infer({"classifier/input_layer1": data})
            assert results["classifier/fc1"].shape == (5, 10) and results["classifier/fc1"].dtype == np.uint8
            assert pipeline.get_hw_time() <= pipeline.get_total_time()
            # a bare array is accepted for a single-input network group
            again = pipeline.infer(data)
            assert np.array_equal(again["classifier/fc1"], results["classifier/fc1"])   # deterministic device
            with pytest.raises(ValueError, match="can't be empty"):
                pipeline.infer({})
            with pytest.raises(HailoRTInvalidArgumentException,
                               match=r"'classifier/input_layer1' has shape \[5, 8, 8\]; expected \[N, 8, 8, 3\]"):
                pipeline.infer({"classifier/input_layer1": data[..., 0]})
    target.release()


def test_multi_input_infer_errors(write_model):
    path = write_model(two_inputs())
    with VDevice() as vdevice:
        _, group = configure(vdevice, path)
        with InferVStreams(group, InputVStreamParams.make(group), OutputVStreamParams.make(group)) as pipeline:
            with group.activate():
                a = np.zeros((2, 2, 2, 3), np.uint8)
                b = np.ones((3, 3, 3, 1), np.uint8)
                with pytest.raises(ValueError, match="should be equal"):
                    pipeline.infer({"two_in/in_a": a, "two_in/in_b": b})
                with pytest.raises(Exception, match="more than one input"):
                    pipeline.infer(a)
                out = pipeline.infer({"two_in/in_a": a, "two_in/in_b": b[:2]})
                assert np.array_equal(out["two_in/out_b"], b[:2])
    groups = OutputVStreamParams.make_groups(group)
    assert [list(g) for g in groups] == [["two_in/out_a"], ["two_in/out_b"]]


def test_activation_rules(write_model):
    path_a = write_model(shortcut("a"), name="a.hef")
    path_b = write_model(shortcut("b"), name="b.hef")
    with VDevice() as vdevice:
        _, group_a = configure(vdevice, path_a)
        _, group_b = configure(vdevice, path_b)
        with group_a.activate():
            with pytest.raises(HailoRTInvalidOperationException, match="already activated"):
                with group_b.activate():
                    pass
        with pytest.raises(HailoRTTimeout):
            group_a.wait_for_activation(50)
        with pytest.raises(HailoRTInvalidOperationException, match="does not have scheduling enabled"):
            group_a.set_scheduler_threshold(2)


def test_scheduler_makes_activate_a_deprecated_no_op(write_model, capsys):
    path = write_model(shortcut())
    params = VDevice.create_params()
    params.scheduling_algorithm = HailoSchedulingAlgorithm.ROUND_ROBIN
    with VDevice(params) as vdevice:
        _, group = configure(vdevice, path)
        with group.activate() as activated:
            assert activated is None
        assert "activate()` when working with scheduler are deprecated" in capsys.readouterr().out
        group.set_scheduler_timeout(10)
        group.set_scheduler_priority(17)
        with pytest.raises(HailoRTException) as error:
            group.set_scheduler_timeout(10, network_name="shortcut/other")
        assert error.value.status == HailoStatus.HAILO_NOT_IMPLEMENTED
        data = np.arange(72, dtype=np.uint8).reshape(1, 4, 6, 3)
        with InferVStreams(group, InputVStreamParams.make(group), OutputVStreamParams.make(group)) as pipeline:
            out = pipeline.infer({"shortcut/input_layer1": data})      # no activate() with the scheduler
        assert np.array_equal(out["shortcut/output_layer1"], data)


def test_nms_in_infer_vstreams(write_model):
    path = write_model(nms_model(classes=3, max_boxes=4))
    params = VDevice.create_params()
    params.scheduling_algorithm = HailoSchedulingAlgorithm.ROUND_ROBIN
    with VDevice(params) as vdevice:
        _, group = configure(vdevice, path)
        data = np.stack([np.full((16, 16, 3), i, np.uint8) for i in range(6)])
        in_params, out_params = InputVStreamParams.make(group), OutputVStreamParams.make(group)
        assert out_params["detector/nms1"].user_buffer_format.type == FormatType.AUTO
        with InferVStreams(group, in_params, out_params) as pipeline:
            hailo = pipeline.infer(data)["detector/nms1"]
        with InferVStreams(group, in_params, out_params, tf_nms_format=True) as pipeline:
            tf = pipeline.infer(data)["detector/nms1"]
            with pytest.raises(HailoRTInvalidOperationException, match="performed on the host"):
                pipeline.set_nms_score_threshold(0.5)       # this model's NMS runs on the chip
        assert len(hailo) == 6 and all(len(frame) == 3 for frame in hailo)
        assert tf.shape == (6, 3, 5, 4)
        for frame, tf_frame in zip(hailo, tf):
            for c, boxes in enumerate(frame):
                assert boxes.shape[1] == 5
                assert np.array_equal(tf_frame[c, :, :len(boxes)], boxes.T)


def test_send_recv_in_threads(write_model):
    path = write_model(shortcut(shape=(2, 3, 4), fps=2000))
    with VDevice() as vdevice:
        _, group = configure(vdevice, path)
        frames = np.random.default_rng(1).integers(0, 255, (40, 2, 3, 4), dtype=np.uint8)
        received = []

        def recv():
            group.wait_for_activation(1000)
            with OutputVStreams(group, OutputVStreamParams.make(group)) as vstreams:
                vstream = vstreams.get()
                assert vstream.shape == (2, 3, 4) and vstream.dtype == np.uint8
                for _ in range(len(frames)):
                    received.append(vstream.recv())

        with group.activate():
            thread = threading.Thread(target=recv)
            thread.start()
            with InputVStreams(group, InputVStreamParams.make(group, format_type=FormatType.FLOAT32)) as vstreams:
                vstream = vstreams.get()
                assert vstream.dtype == np.float32
                vstream.send(frames.astype(np.float32))       # frames first; FLOAT32 -> identity QP
                vstream.flush()
            thread.join()
        assert np.array_equal(np.stack(received), frames)
        with OutputVStreams(group, OutputVStreamParams.make(group, timeout_ms=50)) as vstreams:
            with pytest.raises(HailoRTTimeout):
                vstreams.get().recv()
        with InputVStreams(group, InputVStreamParams.make(group)) as vstreams:
            with pytest.raises(HailoRTInvalidArgumentException, match="expected"):
                vstreams.get("shortcut/input_layer1").send(np.zeros((1, 3, 3, 3), np.uint8))


def test_infer_keeps_at_most_a_queue_of_frames_in_flight(write_model, monkeypatch):
    from hailort_sim.pipeline import backend as backend_module
    path = write_model(classifier(fps=5000))
    in_flight, peak, lock = [0], [0], threading.Lock()
    submit = backend_module.LocalBackend.submit

    def counting_submit(self, core_op, inputs, frames, done):
        def counted(status, outputs):
            with lock:
                in_flight[0] -= frames
            done(status, outputs)
        with lock:
            in_flight[0] += frames
            peak[0] = max(peak[0], in_flight[0])
        submit(self, core_op, inputs, frames, counted)
    monkeypatch.setattr(backend_module.LocalBackend, "submit", counting_submit)
    params = VDevice.create_params()
    params.scheduling_algorithm = HailoSchedulingAlgorithm.ROUND_ROBIN
    with VDevice(params) as target:
        group = target.configure(HEF(path))[0]
        with InferVStreams(group, InputVStreamParams.make(group), OutputVStreamParams.make(group)) as pipeline:
            data = np.zeros((100, 8, 8, 3), np.float32)
            assert pipeline.infer({"classifier/input_layer1": data})["classifier/fc1"].shape == (100, 10)
    assert peak[0] == backend_module.queue_size_for(0)     # 32: the monitor's capacity, never exceeded

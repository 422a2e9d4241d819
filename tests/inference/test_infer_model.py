"""The InferModel API (guide §6.5, spec §3.10-§3.13): sync, async, formats, errors."""
import threading

import numpy as np
import pytest

from hailo_platform import FormatOrder, FormatType, HailoSchedulingAlgorithm, VDevice
from hailo_platform.pyhailort.pyhailort import (ConfiguredInferModel, HailoRTException,
                                                HailoRTInvalidArgumentException,
                                                HailoRTInvalidOperationException, HailoRTNotFoundException,
                                                HailoRTStreamAborted, HailoRTTimeout, InferModel)
from hailort_sim.pipeline import formats

from inference_models import classifier, nms_model, qp, shortcut, two_inputs
from inference_models import reference_quantize


def scheduled():
    params = VDevice.create_params()
    params.scheduling_algorithm = HailoSchedulingAlgorithm.ROUND_ROBIN
    return VDevice(params)


def test_sync_and_async_identity(write_model):
    path = write_model(shortcut(shape=(4, 6, 3)))
    with scheduled() as vdevice:
        infer_model = vdevice.create_infer_model(path)
        assert isinstance(infer_model, InferModel)
        assert infer_model.input().shape == [4, 6, 3]
        with infer_model.configure() as configured:
            assert isinstance(configured, ConfiguredInferModel)
            bindings = configured.create_bindings()
            data = np.random.default_rng(0).integers(0, 255, (4, 6, 3), dtype=np.uint8)
            out = np.zeros((4, 6, 3), np.uint8)
            bindings.input().set_buffer(data)
            bindings.output().set_buffer(out)
            configured.run([bindings], 1000)
            assert bindings.output().get_buffer() is out
            assert np.array_equal(out, data)
            out[:] = 0
            configured.run_async([bindings]).wait(1000)
            assert np.array_equal(out, data)


def test_create_from_bytes_and_names(write_model):
    path = write_model(classifier())
    with scheduled() as vdevice:
        infer_model = vdevice.create_infer_model(open(path, "rb").read())
        assert infer_model.input_names == ["classifier/input_layer1"]
        assert infer_model.output_names == ["classifier/fc1"]
        assert infer_model.input("classifier/input_layer1") is infer_model.input()
        assert infer_model.output().shape == [10]
        assert infer_model.input().format.type == FormatType.UINT8
        assert infer_model.output().format.order == FormatOrder.NC
        with pytest.raises(HailoRTNotFoundException, match="Input nope not found"):
            infer_model.input("nope")
        with pytest.raises(ValueError):
            vdevice.create_infer_model(123)


def test_float32_quantization_end_to_end(write_model):
    quant = qp(10.0, 0.5)
    path = write_model(shortcut(shape=(2, 3, 4), quant=quant))
    with scheduled() as vdevice:
        infer_model = vdevice.create_infer_model(path)
        infer_model.input().set_format_type(FormatType.FLOAT32)
        infer_model.output().set_format_type(FormatType.FLOAT32)
        x = np.random.default_rng(4).uniform(-10, 140, (2, 3, 4)).astype(np.float32)
        out = np.empty((2, 3, 4), np.float32)
        with infer_model.configure() as configured:
            configured.run([configured.create_bindings({"shortcut/input_layer1": x},
                                                       {"shortcut/output_layer1": out})], 1000)
        q = reference_quantize(x, infer_model.input().quant_infos[0]._to_model(), np.uint8)
        assert np.array_equal(out, (q.astype(np.float32) - np.float32(10.0)) * np.float32(0.5))


def test_nchw_user_order(write_model):
    path = write_model(shortcut(shape=(2, 3, 4)))
    with scheduled() as vdevice:
        infer_model = vdevice.create_infer_model(path)
        infer_model.input().set_format_order(FormatOrder.NCHW)
        assert infer_model.input().shape == [4, 2, 3]
        x = np.arange(24, dtype=np.uint8).reshape(4, 2, 3)
        out = np.empty((2, 3, 4), np.uint8)
        with infer_model.configure() as configured:
            configured.run([configured.create_bindings({"shortcut/input_layer1": x},
                                                       {"shortcut/output_layer1": out})], 1000)
        assert np.array_equal(out, x.transpose(1, 2, 0))


def test_batch_of_bindings_in_one_call(write_model):
    path = write_model(shortcut(shape=(2, 2, 1)))
    with scheduled() as vdevice:
        infer_model = vdevice.create_infer_model(path)
        infer_model.set_batch_size(2)
        with infer_model.configure() as configured:
            frames = [np.full((2, 2, 1), i, np.uint8) for i in range(3)]
            outs = [np.zeros((2, 2, 1), np.uint8) for _ in range(3)]
            bindings = [configured.create_bindings({"shortcut/input_layer1": f}, {"shortcut/output_layer1": o})
                        for f, o in zip(frames, outs)]
            configured.run(bindings, 1000)
            assert [int(o[0, 0, 0]) for o in outs] == [0, 1, 2]


def test_buffer_errors(write_model):
    path = write_model(classifier())
    with scheduled() as vdevice:
        infer_model = vdevice.create_infer_model(path)
        with infer_model.configure() as configured:
            bindings = configured.create_bindings()
            with pytest.raises(HailoRTException, match="Buffer must be C_CONTIGUOUS"):
                bindings.input().set_buffer(np.zeros((8, 8, 6), np.uint8)[:, :, ::2])
            bindings.output().set_buffer(np.zeros(10, np.uint8))
            with pytest.raises(HailoRTNotFoundException, match="No buffer was set for input"):
                configured.run([bindings], 1000)
            bindings.input().set_buffer(np.zeros((8, 8, 3), np.float32))   # float32: 4x the bytes
            with pytest.raises(HailoRTInvalidOperationException,
                               match=r"Input buffer size 768 is different than expected 192 for input "
                                     r"'classifier/input_layer1' \(expected shape \[8, 8, 3\], dtype uint8\)"):
                configured.run([bindings], 1000)
            with pytest.raises(HailoRTNotFoundException):
                bindings.output("nope")


def test_multi_input_requires_names(write_model):
    path = write_model(two_inputs())
    with scheduled() as vdevice:
        infer_model = vdevice.create_infer_model(path)
        with pytest.raises(HailoRTInvalidOperationException, match="more than one input"):
            infer_model.input()
        with infer_model.configure() as configured:
            a = np.arange(12, dtype=np.uint8).reshape(2, 2, 3)
            b = np.arange(9, dtype=np.uint8).reshape(3, 3, 1)
            oa, ob = np.zeros_like(a), np.zeros_like(b)
            bindings = configured.create_bindings({"two_in/in_a": a, "two_in/in_b": b},
                                                  {"two_in/out_a": oa, "two_in/out_b": ob})
            with pytest.raises(HailoRTInvalidOperationException):
                bindings.input()
            configured.run([bindings], 1000)
            assert np.array_equal(oa, a) and np.array_equal(ob, b)


def test_callback_once_from_runtime_thread(write_model):
    path = write_model(shortcut(shape=(1, 1, 16)))
    calls, threads = [], set()
    with scheduled() as vdevice:
        infer_model = vdevice.create_infer_model(path)
        with infer_model.configure() as configured:
            jobs = []
            for i in range(50):
                bindings = configured.create_bindings()
                bindings.input().set_buffer(np.full((1, 1, 16), i, np.uint8))
                bindings.output().set_buffer(np.zeros((1, 1, 16), np.uint8))

                def callback(completion_info, bindings=bindings, i=i):
                    assert completion_info.exception is None
                    assert bindings.output().get_buffer()[0, 0, 0] == i   # outputs written before the callback
                    calls.append(i)
                    threads.add(threading.current_thread().name)
                configured.wait_for_async_ready(timeout_ms=1000)
                jobs.append(configured.run_async([bindings], callback))
            for job in jobs:
                job.wait(1000)
    assert sorted(calls) == list(range(50))
    assert threading.main_thread().name not in threads


def test_a_raising_callback_goes_to_the_hailort_log(write_model, tmp_path, monkeypatch, capfd):
    from hailort_sim import log
    monkeypatch.setenv("HAILORT_LOGGER_PATH", str(tmp_path / "logs"))
    log.reconfigure()
    path = write_model(shortcut(shape=(1, 1, 16)))
    calls = []

    def callback(completion_info):
        calls.append(completion_info.exception)
        raise ValueError("user bug")
    try:
        with scheduled() as vdevice:
            with vdevice.create_infer_model(path).configure() as configured:
                bindings = configured.create_bindings()
                bindings.input().set_buffer(np.zeros((1, 1, 16), np.uint8))
                bindings.output().set_buffer(np.zeros((1, 1, 16), np.uint8))
                for _ in range(3):                    # the runtime thread goes on
                    configured.wait_for_async_ready(timeout_ms=1000)
                    configured.run_async([bindings], callback).wait(1000)
    finally:
        log.close()
    assert calls == [None] * 3
    text = (tmp_path / "logs" / "hailort.log").read_text()
    assert text.count("[error] An inference completion callback raised an exception:") == 3
    assert "ValueError: user bug" in text
    assert "Traceback" not in capfd.readouterr().out


def test_backends_follow_the_backend_protocol():
    import typing

    from hailort_sim.pipeline.backend import Backend, LocalBackend
    from hailort_sim.service.remote_backend import RemoteBackend
    members = [name for name in dir(Backend) if not name.startswith("_")] + list(typing.get_type_hints(Backend))
    assert {"configure", "submit", "release_core_op", "device_ids", "scheduling_algorithm", "devices"} <= set(members)
    backend = LocalBackend([], 1)
    try:
        for name in members:
            assert hasattr(backend, name), name
            assert name in typing.get_type_hints(Backend) or hasattr(RemoteBackend, name), name
    finally:
        backend.release()


def test_async_queue_and_timeouts(write_model):
    path = write_model(shortcut(shape=(1, 1, 4), fps=20))    # 50 ms per frame
    with scheduled() as vdevice:
        infer_model = vdevice.create_infer_model(path)
        with infer_model.configure() as configured:
            size = configured.get_async_queue_size()
            assert size >= 2
            with pytest.raises(HailoRTTimeout):
                configured.wait_for_async_ready(timeout_ms=10, frames_count=size + 1)
            bindings = configured.create_bindings()
            bindings.input().set_buffer(np.zeros((1, 1, 4), np.uint8))
            bindings.output().set_buffer(np.zeros((1, 1, 4), np.uint8))
            job = None
            for _ in range(3):
                job = configured.run_async([bindings])
            with pytest.raises(HailoRTTimeout):
                job.wait(5)
            job.wait(2000)


def test_shutdown_with_jobs_in_flight_delivers_every_callback(write_model):
    path = write_model(shortcut(shape=(1, 1, 4), fps=100))
    before = threading.active_count()
    results = []
    lock = threading.Lock()
    with scheduled() as vdevice:
        infer_model = vdevice.create_infer_model(path)
        with infer_model.configure() as configured:
            for _ in range(configured.get_async_queue_size()):
                bindings = configured.create_bindings()
                bindings.input().set_buffer(np.zeros((1, 1, 4), np.uint8))
                bindings.output().set_buffer(np.zeros((1, 1, 4), np.uint8))

                def callback(completion_info):
                    with lock:
                        results.append(completion_info.exception)
                configured.run_async([bindings], callback)
        # leaving the 'with' shut it down: every callback has run, most jobs were aborted
        assert len(results) == configured.get_async_queue_size()
        aborted = [e for e in results if e is not None]
        assert aborted and all(isinstance(e, HailoRTStreamAborted) for e in aborted)
        with pytest.raises(HailoRTInvalidOperationException, match="shut down"):
            configured.create_bindings()
    assert threading.active_count() <= before


def test_scheduler_setters(write_model):
    path = write_model(shortcut())
    with VDevice() as vdevice:      # Python default: no scheduler
        with vdevice.create_infer_model(path).configure() as configured:
            with pytest.raises(HailoRTInvalidOperationException, match="does not have scheduling enabled"):
                configured.set_scheduler_priority(20)
    with scheduled() as vdevice:
        with vdevice.create_infer_model(path).configure() as configured:
            configured.set_scheduler_timeout(100)
            configured.set_scheduler_threshold(2)
            configured.set_scheduler_priority(31)
            with pytest.raises(HailoRTInvalidArgumentException):
                configured.set_scheduler_priority(32)
            with pytest.raises(HailoRTInvalidOperationException, match="not allowed"):
                configured.activate()


def test_nms_outputs(write_model):
    path = write_model(nms_model(classes=3, max_boxes=4))
    with scheduled() as vdevice:
        infer_model = vdevice.create_infer_model(path)
        out_stream = infer_model.output()
        assert out_stream.is_nms
        assert out_stream.format.type == FormatType.FLOAT32
        assert out_stream.format.order == FormatOrder.HAILO_NMS_BY_CLASS
        assert out_stream.shape == [3 * (1 + 5 * 4)]
        with infer_model.configure() as configured:
            found = 0
            for seed in range(20):
                bindings = configured.create_bindings()
                bindings.input().set_buffer(np.full((16, 16, 3), seed, np.uint8))
                bindings.output().set_buffer(np.empty(out_stream.shape, np.float32))
                configured.run([bindings], 1000)
                per_class = bindings.output().get_buffer()
                assert len(per_class) == 3
                for boxes in per_class:
                    assert boxes.shape[1] == 5 and boxes.shape[0] <= 4
                    assert np.all(np.diff(boxes[:, 4]) <= 0)      # score-sorted
                    found += len(boxes)
                tf = bindings.output().get_buffer(tf_format=True)
                assert tf.shape == (3, 5, 4)
                for c, boxes in enumerate(per_class):
                    assert np.array_equal(tf[c, :, :len(boxes)], boxes.T)
            assert found > 0
        infer_model.output().set_format_order(FormatOrder.HAILO_NMS_BY_SCORE)
        size = infer_model.output().shape[0]
        assert size == 2 + 12 * 22
        with infer_model.configure() as configured:
            bindings = configured.create_bindings()
            bindings.input().set_buffer(np.full((16, 16, 3), 3, np.uint8))
            with pytest.raises(HailoRTException, match="must be of type uint8"):
                bindings.output().set_buffer(np.empty(size, np.float32))
            bindings.output().set_buffer(np.empty(size, np.uint8))
            configured.run([bindings], 1000)
            detections = bindings.output().get_buffer()
            assert [d.score for d in detections] == sorted((d.score for d in detections), reverse=True)
            assert all(0 <= d.class_id < 3 for d in detections)
            with pytest.raises(HailoRTException, match="tf format is unsupported"):
                bindings.output().get_buffer(tf_format=True)


def test_nms_setters_fail_configure_on_plain_output(write_model):
    path = write_model(shortcut())
    with scheduled() as vdevice:
        infer_model = vdevice.create_infer_model(path)
        infer_model.output().set_nms_score_threshold(0.5)
        with pytest.raises(HailoRTException):
            infer_model.configure()


def test_use_after_vdevice_release_fails(write_model):
    path = write_model(shortcut())
    vdevice = scheduled()
    vdevice.release()
    vdevice.release()   # idempotent
    with pytest.raises(HailoRTException):
        vdevice.create_infer_model(path)


def test_wrong_format_for_nms_fails_at_configure_time(write_model):
    path = write_model(nms_model())
    with scheduled() as vdevice:
        infer_model = vdevice.create_infer_model(path)
        infer_model.output().set_format_type(FormatType.UINT8)
        with pytest.raises(HailoRTInvalidArgumentException, match="detector/nms1"):
            infer_model.configure()
    assert formats.DETECTION_DTYPE.itemsize == 22


def test_nms_with_byte_mask_through_infer_model():
    import dataclasses
    from hailort_sim.hef.model import Format, NmsInfo
    from hailo_platform.pyhailort.pyhailort import DetectionWithByteMask
    from inference_models import model_of
    model = model_of(nms_model(classes=3, max_boxes=4))
    group = model.network_groups[0]
    out = dataclasses.replace(group.output_vstreams[0],
                              format=Format(FormatType.FLOAT32, FormatOrder.HAILO_NMS_WITH_BYTE_MASK), shape=(),
                              nms_info=NmsInfo(3, 4, max_bboxes_total=6))
    model = dataclasses.replace(model, network_groups=(dataclasses.replace(group, output_vstreams=(out,)),))
    with scheduled() as vdevice:
        infer_model = vdevice.create_infer_model(model)     # a parsed model (internal use)
        assert infer_model.output().format.order == FormatOrder.HAILO_NMS_WITH_BYTE_MASK
        size = infer_model.output().shape[0]
        assert size == 2 + 6 * 40 + 2 * 16 * 16
        with infer_model.configure() as configured:
            seen = 0
            for seed in range(10):
                bindings = configured.create_bindings()
                bindings.input().set_buffer(np.full((16, 16, 3), seed, np.uint8))
                bindings.output().set_buffer(np.zeros(size, np.uint8))
                configured.run([bindings], 1000)
                detections = bindings.output().get_buffer()
                for d in detections:
                    assert isinstance(d, DetectionWithByteMask)
                    f = np.float32     # the mask size rule, in float32 like the C code
                    assert d.mask.shape == (max(int(np.ceil((f(d.y_max) - f(d.y_min)) * f(16))), 1),
                                            max(int(np.ceil((f(d.x_max) - f(d.x_min)) * f(16))), 1))
                seen += len(detections)
                assert bindings.output().get_buffer(tf_format=True).shape == (1, 16 * 16 + 6, 6)
            assert seen > 0


def test_vdevice_released_under_a_configured_model(write_model):
    path = write_model(shortcut(shape=(1, 1, 4)))
    vdevice = scheduled()
    configured = vdevice.create_infer_model(path).configure()
    bindings = configured.create_bindings()
    bindings.input().set_buffer(np.zeros((1, 1, 4), np.uint8))
    bindings.output().set_buffer(np.zeros((1, 1, 4), np.uint8))
    configured.run([bindings], 1000)
    vdevice.release()           # in the wrong order (guide §12.2): later use fails, never hangs
    with pytest.raises(HailoRTException):
        configured.run([bindings], 1000)
    configured.shutdown()


def test_shutdown_does_not_wait_for_slow_frames(write_model):
    import time
    path = write_model(shortcut(shape=(1, 1, 4), fps=5))        # 200 ms per frame
    with scheduled() as vdevice:
        configured = vdevice.create_infer_model(path).configure()
        bindings = configured.create_bindings()
        bindings.input().set_buffer(np.zeros((1, 1, 4), np.uint8))
        bindings.output().set_buffer(np.zeros((1, 1, 4), np.uint8))
        jobs = [configured.run_async([bindings]) for _ in range(20)]     # 4 s of device time queued
        time.sleep(0.1)
        start = time.monotonic()
        configured.shutdown()
        assert time.monotonic() - start < 2.0
        aborted = 0
        for job in jobs:
            try:
                job.wait(100)               # every job is finished: no timeout here
            except HailoRTStreamAborted:
                aborted += 1
        assert aborted >= len(jobs) - 3     # a loaded host may have let the first frames finish


def test_host_nms_parameters_filter_detections(tmp_path):
    from hailort_sim.hef.samples import sample_bytes
    from hailort_sim.pipeline import formats as fmts
    path = tmp_path / "yolov8n.hef"
    path.write_bytes(sample_bytes("yolov8n"))

    def detect(**params):
        with scheduled() as vdevice:
            infer_model = vdevice.create_infer_model(str(path))
            out = infer_model.output()
            for key, value in params.items():
                getattr(out, "set_nms_" + key)(value)
            with infer_model.configure() as configured:
                frames = []
                for seed in range(8):
                    bindings = configured.create_bindings()
                    bindings.input().set_buffer(np.full((640, 640, 3), seed, np.uint8))
                    bindings.output().set_buffer(np.empty(out.shape, np.float32))
                    configured.run([bindings], 5000)
                    frames.append(bindings.output().get_buffer())
        return frames

    plain = detect()
    assert sum(len(b) for frame in plain for b in frame) > 0
    strict = detect(score_threshold=0.6, max_proposals_per_class=1)
    for p_frame, s_frame in zip(plain, strict):
        for p_boxes, s_boxes in zip(p_frame, s_frame):
            assert len(s_boxes) <= 1 and np.all(s_boxes[:, 4] >= 0.6)
            expected = p_boxes[p_boxes[:, 4] >= 0.6][:1]
            assert np.array_equal(s_boxes, expected)
    # greedy IoU suppression against a numpy reference on overlapping boxes
    boxes = [np.array([[0.1, 0.1, 0.5, 0.5, 0.9], [0.12, 0.1, 0.5, 0.52, 0.8], [0.6, 0.6, 0.9, 0.9, 0.7]],
                      np.float32)]
    kept = fmts.nms_filter(boxes, iou_threshold=0.5)[0]
    assert kept[:, 4].tolist() == pytest.approx([0.9, 0.7])
    with pytest.raises(HailoRTInvalidArgumentException):
        detect(score_threshold=1.5)


def test_nms_parameters_on_chip_nms_fail_configure(write_model):
    path = write_model(nms_model())
    with scheduled() as vdevice:
        infer_model = vdevice.create_infer_model(path)
        infer_model.output().set_nms_iou_threshold(0.3)
        with pytest.raises(HailoRTInvalidOperationException, match="does not run on the host"):
            infer_model.configure()


def test_large_frames_async_bytes_right_and_buffers_released(write_model):
    """Frames large enough for numpy to copy them without the GIL: every callback sees its own
    output bytes, and once the callbacks have run the runtime holds none of the user's buffers."""
    import gc
    import weakref
    shape = (480, 640, 3)
    path = write_model(shortcut(shape=shape))
    rng = np.random.default_rng(7)
    seen, refs = [], []
    with scheduled() as vdevice:
        with vdevice.create_infer_model(path).configure() as configured:
            pool = []
            for _ in range(4):
                bindings = configured.create_bindings()
                bindings.input().set_buffer(np.empty(shape, np.uint8))
                bindings.output().set_buffer(np.zeros(shape, np.uint8))
                pool.append(bindings)
            jobs = []
            for i in range(24):
                bindings = pool[i % len(pool)]
                if i >= len(pool):
                    jobs[i - len(pool)].wait(5000)     # the buffers are the user's again after the callback
                data = rng.integers(0, 255, shape, dtype=np.uint8)
                bindings.input().get_buffer()[:] = data
                out = bindings.output().get_buffer()

                def callback(completion_info, out=out, expected=data, i=i):
                    assert completion_info.exception is None
                    seen.append((i, np.array_equal(out, expected)))
                configured.wait_for_async_ready(timeout_ms=5000)
                jobs.append(configured.run_async([bindings], callback))
            for job in jobs:
                job.wait(5000)
            assert sorted(seen) == [(i, True) for i in range(24)]
            for bindings in pool:
                refs += [weakref.ref(bindings.input().get_buffer()), weakref.ref(bindings.output().get_buffer())]
            del pool, bindings, jobs, callback, out
            gc.collect()
            assert not [r for r in refs if r() is not None]     # with the model still configured


def test_waiters_see_free_slots_while_a_later_callback_blocks(write_model):
    """Waiters are woken once per burst of completions, yet a callback that blocks until the
    waiting thread acts (a bounded result queue, say) must not hold back the wake-up for the
    frames completed before it, and a late wake-up never becomes a timeout."""
    from hailort_sim.pipeline import device_link
    device_link.set_timing_override(lambda group, device: (0.0, 0.3))   # all frames due together
    path = write_model(shortcut(shape=(1, 1, 16)))
    release = threading.Event()
    released_in_time = []
    with scheduled() as vdevice:
        with vdevice.create_infer_model(path).configure() as configured:
            size = configured.get_async_queue_size()
            bindings = configured.create_bindings()
            bindings.input().set_buffer(np.zeros((1, 1, 16), np.uint8))
            bindings.output().set_buffer(np.zeros((1, 1, 16), np.uint8))
            jobs = []
            for i in range(size):
                def callback(completion_info, i=i):
                    if i == 5:
                        released_in_time.append(release.wait(3.0))
                jobs.append(configured.run_async([bindings], callback))
            try:
                configured.wait_for_async_ready(timeout_ms=10000)   # the queue was full: frames 0-4 free it
                jobs[4].wait(2000)
                with pytest.raises(HailoRTTimeout):
                    jobs[6].wait(20)                                # behind the blocked callback
            finally:
                release.set()
            for job in jobs:
                job.wait(5000)
    assert released_in_time == [True]


def test_wait_for_async_ready_times_out_while_the_queue_stays_full(write_model):
    path = write_model(shortcut(shape=(1, 1, 4), fps=2))        # 500 ms per frame
    with scheduled() as vdevice:
        with vdevice.create_infer_model(path).configure() as configured:
            bindings = configured.create_bindings()
            bindings.input().set_buffer(np.zeros((1, 1, 4), np.uint8))
            bindings.output().set_buffer(np.zeros((1, 1, 4), np.uint8))
            for _ in range(configured.get_async_queue_size()):
                configured.run_async([bindings])
            with pytest.raises(HailoRTTimeout, match="wait_for_async_ready timed out"):
                configured.wait_for_async_ready(timeout_ms=50)


def test_a_forked_child_cannot_use_the_parents_configured_model(write_model):
    import os
    path = write_model(shortcut(shape=(1, 1, 4)))
    with scheduled() as vdevice:
        with vdevice.create_infer_model(path).configure() as configured:
            configured.wait_for_async_ready(timeout_ms=100)
            pid = os.fork()
            if pid == 0:
                try:
                    configured.wait_for_async_ready(timeout_ms=100)
                    os._exit(0)
                except HailoRTInvalidOperationException as error:
                    os._exit(3 if "only in the process that created it" in str(error) else 2)
                except BaseException:
                    os._exit(1)
            _, status = os.waitpid(pid, 0)
            assert os.WEXITSTATUS(status) == 3
            configured.wait_for_async_ready(timeout_ms=100)     # the parent still can

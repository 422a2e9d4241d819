"""RGB4 and the YUV host orders NV12/NV21/I420/YUY2 (spec §7.2, §7.3, §7.5; guide §6.2.4-6.2.6):
frame sizes, shapes, conversions against per-pixel numpy references, round trips, and an
InferModel run of a model whose input has a YUV device order."""
import numpy as np
import pytest

from hailo_platform import (HEF, ConfigureParams, FormatOrder, FormatType, HailoSchedulingAlgorithm,
                            HailoStreamInterface, InferVStreams, InputVStreamParams, OutputVStreamParams, VDevice)
from hailo_platform.pyhailort.pyhailort import HailoRTInvalidOperationException
from hailort_sim.hef.writer import LayerSpec, NetworkGroupSpec
from hailort_sim.pipeline import formats
from hailort_sim.status import HailoRTInvalidArgumentException

from inference_models import IDENTITY_QP, model_of, shortcut

H, W = 4, 6
RNG = np.random.default_rng(7)


def yuv_model(device_order="HAILO_YYUV", shape=(H, W, 3)):
    """Input in a YUV device order, NHWC output of the same shape: the simulated device copies it."""
    return NetworkGroupSpec("yuv", inputs=[LayerSpec("input_layer1", shape, order=device_order, quant=IDENTITY_QP)],
                            outputs=[LayerSpec("output_layer1", shape, order="NHWC", quant=IDENTITY_QP)])


def input_info(group):
    return model_of(group).network_groups[0].input_vstreams[0]


def reference_yuv444(order, frame, h, w):
    """Per pixel (y, x): the [Y, first, second] triple the guide says the frame represents."""
    out = np.empty((h, w, 3), np.uint8)
    for y in range(h):
        for x in range(w):
            if order == FormatOrder.YUY2:
                base = y * w * 2 + (x // 2) * 4
                out[y, x] = frame[base + 2 * (x % 2)], frame[base + 1], frame[base + 3]   # Y0 U0 Y1 V0
                continue
            chroma = h * w
            if order == FormatOrder.I420:
                quarter = (h // 2) * (w // 2)
                k = (y // 2) * (w // 2) + x // 2
                out[y, x] = frame[y * w + x], frame[chroma + k], frame[chroma + quarter + k]
            else:   # NV12: U V pairs; NV21: V U pairs
                k = chroma + (y // 2) * w + (x // 2) * 2
                out[y, x] = frame[y * w + x], frame[k], frame[k + 1]
    return out


@pytest.mark.parametrize("device_order,host_order,size", [
    ("HAILO_YYUV", FormatOrder.NV12, H * W * 3 // 2), ("HAILO_YYVU", FormatOrder.NV21, H * W * 3 // 2),
    ("HAILO_YYYYUV", FormatOrder.I420, H * W * 3 // 2), ("YUY2", FormatOrder.YUY2, H * W * 2)])
def test_auto_order_frame_size_and_shape(device_order, host_order, size):
    info = input_info(yuv_model(device_order))
    assert info.format.order == host_order and tuple(info.shape) == (H, W, 3)
    assert formats.vstream_info_shape(info) == (H, W, 3)
    fmt = formats.resolve(info)
    assert (fmt.order, fmt.type, fmt.dtype) == (host_order, FormatType.UINT8, np.uint8)
    assert fmt.frame_size == size and fmt.shape == (size,)
    assert formats.infer_stream_shape(fmt) == [size]


@pytest.mark.parametrize("order", [FormatOrder.NV12, FormatOrder.NV21, FormatOrder.I420, FormatOrder.YUY2])
def test_yuv_conversion_against_reference_and_round_trip(order):
    info = input_info(shortcut(shape=(H, W, 3)))
    fmt = formats.resolve(info, FormatType.UINT8, order)
    frames = RNG.integers(0, 256, (3, fmt.frame_size), dtype=np.uint8)
    device = formats.to_device(fmt, frames)
    assert device.shape == (3, H, W, 3) and device.dtype == np.uint8
    for frame, tensor in zip(frames, device):
        assert np.array_equal(tensor, reference_yuv444(order, frame, H, W))
    assert np.array_equal(formats.from_device(fmt, device), frames)


def test_rgb4_pads_rows_to_four():
    info = input_info(shortcut(shape=(2, 3, 3)))           # row 9 bytes -> 12
    fmt = formats.resolve(info, FormatType.UINT8, FormatOrder.RGB4)
    assert fmt.frame_size == 2 * 12 and fmt.shape == (24,)
    image = RNG.integers(1, 256, (2, 2, 3, 3), dtype=np.uint8)
    host = formats.from_device(fmt, image)
    reference = np.zeros((2, 2, 12), np.uint8)
    reference[:, :, :9] = image.reshape(2, 2, 9)
    assert np.array_equal(host, reference.reshape(2, 24))
    assert np.array_equal(formats.to_device(fmt, host), image)
    # float32 user type: quantization after un-padding; the size counts padded elements
    fmt32 = formats.resolve(info, FormatType.FLOAT32, FormatOrder.RGB4)
    assert fmt32.frame_size == 24 * 4
    assert np.array_equal(formats.to_device(fmt32, host.astype(np.float32)), image)


def test_rgb4_without_padding_is_nhwc():
    fmt = formats.resolve(input_info(shortcut(shape=(2, 4, 3))), FormatType.UINT8, FormatOrder.RGB4)
    assert fmt.frame_size == 2 * 12


def test_yuv_rejects_what_it_cannot_represent():
    with pytest.raises(HailoRTInvalidArgumentException, match="NV12 needs a 3-channel image .* 'shortcut/input_layer1' is 3x6x3"):
        formats.resolve(input_info(shortcut(shape=(3, 6, 3))), FormatType.UINT8, FormatOrder.NV12)
    with pytest.raises(HailoRTInvalidArgumentException, match="YUY2 needs .*'shortcut/input_layer1' is 4x6x1"):
        formats.resolve(input_info(shortcut(shape=(4, 6, 1))), FormatType.UINT8, FormatOrder.YUY2)
    with pytest.raises(HailoRTInvalidArgumentException, match="I420 needs user format type UINT8; 'shortcut/input_layer1'"):
        formats.resolve(input_info(shortcut(shape=(4, 6, 3))), FormatType.FLOAT32, FormatOrder.I420)


def scheduled():
    params = VDevice.create_params()
    params.scheduling_algorithm = HailoSchedulingAlgorithm.ROUND_ROBIN
    return VDevice(params)


def test_infer_model_runs_nv12_input_end_to_end(write_model):
    path = write_model(yuv_model("HAILO_YYUV"))
    frame = RNG.integers(0, 256, (H * 3 // 2, W), dtype=np.uint8)     # Y plane rows, then UV rows
    with scheduled() as vdevice:
        infer_model = vdevice.create_infer_model(path)
        assert infer_model.input().format.order == FormatOrder.NV12
        assert infer_model.input().shape == [H * W * 3 // 2]
        with infer_model.configure() as configured:
            out = np.zeros((H, W, 3), np.uint8)
            bindings = configured.create_bindings()
            bindings.input().set_buffer(frame)
            bindings.output().set_buffer(out)
            configured.run([bindings], 1000)
            assert np.array_equal(out, reference_yuv444(FormatOrder.NV12, frame.ravel(), H, W))
            bindings.input().set_buffer(np.zeros((H, W, 3), np.uint8))
            with pytest.raises(HailoRTInvalidOperationException, match="buffer size 72 is different than expected "
                                                                        "36 for input 'yuv/input_layer1'"):
                configured.run([bindings], 1000)


def test_infer_model_rgb4_input(write_model):
    path = write_model(shortcut(shape=(2, 3, 3), order="RGB888"))
    image = RNG.integers(0, 256, (2, 3, 3), dtype=np.uint8)
    rgb4 = np.zeros((2, 12), np.uint8)
    rgb4[:, :9] = image.reshape(2, 9)
    with scheduled() as vdevice:
        infer_model = vdevice.create_infer_model(path)
        infer_model.input().set_format_order(FormatOrder.RGB4)
        with infer_model.configure() as configured:
            out = np.zeros((2, 3, 3), np.uint8)
            configured.run([configured.create_bindings({"shortcut/input_layer1": rgb4},
                                                       {"shortcut/output_layer1": out})], 1000)
            assert np.array_equal(out, image)


def test_infer_vstreams_yuy2_input(write_model):
    path = write_model(yuv_model("YUY2"))
    frames = RNG.integers(0, 256, (2, H * W * 2), dtype=np.uint8)
    with VDevice() as vdevice:
        hef = HEF(path)
        group = vdevice.configure(hef, ConfigureParams.create_from_hef(hef, interface=HailoStreamInterface.PCIe))[0]
        assert hef.get_input_vstream_infos()[0].shape == (H, W, 3)
        with InferVStreams(group, InputVStreamParams.make(group), OutputVStreamParams.make(group)) as pipeline:
            with group.activate():
                out = pipeline.infer({"yuv/input_layer1": frames})["yuv/output_layer1"]
    assert out.shape == (2, H, W, 3)
    for frame, image in zip(frames, out):
        assert np.array_equal(image, reference_yuv444(FormatOrder.YUY2, frame, H, W))

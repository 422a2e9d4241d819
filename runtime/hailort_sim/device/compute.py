"""The simulated device's compute contract (docs/simulated-device.md, "Compute contract").

``compute(group, inputs)`` takes ``{input vstream name: ndarray (batch, *shape)}`` of the
vstream's device type (uint8/uint16, quantized) and returns ``{output vstream name: result}``:

* identity: an output takes a copy of the first not yet paired input of the same shape and
  type, inputs and outputs paired in their order (a shortcut network);
* NMS outputs: per frame, one float32 ``(n, 5)`` array per class, rows
  ``[y_min, x_min, y_max, x_max, score]``, scores descending, coordinates in [0, 1] with
  min <= max, ``n <= max_bboxes_per_class`` (and the total within ``max_bboxes_total``);
* every other output: pseudo-random data of the output's type and shape, from a generator
  seeded with a hash of the frame's input bytes and the output name.

Each frame is computed on its own: a frame gives the same outputs whatever batch it is in.
Nothing depends on the clock or on earlier calls. Replay of recorded outputs is in
``replay.py``.
"""
import hashlib
from typing import Dict, List, Sequence

import numpy as np

from hailort_sim.hef.model import FormatType, NetworkGroup, VStreamInfo
from hailort_sim.status import HailoStatus

from .errors import fail

DTYPES = {FormatType.UINT8: np.dtype(np.uint8), FormatType.UINT16: np.dtype(np.uint16),
          FormatType.FLOAT32: np.dtype(np.float32)}
_MAX_DETECTIONS_PER_FRAME = 8   # a sparse, realistic scene
_EMPTY_BOXES = np.zeros((0, 5), dtype=np.float32)
_EMPTY_BOXES.flags.writeable = False


def vstream_dtype(info: VStreamInfo) -> np.dtype:
    dtype = DTYPES.get(info.format.type)     # FormatType is an IntEnum: a plain int finds it too
    if dtype is None:
        fail(HailoStatus.HAILO_INVALID_ARGUMENT,
             "vstream {} has format type {}, which the device cannot produce".format(info.name, info.format.type))
    return dtype


def check_inputs(group: NetworkGroup, inputs: Dict[str, np.ndarray]) -> int:
    """Validate names, types and shapes; return the batch size."""
    expected = {info.name: info for info in group.input_vstreams}
    for name in inputs:
        if name not in expected:
            fail(HailoStatus.HAILO_NOT_FOUND, "Input vstream {} is not in network group {} (inputs: {})".format(
                name, group.name, ", ".join(expected)))
    batch = None
    for name, info in expected.items():
        if name not in inputs:
            fail(HailoStatus.HAILO_INVALID_ARGUMENT, "No data for input vstream {}".format(name))
        array = inputs[name]
        dtype = vstream_dtype(info)
        if not isinstance(array, np.ndarray) or array.dtype != dtype:
            fail(HailoStatus.HAILO_INVALID_ARGUMENT, "Input {} must be a numpy array of {} (the device type), "
                 "got {}".format(name, dtype, getattr(array, "dtype", type(array).__name__)))
        if array.ndim != len(info.shape) + 1 or tuple(array.shape[1:]) != tuple(info.shape):
            fail(HailoStatus.HAILO_INVALID_ARGUMENT, "Input {} must have shape (batch, {}), got {}".format(
                name, ", ".join(map(str, info.shape)), array.shape))
        if batch is None:
            batch = array.shape[0]
        elif array.shape[0] != batch:
            fail(HailoStatus.HAILO_INVALID_ARGUMENT, "Inputs have different batch sizes ({} and {})".format(
                batch, array.shape[0]))
    return batch or 0


def frame_digests(group: NetworkGroup, inputs: Dict[str, np.ndarray], batch: int) -> List[bytes]:
    """One 16-byte digest per frame over every input's bytes, in the input vstreams' order."""
    digests = []
    for index in range(batch):
        digest = hashlib.blake2b(digest_size=16)
        for info in group.input_vstreams:
            digest.update(info.name.encode())
            digest.update(np.ascontiguousarray(inputs[info.name][index]).data)
        digests.append(digest.digest())
    return digests


def _generator(frame_digest: bytes, output_name: str) -> np.random.Generator:
    seed = hashlib.blake2b(frame_digest + output_name.encode(), digest_size=16).digest()
    return np.random.Generator(np.random.PCG64(int.from_bytes(seed, "little")))


def random_frame(info: VStreamInfo, frame_digest: bytes) -> np.ndarray:
    rng = _generator(frame_digest, info.name)
    dtype = vstream_dtype(info)
    if dtype == np.float32:
        return rng.random(info.shape, dtype=np.float32)
    return rng.integers(0, np.iinfo(dtype).max, size=info.shape, dtype=dtype, endpoint=True)


def nms_frame(info: VStreamInfo, frame_digest: bytes) -> List[np.ndarray]:
    """One frame of NMS output: a list with one float32 (n, 5) array per class."""
    nms = info.nms_info
    classes, per_class = nms.number_of_classes, nms.max_bboxes_per_class
    result = [_EMPTY_BOXES] * classes
    if classes == 0 or per_class == 0:
        return result
    rng = _generator(frame_digest, info.name)
    limit = _MAX_DETECTIONS_PER_FRAME
    if nms.max_bboxes_total:
        limit = min(limit, nms.max_bboxes_total)
    count = int(rng.integers(0, limit, endpoint=True))
    if count == 0:
        return result
    class_ids = rng.integers(0, classes, size=count)
    corner = rng.uniform(0.0, 0.9, size=(count, 2))
    size = rng.uniform(0.02, 0.5, size=(count, 2))
    boxes = np.empty((count, 5), dtype=np.float64)
    boxes[:, 0:2] = corner
    boxes[:, 2:4] = np.minimum(corner + size, 1.0)
    boxes[:, 4] = rng.uniform(0.25, 1.0, size=count)
    boxes = boxes.astype(np.float32)   # rounding is monotonic: min <= max and [0, 1] still hold
    for class_id in np.unique(class_ids):
        rows = boxes[class_ids == class_id]
        rows = rows[np.argsort(-rows[:, 4], kind="stable")][:per_class]
        result[int(class_id)] = rows
    return result


def compute(group: NetworkGroup, inputs: Dict[str, np.ndarray], digests: Sequence[bytes] = None) -> Dict[str, object]:
    """Outputs for a batch: ndarrays ``(batch, *shape)``; NMS: a list (per frame) of lists (per class)."""
    batch = check_inputs(group, inputs)
    if digests is None:
        digests = frame_digests(group, inputs, batch)
    unpaired = list(group.input_vstreams)
    outputs = {}
    for info in group.output_vstreams:
        if info.is_nms:
            outputs[info.name] = [nms_frame(info, digest) for digest in digests]
            continue
        dtype = vstream_dtype(info)
        source = next((i for i in unpaired if tuple(i.shape) == tuple(info.shape) and vstream_dtype(i) == dtype), None)
        if source is not None:
            unpaired.remove(source)
            outputs[info.name] = inputs[source.name].copy()
            continue
        result = np.empty((batch,) + tuple(info.shape), dtype=dtype)
        for index, digest in enumerate(digests):
            result[index] = random_frame(info, digest)
        outputs[info.name] = result
    return outputs

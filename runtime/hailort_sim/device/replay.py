"""Replay of recorded outputs: the device answers with arrays the user saved.

A replay directory holds one ``.npy`` file per output vstream and frame, the output's name
as a relative path (``yolov5s/yolov5_nms_postprocess`` -> ``.../yolov5s/yolov5_nms_postprocess.npy``)::

    <dir>/by-hash/<32 hex digits>/<output name>.npy    # frame whose input digest is that
    <dir>/by-index/<n>/<output name>.npy               # n-th frame sent to the network group

A frame is looked up by its input digest first (the same image always gives the same
recorded result, in any order), then by its index, cycling over the recorded indices
(10 recorded frames serve a 1000-frame run). ``record()`` writes such a directory, e.g.
from outputs captured on real hardware.

Arrays: a plain output is one frame, ``shape`` or ``(1, *shape)``, of the vstream's device
type. An NMS output is either ``(n, 6)`` float32 rows ``[class, y_min, x_min, y_max, x_max,
score]`` or the flat float32 buffer HailoRT returns for NMS BY CLASS (per class: a count,
then ``max_bboxes_per_class`` rows of 5).
"""
import os
from typing import Dict, List, Optional

import numpy as np

from hailort_sim.hef.model import NetworkGroup, VStreamInfo
from hailort_sim.status import HailoStatus

from .compute import check_inputs, frame_digests, vstream_dtype
from .errors import fail


def _file(directory: str, key: str, output_name: str) -> str:
    return os.path.join(directory, key, *output_name.split("/")) + ".npy"


class Replay:
    def __init__(self, directory: str):
        if not os.path.isdir(directory):
            fail(HailoStatus.HAILO_OPEN_FILE_FAILURE,
                 "Replay directory {} does not exist".format(directory))
        self.directory = directory
        index_dir = os.path.join(directory, "by-index")
        self.indices = sorted(int(n) for n in os.listdir(index_dir) if n.isdigit()) \
            if os.path.isdir(index_dir) else []

    def _key(self, digest: bytes, frame_index: int) -> Optional[str]:
        key = os.path.join("by-hash", digest.hex())
        if os.path.isdir(os.path.join(self.directory, key)):
            return key
        if self.indices:
            return os.path.join("by-index", str(self.indices[frame_index % len(self.indices)]))
        return None

    def outputs(self, group: NetworkGroup, inputs: Dict[str, np.ndarray], first_index: int) -> Dict[str, object]:
        batch = check_inputs(group, inputs)
        digests = frame_digests(group, inputs, batch)
        keys = []
        for offset, digest in enumerate(digests):
            key = self._key(digest, first_index + offset)
            if key is None:
                fail(HailoStatus.HAILO_NOT_FOUND,
                     "Replay directory {} has no recorded output for frame {} (input digest {}) and no "
                     "by-index recordings".format(self.directory, first_index + offset, digest.hex()))
            keys.append(key)
        outputs = {}
        for info in group.output_vstreams:
            frames = [self._load(info, key) for key in keys]
            outputs[info.name] = frames if info.is_nms else np.stack(frames)
        return outputs

    def _load(self, info: VStreamInfo, key: str):
        path = _file(self.directory, key, info.name)
        try:
            array = np.load(path, allow_pickle=False)
        except FileNotFoundError:
            fail(HailoStatus.HAILO_NOT_FOUND, "Replay file {} is missing (output {})".format(path, info.name))
        except (OSError, ValueError) as error:
            fail(HailoStatus.HAILO_INVALID_ARGUMENT, "Replay file {} is not a .npy array: {}".format(path, error))
        if info.is_nms:
            return _nms_frame(info, array, path)
        if array.shape == (1,) + tuple(info.shape):
            array = array[0]
        if array.shape != tuple(info.shape) or array.dtype != vstream_dtype(info):
            fail(HailoStatus.HAILO_INVALID_ARGUMENT, "Replay file {} holds {} {}, output {} needs {} {}".format(
                path, array.dtype, array.shape, info.name, vstream_dtype(info), tuple(info.shape)))
        return array


def _nms_frame(info: VStreamInfo, array: np.ndarray, path: str) -> List[np.ndarray]:
    nms = info.nms_info
    classes, per_class = nms.number_of_classes, nms.max_bboxes_per_class * max(nms.chunks_per_frame, 1)
    array = np.asarray(array, dtype=np.float32)
    rows = []
    if array.ndim == 1 and array.size == classes * (1 + 5 * per_class):
        flat = array.reshape(classes, 1 + 5 * per_class)
        for class_id in range(classes):
            count = int(flat[class_id, 0])
            boxes = flat[class_id, 1:1 + 5 * min(count, per_class)].reshape(-1, 5)
            rows.append(np.column_stack([np.full(len(boxes), class_id, np.float32), boxes]))
        array = np.concatenate(rows) if rows else np.zeros((0, 6), np.float32)
    elif not (array.ndim == 2 and array.shape[1] == 6):
        fail(HailoStatus.HAILO_INVALID_ARGUMENT,
             "Replay file {} for NMS output {} must be (n, 6) rows [class, y_min, x_min, y_max, x_max, score] "
             "or a flat NMS BY CLASS buffer of {} floats, got {}".format(
                 path, info.name, classes * (1 + 5 * per_class), array.shape))
    result = []
    for class_id in range(classes):
        boxes = array[array[:, 0] == class_id, 1:]
        if len(boxes) > per_class:
            fail(HailoStatus.HAILO_INVALID_ARGUMENT, "Replay file {}: class {} has {} boxes, more than {}".format(
                path, class_id, len(boxes), per_class))
        result.append(np.ascontiguousarray(boxes[np.argsort(-boxes[:, 4], kind="stable")]))
    if len(array) and not np.all((array[:, 0] >= 0) & (array[:, 0] < classes)):
        fail(HailoStatus.HAILO_INVALID_ARGUMENT, "Replay file {}: class ids must be in [0, {})".format(path, classes))
    return result


def record(directory: str, group: NetworkGroup, inputs: Dict[str, np.ndarray], outputs: Dict[str, object],
           by: str = "hash", first_index: int = 0) -> List[str]:
    """Save a batch's outputs as a replay directory; returns the keys written.

    ``outputs`` has the compute contract's form (ndarrays ``(batch, *shape)``; NMS: per frame
    a list of per-class ``(n, 5)`` arrays), e.g. what an application got from real hardware.
    """
    if by not in ("hash", "index"):
        raise ValueError("by must be 'hash' or 'index'")
    batch = check_inputs(group, inputs)
    digests = frame_digests(group, inputs, batch)
    keys = []
    for offset, digest in enumerate(digests):
        key = os.path.join("by-hash", digest.hex()) if by == "hash" else \
            os.path.join("by-index", str(first_index + offset))
        for info in group.output_vstreams:
            frame = outputs[info.name][offset]
            if info.is_nms:
                frame = np.concatenate(
                    [np.column_stack([np.full(len(b), c, np.float32), np.asarray(b, np.float32).reshape(-1, 5)])
                     for c, b in enumerate(frame)] or [np.zeros((0, 6), np.float32)]).astype(np.float32)
            path = _file(directory, key, info.name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            np.save(path, frame, allow_pickle=False)
        keys.append(key)
    return keys

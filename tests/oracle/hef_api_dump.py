"""Print, as JSON, what hailo_platform.HEF says about HEF files: run once with the real
pyhailort (the oracle's python) and once with ours; tests/oracle compares the two outputs.

    python hef_api_dump.py a.hef b.hef ...     # one line per file: {"path": ..., "result": ...}

One line per file, flushed as soon as it is written: when the real library crashes the process
(a signal) on one file, the lines before it stand and the caller knows which file it was.

Only the public API is used, so the same code reads both implementations. Every call's
exception is recorded by class name (and HailoRT status when it has one), not raised.
"""
import json
import sys


def _call(function, *args):
    try:
        return {"value": _plain(function(*args))}
    except Exception as error:  # noqa: BLE001 - the exception is the answer
        return {"error": type(error).__name__}


def _plain(value):
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items())}
    if type(value).__name__ not in FIELDS and hasattr(value, "name") and hasattr(value, "value"):
        return f"{type(value).__name__}.{value.name}"          # enums, real (pybind) and ours (IntEnum)
    if isinstance(value, float):
        return float(value) if value == value else "nan"
    if isinstance(value, (int, str, bool)) or value is None:
        return value
    return _object(value)


FIELDS = {
    "VStreamInfo": ("name", "network_name", "direction", "format", "shape", "nms_shape", "quant_info"),
    "StreamInfo": ("name", "direction", "format", "shape", "nms_shape", "quant_info", "sys_index",
                   "data_bytes"),
    "HailoFormat": ("type", "order", "flags"),
    "QuantInfo": ("qp_zp", "qp_scale", "limvals_min", "limvals_max"),
    "NmsShape": ("number_of_classes", "max_bboxes_per_class", "max_accumulated_mask_size"),
}


def _object(value):
    kind = type(value).__name__
    fields = FIELDS.get(kind)
    if fields is None:
        return {"type": kind, "repr": repr(value)}
    out = {"type": kind}
    for field in fields:
        try:
            out[field] = _plain(getattr(value, field))
        except Exception as error:  # noqa: BLE001
            out[field] = {"error": type(error).__name__}
    return out


def describe(path):
    from hailo_platform import HEF
    try:
        hef = HEF(path)
    except Exception as error:  # noqa: BLE001
        return {"HEF": {"error": type(error).__name__}}
    out = {"get_network_group_names": _call(hef.get_network_group_names)}
    for group in out["get_network_group_names"].get("value", []):
        entry = {}
        for method in ("get_networks_names", "get_input_vstream_infos", "get_output_vstream_infos",
                       "get_input_stream_infos", "get_output_stream_infos", "get_sorted_output_names"):
            entry[method] = _call(getattr(hef, method), group)
        for info in entry["get_output_vstream_infos"].get("value", []):
            name = info["name"]
            entry[f"get_stream_names_from_vstream_name({name})"] = _call(
                hef.get_stream_names_from_vstream_name, name, group)
        entry["dequantize"] = _call(_dequantize, hef, group)
        out[group] = entry
    return out


def _dequantize(hef, group):
    """The first UINT8 output's quant info applied to 0..255 with numpy (numpy 1 and 2 alike)."""
    import numpy
    from hailo_platform.pyhailort.pyhailort import HailoRTTransformUtils
    for info in hef.get_output_vstream_infos(group):
        if type(info.format.type).__name__ == "FormatType" and info.format.type.name == "UINT8":
            src = numpy.arange(256, dtype=numpy.uint8)
            dst = numpy.zeros(256, dtype=numpy.float32)
            HailoRTTransformUtils.dequantize_output_buffer(src, dst, 256, info.quant_info)
            return [round(float(v), 4) for v in dst[::17]]
    return None


if __name__ == "__main__":
    for path in sys.argv[1:]:
        print(json.dumps({"path": path, "result": describe(path)}, sort_keys=True), flush=True)

"""Our hailo_platform against the public names of the real pyHailoRT 4.21.0.

``pyhailort-4.21.0-names.txt`` lists, for the modules below, every public module-level name
and every public member of a public class (nested classes too) of the real package at tag
v4.21.0, names only: a line ``module`` (the module must import) or ``module:Name[.member]``.
It was made from the real sources' syntax trees; with ``HAILORT_SRC_DIR`` set to a checkout
of hailo-ai/hailort v4.21.0, ``test_list_matches_the_real_sources`` regenerates and compares it.

KNOWN_GAPS are the names we do not provide, each group with its reason. The test fails on a
new gap (a name that goes missing) and on a stale entry (a gap that was filled).
"""
import ast
import dataclasses
import importlib
import os
import pathlib
import warnings

import pytest

NAMES_FILE = pathlib.Path(__file__).with_name("pyhailort-4.21.0-names.txt")
SOURCES = {"hailo_platform": "__init__.py", "hailo_platform.pyhailort.pyhailort": "pyhailort/pyhailort.py",
           "hailo_platform.pyhailort.control_object": "pyhailort/control_object.py",
           "hailo_platform.pyhailort.hw_object": "pyhailort/hw_object.py",
           "hailo_platform.pyhailort.power_measurement": "pyhailort/power_measurement.py",
           "hailo_platform.pyhailort.i2c_slaves": "pyhailort/i2c_slaves.py",
           "hailo_platform.pyhailort.hailo_control_protocol": "pyhailort/hailo_control_protocol.py",
           "hailo_platform.pyhailort.ethernet_utils": "pyhailort/ethernet_utils.py",
           "hailo_platform.tools.udp_rate_limiter": "tools/udp_rate_limiter.py"}
PP = "hailo_platform.pyhailort.pyhailort:"
HW = "hailo_platform.pyhailort.hw_object:"

KNOWN_GAPS = set(
    # The real package checks for its compiled _pyhailort library; ours is pure Python.
    ["hailo_platform:MissingPyHRTLib"]
    # Ethernet devices, UDP sockets and rate limiting: the simulated devices are PCIe or integrated.
    + [PP + n for n in ("HailoSocket", "HailoSocket.MAX_ALIGNED_UDP_PAYLOAD_SIZE_RTP",
                        "HailoSocket.MAX_UDP_PADDED_PAYLOAD_SIZE", "HailoSocket.MAX_UDP_PAYLOAD_SIZE",
                        "HailoSocket.MIN_UDP_PADDED_PAYLOAD_SIZE", "HailoSocket.MIN_UDP_PAYLOAD_SIZE",
                        "HailoSocketDefs", "HailoUdpScan", "HailoUdpScan.scan_devices", "InternalEthernetDevice",
                        "InternalEthernetDevice.release", "NetworkRateLimiter", "NetworkRateLimiter.get_interface_name",
                        "NetworkRateLimiter.reset_rate_limit", "NetworkRateLimiter.set_rate_limit",
                        "HEF.get_udp_rates_dict", "ConfiguredNetwork.get_udp_rates_dict", "Control.set_pause_frames")]
    + ["hailo_platform.pyhailort.ethernet_utils"]
    + ["hailo_platform.pyhailort.ethernet_utils:" + n for n in (
        "NoInterfaceError", "SIOCGIFTXQLEN", "SIOCGIFTXQLEN_FMT", "get_interface_address", "get_interface_from_ip",
        "is_ip_in_network")]
    + ["hailo_platform.tools.udp_rate_limiter:" + n for n in (
        "BYTES_IN_Kbits", "DEFAULT_MAX_KBPS", "HEF", "INPUT_DATAFLOW_BASE_PORT", "NetworkRateLimiter",
        "RateLimiterWrapper", "UDPRateLimiter.calc_udp_rate")]
    + [HW + "EthernetDevice.remote_ip", HW + "HailoUdpScan", HW + "InternalEthernetDevice", HW + "UdpHcpControl"]
    # Raw memory, registers, PCIe debug log, MIPI inputs, sensors and ISP: no bus or sensor to simulate.
    + [PP + n for n in ("Control.read_register", "Control.set_bit", "Control.reset_bit",
                        "Control.get_sensor_sections_info", "Control.load_and_start_sensor", "Control.reset_sensor",
                        "Control.sensor_set_generic_i2c_slave", "Control.set_sensor_i2c_bus_index",
                        "Control.store_isp_config", "Control.store_sensor_config", "Control.test_chip_memories",
                        "InternalPcieDevice", "InternalPcieDevice.create_debug_log", "InternalPcieDevice.read_memory",
                        "InternalPcieDevice.release", "InternalPcieDevice.scan_devices",
                        "InternalPcieDevice.write_memory", "PcieDebugLog", "PcieDebugLog.read",
                        "ConfigureParams.create_mipi_inputs_from_hef", "MipiInputStreamParams")]
    + ["hailo_platform.pyhailort.i2c_slaves:" + n for n in (
        "I2C_SLAVE_ONSEMI_CAMERA_AR0220", "I2C_SLAVE_ONSEMI_CAMERA_AS0149", "default_logger", "logger")]
    + [HW + "InternalPcieDevice"]
    # The KV cache API of ConfiguredNetwork (LLMs on Hailo-10H): not simulated.
    + [PP + "ConfiguredNetwork." + n for n in ("get_cache_ids", "init_cache", "read_cache_buffer",
                                               "update_cache_offset", "write_cache_buffer")]
    # Internal helpers of the real package (exception wrapping, layer utilities, a null context).
    + [PP + n for n in ("ExceptionWrapper", "ExceptionWrapper.create_exception_from_status", "EmptyContextManager",
                        "OutputLayerUtils", "OutputLayerUtils.is_nms", "OutputLayerUtils.output_dtype",
                        "OutputLayerUtils.output_order", "OutputLayerUtils.output_shape",
                        "OutputLayerUtils.output_tensor_info", "OutputLayerUtils.quantized_empty_bbox",
                        "OutputLayerUtils.tf_nms_fomrat_shape", "OutputLayerUtils.vstream_info",
                        "PcieDeviceInfo.BOARD_LOCATION_HELP_STRING")]
    # The deprecated HCP control classes and hardware-object base classes (pre-4.x API).
    + ["hailo_platform.pyhailort.control_object"]
    + ["hailo_platform.pyhailort.control_object:" + n for n in (
        "AveragingFactor", "BoardInformation", "Control", "ControlObjectException", "CoreInformation",
        "DeviceArchitectureTypes", "DvmTypes", "ExceptionWrapper", "ExtendedDeviceInformation",
        "FirmwareUpdateException", "HailoControl", "HcpControl", "HealthInformation", "InternalPcieDevice",
        "MeasurementBufferIndex", "PcieHcpControl", "PowerMeasurementTypes", "SamplingPeriod", "UdpHcpControl",
        "default_logger")]
    + [HW + n for n in ("BoardInformation", "HailoRTTransformUtils", "PcieHcpControl")]
    + [HW + "HailoChipObject"] + [HW + "HailoChipObject." + n for n in (
        "control", "get_all_input_layers_dtype", "get_all_stream_infos", "get_all_vstream_infos",
        "get_index_from_name", "get_input_shape", "get_input_stream_infos", "get_input_vstream_infos",
        "get_output_stream_infos", "get_output_vstream_infos", "loaded_network_groups", "release")]
    + [HW + "HailoHWObject"] + [HW + "HailoHWObject." + n for n in (
        "IS_HARDWARE", "NAME", "device_id", "device_input_layers", "device_output_layers",
        "get_original_layer_to_device_layer_map", "get_output_device_layer_to_original_layer_map",
        "get_output_shapes", "hef_loaded", "is_hardware", "model_name", "name", "outputs_count",
        "sorted_output_layer_names", "use_device")]
)


def real_names():
    return NAMES_FILE.read_text().split()


def has_name(obj, dotted):
    for part in dotted.split("."):
        if hasattr(obj, part):
            obj = getattr(obj, part)
        elif dataclasses.is_dataclass(obj) and part in {f.name for f in dataclasses.fields(obj)}:
            return True     # a dataclass field without a default is not a class attribute
        else:
            return False
    return True


def missing_names():
    modules, missing = {}, set()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")        # the deprecated modules warn on import, as the real ones
        for line in real_names():
            module, _, name = line.partition(":")
            if not name:
                try:
                    modules[module] = importlib.import_module(module)
                except ImportError:
                    modules[module] = None
                    missing.add(line)
            elif modules[module] is None or not has_name(modules[module], name):
                missing.add(line)
    return missing


def test_no_new_gap():
    new = sorted(missing_names() - KNOWN_GAPS)
    assert not new, "names of the real pyHailoRT 4.21.0 we do not provide: %s" % new


def test_no_stale_known_gap():
    stale = sorted(KNOWN_GAPS - missing_names())
    assert not stale, "remove these from KNOWN_GAPS, they exist now: %s" % stale
    assert KNOWN_GAPS <= set(real_names())


def test_the_list_covers_what_bring_up_scripts_use():
    names = set(real_names())
    for name in ("Control.set_notification_callback", "Control.wd_enable", "Control.previous_system_state",
                 "Control.firmware_update", "Control.read_board_config", "Device.read_log", "HealthInformation",
                 "HailoFirmwareVersion.comparable_value", "TemperatureThrottlingLevel",
                 "ConfiguredInferModel.NmsTfTransformationInfo",
                 "HailoRTTransformUtils.output_raw_buffer_to_nms_format"):
        assert PP + name in names


def _source_names(path):
    tree = ast.parse(path.read_text())

    def members(node, prefix):
        out = []
        for child in node.body:
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) and not child.name.startswith("_"):
                out.append(prefix + child.name)
            elif isinstance(child, ast.ClassDef) and not child.name.startswith("_"):
                out += [prefix + child.name] + members(child, prefix + child.name + ".")
            elif isinstance(child, ast.Assign):
                out += [prefix + t.id for t in child.targets if isinstance(t, ast.Name) and not t.id.startswith("_")]
            elif isinstance(child, ast.AnnAssign) and isinstance(child.target, ast.Name) \
                    and not child.target.id.startswith("_"):
                out.append(prefix + child.target.id)
        return out

    out = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            out += [node.name] + members(node, node.name + ".")
        elif isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            out.append(node.name)
        elif isinstance(node, ast.Assign):
            out += [t.id for t in node.targets if isinstance(t, ast.Name) and not t.id.startswith("_")]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("hailo_platform"):
            out += [a.asname or a.name for a in node.names if not (a.asname or a.name).startswith("_")]
    return sorted(set(out))


def test_list_matches_the_real_sources():
    source = os.environ.get("HAILORT_SRC_DIR")
    if not source:
        pytest.skip("set HAILORT_SRC_DIR to a hailo-ai/hailort v4.21.0 checkout to regenerate the name list")
    platform = pathlib.Path(source, "hailort/libhailort/bindings/python/platform/hailo_platform")
    expected = []
    for module, path in SOURCES.items():
        expected += [module] + ["{}:{}".format(module, n) for n in _source_names(platform / path)]
    assert real_names() == expected

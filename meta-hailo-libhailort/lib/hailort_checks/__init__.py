#
# SPDX-License-Identifier: MIT
#
"""The HailoRT user guide's §10.6 table ("Validating the Integration's Success"), written once:
what each row runs on the target and how its output is read.

Two suites run these rows: the oeqa runtime cases of this layer (lib/oeqa/runtime/cases/
hailort_validation.py, under bitbake -c testimage) and hailo-validate, the host tool that checks
a board over SSH (host/hailo_kit/validate/checks.py). Both take the command from ``ROWS`` and
hand its output to the row's reader, which returns what it found or raises ``RowFailed``.
Plain Python, no BitBake: bitbake imports it through addpylib (conf/layer.conf), hailo-validate
as a package.

To add a row: a ``Row`` in ``ROWS`` and a ``read_<id>`` function; then a test in the oeqa case
and a check in hailo-validate's table (tests/validate/test_table_agreement.py holds them to it).
"""
import collections
import re

HAILORT_VERSION = "4.21.0"

# Frames `hailortcli run` infers: enough for an FPS figure, few enough for an emulated target.
RUN_FRAMES = 8

# PCIe ids as hailortcli prints them (domain:bus:device.function), or the integrated NNC.
DEVICE_ID = r"(?:[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]|\[integrated\])"

# The guide's Python flows (§5.3-5.6) need these names, and numpy.
PYHAILORT_IMPORT = (
    "import numpy, hailo_platform as h; "
    "from hailo_platform import VDevice, HEF, Device, InferVStreams, ConfigureParams, "
    "InputVStreamParams, OutputVStreamParams, FormatType, HailoSchedulingAlgorithm, "
    "HailoStreamInterface; print(h.__version__, numpy.__version__, h.__file__)")

# §10.6 names /lib/firmware/hailo/hailo_fw.bin; the driver loads hailo8_fw.bin (Hailo-8),
# hailo15_nnc_fw.bin (Hailo-15) or hailo10h/ files.
FIRMWARE = re.compile(r"/lib/firmware/hailo/(?:hailo_fw|hailo8_fw|\w*_nnc_fw|hailo10h/.*)\.bin$")

GST_ELEMENTS = ("hailonet", "hailodevicestats")

# Frames the GStreamer pipeline row pushes through hailonet.
GST_FRAMES = 30

Row = collections.namedtuple("Row", "id recipe guide command")

ROWS = (
    Row("libhailort", "libhailort", "Libhailort exists at /usr/lib/libhailort.so", None),
    Row("hailortcli", "hailortcli", "hailortcli command works from the global environment",
        "hailortcli --version"),
    Row("scan", "hailortcli", "scan communicates with the board", "hailortcli scan"),
    Row("run", "hailortcli", "run communicates with the board",
        "hailortcli run {hef} --frames-count %d" % RUN_FRAMES),
    Row("pyhailort", "pyhailort", "Python3 includes the hailo_platform module and all dependent modules",
        "python3 -c '%s'" % PYHAILORT_IMPORT),
    Row("identify", "pyhailort", "hailo fw-control identify recognizes the device and prints information",
        "hailo fw-control identify"),
    Row("gstreamer", "libgsthailo", "gst-inspect-1.0 | grep hailo returns hailonet and hailodevicestats",
        "gst-inspect-1.0 | grep hailo"),
    Row("gst_pipeline", "libgsthailo", "(§11.1) videotestsrc ! hailonet ! fakesink infers every frame",
        "gst-launch-1.0 -v videotestsrc num-buffers=%d ! hailonet hef-path={hef} ! fakesink silent=false sync=false"
        % GST_FRAMES),
    Row("firmware", "hailo-firmware", "the firmware exists in /lib/firmware/hailo",
        "find /lib/firmware/hailo -name '*.bin' -size +0 2>/dev/null | sort"),
    Row("hailo_pci", "hailo-pci", "modinfo hailo_pci returns information about the driver",
        "modinfo hailo_pci"),
)
ROWS_BY_ID = {row.id: row for row in ROWS}


class RowFailed(AssertionError):
    """The target does not meet the row (unittest reports an AssertionError as a failure)."""


def tail(text, limit=300):
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    joined = " | ".join(lines[-4:])
    return joined if len(joined) <= limit else "..." + joined[-limit:]


def version_of(text):
    """The X.Y.Z in a version string or file name (libhailort.so.4.21.0), or None."""
    m = re.search(r"(\d+\.\d+\.\d+)", text)
    return m.group(1) if m else None


def read_libhailort(path):
    """The library's version from its file name (its soname is libhailort.so.X.Y.Z)."""
    version = version_of(path.rpartition("/")[2])
    if version is None:
        raise RowFailed("cannot tell the library version from %s (expected libhailort.so.X.Y.Z)" % path)
    if version != HAILORT_VERSION:
        raise RowFailed("library version %s at %s, expected %s" % (version, path, HAILORT_VERSION))
    return version


def read_hailortcli(output):
    m = re.search(r"HailoRT-CLI version (\d+\.\d+\.\d+)", output)
    if not m:
        raise RowFailed("hailortcli --version printed %r, not 'HailoRT-CLI version X.Y.Z'" % tail(output))
    if m.group(1) != HAILORT_VERSION:
        raise RowFailed("hailortcli is version %s, expected %s" % (m.group(1), HAILORT_VERSION))
    return m.group(0)


def read_scan(output):
    """The device ids scan lists (PCIe or integrated, and Ethernet boards' IPs)."""
    devices = re.findall(r"^\[-\] (?:Device: (%s)|Board IP: (\S+))\s*$" % DEVICE_ID, output, re.M)
    devices = [pcie or ip for pcie, ip in devices]
    if not devices:
        if "Hailo devices not found" in output:
            raise RowFailed("no Hailo device found (hailortcli scan: Hailo devices not found)")
        raise RowFailed("scan lists no device: %s" % tail(output))
    return devices


def read_run(output):
    """(network group, FPS) of `hailortcli run`'s inference result."""
    text = output.replace("\r", "\n")
    result = text.rpartition("> Inference result:")[2]
    fps = re.findall(r"^\s+FPS: ([\d.]+)", result, re.M)
    group = re.search(r"Network group: (\S+)", result)
    if not result.strip() or not fps or not group:
        raise RowFailed("hailortcli run printed no inference result: %s" % tail(text))
    if float(fps[0]) <= 0:
        raise RowFailed("hailortcli run reports FPS %s" % fps[0])
    return group.group(1), fps[0]


def read_pyhailort(output):
    """(hailo_platform version, numpy version, where) from PYHAILORT_IMPORT's line."""
    version, numpy_version, where = (output.split() + ["", "", ""])[:3]
    if version != HAILORT_VERSION:
        raise RowFailed("hailo_platform %s at %s, expected %s" % (version or "(none)", where, HAILORT_VERSION))
    return version, numpy_version, where


def read_identify(output):
    """The board identity fields of `hailo fw-control identify` (Firmware Version, Board Name, ...)."""
    fields = dict(re.findall(r"^([A-Z][A-Za-z ]+): (.*?)\s*$", output, re.M))
    if "Firmware Version" not in fields or "Device Architecture" not in fields:
        raise RowFailed("identify printed no board identity: %s" % tail(output))
    return fields


def read_gstreamer(output):
    """The guide's lines, `hailo:  hailonet: hailonet element`: the elements in the plugin "hailo"
    (libgsthailo, or python3-hailort-sim-gst's libgsthailo.so on the simulated device)."""
    missing = [e for e in GST_ELEMENTS if not re.search(r"^hailo:\s+%s: %s element$" % (e, e), output, re.M)]
    if missing:
        raise RowFailed("the hailo GStreamer plugin lacks %s: %s" % (", ".join(missing), tail(output)))
    return list(GST_ELEMENTS)


# fakesink's -v line per buffer: size, pts, flags and the metas on it (hailonet attaches each
# output tensor as a GstParentBufferMeta).
_CHAIN = re.compile(r"last-message = chain .*?\((\d+) bytes, dts: [^,]*, pts: ([^,]*),.*?flags: [0-9a-f]{8}([^)]*)\)")


def _seconds(pts):
    h, m, s = pts.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def read_gst_pipeline(output, frames=GST_FRAMES):
    """Every frame reached fakesink, in order, carrying hailonet's output tensors."""
    chains = _CHAIN.findall(output)
    if "Got EOS from element" not in output:
        raise RowFailed("the pipeline did not run to its end (EOS): %s" % tail(output))
    if len(chains) != frames:
        raise RowFailed("%d of %d frames reached fakesink: %s" % (len(chains), frames, tail(output)))
    bare = [i for i, (_, _, rest) in enumerate(chains) if "GstParentBufferMeta" not in rest]
    if bare:
        raise RowFailed("frame %d reached fakesink without output tensors (no GstParentBufferMeta): "
                        "hailonet did not infer it" % bare[0])
    times = [_seconds(pts) for _, pts, _ in chains]
    if any(b <= a for a, b in zip(times, times[1:])) or len({size for size, _, _ in chains}) != 1:
        raise RowFailed("frames out of order or of different sizes: pts %s" % ", ".join(p for _, p, _ in chains[:5]))
    return frames


def read_firmware(output):
    found = [p for p in output.split() if FIRMWARE.search(p)]
    if not found:
        raise RowFailed("no Hailo firmware (hailo8_fw.bin, hailo_fw.bin, hailo15_nnc_fw.bin) "
                        "in /lib/firmware/hailo (install hailo-firmware)")
    return found


def read_hailo_pci(output, library=HAILORT_VERSION):
    """modinfo's fields; the driver must be hailo_pci.ko of the library's exact version
    (libhailort refuses any other with HAILO_INVALID_DRIVER_VERSION(76))."""
    info = dict(re.findall(r"^(\w+):\s+(.*)$", output, re.M))
    if not re.search(r"hailo_pci\.ko", info.get("filename", "")):
        raise RowFailed("modinfo hailo_pci shows no hailo_pci.ko: %s" % tail(output))
    version = version_of(info.get("version", ""))
    if version is None:
        raise RowFailed("modinfo hailo_pci shows no driver version: %s" % tail(output))
    if version != library:
        raise RowFailed("driver %s != library %s: libhailort refuses the device with "
                        "HAILO_INVALID_DRIVER_VERSION(76); install the hailo-pci driver of the same version"
                        % (version, library))
    return info

"""The simulated device's flash and firmware state: what outlives a process on a real board.

Kept per device in ``<state dir>/flash-<device id>.json`` (the state dir is the simulator's
per-user directory under ``$TMPDIR``, beside the device lock files and the user config):

* the firmware: ``firmware_update`` checks the binary as libhailort's
  ``DeviceBase::firmware_update`` does (``FIRMWARE_HEADER_UTILS__validate_fw_headers``: the
  architecture's magic, header version 0, code sizes, the certificate header, the core CPU
  image, no leftover bytes, app and core versions equal, no "extended context switch buffer"
  image) and fails with HAILO_INVALID_FIRMWARE; the new version shows in identify after a
  reset (at once unless ``should_reset`` is False);
* the second stage boot (``second_stage_update``: HAILO_INVALID_SECOND_STAGE);
* the board config (``BOARD_CONFIG_SIZE`` = 500 bytes; a larger write is HAILO_INVALID_OPERATION);
* the firmware logger level and interfaces, the watchdogs, and the firmware log that
  ``read_log`` (``hailortcli fw-logger``) drains: one text line per control that changed state.
"""
import os
import struct
import sys
import threading

from .errors import fail

BOARD_CONFIG_SIZE = 500
CPU_APP, CPU_CORE = 0, 1
FIRMWARE_MAGIC = {"HAILO8": 0x1DD89DE0, "HAILO8L": 0x1DD89DE0, "HAILO15H": 0xE905DAAB, "HAILO15M": 0xE905DAAB,
                  "HAILO15L": 0xF94739AB}
_HEADER = struct.Struct("<6I")        # magic, header_version, major, minor, revision, code_size
_CERT = struct.Struct("<2I")          # key_size, content_size
MIN_CODE_SIZE = 20 * 4
MAX_APP_CODE_SIZE, MAX_CORE_CODE_SIZE, MAX_SECOND_STAGE_CODE_SIZE = 0x40000, 0x18000, 0x80000
MAX_CERT_PART_SIZE = 0x1000
REVISION_NUMBER_MASK = (1 << 27) - 1
REVISION_CORE_BIT = 1 << 27
REVISION_EXTENDED_CONTEXT_SWITCH_BUFFER_BIT = 1 << 29
REVISION_DEV_BIT = 1 << 30
_lock = threading.Lock()


def state_dir() -> str:
    """The simulator's per-user state directory (device locks, user config, flash), under
    ``tempfile.gettempdir()``. ``fw-control identify`` reads the flash state on its fast path,
    where importing tempfile (and the ``re`` it imports) costs start-up time: until something
    has imported it, its first choices ($TMPDIR, $TEMP, $TMP, else /tmp) are read directly."""
    tempfile = sys.modules.get("tempfile")
    if tempfile is not None:
        base = tempfile.gettempdir()
    else:
        base = next((os.environ[k] for k in ("TMPDIR", "TEMP", "TMP") if os.environ.get(k)), "/tmp")
    path = os.path.join(base, f"hailort-sim-{os.getuid()}")
    os.makedirs(path, exist_ok=True)
    return path


def _path(device_id: str) -> str:
    return os.path.join(state_dir(), "flash-{}.json".format(device_id.replace(":", "_")))


def load(device_id: str) -> dict:
    import json
    try:
        with open(_path(device_id)) as stored:
            return json.load(stored)
    except (FileNotFoundError, ValueError):
        return {}


def _update(device_id: str, change) -> dict:
    """Apply ``change(state)`` to the stored state, atomically for this process and on disk."""
    import json
    with _lock:
        state = load(device_id)
        change(state)
        path = _path(device_id)
        scratch = "{}.{}.tmp".format(path, os.getpid())
        with open(scratch, "w") as out:
            json.dump(state, out)
        os.replace(scratch, path)
        return state


def log_event(device_id: str, text: str) -> None:
    """A line in the firmware log (what ``read_log`` returns), when the logger is enabled."""
    def change(state):
        state["log"] = state.get("log", "") + text + "\n"
    _update(device_id, change)


# --- firmware ------------------------------------------------------------------------------

def _validate_image(data, offset, max_code_size, magic, what):
    """One firmware header and its code at ``offset``; -> (header fields, next offset)."""
    if len(data) < offset + _HEADER.size:
        return None, "INVALID_FIRMWARE_HEADER_SIZE"
    fields = _HEADER.unpack_from(data, offset)
    if fields[0] != magic:
        return None, "INCORRECT_FIRMWARE_HEADER_MAGIC"
    if fields[1] != 0:
        return None, "UNSUPPORTED_FIRMWARE__HEADER_VERSION"
    if fields[5] < MIN_CODE_SIZE:
        return None, "CODE_SIZE_BELOW_MINIMUM"
    if fields[5] > max_code_size:
        return None, "CODE_OVERRUNS_RAM_SIZE"
    end = offset + _HEADER.size + fields[5]
    if end > len(data):
        return None, "INVALID_FIRMWARE_CODE_SIZE"
    return fields, end


def _validate_cert(data, offset):
    if len(data) < offset + _CERT.size:
        return None, "INVALID_CERT_HEADER_SIZE"
    key_size, content_size = _CERT.unpack_from(data, offset)
    if key_size > MAX_CERT_PART_SIZE or content_size > MAX_CERT_PART_SIZE:
        return None, "CERT_TOO_LARGE"
    end = offset + _CERT.size + key_size + content_size
    if end > len(data):
        return None, "INVALID_CERT_CONTENT_SIZE"
    return True, end


def _magic(architecture_name: str) -> int:
    magic = FIRMWARE_MAGIC.get(architecture_name)
    if magic is None:
        fail("HAILO_INVALID_DEVICE_ARCHITECTURE", "Invalid device arcitecture. {}".format(architecture_name))
    return magic


def _check(ok, reason, status, message):
    # The validators return (None, reason) on failure, (value, offset) otherwise: reason is read only on failure.
    if ok is None:
        fail(status, "{} with status HAILO_STATUS__FIRMWARE_HEADER_UTILS__{}".format(message, reason))


def validate_firmware(data: bytes, architecture_name: str):
    """-> (major, minor, revision) of a valid app + core firmware binary, else HAILO_INVALID_FIRMWARE."""
    magic = _magic(architecture_name)
    failed = "FW update validation failed"
    app, offset = _validate_image(data, 0, MAX_APP_CODE_SIZE, magic, "app")
    _check(app, offset, "HAILO_INVALID_FIRMWARE", failed)
    cert, offset = _validate_cert(data, offset)
    _check(cert, offset, "HAILO_INVALID_FIRMWARE", failed)
    core, offset = _validate_image(data, offset, MAX_CORE_CODE_SIZE, magic, "core")
    _check(core, offset, "HAILO_INVALID_FIRMWARE", failed)
    if offset != len(data):
        _check(None, "LEFTOVER_DATA_AFTER_LAST_FIRMWARE_HEADER", "HAILO_INVALID_FIRMWARE", failed)
    if app[2:4] != core[2:4] or (app[4] & REVISION_NUMBER_MASK) != (core[4] & REVISION_NUMBER_MASK):
        fail("HAILO_INVALID_FIRMWARE", "FW versions mismatch between APP and CORE firmwares.")
    if app[4] & REVISION_CORE_BIT or not core[4] & REVISION_CORE_BIT:
        fail("HAILO_INVALID_FIRMWARE", "Invalid APP firmware binary was supplied")
    if (app[4] | core[4]) & REVISION_EXTENDED_CONTEXT_SWITCH_BUFFER_BIT:
        fail("HAILO_INVALID_FIRMWARE",
             "Can't update to \"extended context switch buffer\" firmware (no ethernet support).")
    return app[2], app[3], app[4]


def firmware_update(device_id: str, architecture_name: str, data: bytes, should_reset: bool = True) -> None:
    major, minor, revision = validate_firmware(bytes(data), architecture_name)
    new = {"version": [major, minor, revision & REVISION_NUMBER_MASK],
           "is_release": not revision & REVISION_DEV_BIT}

    def change(state):
        state["pending_firmware"] = new
        state["log"] = state.get("log", "") + "Firmware update to {}.{}.{} written\n".format(*new["version"])
    _update(device_id, change)
    if should_reset:
        reset(device_id)


def reset(device_id: str) -> None:
    """A device reset: a written firmware starts running; the previous state is "reset"."""
    def change(state):
        if "pending_firmware" in state:
            state["firmware"] = state.pop("pending_firmware")
        state["log"] = state.get("log", "") + "Device reset\n"
    _update(device_id, change)


def running_firmware(device_id: str):
    """((major, minor, revision), is_release) of the firmware flashed and reset into, or None."""
    if not os.path.exists(_path(device_id)):
        return None           # nothing flashed (and no json import on identify's fast path)
    firmware = load(device_id).get("firmware")
    return None if firmware is None else (tuple(firmware["version"]), bool(firmware["is_release"]))


def second_stage_update(device_id: str, architecture_name: str, data: bytes) -> None:
    magic = _magic(architecture_name)
    data = bytes(data)
    failed = "Second stage update validation failed"
    header, offset = _validate_image(data, 0, MAX_SECOND_STAGE_CODE_SIZE, magic, "second stage")
    _check(header, offset, "HAILO_INVALID_SECOND_STAGE", failed)
    cert, offset = _validate_cert(data, offset)
    _check(cert, offset, "HAILO_INVALID_SECOND_STAGE", failed)
    if offset != len(data):
        _check(None, "LEFTOVER_DATA_AFTER_LAST_FIRMWARE_HEADER", "HAILO_INVALID_SECOND_STAGE", failed)
    if (header[2], header[3], header[4] & REVISION_NUMBER_MASK) < (1, 1, 0):
        fail("HAILO_INVALID_SECOND_STAGE", "Second stage version is below the minimum 1.1.0")

    def change(state):
        state["second_stage"] = [header[2], header[3], header[4] & REVISION_NUMBER_MASK]
    _update(device_id, change)


# --- board config, logger, watchdog ----------------------------------------------------------

def read_board_config(device_id: str) -> bytes:
    stored = bytes.fromhex(load(device_id).get("board_config", ""))
    return stored + bytes(BOARD_CONFIG_SIZE - len(stored))


def write_board_config(device_id: str, data: bytes) -> None:
    data = bytes(data)
    if len(data) > BOARD_CONFIG_SIZE:
        fail("HAILO_INVALID_OPERATION", "Invalid size of board config. data_length={},  max_size={}".format(
            len(data), BOARD_CONFIG_SIZE))

    def change(state):
        state["board_config"] = data.hex()
    _update(device_id, change)


def set_fw_logger(device_id: str, level: int, interface_mask: int) -> None:
    def change(state):
        state["fw_logger"] = {"level": int(level), "interface_mask": int(interface_mask)}
    _update(device_id, change)


def _check_cpu(cpu_id):
    if int(cpu_id) not in (CPU_APP, CPU_CORE):
        fail("HAILO_INVALID_ARGUMENT", "Invalid cpu id {}".format(int(cpu_id)))
    return str(int(cpu_id))


def watchdog(device_id: str, cpu_id, **settings) -> None:
    """Enable/disable (``enabled=``) or configure (``cycles=``, ``mode=``) a CPU's watchdog."""
    cpu = _check_cpu(cpu_id)

    def change(state):
        state.setdefault("watchdog", {}).setdefault(cpu, {"enabled": True, "cycles": 0, "mode": 0}).update(settings)
    _update(device_id, change)


def previous_system_state(device_id: str, cpu_id) -> int:
    """The firmware's previous system state word (0: a clean power-up; no crash recorded)."""
    _check_cpu(cpu_id)
    return 0


def read_log(device_id: str, count: int, cpu_id) -> bytes:
    """Up to ``count`` bytes of the firmware log, consumed as read (the app CPU's log; the core
    CPU's is empty)."""
    if _check_cpu(cpu_id) != str(CPU_APP):
        return b""
    taken = []

    def change(state):
        data = state.get("log", "").encode()
        taken.append(data[:count])
        state["log"] = data[count:].decode(errors="replace")
    _update(device_id, change)
    return taken[0]


# --- sensor configurations (sensor_config_exports.h) ------------------------------------------

SENSOR_SECTIONS = 8                    # SENSOR_CONFIG__TOTAL_SECTIONS_BLOCK_COUNT
ISP_SECTION = 7                        # SENSOR_CONFIG__ISP_SECTION_INDEX
MAX_NON_ISP_SECTION = 6
OPERATION_SIZE = 15                    # sizeof(SENSOR_CONFIG__operation_cfg_t), packed
SENSOR_TYPES = {0: "SENSOR_GENERIC", 1: "ONSEMI_AR0220AT", 2: "SENSOR_RASPICAM", 3: "ONSEMI_AS0149AT",
                0x80000000: "HAILO8_ISP"}
OPCODES = ("SENSOR_CONFIG_OPCODES_WR", "SENSOR_CONFIG_OPCODES_RD", "SENSOR_CONFIG_OPCODES_RMW",
           "SENSOR_CONFIG_OPCODES_DELAY")


def parse_sensor_csv(text: str):
    """``SensorConfigUtils::read_config_file``: lines ``opcode,length,page,address,bitmask,value``
    (length decimal, the rest hex; a negative page is 0xff) -> [(opcode, length, page, address,
    bitmask, value)]."""
    entries = []
    for line in text.splitlines():
        columns = line.split(",")
        if len(columns) < 6:
            fail("HAILO_FILE_OPERATION_FAILURE", "Failed reading sensor config file value with errno: 0")
        if columns[0] not in OPCODES:
            fail("HAILO_NOT_FOUND", "Failed getting opcode value by name: {}".format(columns[0]))
        try:
            page = int(columns[2], 16)
            entry = (OPCODES.index(columns[0]), int(columns[1], 10), 0xFF if page < 0 else page,
                     int(columns[3], 16), int(columns[4], 16), int(columns[5], 16))
        except ValueError:
            fail("HAILO_INVALID_ARGUMENT", "Failed parsing the sensor config line '{}'".format(line))
        entries.append(entry)
    return entries


def sensor_csv(entries) -> str:
    """``SensorConfigUtils::dump_config_to_csv``."""
    lines = []
    for opcode, length, page, address, bitmask, value in entries:
        width = 2 if length == 8 else 4
        lines.append("{},{},{},0x{:04X},0x{:0{w}X},0x{:0{w}X}".format(
            OPCODES[opcode], length, -1 if page == 0xFF else page, address, bitmask, value, w=width))
    return "".join(line + "\n" for line in lines)


def store_sensor_config(device_id: str, section: int, sensor_type: int, entries, reset_config_size=0,
                        height=0, width=0, fps=0, name="UNINITIALIZED") -> None:
    if sensor_type != 0x80000000 and not 0 <= section <= MAX_NON_ISP_SECTION:
        fail("HAILO_INVALID_ARGUMENT", "Cannot store sensor config in invalid section {}. Please choose section "
                                       "index (0-{}).".format(section, MAX_NON_ISP_SECTION))
    info = {"sensor_type": int(sensor_type), "entries": [list(e) for e in entries],
            "reset_config_size": int(reset_config_size), "height": int(height), "width": int(width),
            "fps": int(fps), "name": str(name)}

    def change(state):
        state.setdefault("sensor_sections", {})[str(section)] = info
    _update(device_id, change)


def sensor_sections(device_id: str):
    """Per section 0..7: its stored info (a dict) or None when free."""
    stored = load(device_id).get("sensor_sections", {})
    return [stored.get(str(i)) for i in range(SENSOR_SECTIONS)]


def sensor_section(device_id: str, section: int) -> dict:
    if not 0 <= section < SENSOR_SECTIONS:
        fail("HAILO_INVALID_ARGUMENT", "Section {} is invalid. Section index must be in the range [0 - {}]".format(
            section, SENSOR_SECTIONS - 1))
    info = sensor_sections(device_id)[section]
    if info is None:
        fail("HAILO_NOT_FOUND", "Section {} is not active".format(section))
    return info


def set_sensor_slave(device_id: str, **slave) -> None:
    def change(state):
        state["sensor_i2c_slave"] = slave
    _update(device_id, change)

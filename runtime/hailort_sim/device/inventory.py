"""Which simulated devices exist: the INI file ``/etc/hailo/hailort-sim.conf``.

``HAILORT_SIM_CONFIG`` names another file. No file, or a file without ``[device...]``
sections: no device (``hailortcli scan`` prints "Hailo devices not found"). The format is
documented, key by key, in ``docs/simulated-device.md``; a bad value is an error that names
the file, section and key (HAILO_INVALID_ARGUMENT), never a silent default.
"""
import os
from collections import namedtuple

from .errors import fail as _fail
from .identity import (ARCH_DEFAULTS, BOOT_SOURCES, FEATURE_NAMES, FW_VERSION, LOGGER_VERSION,
                       PROTOCOL_VERSION, SUPPORTED_ARCHITECTURES, ExtendedInfo, Identity,
                       default_device_id)

DEFAULT_CONFIG_PATH = "/etc/hailo/hailort-sim.conf"
CONFIG_ENV = "HAILORT_SIM_CONFIG"
SIMULATOR_SECTION = "simulator"
NETWORK_GROUP_SECTION_PREFIX = "network_group "
FAULTS = ("none", "in_use", "driver_operation_failed", "timeout")

_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")

# Plain named tuples, not dataclasses: this module is on `hailortcli scan`'s start-up path.
TimingOverrides = namedtuple("TimingOverrides", ("fps", "latency_ms", "context_switch_ms"),
                             defaults=(None, None, None))
NetworkGroupConfig = namedtuple("NetworkGroupConfig", ("timing", "replay"), defaults=(TimingOverrides(), None))
# path: the file read (None when there is none); network_groups: {name: NetworkGroupConfig}
Inventory = namedtuple("Inventory", ("path", "driver_installed", "devices", "network_groups"), defaults=((),))


class DeviceConfig(namedtuple("DeviceConfig", ("device_id", "identity", "extended", "timing", "replay", "fault",
                                               "section"))):
    """One ``[deviceN]`` section: id, identity, extended info, timing overrides, replay, fault."""
    __slots__ = ()

    @property
    def architecture(self):
        """The ``hef.model.Architecture``."""
        return self.identity.device_architecture




def config_path() -> str:
    return os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG_PATH


def parse_bdf(text):
    """Normalize ``[<domain>]:<bus>:<device>.<func>`` to ``%04x:%02x:%02x.%d``; None if invalid."""
    head, dot, func = text.strip().rpartition(".")
    parts = head.split(":")
    if len(parts) == 2:
        parts.insert(0, "0")
    if not dot or len(func) != 1 or func not in "01234567" or len(parts) != 3:
        return None
    for part, width in zip(parts, (4, 2, 2)):
        if not 0 < len(part) <= width or not _HEX_DIGITS.issuperset(part):
            return None
    domain, bus, dev = (int(part, 16) for part in parts)
    return "{:04x}:{:02x}:{:02x}.{}".format(domain, bus, dev, func)


def read_ini(path):
    """``[(section name, {key: value})]`` in file order.

    The INI subset the config uses, read by hand because configparser (and the ``re`` it
    imports) would double ``hailortcli scan``'s start-up time: ``[section]`` lines,
    ``key = value`` lines (keys are case-insensitive), whole-line comments starting with
    ``#`` or ``;`` and inline comments after whitespace. A duplicate section or key, a key
    outside a section or any other line is an error that names the file and line.
    """
    try:
        with open(path, encoding="utf-8") as stream:
            lines = stream.read().splitlines()
    except (OSError, UnicodeDecodeError) as error:
        _fail("HAILO_OPEN_FILE_FAILURE", "Cannot read {}: {}".format(path, error))
    sections, names = [], set()
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        for marker in (" #", "\t#", " ;", "\t;"):
            if marker in line:
                line = line[:line.index(marker)].rstrip()
        if not line or line[0] in "#;":
            continue
        where = "{}:{}: ".format(path, number)
        if line.startswith("["):
            if not line.endswith("]") or len(line) < 3:
                _fail("HAILO_INVALID_ARGUMENT", where + "a section header is [name], not {!r}".format(line))
            name = line[1:-1].strip()
            if name in names:
                _fail("HAILO_INVALID_ARGUMENT", where + "section [{}] appears twice".format(name))
            names.add(name)
            sections.append((name, {}))
            continue
        key, equals, value = line.partition("=")
        key = key.strip().lower()
        if not equals or not key:
            _fail("HAILO_INVALID_ARGUMENT", where + "expected 'key = value' or [section], got {!r}".format(line))
        if not sections:
            _fail("HAILO_INVALID_ARGUMENT", where + "{!r} comes before any [section]".format(key))
        values = sections[-1][1]
        if key in values:
            _fail("HAILO_INVALID_ARGUMENT", where + "key {!r} appears twice in [{}]".format(key, sections[-1][0]))
        values[key] = value.strip()
    return sections


class _Section:
    """Typed reads of one INI section; errors name the file, section and key."""

    def __init__(self, path, name, section):
        self.path, self.name, self.section = path, name, section
        self.used = set()

    def fail(self, key, why):
        _fail("HAILO_INVALID_ARGUMENT", "{}: [{}] {}: {}".format(self.path, self.name, key, why))

    def get(self, key, default=None):
        self.used.add(key)
        value = self.section.get(key)
        return default if value is None else value.strip()

    def number(self, key, kind=int, default=None, minimum=None, maximum=None):
        text = self.get(key)
        if text is None or text == "":
            return default
        try:
            value = kind(text, 0) if kind is int else kind(text)
        except ValueError:
            self.fail(key, "{!r} is not a{} number".format(text, "n integer" if kind is int else ""))
        if minimum is not None and value < minimum:
            self.fail(key, "{} is below {}".format(value, minimum))
        if maximum is not None and value > maximum:
            self.fail(key, "{} is above {}".format(value, maximum))
        return value

    def boolean(self, key, default):
        text = self.get(key)
        if text is None or text == "":
            return default
        lowered = text.lower()
        if lowered in ("1", "yes", "true", "on"):
            return True
        if lowered in ("0", "no", "false", "off"):
            return False
        self.fail(key, "{!r} is not yes/no".format(text))

    def choice(self, key, choices, default):
        text = self.get(key)
        if text is None or text == "":
            return default
        if text.lower() not in choices:
            self.fail(key, "{!r} is not one of {}".format(text, ", ".join(choices)))
        return text.lower()

    def hex_bytes(self, key, size):
        text = self.get(key)
        if not text:
            return bytes(size)
        digits = text.replace(":", "").replace("-", "")
        try:
            value = bytes.fromhex(digits)
        except ValueError:
            self.fail(key, "{!r} is not hexadecimal".format(text))
        if len(value) > size:
            self.fail(key, "{} bytes, at most {}".format(len(value), size))
        return value.ljust(size, b"\0")

    def text(self, key, default, limit):
        value = self.get(key, default)
        if len(value.encode()) > limit:
            self.fail(key, "{!r} is longer than {} bytes (the identity field's size)".format(value, limit))
        return value

    def timing(self):
        return TimingOverrides(
            fps=self.number("fps", float, minimum=1e-6),
            latency_ms=self.number("latency_ms", float, minimum=0.0),
            context_switch_ms=self.number("context_switch_ms", float, minimum=0.0))

    def check_unknown_keys(self):
        unknown = sorted(set(self.section.keys()) - self.used)
        if unknown:
            self.fail(unknown[0], "unknown key (known: {})".format(", ".join(sorted(self.used))))


def _device(path, name, section, index) -> DeviceConfig:
    s = _Section(path, name, section)
    arch = s.get("architecture", "HAILO8").upper()
    if arch not in SUPPORTED_ARCHITECTURES:
        s.fail("architecture", "{!r} is not one of {}".format(arch, ", ".join(SUPPORTED_ARCHITECTURES)))
    defaults = ARCH_DEFAULTS[arch]

    device_id = s.get("device_id") or default_device_id(arch, index)
    if device_id != "[integrated]":
        normalized = parse_bdf(device_id)
        if normalized is None:
            s.fail("device_id", "{!r} is neither a PCIe BDF (0000:01:00.0) nor [integrated]".format(device_id))
        device_id = normalized

    version_text = s.get("firmware_version", "{}.{}.{}".format(*FW_VERSION))
    version_parts = version_text.split(".")
    if len(version_parts) != 3 or not all(part.isdigit() and part.isascii() for part in version_parts):
        s.fail("firmware_version", "{!r} is not <major>.<minor>.<revision>".format(version_text))
    identity = Identity(
        protocol_version=s.number("protocol_version", default=PROTOCOL_VERSION, minimum=0, maximum=0xFFFFFFFF),
        fw_version=tuple(int(part) for part in version_text.split(".")),
        logger_version=s.number("logger_version", default=LOGGER_VERSION, minimum=0, maximum=0xFFFFFFFF),
        board_name=s.text("board_name", defaults.board_name, 32),
        is_release=s.choice("firmware_mode", ("release", "develop"), "release") == "release",
        extended_context_switch_buffer=s.boolean("extended_context_switch_buffer",
                                                 defaults.extended_context_switch_buffer),
        architecture_name=arch,
        serial_number=s.text("serial_number", defaults.serial_number, 16),
        part_number=s.text("part_number", defaults.part_number, 16),
        product_name=s.text("product_name", defaults.product_name, 42))

    features_text = s.get("supported_features")
    if features_text is None:
        features = defaults.supported_features
    else:
        features = tuple(f.strip().lower() for f in features_text.split(",") if f.strip())
        for feature in features:
            if feature not in FEATURE_NAMES:
                s.fail("supported_features", "{!r} is not one of {}".format(feature, ", ".join(FEATURE_NAMES)))
    boot = s.choice("boot_source", tuple(k.lower() for k in BOOT_SOURCES), "pcie")
    extended = ExtendedInfo(
        neural_network_core_clock_rate=s.number("nn_clock_mhz", default=defaults.clock_mhz, minimum=1, maximum=4294) * 1000000,
        supported_features=features,
        boot_source=BOOT_SOURCES[boot.upper()],
        lcs=s.number("lcs", default=3, minimum=0, maximum=0xFF),
        soc_id=s.hex_bytes("soc_id", 32),
        eth_mac_address=s.hex_bytes("mac_address", 6),
        unit_level_tracking_id=s.hex_bytes("ult_id", 12),
        soc_pm_values=s.hex_bytes("pm_values", 24),
        gpio_mask=s.number("gpio_mask", default=0, minimum=0, maximum=0xFFFF))
    config = DeviceConfig(device_id=device_id, identity=identity, extended=extended, timing=s.timing(),
                          replay=s.get("replay") or None, fault=s.choice("fault", FAULTS, "none"),
                          section=name)
    s.check_unknown_keys()
    return config


def load_inventory(path=None) -> Inventory:
    """Read the device inventory (``path``, else ``$HAILORT_SIM_CONFIG``, else /etc/hailo/...)."""
    from_env = not path and bool(os.environ.get(CONFIG_ENV))
    explicit = bool(path) or from_env
    path = path or config_path()
    if not os.path.exists(path):
        if explicit:
            _fail("HAILO_OPEN_FILE_FAILURE", "{} names {}, which does not exist".format(
                CONFIG_ENV if from_env else "load_inventory()", path))
        return Inventory(path=None, driver_installed=True, devices=(), network_groups={})
    driver_installed = True
    devices, groups, seen = [], {}, {}
    for name, section in read_ini(path):
        if name == SIMULATOR_SECTION:
            s = _Section(path, name, section)
            driver_installed = s.choice("driver", ("installed", "missing"), "installed") == "installed"
            s.check_unknown_keys()
        elif name.startswith(NETWORK_GROUP_SECTION_PREFIX):
            s = _Section(path, name, section)
            groups[name[len(NETWORK_GROUP_SECTION_PREFIX):].strip()] = NetworkGroupConfig(
                timing=s.timing(), replay=s.get("replay") or None)
            s.check_unknown_keys()
        elif name.startswith("device"):
            device = _device(path, name, section, len(devices))
            if device.device_id in seen:
                _Section(path, name, section).fail(
                    "device_id", "{} is also the id of [{}]".format(device.device_id, seen[device.device_id]))
            seen[device.device_id] = name
            devices.append(device)
        else:
            _fail("HAILO_INVALID_ARGUMENT", "{}: unknown section [{}] (expected [deviceN], [simulator] or "
                                            "[network_group <name>])".format(path, name))
    return Inventory(path=path, driver_installed=driver_installed, devices=tuple(devices),
                     network_groups=groups)

"""What a simulated device says about itself: ``hailo_device_identity_t`` and
``hailo_extended_device_information_t``, with per-architecture defaults.

Plain data, no I/O: ``inventory`` fills these from the config file, ``fw-control identify``
and ``hailo_platform``'s ``BoardInformation`` print them. Architectures are kept by name
and ``hef.model`` is imported only when an ``Architecture`` is asked for: ``hailortcli scan``
must not pay for the model's dataclasses.
"""
from collections import namedtuple

FW_VERSION = (4, 21, 0)           # the firmware HailoRT 4.21.0 ships
PROTOCOL_VERSION = 2              # CONTROL_PROTOCOL__PROTOCOL_VERSION (pyhailort SUPPORTED_PROTOCOL_VERSION)
LOGGER_VERSION = 0
INTEGRATED_DEVICE_ID = "[integrated]"   # IntegratedDevice::DEVICE_ID (Hailo-15 SoCs)

# Architectures the simulator offers (HAILO8_A0 and MARS are not products one can configure).
SUPPORTED_ARCHITECTURES = ("HAILO8", "HAILO8L", "HAILO15H", "HAILO15L", "HAILO15M", "HAILO10H")
INTEGRATED_ARCHITECTURES = ("HAILO15H", "HAILO15L", "HAILO15M")

# Feature names in the order `fw-control identify --extended` prints them.
FEATURE_NAMES = ("current_monitoring", "ethernet", "mipi", "mdio", "pcie")
FEATURE_LABELS = {"current_monitoring": "Current Monitoring", "ethernet": "Ethernet", "mipi": "MIPI",
                  "mdio": "MDIO", "pcie": "PCIE"}
BOOT_SOURCES = {"INVALID": 0, "PCIE": 1, "FLASH": 2}   # hailo_device_boot_source_t


def _architecture(name):
    from hailort_sim.hef.model import Architecture
    return Architecture[name]


class Identity(namedtuple("Identity", (
        "protocol_version", "fw_version", "logger_version", "board_name", "is_release",
        "extended_context_switch_buffer", "architecture_name", "serial_number", "part_number", "product_name"))):
    """``hailo_device_identity_t`` (strings instead of length + char array)."""
    __slots__ = ()

    @property
    def device_architecture(self):
        """The ``hef.model.Architecture`` (``hailo_device_architecture_t``)."""
        return _architecture(self.architecture_name)


# ``hailo_extended_device_information_t``: clock in Hz, supported_features a subset of
# FEATURE_NAMES, boot_source a BOOT_SOURCES value, byte arrays as bytes (zero: not shown).
ExtendedInfo = namedtuple("ExtendedInfo", (
    "neural_network_core_clock_rate", "supported_features", "boot_source", "lcs", "soc_id", "eth_mac_address",
    "unit_level_tracking_id", "soc_pm_values", "gpio_mask"),
    defaults=(bytes(32), bytes(6), bytes(12), bytes(24), 0))

# fps: the timing default for a single-context network group without HEF figures.
ArchDefaults = namedtuple("ArchDefaults", (
    "board_name", "serial_number", "part_number", "product_name", "extended_context_switch_buffer",
    "supported_features", "clock_mhz", "fps"))


# Strings are realistic examples (a Hailo-8 M.2 M-key module, a Hailo-8L M.2 B+M module as in
# the Raspberry Pi AI kit, Hailo-15 SoCs whose NN core has no board EEPROM); all overridable.
ARCH_DEFAULTS = {
    "HAILO8": ArchDefaults(
        "Hailo-8", "HLLWM2B233400123", "HM218B1C2FAE", "HAILO-8 AI ACC M.2 M KEY MODULE EXT TEMP",
        True, ("current_monitoring", "pcie"), 400, 1000.0),
    "HAILO8L": ArchDefaults(
        "Hailo-8", "HLDDLBB234500054", "HM21LB1C2LAE", "HAILO-8L AI ACC M.2 B+M KEY MODULE EXT TMP",
        True, ("current_monitoring", "pcie"), 400, 500.0),
    "HAILO10H": ArchDefaults(
        "Hailo-10H", "HLLWM2B245100021", "HM30HB1C2LAE", "HAILO-10H AI ACC M.2 M KEY MODULE",
        True, ("current_monitoring", "pcie"), 400, 1500.0),
    "HAILO15H": ArchDefaults("Hailo-15H", "", "", "", False, (), 400, 750.0),
    "HAILO15L": ArchDefaults("Hailo-15L", "", "", "", False, (), 400, 250.0),
    "HAILO15M": ArchDefaults("Hailo-15M", "", "", "", False, (), 400, 450.0),
}


def default_device_id(architecture: str, index: int) -> str:
    """``0000:0N:00.0`` for PCIe devices (N counts from 1), ``[integrated]`` for Hailo-15."""
    if architecture in INTEGRATED_ARCHITECTURES:
        return INTEGRATED_DEVICE_ID
    return "0000:{:02x}:00.0".format(index + 1)


def fw_version_string(identity) -> str:
    """``4.21.0 (release,app,extended context switch buffer)``, as identify prints it."""
    major, minor, revision = identity.fw_version
    text = "{}.{}.{} ({},app".format(major, minor, revision, "release" if identity.is_release else "develop")
    if identity.extended_context_switch_buffer:
        text += ",extended context switch buffer"
    return text + ")"

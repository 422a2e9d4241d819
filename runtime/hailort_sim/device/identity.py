"""What a simulated device says about itself: ``hailo_device_identity_t`` and
``hailo_extended_device_information_t``, with per-architecture defaults.

Plain data, no I/O: ``inventory`` fills these from the config file, ``fw-control identify``
and ``hailo_platform``'s ``BoardInformation`` print them.
"""
from dataclasses import dataclass
from typing import Tuple

from hailort_sim.hef.model import Architecture

FW_VERSION = (4, 21, 0)           # the firmware HailoRT 4.21.0 ships
PROTOCOL_VERSION = 2              # CONTROL_PROTOCOL__PROTOCOL_VERSION (pyhailort SUPPORTED_PROTOCOL_VERSION)
LOGGER_VERSION = 0
INTEGRATED_DEVICE_ID = "[integrated]"   # IntegratedDevice::DEVICE_ID (Hailo-15 SoCs)

# Architectures the simulator offers (HAILO8_A0 and MARS are not products one can configure).
SUPPORTED_ARCHITECTURES = (Architecture.HAILO8, Architecture.HAILO8L, Architecture.HAILO15H,
                           Architecture.HAILO15L, Architecture.HAILO15M, Architecture.HAILO10H)
INTEGRATED_ARCHITECTURES = (Architecture.HAILO15H, Architecture.HAILO15L, Architecture.HAILO15M)

# Feature names in the order `fw-control identify --extended` prints them.
FEATURE_NAMES = ("current_monitoring", "ethernet", "mipi", "mdio", "pcie")
FEATURE_LABELS = {"current_monitoring": "Current Monitoring", "ethernet": "Ethernet", "mipi": "MIPI",
                  "mdio": "MDIO", "pcie": "PCIE"}
BOOT_SOURCES = {"INVALID": 0, "PCIE": 1, "FLASH": 2}   # hailo_device_boot_source_t


@dataclass(frozen=True)
class Identity:
    """``hailo_device_identity_t`` (strings instead of length + char array)."""
    protocol_version: int
    fw_version: Tuple[int, int, int]
    logger_version: int
    board_name: str
    is_release: bool
    extended_context_switch_buffer: bool
    device_architecture: Architecture
    serial_number: str
    part_number: str
    product_name: str


@dataclass(frozen=True)
class ExtendedInfo:
    """``hailo_extended_device_information_t``."""
    neural_network_core_clock_rate: int        # Hz
    supported_features: Tuple[str, ...]        # subset of FEATURE_NAMES
    boot_source: int                           # BOOT_SOURCES value
    lcs: int
    soc_id: bytes = bytes(32)
    eth_mac_address: bytes = bytes(6)
    unit_level_tracking_id: bytes = bytes(12)
    soc_pm_values: bytes = bytes(24)
    gpio_mask: int = 0


@dataclass(frozen=True)
class ArchDefaults:
    board_name: str
    serial_number: str
    part_number: str
    product_name: str
    extended_context_switch_buffer: bool
    supported_features: Tuple[str, ...]
    clock_mhz: int
    fps: float          # timing default for a single-context network group without HEF figures


# Strings are realistic examples (a Hailo-8 M.2 M-key module, a Hailo-8L M.2 B+M module as in
# the Raspberry Pi AI kit, Hailo-15 SoCs whose NN core has no board EEPROM); all overridable.
ARCH_DEFAULTS = {
    Architecture.HAILO8: ArchDefaults(
        "Hailo-8", "HLLWM2B233400123", "HM218B1C2FAE", "HAILO-8 AI ACC M.2 M KEY MODULE EXT TEMP",
        True, ("current_monitoring", "pcie"), 400, 1000.0),
    Architecture.HAILO8L: ArchDefaults(
        "Hailo-8", "HLDDLBB234500054", "HM21LB1C2LAE", "HAILO-8L AI ACC M.2 B+M KEY MODULE EXT TMP",
        True, ("current_monitoring", "pcie"), 400, 500.0),
    Architecture.HAILO10H: ArchDefaults(
        "Hailo-10H", "HLLWM2B245100021", "HM30HB1C2LAE", "HAILO-10H AI ACC M.2 M KEY MODULE",
        True, ("current_monitoring", "pcie"), 400, 1500.0),
    Architecture.HAILO15H: ArchDefaults("Hailo-15H", "", "", "", False, (), 400, 750.0),
    Architecture.HAILO15L: ArchDefaults("Hailo-15L", "", "", "", False, (), 400, 250.0),
    Architecture.HAILO15M: ArchDefaults("Hailo-15M", "", "", "", False, (), 400, 450.0),
}


def default_device_id(architecture: Architecture, index: int) -> str:
    """``0000:0N:00.0`` for PCIe devices (N counts from 1), ``[integrated]`` for Hailo-15."""
    if architecture in INTEGRATED_ARCHITECTURES:
        return INTEGRATED_DEVICE_ID
    return "0000:{:02x}:00.0".format(index + 1)


def fw_version_string(identity: Identity) -> str:
    """``4.21.0 (release,app,extended context switch buffer)``, as identify prints it."""
    major, minor, revision = identity.fw_version
    text = "{}.{}.{} ({},app".format(major, minor, revision, "release" if identity.is_release else "develop")
    if identity.extended_context_switch_buffer:
        text += ",extended context switch buffer"
    return text + ")"

"""Which HEFs a device accepts (libhailort ``DeviceBase::check_hef_is_compatible``)."""
from typing import Union

from hailort_sim.hef.model import Architecture, HefModel, ProtoHwArch
from hailort_sim.status import HailoStatus

from .errors import fail

_P = ProtoHwArch
# Device architecture <- HEF architectures it runs (runtime-spec §13.2; libhailort also accepts the
# HAILO8P/HAILO8R variants and the GINGER/LAVENDER/PLUTO development names).
COMPATIBLE_HEF_ARCHS = {
    Architecture.HAILO8: (_P.HAILO8, _P.HAILO8P, _P.HAILO8R, _P.HAILO8L),
    Architecture.HAILO8L: (_P.HAILO8L,),
    Architecture.HAILO15H: (_P.HAILO15H, _P.HAILO15M, _P.HAILO10H, _P.GINGER, _P.LAVENDER),
    Architecture.HAILO10H: (_P.HAILO15H, _P.HAILO15M, _P.HAILO10H, _P.GINGER, _P.LAVENDER),
    Architecture.HAILO15L: (_P.HAILO15L, _P.PLUTO),
    Architecture.HAILO15M: (_P.HAILO15M,),
}

# hef_arch_to_device_arch: the name a HEF's architecture is printed with.
_HEF_ARCH_NAMES = {
    _P.SAGE_A0: "HAILO8_A0", _P.HAILO8: "HAILO8", _P.HAILO8P: "HAILO8", _P.HAILO8R: "HAILO8",
    _P.SAGE_B0: "HAILO8", _P.PAPRIKA_B0: "HAILO8", _P.HAILO8L: "HAILO8L",
    _P.HAILO15H: "HAILO15H", _P.GINGER: "HAILO15H", _P.LAVENDER: "HAILO15H",
    _P.PLUTO: "HAILO15L", _P.HAILO15L: "HAILO15L", _P.HAILO15M: "HAILO15M", _P.HAILO10H: "HAILO10H",
}

_SLOWER_HEF = {  # (device, HEF) pairs libhailort runs with a performance warning
    (Architecture.HAILO8, _P.HAILO8L): "HEF was compiled for Hailo8L device, while the device itself is "
                                       "Hailo8. This will result in lower performance.",
    (Architecture.HAILO15H, _P.HAILO15M): "HEF was compiled for Hailo15M device, while the device itself "
                                          "is Hailo15H. This will result in lower performance.",
}


def hef_arch_name(hw_arch: int) -> str:
    """The architecture string ``parse-hef`` and the compatibility error print for a HEF."""
    try:
        return _HEF_ARCH_NAMES[ProtoHwArch(hw_arch)]
    except ValueError:
        return "UNKNOWN ARCHITECTURE"


def check_compatible(device_arch: Union[Architecture, str], hef: Union[HefModel, ProtoHwArch, int]) -> None:
    """Raise HAILO_HEF_NOT_COMPATIBLE_WITH_DEVICE unless ``device_arch`` runs ``hef``.

    Logs libhailort's error line (and its lower-performance warning for an 8L HEF on a
    Hailo-8 or a 15M HEF on a Hailo-15H), as the real runtime does on configure.
    """
    from hailort_sim import log
    arch = Architecture[device_arch] if isinstance(device_arch, str) else Architecture(device_arch)
    hw_arch = hef.hw_arch if isinstance(hef, HefModel) else hef
    try:
        hw_arch = ProtoHwArch(hw_arch)
    except ValueError:
        pass
    if hw_arch not in COMPATIBLE_HEF_ARCHS.get(arch, ()):
        text = "HEF format is not compatible with device. Device arch: {}, HEF arch: {}".format(
            arch.name, hef_arch_name(hw_arch))
        fail(HailoStatus.HAILO_HEF_NOT_COMPATIBLE_WITH_DEVICE, text)
    warning = _SLOWER_HEF.get((arch, hw_arch))
    if warning:
        log.warning(warning)

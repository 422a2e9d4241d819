"""MIPI / ISP enums (P2, spec §5.5): values only; the simulated devices have no MIPI input."""
from hailo_platform.pyhailort._pyhailort import _PybindEnum

MipiDataTypeRx = _PybindEnum("MipiDataTypeRx", [
    ("RGB_444", 32), ("RGB_555", 33), ("RGB_565", 34), ("RGB_666", 35), ("RGB_888", 36), ("RAW_6", 40),
    ("RAW_7", 41), ("RAW_8", 42), ("RAW_10", 43), ("RAW_12", 44), ("RAW_14", 45)], module=__name__)
MipiPixelsPerClock = _PybindEnum("MipiPixelsPerClock", [
    ("PIXELS_PER_CLOCK_1", 0), ("PIXELS_PER_CLOCK_2", 1), ("PIXELS_PER_CLOCK_4", 2)], module=__name__)
_RANGES = [(80, 100), (100, 120), (120, 160), (160, 200), (200, 240), (240, 280), (280, 320), (320, 360),
           (360, 400), (400, 480), (480, 560), (560, 640), (640, 720), (720, 800), (800, 880), (880, 1040),
           (1040, 1200), (1200, 1350), (1350, 1500), (1500, 1750), (1750, 2000), (2000, 2250), (2250, 2500)]
MipiClockSelection = _PybindEnum("MipiClockSelection", [
    (f"SELECTION_{lo}_TO_{hi}_MBPS", i) for i, (lo, hi) in enumerate(_RANGES)] + [("SELECTION_AUTOMATIC", 63)],
    module=__name__)
MipiIspImageInOrder = _PybindEnum("MipiIspImageInOrder", [
    ("B_FIRST", 0), ("GB_FIRST", 1), ("GR_FIRST", 2), ("R_FIRST", 3)], module=__name__)
MipiIspImageOutDataType = _PybindEnum("MipiIspImageOutDataType", [("RGB_888", 36), ("YUV_422", 30)],
                                      module=__name__)
IspLightFrequency = _PybindEnum("IspLightFrequency", [("LIGHT_FREQ_60_HZ", 0), ("LIGHT_FREQ_50_HZ", 1)],
                                module=__name__)

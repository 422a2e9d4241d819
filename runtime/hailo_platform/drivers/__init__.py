"""Deprecated import location kept by pyHailoRT (use ``hailo_platform`` / ``hailo_platform.pyhailort``)."""
import warnings

warnings.warn("hailo_platform.drivers is deprecated, import from hailo_platform instead", DeprecationWarning,
              stacklevel=2)

"""``hailo_platform.pyhailort.power_measurement``: deprecated re-exports, as in pyHailoRT 4.21.0."""
import warnings

from hailo_platform.pyhailort.pyhailort import (  # noqa: F401  (re-exported names)
    AveragingFactor, DvmTypes, HailoPowerMeasurementUtils, HailoRTException, MeasurementBufferIndex,
    PowerMeasurementTypes, SamplingPeriod)

warnings.warn("Importing power_measurements directly is deprecated. One should use direct hailo_platform instead")  # noqa: B028 (as pyhailort warns)

# HailoRT User Guide 4.21.0, 5.7 "Python Power Measurement Tutorial", copied from the guide text
# (line breaks restored; the notebook magic "%matplotlib inline" is not Python and is left out).
import time
from hailo_platform import Device, DvmTypes, PowerMeasurementTypes, SamplingPeriod, AveragingFactor, MeasurementBufferIndex # noqa F401

target = Device()

single_power_measurement = target.control.power_measurement()
print('Power from single measurement: {} W'.format(single_power_measurement))

buffer_index = MeasurementBufferIndex.MEASUREMENT_BUFFER_INDEX_0
target.control.set_power_measurement(buffer_index=buffer_index)

target.control.start_power_measurement()

should_clear = True

for _ in range(10):
    time.sleep(1)
    # Get saved power measurement values from the firmware.
    measurements = target.control.get_power_measurement(buffer_index=buffer_index, should_clear=should_clear)
    print('Average power is {} W. Min power is {} W. Max power is {} W.\nAverage time between power samples is {} mS\n'.format(measurements.average_value, measurements.min_value, measurements.max_value, measurements.average_time_value_milliseconds))
# Stop performing periodic power measurement
target.control.stop_power_measurement()
target.release()

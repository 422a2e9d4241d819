"""The inference pipeline: formats, configured models, the scheduler and async jobs.

``hailo_platform`` is a thin facade over the classes here. The device itself (what a
frame computes and how long it takes) comes from ``hailort_sim.device`` through
``device_link``; everything between the user's buffers and the device's quantized
host-format arrays (quantization, orders, NMS layouts, queues, scheduling) lives here.
"""

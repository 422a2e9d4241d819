"""hailort_sim: a HailoRT 4.21.0 compatible runtime with a simulated Hailo device.

Data flows one way: HEF file (``hef``) -> model description (``hef.model``) -> configured
model and inference pipeline (``pipeline``) -> device (``device``, simulated) -> results.
``service`` runs the pipeline for other processes, ``cli`` is hailortcli and hailo, and
``hailo_platform`` (a sibling package) is the pyhailort-compatible facade over all of it.
"""
HAILORT_VERSION = "4.21.0"
__version__ = HAILORT_VERSION

"""Deprecated alias of ``hailo_platform.pyhailort.hw_object``."""
from hailo_platform.pyhailort.hw_object import *  # noqa: F401,F403

"""Deprecated alias of ``hailo_platform.pyhailort.pyhailort``."""
from hailo_platform.pyhailort.pyhailort import *  # noqa: F401,F403

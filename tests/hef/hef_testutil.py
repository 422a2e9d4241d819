"""Helpers shared by the HEF tests."""
import pytest

from hailort_sim.status import HailoRTException


def status_of(call, *args):
    """The HailoStatus name a call fails with (the test fails if it does not raise one)."""
    with pytest.raises(HailoRTException) as info:
        call(*args)
    return info.value.status.name

"""Fixtures for the HEF format tests (tests/hef)."""
import pytest

from hailort_sim.hef.samples import sample_bytes


@pytest.fixture(scope="session")
def resnet_hef() -> bytes:
    return sample_bytes("resnet_v1_18")

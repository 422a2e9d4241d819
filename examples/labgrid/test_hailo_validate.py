"""One test per hailo-validate check, on the labgrid target of --lg-env. The checks run once per
session (hailo_report); each test reports its check's result: PASS, SKIP with the reason, or
FAIL with the detail (pytest --junitxml gives CI the same view as hailo-validate --junit)."""
import pytest

from hailo_kit.validate.checks import CHECKS
from hailo_kit.validate.labgrid_plugin import outcome


@pytest.mark.parametrize("check", [c.id for c in CHECKS])
def test_hailo(hailo_report, check):
    outcome(hailo_report, check)

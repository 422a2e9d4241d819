"""The real HailoRT 4.21.0, built by scripts/hailort-oracle, as the oracle (docs/oracle.md).

Every test here needs HAILORT_ORACLE_DIR naming a built oracle (its manifest.json); without it
the whole area is skipped with that reason. Nothing of the oracle is committed.
"""
from pathlib import Path

import pytest

from oracle_env import ORACLE, TESTS, Oracle


def _skip_reason():
    if ORACLE is None:
        return ("set HAILORT_ORACLE_DIR to an oracle built by scripts/hailort-oracle build "
                "(the real HailoRT 4.21.0; see docs/oracle.md)")
    if not (ORACLE / "manifest.json").is_file():
        return f"HAILORT_ORACLE_DIR={ORACLE} has no manifest.json: not a built oracle (scripts/hailort-oracle build)"
    return None


def pytest_collection_modifyitems(config, items):
    """Skip the tests of modules that set NEEDS_ORACLE = True when there is no oracle."""
    reason = _skip_reason()
    if reason:
        for item in items:
            if getattr(item.module, "NEEDS_ORACLE", False) and Path(str(item.fspath)).resolve().parent == TESTS:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def oracle():
    return Oracle(ORACLE)

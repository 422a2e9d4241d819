"""Fixtures for the kas configuration tests (helpers live in kas_support.py: a module named
after the area, since this directory must not be a package called "kas", which is kas itself)."""
import pytest

from kas_support import make_offline_tree


@pytest.fixture(scope="session")
def offline_tree(tmp_path_factory):
    return make_offline_tree(tmp_path_factory)

"""Fixtures shared by every test area. Each area (tests/<area>/) keeps its own conftest.py."""

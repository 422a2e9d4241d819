"""Tests of the QEMU test target (hailo_kit.qemu). Unit tests run anywhere; the `qemu`-marked
ones use the session's qemu_image / qemu_target fixtures from tests/conftest.py."""

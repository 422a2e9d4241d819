"""Firmware and second-stage binaries in the real layout (firmware_header.h), for the tests."""
import struct

MAGIC_HAILO8 = 0x1DD89DE0
CORE_BIT, EXTENDED_BIT, DEV_BIT = 1 << 27, 1 << 29, 1 << 30


def image(major, minor, revision, code_size=128, magic=MAGIC_HAILO8, header_version=0):
    return struct.pack("<6I", magic, header_version, major, minor, revision, code_size) + bytes(code_size)


def certificate(key=b"k" * 16, content=b"c" * 32):
    return struct.pack("<2I", len(key), len(content)) + key + content


def firmware(major=4, minor=22, revision=0, core_revision=None, **options):
    """App image, certificate, core image (its revision carries the core bit)."""
    core = revision if core_revision is None else core_revision
    return image(major, minor, revision, **options) + certificate() + image(major, minor, core | CORE_BIT, **options)


def second_stage(major=1, minor=2, revision=0, **options):
    return image(major, minor, revision, **options) + certificate()

"""The HEF container: header versions 0-3, sizes, hashes, and the status of each failure."""
import hashlib
import struct
import zlib

import pytest

from hailort_sim.hef.container import HEADER_SIZES, build_container, parse_container
from hailort_sim.hef.reader import read_hef
from hailort_sim.hef.samples import sample_spec
from hailort_sim.hef.writer import write_hef

from hef_testutil import status_of


@pytest.mark.parametrize("version", [0, 1, 2, 3])
def test_layout_and_hash_of_each_version(version):
    xxhash = pytest.importorskip("xxhash", reason="the xxhash package is the reference (test extra)")
    proto = b"\x0a\x02\x08\x00" * 10
    ccws = b"" if version == 0 else bytes(range(200))
    data = build_container(proto, version, ccws=ccws)
    magic, got_version, proto_size = struct.unpack_from(">III", data)
    assert (magic, got_version, proto_size) == (0x01484546, version, len(proto))
    assert data[:4] == b"\x01HEF"
    size = HEADER_SIZES[version]
    hef = parse_container(data)
    assert bytes(hef.proto) == proto and bytes(hef.ccws) == ccws
    residue = data[size:]
    if version == 0:
        assert data[16:32] == hashlib.md5(proto).digest()
        assert hef.hash == hashlib.md5(proto).hexdigest()
    elif version == 1:
        assert struct.unpack_from(">I", data, 12)[0] == zlib.crc32(residue)
        assert struct.unpack_from(">Q", data, 16)[0] == len(ccws)
    else:
        value = xxhash.xxh3_64_intdigest(residue)
        assert struct.unpack_from(">QQ", data, 12) == (value, len(residue) - len(proto))
        # Hef::hash() prints the uint64 as it lies in (little-endian) memory
        assert hef.hash == value.to_bytes(8, "little").hex()
    if version == 3:
        padding = struct.unpack_from(">I", data, 28)[0]
        assert (56 + len(proto) + padding) % 4096 == 0
        assert hef.ccws_offset == 56 + len(proto) + padding


def test_v3_additional_info_is_covered_by_the_hash():
    data = build_container(b"\x0a\x00", 3, ccws=b"c" * 10, additional_info=b"external")
    hef = parse_container(data)
    assert bytes(hef.additional_info) == b"external"
    broken = data[:-1] + b"X"
    assert status_of(parse_container, broken) == "HAILO_HEF_FILE_CORRUPTED"


@pytest.mark.parametrize("version", [0, 1, 2, 3])
def test_wrong_hash_is_corrupted(version, tmp_path):
    data = bytearray(write_hef(sample_spec("shortcut_net"), version))
    data[-1] ^= 0x01
    assert status_of(read_hef, bytes(data)) == "HAILO_HEF_FILE_CORRUPTED"
    path = tmp_path / "bad.hef"
    path.write_bytes(bytes(data))
    assert status_of(read_hef, str(path)) == "HAILO_HEF_FILE_CORRUPTED"


@pytest.mark.parametrize("version", [0, 1, 2, 3])
def test_truncated_file_is_corrupted(version, tmp_path):
    data = write_hef(sample_spec("resnet_v1_18"), version)
    for cut in (len(data) - 1, len(data) // 2, HEADER_SIZES[version] + 1):
        assert status_of(read_hef, data[:cut]) == "HAILO_HEF_FILE_CORRUPTED"
        path = tmp_path / "cut.hef"
        path.write_bytes(data[:cut])
        assert status_of(read_hef, str(path)) == "HAILO_HEF_FILE_CORRUPTED"


def test_file_cut_inside_its_header_is_a_read_failure(tmp_path):
    # libhailort's FileReader::read fails before any check can run; a buffer this short is
    # "Invalid HEF header" (HAILO_HEF_FILE_CORRUPTED).
    data = write_hef(sample_spec("resnet_v1_18"), 2)
    path = tmp_path / "short.hef"
    for cut in (0, 5, 12, 30):
        path.write_bytes(data[:cut])
        assert status_of(read_hef, str(path)) == "HAILO_FILE_OPERATION_FAILURE"
        assert status_of(read_hef, data[:cut]) == "HAILO_HEF_FILE_CORRUPTED"


def test_trailing_bytes_are_corrupted():
    data = write_hef(sample_spec("resnet_v1_18"), 2)
    assert status_of(read_hef, data + b"\x00") == "HAILO_HEF_FILE_CORRUPTED"


@pytest.mark.parametrize("version", [0, 1, 2, 3])
def test_wrong_magic_is_not_supported(version):
    data = bytearray(write_hef(sample_spec("resnet_v1_18"), version))
    data[0:4] = b"\x7fELF"
    assert status_of(read_hef, bytes(data)) == "HAILO_HEF_NOT_SUPPORTED"


@pytest.mark.parametrize("bad_version", [4, 5, 0x100, 0xFFFFFFFF])
def test_unsupported_version_is_not_supported(bad_version, tmp_path):
    data = bytearray(write_hef(sample_spec("resnet_v1_18"), 2))
    data[4:8] = struct.pack(">I", bad_version)
    assert status_of(read_hef, bytes(data)) == "HAILO_HEF_NOT_SUPPORTED"
    path = tmp_path / "v.hef"
    path.write_bytes(bytes(data))
    assert status_of(read_hef, str(path)) == "HAILO_HEF_NOT_SUPPORTED"


def test_v3_ccws_smaller_than_padding_is_corrupted():
    data = bytearray(write_hef(sample_spec("resnet_v1_18"), 3))
    data[28:32] = struct.pack(">I", 0xFFFFFFF0)
    assert status_of(read_hef, bytes(data)) == "HAILO_HEF_FILE_CORRUPTED"


@pytest.mark.parametrize("version", [0, 1, 2, 3])
def test_protobuf_garbage_is_corrupted(version):
    garbage = b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01" + b"\x0a\xff\xff\x03junk"
    data = build_container(garbage, version)
    assert status_of(read_hef, data) == "HAILO_HEF_FILE_CORRUPTED"


def test_missing_file_is_open_failure(tmp_path):
    assert status_of(read_hef, str(tmp_path / "nope.hef")) == "HAILO_OPEN_FILE_FAILURE"
    assert status_of(read_hef, tmp_path) == "HAILO_OPEN_FILE_FAILURE"   # a directory


def test_source_type_is_checked():
    with pytest.raises(TypeError, match="file path"):
        read_hef(1234)


@pytest.mark.parametrize("proto", [b"\x0c", b"\x0a\x00\x0c", b"\x12\x02\x0c\x00"])
def test_stray_end_group_tag_is_corrupted(proto):
    # protobuf's C++ backend only warns here; libhailort's parser fails
    assert status_of(read_hef, build_container(proto, 2)) == "HAILO_HEF_FILE_CORRUPTED"

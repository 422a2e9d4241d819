"""The HEF file container: header (versions 0-3), integrity hash, protobuf and CCW sections.

Layout and checks follow libhailort 4.21.0 (``Hef::Impl::parse_hef_file`` for paths and
``parse_hef_memview`` for buffers), including which status each failure gives:
wrong magic or unknown version -> HAILO_HEF_NOT_SUPPORTED, size or hash mismatch ->
HAILO_HEF_FILE_CORRUPTED. All header integers are big-endian.
"""
import os
import struct
from dataclasses import dataclass

from hailort_sim.status import HailoStatus, raise_status

HEADER_MAGIC = 0x01484546
HEADER_SIZES = {0: 32, 1: 28, 2: 44, 3: 56}
COMMON_SIZE = 12
MAX_HEADER_SIZE = 56          # sizeof(hef__header_t): the minimum a memory buffer must hold
CCW_ALIGNMENT = 4096          # v3 pads the protobuf so that the CCW section starts aligned

_COMMON = struct.Struct(">III")
_V0 = struct.Struct(">I16s")
_V1 = struct.Struct(">IQI")
_V2 = struct.Struct(">QQQQ")
_V3 = struct.Struct(">QQIQQQ")


@dataclass(frozen=True)
class HefContainer:
    """A validated HEF file. Sections are offsets into ``data`` (no copies of the CCWs)."""
    data: bytes
    version: int
    proto_offset: int
    proto_size: int
    ccws_offset: int            # "offset zero point": CCW pointers are relative to it
    ccws_size: int
    additional_info_size: int
    hash: str                   # as Hef::hash(): lowercase hex of the value's bytes in memory

    @property
    def proto(self) -> memoryview:
        return memoryview(self.data)[self.proto_offset:self.proto_offset + self.proto_size]

    @property
    def ccws(self) -> memoryview:
        return memoryview(self.data)[self.ccws_offset:self.ccws_offset + self.ccws_size]

    @property
    def additional_info(self) -> memoryview:
        start = self.ccws_offset + self.ccws_size
        return memoryview(self.data)[start:start + self.additional_info_size]


def _xxh3(data) -> int:
    from hailort_sim.hef.xxh3 import xxh3_64
    return xxh3_64(data)


def read_file(path) -> bytes:
    """The file's bytes, or HAILO_OPEN_FILE_FAILURE as libhailort's FileReader::open."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise_status(HailoStatus.HAILO_OPEN_FILE_FAILURE,
                     f"Failed opening file, path: {os.fspath(path)} ({reason})")


def parse_container(data: bytes, from_file: bool = False) -> HefContainer:
    """Validate the header and hash of a whole HEF and locate its sections.

    ``from_file`` selects libhailort's file-path checks (a file cut inside its header is a
    read failure, HAILO_FILE_OPERATION_FAILURE); buffers must hold at least 56 bytes.
    """
    data = bytes(data)
    total = len(data)
    if from_file:
        if total < COMMON_SIZE:
            raise_status(HailoStatus.HAILO_FILE_OPERATION_FAILURE,
                         f"HEF file is {total} bytes, too short for the {COMMON_SIZE}-byte HEF header")
    elif total < MAX_HEADER_SIZE:
        raise_status(HailoStatus.HAILO_HEF_FILE_CORRUPTED,
                     f"Invalid HEF header: the buffer is {total} bytes, less than {MAX_HEADER_SIZE}")
    magic, version, proto_size = _COMMON.unpack_from(data, 0)
    if version not in HEADER_SIZES:
        raise_status(HailoStatus.HAILO_HEF_NOT_SUPPORTED,
                     f"Unsupported hef version {version} (this runtime reads header versions 0-3)")
    header_size = HEADER_SIZES[version]
    if total < header_size:
        raise_status(HailoStatus.HAILO_FILE_OPERATION_FAILURE,
                     f"HEF file is {total} bytes, too short for its {header_size}-byte v{version} header")
    residue = memoryview(data)[header_size:]
    ccws_size = additional = padding = 0
    if version == 0:
        _, expected_md5 = _V0.unpack_from(data, COMMON_SIZE)
        declared = proto_size
    elif version == 1:
        expected, ccws_size, _ = _V1.unpack_from(data, COMMON_SIZE)
        declared = proto_size + ccws_size
    elif version == 2:
        expected, ccws_size, _, _ = _V2.unpack_from(data, COMMON_SIZE)
        declared = proto_size + ccws_size
    else:
        expected, ccws_with_padding, padding, additional, _, _ = _V3.unpack_from(data, COMMON_SIZE)
        if ccws_with_padding < padding:
            raise_status(HailoStatus.HAILO_HEF_FILE_CORRUPTED,
                         "Invalid HEF - ccws size is smaller than padding size")
        ccws_size = ccws_with_padding - padding
        declared = proto_size + ccws_with_padding + additional

    if magic != HEADER_MAGIC:
        raise_status(HailoStatus.HAILO_HEF_NOT_SUPPORTED,
                     f"HEF magic does not match. Should be {HEADER_MAGIC:x} but detected magic - {magic:x}")
    if len(residue) != declared:
        raise_status(HailoStatus.HAILO_HEF_FILE_CORRUPTED,
                     f"HEF file length does not match: the header declares {declared} bytes after the "
                     f"{header_size}-byte header, the file has {len(residue)} (truncated or padded file?)")
    if version == 0:
        import hashlib   # imported here: loading OpenSSL costs start-up time, and v0 is rare
        digest = hashlib.md5(residue, usedforsecurity=False).digest()
        if digest != expected_md5:
            raise_status(HailoStatus.HAILO_HEF_FILE_CORRUPTED, "HEF md5 does not match")
        hash_text = digest.hex()
    elif version == 1:
        import zlib
        crc = zlib.crc32(residue) & 0xFFFFFFFF
        if crc != expected:
            raise_status(HailoStatus.HAILO_HEF_FILE_CORRUPTED,
                         f"HEF crc does not match, calculated: {crc}, expected: {expected}")
        hash_text = crc.to_bytes(4, "little").hex()
    else:
        value = _xxh3(residue)
        if value != expected:
            raise_status(HailoStatus.HAILO_HEF_FILE_CORRUPTED,
                         f"HEF xxhash does not match, calculated: {value}, expected: {expected}")
        hash_text = value.to_bytes(8, "little").hex()
    return HefContainer(data=data, version=version, proto_offset=header_size, proto_size=proto_size,
                        ccws_offset=header_size + proto_size + padding, ccws_size=ccws_size,
                        additional_info_size=additional, hash=hash_text)


def build_container(proto: bytes, version: int = 2, ccws: bytes = b"",
                    additional_info: bytes = b"") -> bytes:
    """A complete HEF file around ``proto``: header, hash, and (v1-v3) the CCW section.

    Version 3 pads the protobuf so that the CCW section starts on a 4 KiB boundary, as the
    Dataflow Compiler does; additional info (external resources) exists only in version 3.
    """
    if version not in HEADER_SIZES:
        raise ValueError(f"HEF header version must be 0..3, not {version!r}")
    if version == 0 and ccws:
        raise ValueError("header version 0 has no CCW section (config words go inline in the protobuf)")
    if version != 3 and additional_info:
        raise ValueError("only header version 3 carries additional info")
    import hashlib
    import zlib
    proto, ccws, additional_info = bytes(proto), bytes(ccws), bytes(additional_info)
    header_size = HEADER_SIZES[version]
    common = _COMMON.pack(HEADER_MAGIC, version, len(proto))
    if version == 0:
        return common + _V0.pack(0, hashlib.md5(proto, usedforsecurity=False).digest()) + proto
    if version == 1:
        residue = proto + ccws
        return common + _V1.pack(zlib.crc32(residue) & 0xFFFFFFFF, len(ccws), 0) + residue
    if version == 2:
        residue = proto + ccws
        return common + _V2.pack(_xxh3(residue), len(ccws), 0, 0) + residue
    padding = -(header_size + len(proto)) % CCW_ALIGNMENT
    residue = proto + bytes(padding) + ccws + additional_info
    distinct = _V3.pack(_xxh3(residue), padding + len(ccws), padding, len(additional_info), 0, 0)
    return common + distinct + residue

"""Our XXH3-64 against the reference implementation (the ``xxhash`` package)."""
import random

import pytest

xxhash = pytest.importorskip("xxhash", reason="the xxhash package is the reference (test extra)")

from hailort_sim.hef.xxh3 import xxh3_64  # noqa: E402

# Every branch of XXH3: 0, 1-3, 4-8, 9-16, 17-128 (each 32-byte step), 129-240, >240 (one
# partial block, exactly one block, several blocks, partial stripes, the numpy path).
LENGTHS = sorted(set(
    list(range(0, 260)) + [511, 512, 513, 1023, 1024, 1025, 1088, 2047, 2048, 2049, 3000, 4096,
                           65535, 65536, 65537, 65600, 200_003, 1 << 20, (1 << 20) + 63]))


@pytest.mark.parametrize("length", LENGTHS)
def test_matches_reference(length):
    data = random.Random(length).randbytes(length)
    assert xxh3_64(data) == xxhash.xxh3_64_intdigest(data)


def test_patterns_that_stress_carries():
    for pattern in (b"\x00", b"\xff", b"\x80\x7f"):
        for length in (3, 8, 16, 128, 240, 241, 1024, 5000, 70_000):
            data = (pattern * length)[:length]
            assert xxh3_64(data) == xxhash.xxh3_64_intdigest(data), (pattern, length)


def test_accepts_bytearray_and_memoryview():
    data = bytes(range(256)) * 300
    expected = xxhash.xxh3_64_intdigest(data)
    assert xxh3_64(bytearray(data)) == expected
    assert xxh3_64(memoryview(data)) == expected

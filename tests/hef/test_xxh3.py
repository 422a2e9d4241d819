"""XXH3-64: our implementation against the reference (the ``xxhash`` package), and the choice
between the two (``xxhash`` when installed, ours as the fallback)."""
import random
import sys

import pytest

from hailort_sim.hef import xxh3
from hailort_sim.hef.container import parse_container
from hailort_sim.hef.reader import read_hef
from hailort_sim.hef.samples import sample_spec
from hailort_sim.hef.writer import write_hef

xxh3_64_pure = xxh3.xxh3_64_pure

# Every branch of XXH3: 0, 1-3, 4-8, 9-16, 17-128 (each 32-byte step), 129-240, >240 (one
# partial block, exactly one block, several blocks, partial stripes, the numpy path).
LENGTHS = sorted(set(
    list(range(0, 260)) + [511, 512, 513, 1023, 1024, 1025, 1088, 2047, 2048, 2049, 3000, 4096,
                           65535, 65536, 65537, 65600, 200_003, 1 << 20, (1 << 20) + 63]))


@pytest.fixture(scope="module")
def xxhash():
    return pytest.importorskip("xxhash", reason="the xxhash package is the reference (test extra)")


@pytest.mark.parametrize("length", LENGTHS)
def test_matches_reference(length, xxhash):
    data = random.Random(length).randbytes(length)
    assert xxh3_64_pure(data) == xxhash.xxh3_64_intdigest(data)


def test_patterns_that_stress_carries(xxhash):
    for pattern in (b"\x00", b"\xff", b"\x80\x7f"):
        for length in (3, 8, 16, 128, 240, 241, 1024, 5000, 70_000):
            data = (pattern * length)[:length]
            assert xxh3_64_pure(data) == xxhash.xxh3_64_intdigest(data), (pattern, length)


@pytest.mark.parametrize("hash_function", ["xxh3_64", "xxh3_64_pure"])
def test_accepts_bytearray_and_memoryview(hash_function, xxhash):
    data = bytes(range(256)) * 300
    expected = xxhash.xxh3_64_intdigest(data)
    function = getattr(xxh3, hash_function)
    assert function(data) == function(bytearray(data)) == function(memoryview(data)) == expected


def test_the_xxhash_module_is_used_when_installed(xxhash):
    assert xxh3.xxh3_64 is xxhash.xxh3_64_intdigest


def test_ours_is_the_fallback_without_xxhash(monkeypatch):
    monkeypatch.setitem(sys.modules, "xxhash", None)     # makes "import xxhash" fail
    assert xxh3._select() is xxh3_64_pure


@pytest.mark.parametrize("version", [2, 3])
def test_hefs_read_the_same_with_either(version, monkeypatch):
    data = write_hef(sample_spec("resnet_v1_18"), version)
    with_module = parse_container(data).hash
    monkeypatch.setattr(xxh3, "xxh3_64", xxh3_64_pure)
    assert parse_container(data).hash == with_module
    assert read_hef(data).network_groups
    corrupted = data[:-1] + bytes([data[-1] ^ 1])
    with pytest.raises(Exception, match="xxhash does not match"):
        parse_container(corrupted)

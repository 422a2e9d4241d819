"""XXH3-64 (xxHash 0.8, seed 0, default secret): the integrity hash of HEF header v2/v3.

``xxh3_64`` is the ``xxhash`` module's C implementation when it is installed (optional:
meta-python packages it as python3-xxhash; about 20x faster on a 10 MB HEF), else
``xxh3_64_pure``: our own implementation of the published algorithm, as the target image may
have only numpy and protobuf. Short inputs use plain integers; long inputs are hashed block by
block, with the per-block accumulation vectorised in numpy (imported only then, so that
reading a small HEF does not pay numpy's import time). ``tests/hef/test_xxh3.py`` checks the
two give the same values.
"""
import struct

_M64 = 0xFFFFFFFFFFFFFFFF
P32_1, P32_2, P32_3 = 0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D
P64_1, P64_2, P64_3 = 0x9E3779B185EBCA87, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9
P64_4, P64_5 = 0x85EBCA77C2B2AE63, 0x27D4EB2F165667C5
PRIME_MX1, PRIME_MX2 = 0x165667919E3779F9, 0x9FB21C651E98DF25

SECRET = bytes.fromhex(
    "b8fe6c3923a44bbe7c01812cf721ad1cded46de9839097db7240a4a4b7b3671f"
    "cb79e64eccc0e578825ad07dccff7221b8084674f743248ee03590e6813a264c"
    "3c2852bb91c300cb88d0658b1b532ea371644897a20df94e3819ef46a9deacd8"
    "a8fa763fe39c343ff9dcbbc7c70b4f1d8a51e04bcdb45931c89f7ec9d9787364"
    "eac5ac8334d3ebc3c581a0fffa1363eb170ddd51b7f0da49d316552629d4689e"
    "2b16be587d47a1fc8ff8b8d17ad031ce45cb3a8f95160428afd7fbcabb4b407e")
_STRIPE = 64
_STRIPES_PER_BLOCK = (len(SECRET) - _STRIPE) // 8        # 16
_BLOCK = _STRIPE * _STRIPES_PER_BLOCK                    # 1024 bytes
_NUMPY_THRESHOLD = 64 * 1024  # below this, plain integers beat numpy's import + call overhead

_u32 = struct.Struct("<I").unpack_from
_u64 = struct.Struct("<Q").unpack_from
_u64x8 = struct.Struct("<8Q").unpack_from


def _r64(buf, off):
    return _u64(buf, off)[0]


def _r32(buf, off):
    return _u32(buf, off)[0]


def _mul128_fold64(a, b):
    p = a * b
    return (p & _M64) ^ (p >> 64)


def _avalanche(h):
    h ^= h >> 37
    h = (h * PRIME_MX1) & _M64
    return h ^ (h >> 32)


def _xxh64_avalanche(h):
    h ^= h >> 33
    h = (h * P64_2) & _M64
    h ^= h >> 29
    h = (h * P64_3) & _M64
    return h ^ (h >> 32)


def _rrmxmx(h, length):
    rotl = lambda x, r: ((x << r) | (x >> (64 - r))) & _M64  # noqa: E731
    h ^= rotl(h, 49) ^ rotl(h, 24)
    h = (h * PRIME_MX2) & _M64
    h ^= (h >> 35) + length
    h = (h * PRIME_MX2) & _M64
    return h ^ (h >> 28)


def _mix16(data, off, soff):
    lo = _r64(data, off)
    hi = _r64(data, off + 8)
    return _mul128_fold64(lo ^ _r64(SECRET, soff), hi ^ _r64(SECRET, soff + 8))


def _len_0to16(data, n):
    if n > 8:
        bitflip1 = _r64(SECRET, 24) ^ _r64(SECRET, 32)
        bitflip2 = _r64(SECRET, 40) ^ _r64(SECRET, 48)
        lo = _r64(data, 0) ^ bitflip1
        hi = _r64(data, n - 8) ^ bitflip2
        swapped = int.from_bytes(lo.to_bytes(8, "little"), "big")
        acc = (n + swapped + hi + _mul128_fold64(lo, hi)) & _M64
        return _avalanche(acc)
    if n >= 4:
        in1 = _r32(data, 0)
        in2 = _r32(data, n - 4)
        bitflip = _r64(SECRET, 8) ^ _r64(SECRET, 16)
        keyed = ((in2 + (in1 << 32)) & _M64) ^ bitflip
        return _rrmxmx(keyed, n)
    if n > 0:
        c1, c2, c3 = data[0], data[n >> 1], data[n - 1]
        combined = (c1 << 16) | (c2 << 24) | c3 | (n << 8)
        bitflip = _r32(SECRET, 0) ^ _r32(SECRET, 4)
        return _xxh64_avalanche(combined ^ bitflip)
    return _xxh64_avalanche(_r64(SECRET, 56) ^ _r64(SECRET, 64))


def _len_17to128(data, n):
    acc = (n * P64_1) & _M64
    if n > 32:
        if n > 64:
            if n > 96:
                acc += _mix16(data, 48, 96) + _mix16(data, n - 64, 112)
            acc += _mix16(data, 32, 64) + _mix16(data, n - 48, 80)
        acc += _mix16(data, 16, 32) + _mix16(data, n - 32, 48)
    acc += _mix16(data, 0, 0) + _mix16(data, n - 16, 16)
    return _avalanche(acc & _M64)


def _len_129to240(data, n):
    acc = (n * P64_1) & _M64
    for i in range(8):
        acc += _mix16(data, 16 * i, 16 * i)
    acc = _avalanche(acc & _M64)
    for i in range(8, n // 16):
        acc += _mix16(data, 16 * i, 16 * (i - 8) + 3)
    acc += _mix16(data, n - 16, 136 - 17)
    return _avalanche(acc & _M64)


_INIT_ACC = (P32_3, P64_1, P64_2, P64_3, P64_4, P32_2, P64_5, P32_1)
_SCRAMBLE_KEY = _u64x8(SECRET, len(SECRET) - _STRIPE)


def _accumulate_stripe(acc, data, off, soff):
    vals = _u64x8(data, off)
    keys = _u64x8(SECRET, soff)
    for i in range(8):
        v = vals[i]
        k = v ^ keys[i]
        acc[i ^ 1] = (acc[i ^ 1] + v) & _M64
        acc[i] = (acc[i] + (k & 0xFFFFFFFF) * (k >> 32)) & _M64


def _scramble(acc):
    for i in range(8):
        a = acc[i]
        a ^= a >> 47
        a ^= _SCRAMBLE_KEY[i]
        acc[i] = (a * P32_1) & _M64


def _full_blocks_python(acc, data, nb_blocks):
    for b in range(nb_blocks):
        base = b * _BLOCK
        for s in range(_STRIPES_PER_BLOCK):
            _accumulate_stripe(acc, data, base + s * _STRIPE, s * 8)
        _scramble(acc)


def _pack_lanes(values) -> int:
    """Eight 64-bit lanes as one integer with a 128-bit slot per lane (room for carries)."""
    return int.from_bytes(b"".join(v.to_bytes(8, "little") + bytes(8) for v in values), "little")


_SLOT_MASK = _pack_lanes([_M64] * 8)
_PACKED_SCRAMBLE_KEY = _pack_lanes(_SCRAMBLE_KEY)


def _full_blocks_numpy(acc, data, nb_blocks):
    """Accumulate all stripes of each block in numpy, then chain the per-block scrambles.

    Within a block the accumulation is a sum (order-free), so every block's contribution is
    computed at once. The scramble between blocks is sequential; it runs on the eight lanes
    packed into one Python integer (128-bit slots, so adds and the 32-bit multiply never
    carry into the next lane), which costs far less per block than numpy calls on 8 values.
    """
    import numpy as np
    keys = np.array([_u64x8(SECRET, s * 8) for s in range(_STRIPES_PER_BLOCK)], dtype=np.uint64)
    swap = [1, 0, 3, 2, 5, 4, 7, 6]
    lo32 = np.uint64(0xFFFFFFFF)
    shift32 = np.uint64(32)
    frombytes = int.from_bytes
    mask, key, prime = _SLOT_MASK, _PACKED_SCRAMBLE_KEY, P32_1
    state = _pack_lanes(acc)
    chunk_blocks = 2048  # bounds the temporaries to a few MB
    view = memoryview(data)
    for first in range(0, nb_blocks, chunk_blocks):
        count = min(chunk_blocks, nb_blocks - first)
        vals = np.frombuffer(view[first * _BLOCK:(first + count) * _BLOCK], dtype="<u8")
        vals = vals.reshape(count, _STRIPES_PER_BLOCK, 8)
        keyed = vals ^ keys
        # (lo32 * hi32) fits in 64 bits; uint64 sums wrap modulo 2**64 as XXH3 requires.
        per_block = ((keyed & lo32) * (keyed >> shift32)).sum(axis=1, dtype=np.uint64)
        per_block += vals.sum(axis=1, dtype=np.uint64)[:, swap]
        wide = np.zeros((count, 16), dtype="<u8")
        wide[:, 0::2] = per_block
        raw = wide.tobytes()
        for offset in range(0, count * 128, 128):
            state = (state + frombytes(raw[offset:offset + 128], "little")) & mask
            state = ((((state ^ (state >> 47)) & mask) ^ key) * prime) & mask
    packed = state.to_bytes(128, "little")
    acc[:] = [frombytes(packed[16 * i:16 * i + 8], "little") for i in range(8)]


def _hash_long(data, n):
    acc = list(_INIT_ACC)
    nb_blocks = (n - 1) // _BLOCK
    if n >= _NUMPY_THRESHOLD:
        _full_blocks_numpy(acc, data, nb_blocks)
    else:
        _full_blocks_python(acc, data, nb_blocks)
    base = nb_blocks * _BLOCK
    for s in range(((n - 1) - base) // _STRIPE):
        _accumulate_stripe(acc, data, base + s * _STRIPE, s * 8)
    _accumulate_stripe(acc, data, n - _STRIPE, len(SECRET) - _STRIPE - 7)
    result = (n * P64_1) & _M64
    for i in range(4):
        result += _mul128_fold64(acc[2 * i] ^ _r64(SECRET, 11 + 16 * i),
                                 acc[2 * i + 1] ^ _r64(SECRET, 11 + 16 * i + 8))
    return _avalanche(result & _M64)


def xxh3_64_pure(data) -> int:
    """XXH3_64bits(data) with seed 0, as an unsigned 64-bit integer (our implementation)."""
    data = bytes(data) if not isinstance(data, (bytes, bytearray, memoryview)) else data
    n = len(data)
    if n <= 16:
        return _len_0to16(data, n)
    if n <= 128:
        return _len_17to128(data, n)
    if n <= 240:
        return _len_129to240(data, n)
    return _hash_long(data, n)


def _select():
    """The ``xxhash`` module's XXH3-64 when it can be imported, else ours."""
    try:
        from xxhash import xxh3_64_intdigest
    except ImportError:
        return xxh3_64_pure
    return xxh3_64_intdigest


xxh3_64 = _select()

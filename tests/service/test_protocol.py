"""The wire protocol, the shared-memory arena, and the service's defences against bad input."""
import os
import random
import socket
import struct

import numpy as np
import pytest

from service_helpers import make_group, socket_path
from hailort_sim.hef.model import Architecture
from hailort_sim.service import protocol
from hailort_sim.service.shm import ClientArena, ServiceArena
from hailort_sim.status import HailoRTException, HailoStatus


def roundtrip(value, shm_put=None, shm_get=None):
    buffers = []
    packed = protocol.pack_value(value, buffers, shm_put)
    a, b = socket.socketpair()
    try:
        protocol.send_message(a, {"op": "x", "id": 1, "v": packed}, buffers)
        header, received = protocol.recv_message(b)
    finally:
        a.close()
        b.close()
    return protocol.unpack_value(header["v"], received, shm_get)


def test_values_cross_with_their_types():
    group = make_group("net", (4, 4, 3), (1, 1, 10), fps=100.0)
    nms = [[np.zeros((0, 5), np.float32), np.arange(10, dtype=np.float32).reshape(2, 5)]]
    value = {"group": group, "arch": Architecture.HAILO8, "status": HailoStatus.HAILO_TIMEOUT,
             "frames": np.arange(24, dtype=np.uint16).reshape(2, 4, 3), "nms": nms,
             1: (None, True, 2.5, "s", b"\x00\xff"), "empty": np.zeros((0, 3), np.uint8)}
    back = roundtrip(value)
    assert back["group"] == group                       # frozen dataclasses, enums and all
    assert back["arch"] is Architecture.HAILO8
    assert back["status"] == 4 and type(back["status"]) is int
    assert back["frames"].dtype == np.uint16 and np.array_equal(back["frames"], value["frames"])
    assert back["nms"][0][0].shape == (0, 5) and np.array_equal(back["nms"][0][1], nms[0][1])
    assert back[1] == (None, True, 2.5, "s", b"\x00\xff")
    assert back["empty"].shape == (0, 3)


def test_lists_of_like_arrays_travel_as_one_buffer():
    frame = [np.full((k % 3, 5), k, np.float32) for k in range(80)]     # an NMS frame
    buffers = []
    packed = protocol.pack_value([frame], buffers)
    assert len(buffers) == 1 and packed[0]["lens"][:4] == [0, 1, 2, 0]
    back = roundtrip([frame, [np.zeros((2, 5), np.float32), np.zeros((2, 4), np.float32)],
                      [np.zeros(3, np.uint8), "not an array"]])
    assert all(np.array_equal(a, b) and a.dtype == b.dtype for a, b in zip(back[0], frame))
    assert [a.shape for a in back[1]] == [(2, 5), (2, 4)]                # unlike rows: one by one
    assert back[2][1] == "not an array"


def test_what_cannot_cross_is_refused():
    with pytest.raises(TypeError):
        protocol.pack_value(object(), [])
    with pytest.raises(ValueError):
        protocol.unpack_value({"__dc__": "Popen", "f": {}}, [])
    with pytest.raises(ValueError):
        protocol.unpack_value({"dtype": "|O", "shape": [1], "__nd__": 0}, [bytearray(8)])
    with pytest.raises(ValueError):
        protocol.unpack_value({"__ref__": 3}, [])


def test_fds_and_malformed_frames():
    a, b = socket.socketpair()
    r, w = os.pipe()
    try:
        protocol.send_message(a, {"op": "arena", "id": 0}, fds=[r])
        fds = []
        header, _ = protocol.recv_message(b, fds)
        assert header["op"] == "arena" and len(fds) == 1
        os.write(w, b"z")
        assert os.read(fds[0], 1) == b"z"
        os.close(fds[0])
        a.sendall(struct.pack("<II", 5, 0) + b"notjs")
        with pytest.raises(protocol.ConnectionClosed):
            protocol.recv_message(b)
        a.sendall(struct.pack("<II", 1 << 31, 0))
        with pytest.raises(protocol.ConnectionClosed):
            protocol.recv_message(b)
        a.sendall(struct.pack("<II", 2, 1) + b"{}" + struct.pack("<Q", 1 << 40))   # 1 TiB buffer
        with pytest.raises(protocol.ConnectionClosed):
            protocol.recv_message(b)
        a.close()
        with pytest.raises(protocol.ConnectionClosed):
            protocol.recv_message(b)
    finally:
        for fd in (r, w):
            os.close(fd)
        b.close()


def test_arena_ring_never_overlaps_live_frames():
    arena = ClientArena(1 << 20)
    service_side = ServiceArena(os.dup(arena.fd))
    rng = random.Random(1)
    live = []
    try:
        for _ in range(5000):
            if live and rng.random() < 0.5:
                offset, array = live.pop(rng.randrange(len(live)))   # out-of-order frees
                assert bytes(service_side.get(offset, array.nbytes)) == array.tobytes()
                arena.free(offset)
            else:
                array = np.frombuffer(os.urandom(rng.randint(16384, 200000)), np.uint8)
                ref = arena.put(array)
                if ref is not None:
                    live.append((ref[0], array))
        for offset, array in live:
            assert bytes(service_side.get(offset, array.nbytes)) == array.tobytes()
        assert arena.put(np.zeros(100, np.uint8)) is None          # small: the socket is cheaper
        assert arena.put(np.zeros(2 << 20, np.uint8)) is None      # larger than the arena
        with pytest.raises(ValueError):
            service_side.get((1 << 20) - 10, 20)
    finally:
        service_side.close()
        arena.close()


def test_shared_memory_frames_arrive_intact(sim_env):
    arena = ClientArena(1 << 22)
    service_side = ServiceArena(os.dup(arena.fd))
    try:
        frame = np.random.default_rng(0).integers(0, 256, (1, 128, 128, 3), dtype=np.uint8)
        buffers = []
        packed = protocol.pack_value({"in": frame}, buffers, arena.put)
        assert buffers == [] and "__shm__" in packed["__map__"][0][1]
        back = protocol.unpack_value(packed, [], service_side.get)
        assert np.array_equal(back["in"], frame)
    finally:
        service_side.close()
        arena.close()


def test_garbage_and_forbidden_calls_do_not_hurt_the_service(service, sim_env):
    service()
    raw = socket.socket(socket.AF_UNIX)
    raw.connect(socket_path(sim_env))
    raw.sendall(b"\xff" * 64)
    raw.close()
    from hailort_sim.service.client import ServiceConnection
    connection = ServiceConnection()
    try:
        vdevice = connection.create_vdevice({"scheduling_algorithm": 1})
        for method in ("__init__", "backend", "release_core_op"):
            with pytest.raises(HailoRTException) as raised:
                vdevice.call(method)
            assert raised.value.status == HailoStatus.HAILO_INVALID_OPERATION
        with pytest.raises(HailoRTException) as raised:
            connection.call(999, "info")
        assert raised.value.status == HailoStatus.HAILO_INVALID_OPERATION
        assert vdevice.call("info")["device_ids"] == ["0000:01:00.0"]
    finally:
        connection.close()


def test_service_refuses_an_arena_that_could_shrink():
    fd = os.memfd_create("unsealed")
    os.ftruncate(fd, 1 << 16)
    with pytest.raises(ValueError):
        ServiceArena(fd)                      # it also closes the fd
    arena = ClientArena(1 << 16)
    try:
        import fcntl
        with pytest.raises(PermissionError):  # sealed: the client cannot shrink it either
            os.ftruncate(arena.fd, 4096)
        assert fcntl.fcntl(arena.fd, fcntl.F_GET_SEALS) & fcntl.F_SEAL_SHRINK
    finally:
        arena.close()

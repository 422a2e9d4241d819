"""Shared memory for frame data between a client and ``hailort_service``.

The client owns one arena per connection: an anonymous ``memfd`` (no name to leak, freed by
the kernel when both sides are gone, including after ``kill -9``), sealed against resizing
(so a client cannot crash the service with SIGBUS), sent to the service once as SCM_RIGHTS.
An input frame is copied once, from the user's buffer into the arena; the service computes
straight from a numpy view of it. The slot is freed when the frame's completion arrives.
When the arena is full, or shared memory is off (``HAILO_SERVICE_SHARED_MEMORY_OFF=1``, or a
TCP address), frames travel in the socket.
"""
import fcntl
import mmap
import os
import threading
from collections import OrderedDict

DEFAULT_ARENA_SIZE = 64 * 1024 * 1024   # virtual; pages are only allocated when touched
MIN_SHM_BYTES = 16 * 1024                # below this the socket is as cheap
_ALIGN = 64
_SEALS = fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW


def shared_memory_enabled(address_is_unix):
    return (address_is_unix and hasattr(os, "memfd_create")
            and os.environ.get("HAILO_SERVICE_SHARED_MEMORY_OFF", "") != "1")


class ClientArena:
    """A ring allocator over a memfd; frees may come out of order (models complete
    independently), the ring's tail advances past every freed block."""

    def __init__(self, size=DEFAULT_ARENA_SIZE):
        self.fd = os.memfd_create("hailort_service_frames", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
        os.ftruncate(self.fd, size)
        # Sealed size: the service maps it and must never fault (SIGBUS) on a shrunk file.
        fcntl.fcntl(self.fd, fcntl.F_ADD_SEALS, _SEALS | fcntl.F_SEAL_SEAL)
        self.size = size
        self.map = mmap.mmap(self.fd, size)
        self._lock = threading.Lock()
        self._blocks = OrderedDict()  # offset -> [length, freed], in allocation order
        self._head = 0                 # next free byte when allocating at the end

    def _allocate(self, length):
        length = (length + _ALIGN - 1) // _ALIGN * _ALIGN
        if length > self.size:
            return None
        if not self._blocks:
            self._head = 0
            offset = 0
        else:
            tail = next(iter(self._blocks))
            if self._head > tail:  # not wrapped: room at the end, else at the start
                if self._head + length <= self.size:
                    offset = self._head
                elif length <= tail:
                    offset = 0
                else:
                    return None
            elif self._head < tail:  # wrapped: room up to the oldest live block
                if self._head + length <= tail:
                    offset = self._head
                else:
                    return None
            else:  # head == tail with live blocks: full
                return None
        self._blocks[offset] = [length, False]
        self._head = offset + length
        return offset

    def put(self, array):
        """Copy ``array`` into the arena -> [offset, nbytes], or None (small or no room)."""
        nbytes = array.nbytes
        if nbytes < MIN_SHM_BYTES:
            return None
        with self._lock:
            offset = self._allocate(nbytes)
        if offset is None:
            return None
        import numpy as np
        np.frombuffer(self.map, dtype=np.uint8, count=nbytes, offset=offset)[:] = \
            array.reshape(-1).view(np.uint8)
        return [offset, nbytes]

    def free(self, offset):
        with self._lock:
            block = self._blocks.get(offset)
            if block is None:
                return
            block[1] = True
            while self._blocks:
                first = next(iter(self._blocks))
                if not self._blocks[first][1]:
                    break
                del self._blocks[first]

    def close(self):
        try:
            self.map.close()
        except BufferError:
            pass  # a view is still alive somewhere; the GC closes it
        try:
            os.close(self.fd)
        except OSError:
            pass


class ServiceArena:
    """The service's read-only view of a client's arena."""

    def __init__(self, fd):
        """Map a client's arena; refuses one whose size is not sealed (ValueError)."""
        try:
            if fcntl.fcntl(fd, fcntl.F_GET_SEALS) & _SEALS != _SEALS:
                raise ValueError("the shared-memory arena is not sealed against resizing")
            size = os.fstat(fd).st_size
            self.map = mmap.mmap(fd, size, prot=mmap.PROT_READ)
        finally:
            os.close(fd)
        self.size = size
        self._view = memoryview(self.map)

    def get(self, offset, length):
        if offset < 0 or length < 0 or offset + length > self.size:
            raise ValueError("shared-memory reference outside the arena")
        return self._view[offset:offset + length]

    def close(self):
        try:
            self._view.release()
            self.map.close()
        except BufferError:
            pass  # the backend still holds a frame view; the GC unmaps it

"""The wire protocol between ``hailort_service`` and its clients.

One stream socket (unix by default) per client VDevice. Every message is a frame::

    u32 header_len | u32 n_buffers | header (JSON, UTF-8) | n_buffers x (u64 len | bytes)

all little-endian. The header is a dict with at least ``op`` and ``id`` (the request id the
reply echoes). Values that are numpy arrays, nested in lists/dicts, travel as raw buffers
(``pack_value``/``unpack_value``): the JSON holds ``{"__nd__": i, "dtype", "shape"}`` and
buffer ``i`` the bytes, so no pickling (a client cannot make the service run code). A
buffer may instead be a reference to the client's shared-memory arena
(``{"__shm__": [offset, length]}``, see ``shm.py``): large input frames then cross the socket
as 30 bytes of JSON. File descriptors (the arena's memfd) ride along as SCM_RIGHTS.

Why not gRPC: the target has only Python, numpy and protobuf; a framed unix socket with
fd passing gives the same semantics (request/response, server-pushed completions) with a
single copy of frame data.
"""
import json
import socket
import struct

PROTOCOL_VERSION = 1
_HEAD = struct.Struct("<II")
_BUF_LEN = struct.Struct("<Q")
MAX_HEADER = 16 * 1024 * 1024
MAX_BUFFER = 1 << 30   # a frame larger than 1 GiB is a broken or hostile peer
MAX_FDS = 4

# ops (client -> service)
HELLO = "hello"                    # version handshake, first message
CALL = "call"                      # method call on a service-side object
RELEASE = "release"                # drop a service-side object
SUBMIT = "submit"                  # frames for a model; completion comes as COMPLETION
ARENA = "arena"                    # here is my shared-memory arena (fd attached)
PING = "ping"
# ops (service -> client)
REPLY = "reply"
COMPLETION = "completion"


class ConnectionClosed(Exception):
    """The peer closed the socket or it failed."""


def _recv_exact(sock, size, fds=None):
    """Read exactly ``size`` bytes; collect any SCM_RIGHTS fds into ``fds``."""
    buf = bytearray(size)
    view = memoryview(buf)
    got = 0
    while got < size:
        try:
            if fds is not None:
                data, received_fds, _flags, _addr = socket.recv_fds(sock, size - got, MAX_FDS)
                fds.extend(received_fds)
                n = len(data)
                view[got:got + n] = data
            else:
                n = sock.recv_into(view[got:])
        except OSError as error:
            raise ConnectionClosed(str(error)) from None
        if n == 0:
            raise ConnectionClosed("connection closed by peer")
        got += n
    return buf


def send_message(sock, header, buffers=(), fds=(), lock=None):
    """Send one frame. ``buffers`` are bytes-like (memoryviews of arrays are sent as is)."""
    head = json.dumps(header, separators=(",", ":")).encode()
    parts = [_HEAD.pack(len(head), len(buffers)), head]
    for buf in buffers:
        mv = memoryview(buf).cast("B")
        parts.append(_BUF_LEN.pack(mv.nbytes))
        parts.append(mv)
    try:
        if lock is not None:
            lock.acquire()
        try:
            if fds:
                socket.send_fds(sock, [parts[0]], list(fds))
                parts = parts[1:]
            _sendall_parts(sock, parts)
        finally:
            if lock is not None:
                lock.release()
    except OSError as error:
        raise ConnectionClosed(str(error)) from None


def _sendall_parts(sock, parts):
    # Small parts are joined (one syscall); large ones are sent without copying.
    pending = []
    for part in parts:
        if len(part) < 65536:
            pending.append(bytes(part))
            continue
        if pending:
            sock.sendall(b"".join(pending))
            pending = []
        sock.sendall(part)
    if pending:
        sock.sendall(b"".join(pending))


def recv_message(sock, fds=None):
    """Receive one frame -> (header dict, list of bytearrays). Raises ConnectionClosed."""
    head_len, n_buffers = _HEAD.unpack(_recv_exact(sock, _HEAD.size, fds))
    if head_len > MAX_HEADER or n_buffers > 1_000_000:
        raise ConnectionClosed("malformed frame (header {} bytes, {} buffers)".format(
            head_len, n_buffers))
    try:
        header = json.loads(_recv_exact(sock, head_len).decode())
    except ValueError:
        raise ConnectionClosed("malformed frame header") from None
    buffers = []
    for _ in range(n_buffers):
        (size,) = _BUF_LEN.unpack(_recv_exact(sock, _BUF_LEN.size))
        if size > MAX_BUFFER:
            raise ConnectionClosed("malformed frame (a {} byte buffer)".format(size))
        buffers.append(_recv_exact(sock, size) if size else bytearray())
    if not isinstance(header, dict):
        raise ConnectionClosed("malformed frame header")
    return header, buffers


_TYPES = None


def _types():
    """The classes that may cross the socket by name: the typed HEF model and device info."""
    global _TYPES
    if _TYPES is None:
        import dataclasses
        import enum
        from ..hef import model
        from ..pipeline import device_link
        types = {}
        for module in (model, device_link):
            for name, obj in vars(module).items():
                if isinstance(obj, type) and obj.__module__ == module.__name__ and (
                        dataclasses.is_dataclass(obj) or issubclass(obj, enum.Enum)):
                    types[name] = obj
        _TYPES = types
    return _TYPES


def pack_value(value, buffers, shm_put=None):
    """A JSON-able form of ``value``; arrays are appended to ``buffers`` (or put in shm).

    Handles None/bool/int/float/str, bytes, lists, tuples, dicts, numpy arrays, service
    objects (``handle`` refs), and the dataclasses and enums of ``hef.model`` and
    ``pipeline.device_link`` (by class name, so the receiver rebuilds the same types).
    """
    if value is None or isinstance(value, (bool, str, float)) or type(value) is int:
        return value
    if isinstance(value, dict):
        return {"__map__": [[pack_value(k, buffers, shm_put), pack_value(v, buffers, shm_put)]
                            for k, v in value.items()]}
    if isinstance(value, list):
        stacked = _pack_stack(value, buffers)
        if stacked is not None:
            return stacked
        return [pack_value(v, buffers, shm_put) for v in value]
    if isinstance(value, tuple):
        return {"__tuple__": [pack_value(v, buffers, shm_put) for v in value]}
    if isinstance(value, (bytes, bytearray)):
        buffers.append(value)
        return {"__bytes__": len(buffers) - 1}
    if type(value).__module__ == "numpy" and hasattr(value, "dtype"):
        import numpy as np
        array = np.asarray(value)
        if array.ndim == 0:
            return array.item()
        if not array.flags.c_contiguous:
            array = np.ascontiguousarray(array)
        desc = {"dtype": array.dtype.str, "shape": list(array.shape)}
        if shm_put is not None:
            ref = shm_put(array)
            if ref is not None:
                desc["__shm__"] = ref
                return desc
        buffers.append(array.data if array.size else b"")
        desc["__nd__"] = len(buffers) - 1
        return desc
    remote_handle = getattr(value, "remote_handle", None)
    if remote_handle is not None:
        return {"__ref__": remote_handle}
    name = type(value).__name__
    if _types().get(name) is type(value):
        import dataclasses
        if dataclasses.is_dataclass(value):
            return {"__dc__": name, "f": {f.name: pack_value(getattr(value, f.name), buffers)
                                          for f in dataclasses.fields(value)}}
        return {"__enum__": name, "v": value.value}
    if isinstance(value, int):
        return int(value)  # other int enums (HailoStatus, ...) travel as their C values
    raise TypeError("cannot send a {} to the service".format(name))


def _pack_stack(items, buffers):
    """A list of arrays of one dtype and row shape (an NMS frame: one ``(n, 5)`` float32
    array per class) as one buffer: one JSON entry instead of one per array."""
    if len(items) < 2 or type(items[0]).__module__ != "numpy":
        return None
    import numpy as np
    first = items[0]
    if not isinstance(first, np.ndarray) or first.ndim == 0 or first.dtype.hasobject:
        return None
    tail = first.shape[1:]
    for item in items:
        if not isinstance(item, np.ndarray) or item.dtype != first.dtype or item.ndim == 0 \
                or item.shape[1:] != tail:
            return None
    buffers.append(np.concatenate(items).data)
    return {"__stack__": len(buffers) - 1, "dtype": first.dtype.str, "tail": list(tail),
            "lens": [item.shape[0] for item in items]}


def _unpack_stack(packed, buffers):
    import numpy as np
    tail = tuple(packed["tail"])
    whole = np.frombuffer(buffers[packed["__stack__"]], dtype=np.dtype(packed["dtype"]))
    whole = whole.reshape((-1,) + tail)
    out, start = [], 0
    for length in packed["lens"]:
        out.append(whole[start:start + length])
        start += length
    if start != whole.shape[0]:
        raise ValueError("stacked arrays do not match their buffer")
    return out


def unpack_value(packed, buffers, shm_get=None, resolve=None):
    """Inverse of ``pack_value``. Arrays are views of the received buffers (no copy);
    ``resolve(handle)`` turns object refs back into objects (service side)."""
    if isinstance(packed, list):
        return [unpack_value(v, buffers, shm_get, resolve) for v in packed]
    if not isinstance(packed, dict):
        return packed
    if "__map__" in packed:
        return {_hashable(unpack_value(k, buffers, shm_get, resolve)):
                unpack_value(v, buffers, shm_get, resolve) for k, v in packed["__map__"]}
    if "__tuple__" in packed:
        return tuple(unpack_value(v, buffers, shm_get, resolve) for v in packed["__tuple__"])
    if "__bytes__" in packed:
        return bytes(buffers[packed["__bytes__"]])
    if "__stack__" in packed:
        return _unpack_stack(packed, buffers)
    if "__ref__" in packed:
        if resolve is None:
            raise ValueError("object reference where none may be")
        return resolve(packed["__ref__"])
    if "__dc__" in packed or "__enum__" in packed:
        cls = _types().get(packed.get("__dc__") or packed.get("__enum__"))
        if cls is None:
            raise ValueError("unknown type {!r}".format(packed.get("__dc__") or packed["__enum__"]))
        if "__enum__" in packed:
            return cls(packed["v"])
        return cls(**{k: unpack_value(v, buffers) for k, v in packed["f"].items()})
    import numpy as np
    dtype = np.dtype(packed["dtype"])
    if dtype.hasobject:
        raise ValueError("object arrays cannot cross the socket")
    shape = tuple(packed["shape"])
    if "__shm__" in packed:
        if shm_get is None:
            raise ValueError("shared-memory buffer without an arena")
        offset, length = packed["__shm__"]
        raw = shm_get(offset, length)
    else:
        raw = buffers[packed["__nd__"]]
    return np.frombuffer(raw, dtype=dtype).reshape(shape)


def _hashable(key):
    return tuple(key) if isinstance(key, list) else key

"""Just enough QMP to end a machine: greeting, capabilities, one command.
(qemu.qmp is asyncio-only; a blocking socket keeps stop() usable from atexit and signal
handlers.)"""
import json
import socket


def command(sock_path, name, timeout=3.0, **arguments):
    """Runs one QMP command; returns its "return" value. Raises OSError/ValueError on failure."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(str(sock_path))
        reader = s.makefile("r", encoding="utf-8")

        def reply():
            while True:
                line = reader.readline()
                if not line:
                    raise ValueError("QMP connection closed")
                msg = json.loads(line)
                if "event" not in msg:     # skip asynchronous events
                    return msg

        if "QMP" not in reply():
            raise ValueError("no QMP greeting")
        for cmd in ({"execute": "qmp_capabilities"},
                    {"execute": name, **({"arguments": arguments} if arguments else {})}):
            s.sendall(json.dumps(cmd).encode() + b"\n")
            msg = reply()
            if "error" in msg:
                raise ValueError(f"QMP {cmd['execute']}: {msg['error'].get('desc')}")
        return msg.get("return")

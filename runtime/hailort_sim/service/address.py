"""``HAILORT_SERVICE_ADDRESS``: where the service listens and clients connect.

gRPC-style addresses, as libhailort reads them: ``unix:///abs/path`` or ``unix:rel/path``
(a unix socket; the default is ``unix:///tmp/hailort_uds.sock``), or ``host:port`` (TCP,
as on Windows, ``127.0.0.1:50051``).
"""
import os
import socket

from ..status import HailoStatus, raise_status

DEFAULT_ADDRESS = "unix:///tmp/hailort_uds.sock"
ENV_VAR = "HAILORT_SERVICE_ADDRESS"


class Address:
    def __init__(self, text):
        self.text = text
        if text.startswith("unix://"):
            self.family, self.target = socket.AF_UNIX, text[len("unix://"):]
        elif text.startswith("unix:"):
            self.family, self.target = socket.AF_UNIX, text[len("unix:"):]
        else:
            host, sep, port = text.rpartition(":")
            if not sep or not host or not port.isdigit():
                raise_status(HailoStatus.HAILO_INVALID_ARGUMENT,
                             "Invalid {} {!r}: expected unix:///path/to/socket or host:port"
                             .format(ENV_VAR, text))
            self.family, self.target = socket.AF_INET, (host.strip("[]"), int(port))
        if self.family == socket.AF_UNIX and not self.target:
            raise_status(HailoStatus.HAILO_INVALID_ARGUMENT,
                         "Invalid {} {!r}: empty socket path".format(ENV_VAR, text))

    @property
    def is_unix(self):
        return self.family == socket.AF_UNIX

    def __str__(self):
        return self.text


def service_address():
    return Address(os.environ.get(ENV_VAR) or DEFAULT_ADDRESS)

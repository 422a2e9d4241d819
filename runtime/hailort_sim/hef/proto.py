"""Message classes for ``hef.proto``, built from the embedded descriptor.

Works with every protobuf runtime from 3.19 (Debian bookworm ships 3.21) to the newest
release: the classes are made from a private descriptor pool at import time instead of
protoc-generated code, which is tied to a runtime range.
"""
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

from hailort_sim.hef._hef_descriptor import SERIALIZED

_POOL = descriptor_pool.DescriptorPool()
_POOL.Add(descriptor_pb2.FileDescriptorProto.FromString(SERIALIZED))

if hasattr(message_factory, "GetMessageClass"):       # protobuf >= 4.22
    def _message_class(name):
        return message_factory.GetMessageClass(_POOL.FindMessageTypeByName(name))
else:                                                  # protobuf 3.19 .. 4.21
    _FACTORY = message_factory.MessageFactory(_POOL)

    def _message_class(name):
        return _FACTORY.GetPrototype(_POOL.FindMessageTypeByName(name))

ProtoHEFHef = _message_class("ProtoHEFHef")
ProtoHEFNetworkGroup = _message_class("ProtoHEFNetworkGroup")
ProtoHEFEdgeLayer = _message_class("ProtoHEFEdgeLayer")
ProtoHEFOp = _message_class("ProtoHEFOp")

try:
    from google.protobuf.internal import api_implementation
    WARNS_ON_STRAY_END_GROUP = api_implementation.Type() == "cpp"
except ImportError:  # pragma: no cover - a runtime without the internal module
    WARNS_ON_STRAY_END_GROUP = True

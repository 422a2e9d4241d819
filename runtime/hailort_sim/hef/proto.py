"""Message classes for ``hef.proto``, built from the embedded descriptor (``hailort_sim.protoclasses``)."""
from hailort_sim.hef._hef_descriptor import SERIALIZED
from hailort_sim.protoclasses import ProtoFile

_FILE = ProtoFile(SERIALIZED)
_POOL = _FILE.pool

ProtoHEFHef = _FILE.message_class("ProtoHEFHef")
ProtoHEFNetworkGroup = _FILE.message_class("ProtoHEFNetworkGroup")
ProtoHEFEdgeLayer = _FILE.message_class("ProtoHEFEdgeLayer")
ProtoHEFOp = _FILE.message_class("ProtoHEFOp")

try:
    from google.protobuf.internal import api_implementation
    WARNS_ON_STRAY_END_GROUP = api_implementation.Type() == "cpp"
except ImportError:  # pragma: no cover - a runtime without the internal module
    WARNS_ON_STRAY_END_GROUP = True

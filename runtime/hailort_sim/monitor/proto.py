"""Message classes for ``scheduler_mon.proto``, built from the embedded descriptor."""
from hailort_sim.monitor._scheduler_mon_descriptor import SERIALIZED
from hailort_sim.protoclasses import ProtoFile

_FILE = ProtoFile(SERIALIZED)

ProtoMon = _FILE.message_class("ProtoMon")
HOST_TO_DEVICE = _FILE.pool.FindEnumTypeByName("ProtoMonStreamDirection").values_by_name[
    "PROTO__STREAM_DIRECTION__HOST_TO_DEVICE"].number
DEVICE_TO_HOST = _FILE.pool.FindEnumTypeByName("ProtoMonStreamDirection").values_by_name[
    "PROTO__STREAM_DIRECTION__DEVICE_TO_HOST"].number

"""Message classes from an embedded serialized ``FileDescriptorProto`` (see ``gen_descriptor``).

Works with every protobuf runtime from 3.19 (Debian bookworm ships 3.21) to the newest
release: the classes are made from a private descriptor pool at import time instead of
protoc-generated code, which is tied to a runtime range.
"""
from google.protobuf import descriptor_pool, message_factory


class ProtoFile:
    """One .proto file's types, from its serialized descriptor."""

    def __init__(self, serialized: bytes):
        self.pool = descriptor_pool.DescriptorPool()
        # not pool.Add(descriptor_pb2...): the C++ and upb runtimes parse the bytes natively,
        # and importing descriptor_pb2 costs a quarter of a second on a slow target
        self.pool.AddSerializedFile(serialized)
        if not hasattr(message_factory, "GetMessageClass"):    # protobuf 3.19 .. 4.21
            self._factory = message_factory.MessageFactory(self.pool)

    def message_class(self, name: str):
        descriptor = self.pool.FindMessageTypeByName(name)
        if hasattr(message_factory, "GetMessageClass"):        # protobuf >= 4.22
            return message_factory.GetMessageClass(descriptor)
        return self._factory.GetPrototype(descriptor)

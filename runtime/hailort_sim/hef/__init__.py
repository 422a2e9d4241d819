"""HEF files: container, protobuf metadata, reader (``reader.read_hef``), writer and samples.

Nothing is imported here, so that ``hailort_sim.hef.model`` stays cheap to import; see README.md.
"""

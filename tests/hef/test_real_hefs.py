"""Real HEFs compiled by Hailo's Dataflow Compiler, when you have some.

    HAILO_REAL_HEF_DIR=/path/to/hefs pytest tests/hef/test_real_hefs.py -v

Every ``*.hef`` under the directory (recursively) must parse into a sensible model, from its
path and from its bytes alike. No real HEF is committed here (they are Hailo's binaries).
"""
import os
import pathlib

import pytest

from hailort_sim.hef.reader import read_hef

REAL_DIR = os.environ.get("HAILO_REAL_HEF_DIR", "")
REAL_HEFS = sorted(pathlib.Path(REAL_DIR).rglob("*.hef")) if REAL_DIR else []

pytestmark = pytest.mark.skipif(
    not REAL_HEFS,
    reason=("set HAILO_REAL_HEF_DIR to a directory of DFC-compiled .hef files to check them"
            if not REAL_DIR else f"no *.hef files under HAILO_REAL_HEF_DIR={REAL_DIR}"))


@pytest.mark.parametrize("path", REAL_HEFS, ids=[p.name for p in REAL_HEFS])
def test_real_hef_parses(path):
    model = read_hef(str(path))
    assert model == read_hef(path.read_bytes())
    assert model.network_groups and model.sdk_version
    for group in model.network_groups:
        assert group.networks and all(n.startswith(group.name + "/") for n in group.networks)
        assert group.input_vstreams and group.output_vstreams
        for vstream in group.input_vstreams + group.output_vstreams:
            assert 0 < len(vstream.name) < 128 and vstream.network_name in group.networks
            assert vstream.stream_names
        if len(group.output_vstreams) > 1:
            assert [v.name for v in group.output_vstreams] == \
                [n for n in group.sorted_output_names if n in {v.name for v in group.output_vstreams}]
        streams = {s.name for s in group.input_streams + group.output_streams}
        for op in group.ops:
            assert set(op.input_names) <= streams and op.description

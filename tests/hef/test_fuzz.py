"""Fuzzing the HEF reader: mutated HEFs give a HailoRT status or a model, never anything else.

10,500 mutated files in CI (deterministic, so a failure reproduces); ``scripts/fuzz-hef N``
runs longer random campaigns. Each input must finish within the hypothesis deadline.
"""
import random
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from hailort_sim.hef.model import HefModel
from hailort_sim.hef.reader import read_hef
from hailort_sim.status import HailoRTException

from hef_mutations import RAW_MUTATORS, REHASH_MUTATORS, seed_hefs

SEEDS = seed_hefs()


def fuzz(examples: int):
    return settings(max_examples=examples, deadline=timedelta(seconds=2), derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


def check(data: bytes):
    try:
        model = read_hef(data)
    except HailoRTException as error:
        assert error.status.name.startswith("HAILO_") and str(error)
        return
    assert isinstance(model, HefModel)
    for group in model.network_groups:
        # outputs in sorted-name order; a query meeting one not listed fails (unsorted_outputs)
        names = group.sorted_output_names
        listed = [v.name for v in group.output_vstreams if v.name in names]
        assert listed == sorted(listed, key=names.index)
        assert set(group.unsorted_outputs(group.output_vstreams)) <= {v.name for v in group.output_vstreams}


@fuzz(4000)
@given(seed=st.sampled_from(SEEDS), mutator=st.sampled_from(RAW_MUTATORS), rng=st.randoms(use_true_random=False))
def test_raw_byte_damage(seed, mutator, rng):
    check(mutator(rng, seed[2]))


@fuzz(3000)
@given(seed=st.sampled_from(SEEDS), rng=st.randoms(use_true_random=False))
def test_protobuf_byte_damage_behind_a_valid_hash(seed, rng):
    check(REHASH_MUTATORS[0](rng, seed[2]))


@fuzz(3500)
@given(seed=st.sampled_from(SEEDS), rng=st.randoms(use_true_random=False))
def test_protobuf_field_mutations_behind_a_valid_hash(seed, rng):
    check(REHASH_MUTATORS[1](rng, seed[2]))


@pytest.mark.parametrize("index", range(len(SEEDS)))
def test_seeds_are_valid(index):
    assert isinstance(read_hef(SEEDS[index][2]), HefModel)


def test_mutations_reach_the_semantic_reader():
    """The rehashed mutations must mostly get past the integrity check, or the fuzzing is blind."""
    rng = random.Random(7)
    statuses = {}
    for _ in range(400):
        data = REHASH_MUTATORS[1](rng, rng.choice(SEEDS)[2])
        try:
            read_hef(data)
            key = "ok"
        except HailoRTException as error:
            key = error.status.name
        statuses[key] = statuses.get(key, 0) + 1
    assert statuses.get("HAILO_HEF_FILE_CORRUPTED", 0) < 200, statuses
    assert len(statuses) >= 4, statuses


def test_fuzz_script_runs_a_small_campaign(tmp_path):
    import pathlib
    import subprocess
    script = pathlib.Path(__file__).resolve().parents[2] / "scripts" / "fuzz-hef"
    result = subprocess.run([str(script), "300", "--seed", "1", "--crash-dir", str(tmp_path)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "HAILO_HEF_FILE_CORRUPTED" in result.stdout and "field_mutation" in result.stdout
    assert result.stdout.rstrip().endswith("300 passed, 0 failed")

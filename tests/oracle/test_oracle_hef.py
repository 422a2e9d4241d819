"""Our HEF reader against the real libhailort: parse-hef text byte for byte, the Python HEF API
field by field, and the same status for broken files (docs/oracle.md lists what differs and why).

The HEFs: every sample of our writer (hailort_sim.hef.samples: every architecture, format
orders, NMS kinds, several network groups) at header version 2, the fuzz seeds (tests/hef) at
every header version 0-3, and any *.hef under HAILO_REAL_HEF_DIR.
"""
import json
import os
import random
import sys
from pathlib import Path

import pytest

from oracle_env import TESTS, ours_hailortcli

sys.path.insert(0, str(TESTS.parent / "hef"))
from hef_mutations import ALL_MUTATORS, seed_hefs  # noqa: E402  (tests/hef's fuzz seeds and mutators)

from hailort_sim.hef import samples  # noqa: E402
from hailort_sim.hef.container import HEADER_SIZES  # noqa: E402

NEEDS_ORACLE = True

REAL_DIR = os.environ.get("HAILO_REAL_HEF_DIR", "")
PARSE_FLAGS = ("--parse-streams", "--parse-vstreams")
# Differences that stay, each with its reason (docs/oracle.md, "What the oracle found").
EXPLAINED = {}


def _hef_set(folder: Path):
    files = {}
    for name in sorted(samples.SAMPLES):
        files[f"{name}.v2"] = samples.sample_bytes(name, 2)
    for name, version, data in seed_hefs():
        files.setdefault(f"{name}.v{version}", data)
    paths = []
    for stem, data in files.items():
        path = folder / f"{stem}.hef"
        path.write_bytes(data)
        paths.append(path)
    if REAL_DIR:
        paths += sorted(Path(REAL_DIR).rglob("*.hef"))
    return paths


def _broken_set(folder: Path):
    base = samples.sample_bytes("resnet_v1_18", 2)
    proto_start = HEADER_SIZES[2]
    broken = {
        "empty": b"",
        "20_bytes": base[:20],
        "bad_magic": b"\x00\x00\x00\x00" + base[4:],
        "version_9": base[:4] + (9).to_bytes(4, "big") + base[8:],
        "truncated": base[: len(base) // 2],
        "padded": base + b"\x00" * 64,
        "flipped_proto_byte": base[:proto_start + 40] + bytes([base[proto_start + 40] ^ 0xFF]) + base[proto_start + 41:],
        "wrong_hash": base[:12] + bytes([base[12] ^ 0x01]) + base[13:],   # the xxh3 field follows magic, version, size
        "garbage_proto": base[:proto_start] + bytes(random.Random(1).randrange(256) for _ in range(len(base) - proto_start)),
    }
    rng = random.Random(20261206)
    seeds = seed_hefs()
    for index in range(60):
        name, version, data = seeds[index % len(seeds)]
        mutator = ALL_MUTATORS[index % len(ALL_MUTATORS)]
        broken[f"fuzz{index:02d}_{name}.v{version}_{mutator.__name__}"] = mutator(rng, data)
    paths = []
    for stem, data in broken.items():
        path = folder / f"{stem}.hef"
        path.write_bytes(data)
        paths.append(path)
    paths.append(folder / "missing.hef")
    return paths


@pytest.fixture(scope="module")
def hefs(tmp_path_factory):
    return _hef_set(tmp_path_factory.mktemp("hefs"))


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    return _broken_set(tmp_path_factory.mktemp("broken"))


def test_enough_hefs_cover_every_header_version(hefs):
    versions = {p.stem.rsplit(".v", 1)[1] for p in hefs if ".v" in p.stem}
    assert len(hefs) >= 20 and versions >= {"0", "1", "2", "3"}


def _compare_cli(oracle, tmp_path, paths, flags):
    differences = []
    for path in paths:
        real = oracle.hailortcli(tmp_path, "parse-hef", str(path), *flags)
        ours = ours_hailortcli(tmp_path, "parse-hef", str(path), *flags)
        if (real.returncode, real.stdout) != (ours.returncode, ours.stdout):
            differences.append(f"{path.name} {' '.join(flags)}: real exit {real.returncode}, ours {ours.returncode}\n"
                               f"--- real\n{real.stdout}--- ours\n{ours.stdout}")
    return differences


def test_parse_hef_text_is_byte_identical(oracle, hefs, tmp_path):
    assert not _compare_cli(oracle, tmp_path, hefs, PARSE_FLAGS)


def test_parse_hef_without_flags_is_byte_identical(oracle, hefs, tmp_path):
    assert not _compare_cli(oracle, tmp_path, [p for p in hefs if p.stem.endswith(".v2")], ())


def test_broken_hefs_give_the_same_exit_status(oracle, broken, tmp_path):
    differences = []
    for path in broken:
        real = oracle.hailortcli(tmp_path, "parse-hef", str(path), *PARSE_FLAGS)
        ours = ours_hailortcli(tmp_path, "parse-hef", str(path), *PARSE_FLAGS)
        if real.returncode != ours.returncode or real.stdout != ours.stdout:
            differences.append(f"{path.name}: real {real.returncode} {real.stdout!r} / ours {ours.returncode} "
                               f"{ours.stdout!r}")
    assert not differences, "\n".join(differences)


def _dump(run, tmp_path, paths):
    proc = run([str(TESTS / "hef_api_dump.py"), *map(str, paths)])
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def _ours(tmp_path, paths):
    import subprocess
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAILORT_")}
    env["HAILORT_LOGGER_PATH"] = str(tmp_path)
    return subprocess.run([sys.executable, *paths], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)


def _field_differences(real, ours, path=""):
    if isinstance(real, dict) and isinstance(ours, dict):
        out = []
        for key in sorted(set(real) | set(ours)):
            out += _field_differences(real.get(key, "<absent>"), ours.get(key, "<absent>"), f"{path}/{key}")
        return out
    if isinstance(real, list) and isinstance(ours, list) and len(real) == len(ours):
        return [d for i, (r, o) in enumerate(zip(real, ours)) for d in _field_differences(r, o, f"{path}[{i}]")]
    return [] if real == ours else [(path, real, ours)]


@pytest.mark.parametrize("flavour", ["numpy2", "numpy1"])
def test_python_hef_api_matches(oracle, hefs, broken, tmp_path, flavour):
    paths = hefs + broken
    real = _dump(lambda args: oracle.run_python(tmp_path, args, flavour), tmp_path, paths)
    ours = _dump(lambda args: _ours(tmp_path, args), tmp_path, paths)
    differences = [d for d in _field_differences(real, ours) if not _explained(d)]
    assert not differences, "\n".join(f"{p}: real {r!r} ours {o!r}" for p, r, o in differences[:40])


def _explained(difference):
    path = difference[0]
    return any(key in path for key in EXPLAINED)

"""Our HEF reader against the real libhailort: parse-hef text byte for byte, the Python HEF API
field by field, and the same status for broken files (docs/oracle.md lists what differs and why).

The HEFs: every sample of our writer (hailort_sim.hef.samples: every architecture, format
orders, NMS kinds, several network groups) at header version 2, the fuzz seeds (tests/hef) at
every header version 0-3, and any *.hef under HAILO_REAL_HEF_DIR.
"""
import json
import os
import random
import signal
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

from oracle_env import TESTS, ours_hailortcli

sys.path.insert(0, str(TESTS.parent / "hef"))
from hef_mutations import ALL_MUTATORS, seed_hefs  # noqa: E402  (tests/hef's fuzz seeds and mutators)

from hailort_sim.hef import samples  # noqa: E402
from hailort_sim.hef.container import HEADER_SIZES  # noqa: E402

NEEDS_ORACLE = True

REAL_DIR = os.environ.get("HAILO_REAL_HEF_DIR", "")
PARSE_FLAGS = ("--parse-streams", "--parse-vstreams")


class Explained(NamedTuple):
    """A file on which the real library crashes, what ours does instead, and why."""
    real_cli: str      # the signal the real hailortcli dies of
    real_python: str   # the real HEF(path): the signal the process dies of, or the exception it raises
    ours: str          # the status ours gives (hailortcli's exit code, HEF()'s exception)
    reason: str


# Differences that stay, each with its reason (docs/oracle.md, "What the oracle found"), by file
# stem. Each is checked: the real side must still do exactly this, ours must give that status.
EXPLAINED = {
    "fuzz05_resnet_v1_18.v1_field_mutation": Explained(
        "SIGABRT", "IndexError", "HAILO_INVALID_HEF",
        "the core op's network_group_metadata is cleared, so the core op is named '' while the group is "
        "'resnet_v1_18': fill_networks_metadata keys the post-process ops by the core op's name and reads "
        "them back with std::map::at(group name), which throws std::out_of_range; hailortcli does not "
        "catch it (abort), pybind turns it into IndexError. The HEF is inconsistent: HAILO_INVALID_HEF"),
    "fuzz53_multi_network_shortcut_net.v1_field_mutation": Explained(
        "SIGSEGV", "SIGSEGV", "HAILO_INVALID_HEF",
        "the HAILO_NET_FLOW extension is dropped, so libhailort reads the legacy network-group fields, "
        "which hold no contexts; create_metadata_per_arch then reads dynamic_contexts[0] of an empty "
        "vector (segfault in ContextMetadata::const_input_layer_found). A core op without contexts is "
        "an invalid HEF: HAILO_INVALID_HEF"),
}


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
        explained = EXPLAINED.get(path.stem)
        if explained:
            if (_signal_name(real.returncode), ours.returncode) != (explained.real_cli, _status(explained.ours)):
                differences.append(f"{path.name} (explained: real {explained.real_cli}, ours {explained.ours}): "
                                   f"real {real.returncode}, ours {ours.returncode}")
        elif real.returncode != ours.returncode or real.stdout != ours.stdout:
            differences.append(f"{path.name}: real {real.returncode} {real.stdout!r} / ours {ours.returncode} "
                               f"{ours.stdout!r}")
    assert not differences, "\n".join(differences)


def _signal_name(returncode):
    return signal.Signals(-returncode).name if returncode < 0 else None


def _status(name):
    from hailort_sim.status import HailoStatus
    return int(HailoStatus[name])


def _dump(run, paths):
    """{path: what hef_api_dump.py says}; a file on which the process dies of a signal gets
    {"crash": <signal name>} and the dump goes on with the files after it."""
    results, rest = {}, [str(p) for p in paths]
    while rest:
        proc = run([str(TESTS / "hef_api_dump.py"), *rest])
        for line in proc.stdout.splitlines():
            entry = json.loads(line)
            results[entry["path"]] = entry["result"]
        rest = [p for p in rest if p not in results]
        if proc.returncode == 0 and not rest:
            break
        assert proc.returncode < 0 and rest, f"exit {proc.returncode}: {proc.stderr[-3000:]}"
        results[rest.pop(0)] = {"crash": _signal_name(proc.returncode)}
    return results


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
    if oracle.missing_pyhailort(flavour):
        pytest.skip(oracle.missing_pyhailort(flavour))
    paths = hefs + broken
    real = _dump(lambda args: oracle.run_python(tmp_path, args, flavour), paths)
    ours = _dump(lambda args: _ours(tmp_path, args), paths)
    differences = []
    for path in map(str, paths):
        explained = EXPLAINED.get(Path(path).stem)
        if explained:   # the real one crashes; ours raises the exception of the status we chose
            crash = explained.real_python.startswith("SIG")
            expected = ({"crash": explained.real_python} if crash else {"HEF": {"error": explained.real_python}},
                        {"HEF": {"error": _exception_name(explained.ours)}})
            if (real[path], ours[path]) != expected:
                differences.append((path + " (explained)", real[path], ours[path]))
        else:
            differences += _field_differences(real[path], ours[path], path)
    assert not differences, "\n".join(f"{p}: real {r!r} ours {o!r}" for p, r, o in differences[:40])


def _exception_name(status):
    from hailort_sim.status import HailoStatus, exception_for
    return type(exception_for(HailoStatus[status])).__name__

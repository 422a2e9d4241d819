#!/usr/bin/env python3
"""HEF parse speed: reading a ~10 MB HEF into a model against reading its bytes.

    python3 benchmarks/bench_hef.py [--runs 7] [--size-mb 10]

For header versions 2 and 3 (XXH3-64 over the whole file) and, for reference, 1 (CRC-32) and
0 (MD5), prints the median and best wall time of
* reading the file's bytes (the baseline: what any loader must do),
* ``read_hef(path)``: read + header + integrity hash + protobuf + model,
and their ratio; plus the hash alone (``xxh3_64``: the ``xxhash`` module when installed, which
``read_hef`` uses, and our pure-Python/numpy fallback ``xxh3_64_pure``), and ``hailort_sim.hef.reader``'s import time (with cached
bytecode, as installed) against the interpreter's start-up (the CLI's parse-hef path imports it).
The HEF is a yolov8n sample carrying ``--size-mb`` of config words, like a compiled model.
"""
import argparse
import dataclasses
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "runtime"))

from hailort_sim.hef.reader import read_hef  # noqa: E402
from hailort_sim.hef.samples import sample_spec  # noqa: E402
from hailort_sim.hef.writer import write_hef  # noqa: E402
from hailort_sim.hef.xxh3 import xxh3_64, xxh3_64_pure  # noqa: E402


def timed(call, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def read_bytes(path):
    with open(path, "rb") as handle:
        return handle.read()


def import_time(module, runs):
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    env = dict(os.environ, PYTHONPATH=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "runtime"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)   # measure as installed: with cached bytecode
    samples = [float(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                    check=True).stdout) for _ in range(runs + 1)][1:]
    return statistics.median(samples)


def timed_once(command):
    start = time.perf_counter()
    subprocess.run(command, check=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--size-mb", type=float, default=10.0)
    args = parser.parse_args()
    spec = dataclasses.replace(sample_spec("yolov8n"), ccws_size=int(args.size_mb * 1024 * 1024))
    print(f"HEF parse benchmark: yolov8n + {args.size_mb:g} MB of config words, {args.runs} runs, "
          f"median (best) in ms")
    print(f"XXH3-64 used by read_hef: {xxh3_64.__module__}.{xxh3_64.__name__}")
    print(f"{'header':>6} {'size MB':>8} {'read bytes':>16} {'read_hef':>16} {'ratio':>7} {'hash only':>16} "
          f"{'pure fallback':>16}")
    with tempfile.TemporaryDirectory() as tmp:
        for version in (2, 3, 1, 0):
            data = write_hef(spec, version)
            path = os.path.join(tmp, f"v{version}.hef")
            with open(path, "wb") as handle:
                handle.write(data)
            read_hef(path)                              # warm the page cache and the imports
            base_med, base_min = timed(lambda path=path: read_bytes(path), args.runs)
            parse_med, parse_min = timed(lambda path=path: read_hef(path), args.runs)
            residue = data[{0: 32, 1: 28, 2: 44, 3: 56}[version]:]
            pure = ""
            if version >= 2:
                hash_med, hash_min = timed(lambda residue=residue: xxh3_64(residue), args.runs)
                pure_med, pure_min = timed(lambda residue=residue: xxh3_64_pure(residue), args.runs)
                pure = f"{pure_med * 1e3:>8.2f} ({pure_min * 1e3:5.2f})"
            elif version == 1:
                import zlib
                hash_med, hash_min = timed(lambda residue=residue: zlib.crc32(residue), args.runs)
            else:
                import hashlib
                hash_med, hash_min = timed(lambda residue=residue: hashlib.md5(residue).digest(), args.runs)
            print(f"{'v%d' % version:>6} {len(data) / 1e6:>8.2f} "
                  f"{base_med * 1e3:>8.2f} ({base_min * 1e3:5.2f}) {parse_med * 1e3:>8.2f} ({parse_min * 1e3:5.2f}) "
                  f"{parse_med / base_med:>6.1f}x {hash_med * 1e3:>8.2f} ({hash_min * 1e3:5.2f}) {pure}")
    reader = import_time("hailort_sim.hef.reader", 7)
    startup = statistics.median(timed_once([sys.executable, "-c", "pass"]) for _ in range(7))
    print(f"import hailort_sim.hef.reader: {reader * 1e3:.1f} ms = {reader / startup:.2f}x the start-up of "
          f"'python3 -c pass' ({startup * 1e3:.1f} ms); medians of 7 fresh interpreters")
    return 0


if __name__ == "__main__":
    sys.exit(main())

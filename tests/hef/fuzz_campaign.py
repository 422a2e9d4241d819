"""A long fuzz campaign against the HEF reader (run by ``scripts/fuzz-hef N``).

Prints how many mutated HEFs ended in each status (OK = parsed into a model), per kind of
mutation, and the slowest input. Any exception that is not a HailoRTException is a bug: the
first few such inputs are saved for reproduction and the exit status is 1.
"""
import argparse
import collections
import os
import random
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from hailort_sim.hef.reader import read_hef  # noqa: E402
from hailort_sim.status import HailoRTException  # noqa: E402

from hef_mutations import ALL_MUTATORS, seed_hefs  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="fuzz-hef", description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, nargs="?", default=100_000, help="mutated HEFs to try")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: from the clock)")
    parser.add_argument("--crash-dir", default="fuzz-hef-crashes", help="where to save crashing inputs")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else int(time.time())
    rng = random.Random(seed)
    seeds = seed_hefs()
    by_status = collections.Counter()
    by_mutator = collections.defaultdict(collections.Counter)
    crashes = 0
    slowest = (0.0, "")
    started = time.perf_counter()
    for i in range(args.count):
        mutator = ALL_MUTATORS[i % len(ALL_MUTATORS)]
        name, version, base = rng.choice(seeds)
        data = mutator(rng, base)
        t0 = time.perf_counter()
        try:
            read_hef(data)
            outcome = "OK"
        except HailoRTException as error:
            outcome = error.status.name
        except Exception as error:  # a bug: the reader must only raise HailoRT statuses
            outcome = f"CRASH {type(error).__name__}"
            crashes += 1
            if crashes <= 10:
                os.makedirs(args.crash_dir, exist_ok=True)
                path = os.path.join(args.crash_dir, f"crash-{seed}-{i}.hef")
                with open(path, "wb") as handle:
                    handle.write(data)
                print(f"{path}: {name} v{version} {mutator.__name__}", file=sys.stderr)
                traceback.print_exc()
        elapsed = time.perf_counter() - t0
        if elapsed > slowest[0]:
            slowest = (elapsed, f"{mutator.__name__} on {name} v{version}")
        by_status[outcome] += 1
        by_mutator[mutator.__name__][outcome] += 1
    total = time.perf_counter() - started
    print(f"fuzz-hef: {args.count} mutated HEFs, seed {seed}, {total:.1f} s, "
          f"slowest input {slowest[0] * 1000:.1f} ms ({slowest[1]})")
    print(f"{'outcome':40} {'count':>8}")
    for outcome, count in by_status.most_common():
        print(f"{outcome:40} {count:>8}")
    print("per mutation:")
    for mutator, counter in sorted(by_mutator.items()):
        print(f"  {mutator:15} " + ", ".join(f"{k} {v}" for k, v in counter.most_common()))
    print(f"{args.count - crashes} passed, {crashes} failed")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())

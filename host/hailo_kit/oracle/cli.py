"""hailort-oracle: build the real HailoRT 4.21.0 here, offline, as our recipes would (docs/oracle.md).

    scripts/hailort-oracle build                       # cmake-3.28 (scarthgap's settings), numpy 1 and 2
    scripts/hailort-oracle build cmake-4 system-libs   # CMake 4.x (wrynose's); the system-libs PACKAGECONFIG
    scripts/hailort-oracle sources                     # only the source tree and externals tarball

Needs: git mirrors (HAILORT_MIRRORS, default /work/.mirror: hailo-ai+hailort and the externals'
repositories), the release checkouts for bitbake -e (HAILO_YOCTO_<RELEASE>, BITBAKE_USER when
root), PyPI for cmake and numpy. The first variant built is published as --oracle (a symlink):
point HAILORT_ORACLE_DIR at it for tests/oracle.
HAILORT_ORACLE_JOBS sets make's -j (default: the number of CPUs).
Exit status: 0 built, 1 a step failed (its log named), 64 usage error.
"""
from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
from pathlib import Path

from . import build, metadata, sources


EXIT_USAGE = 64


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def main(argv=None) -> int:
    parser = _Parser(prog="hailort-oracle", description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=Path(os.environ.get(
        "HAILORT_ORACLE_WORK", Path.home() / ".cache" / "hailo-kit" / "hailort-oracle")),
        help="sources, builds, tools and caches (HAILORT_ORACLE_WORK)")
    parser.add_argument("--oracle", type=Path, help="symlink to publish the first variant built at "
                        "(default <work>/oracle)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    b = sub.add_parser("build", help="build variants (default cmake-3.28)")
    b.add_argument("variants", nargs="*", metavar="VARIANT",
                   help=f"one or more of {', '.join(sorted(build.VARIANTS))} (default cmake-3.28)")
    b.add_argument("--numpy", default="numpy1,numpy2", help="pyhailort flavours, comma separated ('' for none)")
    b.add_argument("--no-publish", action="store_true", help="leave --oracle as it is")
    sub.add_parser("sources", help="make the source tree and the externals tarball only")
    args = parser.parse_args(argv)
    log = build.Log()
    work = args.work.resolve()
    try:
        if args.command == "sources":
            print(sources.source_tree(work, log))
            return 0
        variants = args.variants or ["cmake-3.28"]
        unknown = [v for v in variants if v not in build.VARIANTS]
        if unknown:
            parser.error(f"unknown variant {', '.join(unknown)}; choose from {', '.join(sorted(build.VARIANTS))}")
        flavours = [f for f in args.numpy.split(",") if f]
        unknown = [f for f in flavours if f not in build.NUMPY]
        if unknown:
            parser.error(f"--numpy: unknown {unknown}; choose from {sorted(build.NUMPY)}")
        for index, name in enumerate(variants):
            result = build.build_variant(work, build.VARIANTS[name], flavours, log)
            print(f"{name}: cmake {result.cmake_version}: " + ", ".join(
                f"{step} {seconds:.0f} s" for step, seconds in result.times.items()))
            if index == 0 and not args.no_publish:
                oracle = (args.oracle or work / "oracle")
                build.publish(result, oracle)
                print(f"HAILORT_ORACLE_DIR={oracle}")
    except (sources.SourceError, metadata.MetadataError, build.BuildError) as error:
        print(f"hailort-oracle: {error}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as error:     # a helper step (venv, pip, installer)
        print(f"hailort-oracle: {shlex.join(map(str, error.cmd))} failed (exit {error.returncode})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

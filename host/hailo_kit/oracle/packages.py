"""How oe-core's package.bbclass splits a recipe's install tree into its packages, for the
oracle's packaging check (tests/oracle/test_oracle_packaging.py)."""
import glob
import os
import re
from pathlib import Path


def installed(image: Path):
    """'/usr/lib/x' paths of every file and symlink under image."""
    out = set()
    for top, dirs, files in os.walk(image):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(top, d))]:
            out.add("/" + os.path.relpath(os.path.join(top, name), image))
    return out


def split(image: Path, packages, files_of):
    """{package: set of paths} as package.bbclass's populate_packages assigns them."""
    remaining = installed(image)
    result = {}
    for package in packages:
        claimed = set()
        for pattern in files_of.get(package, "").split():
            for match in glob.glob(str(image) + pattern):
                rel = "/" + os.path.relpath(match, image)
                if os.path.isdir(match) and not os.path.islink(match):
                    claimed |= {p for p in remaining if p.startswith(rel + "/")}
                elif rel in remaining:
                    claimed.add(rel)
        remaining -= claimed
        result[package] = claimed
    return result, remaining


def own_claims(data):
    """FILES entries set by our layers (bitbake -e history), expanded: [(package, path)]."""
    values = dict(data["values"])
    out = []
    for package, entries in data.get("own_files", {}).items():
        for entry in entries:
            for word in entry.split():
                expanded = re.sub(r"\$\{([A-Za-z_]+)\}", lambda m: values.get(m.group(1), m.group(0)), word)
                out.append((package, expanded))
    return out

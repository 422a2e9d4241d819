"""A small reader of BitBake metadata files for the layer tests (no BitBake needed).

It reads assignments (=, ?=, ??=, :=, +=, .=, =+, :append, :prepend, :remove, with override
suffixes such as RDEPENDS:${PN}), continuation lines, inherit and require lines and flags
(VAR[flag] = ...). Values are not expanded except ${PN}, ${BPN}, ${PV} and ${BP}, taken from the file
name. This is enough for checks on our own recipes, whose values are plain lists.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

_ASSIGN = re.compile(
    r'^(?:export\s+)?(?P<var>[A-Za-z0-9_\-\.${}/+:]+?)(?P<flag>\[[A-Za-z0-9_\-\.]+\])?'
    r'\s*(?P<op>\?\?=|\?=|:=|\+=|=\+|\.=|=\.|=)\s*(?P<quote>["\'])(?P<value>.*)(?P=quote)\s*$',
    re.S,
)


@dataclass
class Assignment:
    name: str          # e.g. "RDEPENDS:${PN}" (overrides kept)
    flag: str          # "" or the flag name
    op: str
    value: str
    line: int


@dataclass
class MetaFile:
    path: Path
    assignments: list = field(default_factory=list)
    inherits: list = field(default_factory=list)
    requires: list = field(default_factory=list)
    text: str = ""

    @property
    def pn(self):
        return self.path.name.split("_")[0].rsplit(".", 1)[0]

    @property
    def pv(self):
        stem = self.path.name.rsplit(".", 1)[0]
        return stem.split("_", 1)[1] if "_" in stem else ""

    def expand(self, value):
        return (value.replace("${BP}", "${BPN}-${PV}").replace("${PN}", self.pn)
                .replace("${BPN}", self.pn).replace("${PV}", self.pv))

    def values(self, name, flag=""):
        """Values assigned to name (with its override suffixes expanded), in file order."""
        return [self.expand(a.value) for a in self.assignments
                if self.expand(a.name) == self.expand(name) and a.flag == flag]

    def value(self, name, flag=""):
        found = self.values(name, flag)
        return found[-1] if found else None

    def has(self, name):
        return any(self.expand(a.name).split(":")[0] == name for a in self.assignments)

    def words(self, prefix):
        """All words of every variable whose name starts with prefix (e.g. "RDEPENDS")."""
        out = []
        for a in self.assignments:
            base = a.name.split(":")[0]
            if base == prefix and not a.flag:
                out.extend(w for w in self.expand(a.value).replace("\\", " ").split())
        return out


def _logical_lines(text):
    buf, start = [], None
    for number, raw in enumerate(text.splitlines(), 1):
        if start is None:
            start = number
        if raw.endswith("\\"):
            buf.append(raw[:-1] + "\n")
            continue
        buf.append(raw)
        yield start, "".join(buf)
        buf, start = [], None
    if buf:
        yield start, "".join(buf)


def read(path):
    path = Path(path)
    text = path.read_text()
    meta = MetaFile(path=path, text=text)
    in_function = in_def = False
    for line_no, line in _logical_lines(text):
        stripped = line.strip()
        if in_def:
            if line[:1] in (" ", "\t") or not stripped:
                continue
            in_def = False
        if in_function:
            if stripped == "}":
                in_function = False
            continue
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("{") and ("(" in stripped or stripped.startswith("python")):
            in_function = True
            continue
        if stripped.startswith("def "):
            in_def = True
            continue
        if stripped.startswith("inherit "):
            meta.inherits.extend(stripped.split()[1:])
            continue
        if stripped.startswith(("require ", "include ")):
            meta.requires.append(stripped.split()[1])
            continue
        match = _ASSIGN.match(stripped)
        if match:
            flag = (match.group("flag") or "").strip("[]")
            meta.assignments.append(
                Assignment(match.group("var"), flag, match.group("op"), match.group("value"), line_no))
    return meta

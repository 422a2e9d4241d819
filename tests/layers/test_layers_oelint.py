"""oelint-adv (the OE style-guide linter) on every recipe, bbappend and class of the layers."""

import subprocess
import sys
from pathlib import Path

import pytest

from layers_common import ROOT, layer_files

pytest.importorskip("oelint_adv", reason="oelint-adv is in the test extra: pip install -e '.[test]'")

# Each suppression with its reason. Everything else must report nothing.
SUPPRESSED = [
    # Needs the network (pings every HOMEPAGE); CI has none.
    "oelint.vars.homepageping",
    # Suggests BBCLASSEXTEND native/nativesdk: ours are target-only (drivers, firmware, a
    # hardware runtime, images); the rule is file-level and cannot be suppressed inline.
    "oelint.var.bbclassextend",
    # Suggests CVE_PRODUCT everywhere: images, packagegroups and our own runtime have no CVE
    # product; test_layers_structure checks that every recipe with upstream sources sets it.
    "oelint.var.suggestedvar.CVE_PRODUCT",
]


def oelint():
    candidates = [Path(sys.executable).with_name("oelint-adv")]
    found = next((c for c in candidates if c.exists()), None)
    return [str(found)] if found else [sys.executable, "-m", "oelint_adv"]


@pytest.mark.parametrize("release", ["scarthgap", "whinlatter", "wrynose"])
def test_oelint_adv_reports_nothing(release):
    files = [str(p) for p in layer_files("*.bb") + layer_files("*.bbappend") + layer_files("*.bbclass")]
    assert len(files) >= 13
    command = oelint() + ["--quiet", "--release", release]
    for rule in SUPPRESSED:
        command += ["--suppress", rule]
    proc = subprocess.run(command + files, cwd=ROOT, capture_output=True, text=True, timeout=120)
    findings = [line for line in (proc.stdout + proc.stderr).splitlines() if line.strip()]
    assert proc.returncode == 0 and not findings, "\n".join(findings)


def test_inline_suppressions_carry_a_reason():
    # A "# nooelint:" line must follow a comment line that says why.
    for path in layer_files("*.bb") + layer_files("*.bbappend") + layer_files("*.bbclass"):
        lines = path.read_text().splitlines()
        for number, line in enumerate(lines):
            if line.startswith("# nooelint:"):
                assert number > 0 and lines[number - 1].startswith("# ") and \
                    not lines[number - 1].startswith("# nooelint"), "%s:%d" % (path.name, number + 1)

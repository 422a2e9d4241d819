"""Shared by the layer tests: the three layers, their recipes, and the facts they must match."""

import os
import re
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "meta-hailo-libhailort" / "lib"))

import bbmeta  # noqa: E402

LAYERS = {
    "meta-hailo-libhailort": "hailo-libhailort",
    "meta-hailo-accelerator": "hailo-accelerator",
    "meta-hailo-vpu": "hailo-vpu",
}


def layer_files(pattern):
    return sorted(p for layer in LAYERS for p in (ROOT / layer).rglob(pattern)
                  if "__pycache__" not in p.parts)


def recipe_paths():
    return layer_files("*.bb")


def facts_path():
    candidates = [os.environ.get("HAILO_FACTS_MD"), ROOT.parent / "shared" / "spec" / "hailort-facts.md",
                  ROOT / ".." / "shared" / "spec" / "hailort-facts.md"]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def recipes():
    return {p.name: bbmeta.read(p) for p in recipe_paths()}


@pytest.fixture(scope="session")
def facts():
    """Values of hailort-facts.md section 0 and 10: {key: value}."""
    path = facts_path()
    if path is None:
        pytest.skip("hailort-facts.md not found (set HAILO_FACTS_MD, or keep shared/ beside the checkout)")
    text = path.read_text()
    out = {}
    for key, value in re.findall(r"^\| (?:md5 )?(.+?) \| `([0-9a-f]{32,40})`", text, re.M):
        out[key.strip()] = value
    section10 = text[text.index("## 10."):]
    fw = re.search(r"hailo8_fw\.4\.21\.0\.bin` with md5 `([0-9a-f]{32})`", section10)
    lic = re.search(r"`Hailo8/4\.21\.0/FW/LICENSE` with md5 `([0-9a-f]{32})`", section10)
    out["hailo8_fw.bin md5"] = fw.group(1)
    out["firmware LICENSE md5"] = lic.group(1)
    return out

"""The built oracle and our runtime's tools, run the same way (imported by tests/oracle)."""
import json
import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parents[1]
ORACLE = Path(os.environ["HAILORT_ORACLE_DIR"]) if os.environ.get("HAILORT_ORACLE_DIR") else None


class Oracle:
    """The built oracle: its tools, run in an environment of their own."""

    def __init__(self, root: Path):
        self.root = root
        self.manifest = json.loads((root / "manifest.json").read_text())

    def env(self, tmp: Path):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HAILORT_", "PYTHON"))}
        env["LD_LIBRARY_PATH"] = str(self.root / "lib")
        env["HAILORT_LOGGER_PATH"] = str(tmp)          # else the real CLI writes ./hailort.log
        return env

    def hailortcli(self, tmp: Path, *args):
        return subprocess.run([str(self.root / "bin" / "hailortcli"), *args], capture_output=True,
                              text=True, env=self.env(tmp), cwd=tmp, timeout=60)

    def missing_pyhailort(self, flavour="numpy2"):
        """Why this oracle has no pyhailort of that numpy flavour ("" when it has one)."""
        if self.manifest.get("no_pyhailort"):
            return f"the {self.manifest['variant']} variant: {self.manifest['no_pyhailort']}"
        if not (self.pythonpath(flavour) / "hailo_platform").is_dir():
            return f"this oracle has no pyhailort built for {flavour} (scripts/hailort-oracle build --numpy {flavour})"
        return ""

    def python(self, flavour="numpy2"):
        return self.root / f"venv-{flavour}" / "bin" / "python"

    def pythonpath(self, flavour="numpy2"):
        return self.root / ("python" if flavour == "numpy2" else f"python-{flavour}")

    def run_python(self, tmp: Path, args, flavour="numpy2"):
        env = self.env(tmp)
        env["PYTHONPATH"] = str(self.pythonpath(flavour))
        return subprocess.run([str(self.python(flavour)), *args], capture_output=True, text=True, env=env,
                              cwd=tmp, timeout=300)


def ours_hailortcli(tmp: Path, *args):
    """Our simulated runtime's hailortcli, as a user runs it (the venv's console script)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAILORT_")}
    env["HAILORT_LOGGER_PATH"] = str(tmp)
    return subprocess.run([str(Path(sys.executable).parent / "hailortcli"), *args], capture_output=True, text=True,
                          env=env, cwd=tmp, timeout=60)

"""Running GStreamer with our plugin: the system's gst tools and Python (GStreamer's Python
bindings are Debian packages, not in the virtual environment), the runtime from this tree and
libgsthailo.so built from it (runtime/gst-plugin)."""
import json
import os
import pathlib
import re
import shutil
import subprocess
import textwrap

ROOT = pathlib.Path(__file__).resolve().parents[2]
RUNTIME = ROOT / "runtime"
PLUGIN_SRC = RUNTIME / "gst-plugin"
PROBE = pathlib.Path(__file__).with_name("pipeline_probe.py")
SYSTEM_PYTHON = "/usr/bin/python3"     # the Python libgsthailo.so embeds (and gst-python's loader)
TIMEOUT = 120


def unavailable():
    """Why GStreamer with gst-python cannot run here, or None (scripts/setup installs it all)."""
    if shutil.which("gst-inspect-1.0") is None or shutil.which("gst-launch-1.0") is None:
        return "gst-inspect-1.0/gst-launch-1.0 are missing (gstreamer1.0-tools; scripts/setup installs it)"
    probe = "import gi, numpy, google.protobuf; gi.require_version('Gst', '1.0'); from gi.repository import Gst"
    if subprocess.run([SYSTEM_PYTHON, "-c", probe], capture_output=True).returncode != 0:
        return (f"{SYSTEM_PYTHON} lacks gi/Gst, numpy or protobuf (python3-gst-1.0, python3-numpy, "
                "python3-protobuf; scripts/setup installs them)")
    if shutil.which("make") is None or shutil.which("cc") is None or subprocess.run(
            ["pkg-config", "--exists", "gstreamer-1.0"], capture_output=True).returncode != 0:
        return ("cannot build libgsthailo.so: make, cc or GStreamer's headers are missing (make, gcc, "
                "pkg-config, libgstreamer1.0-dev; scripts/setup installs them)")
    return None


def build_plugin(outdir):
    """libgsthailo.so (the plugin "hailo") built into ``outdir``, as the recipe builds it."""
    r = subprocess.run(["make", "-s", "-C", str(PLUGIN_SRC), f"O={outdir}", f"PYTHON={SYSTEM_PYTHON}"],
                       capture_output=True, text=True)
    assert r.returncode == 0, f"building libgsthailo.so failed: {r.stdout}{r.stderr}"
    return outdir


def environment(tmp_path, config, registry, plugin_dir):
    env = dict(os.environ)
    for name in ("PYTHONHOME", "VIRTUAL_ENV", "HAILORT_CONSOLE_LOGGER_LEVEL"):
        env.pop(name, None)
    env.update(GST_PLUGIN_PATH=str(plugin_dir), GST_REGISTRY=str(registry), PYTHONPATH=str(RUNTIME),
               HAILORT_SIM_CONFIG=str(config), HAILORT_LOGGER_PATH="NONE", TMPDIR=str(tmp_path),
               PYTHONDONTWRITEBYTECODE="1")
    return env


class Gst:
    """gst-launch-1.0 / gst-inspect-1.0 / a Python script, in the test's environment."""

    def __init__(self, env):
        self.env = env

    def run(self, cmd, timeout=TIMEOUT, env=None):
        return subprocess.run(cmd, env=env or self.env, capture_output=True, text=True, timeout=timeout)

    def inspect(self, *args):
        return self.run(["gst-inspect-1.0", *args])

    def launch(self, pipeline, timeout=TIMEOUT):
        try:
            return self.run(["gst-launch-1.0", "-q", *pipeline.split()], timeout=timeout)
        except subprocess.TimeoutExpired as e:
            # gst-launch-1.0's race (1.22): its bus sync handler quits the main loop on an ERROR,
            # and an ERROR posted before g_main_loop_run() starts (a caps error while the source
            # negotiates) is lost, so it runs forever. Seen once in 23 runs; once more is fair,
            # only when that ERROR was printed; a second hang fails.
            err = e.stderr or b""       # the output so far (bytes, even with text=True)
            if "ERROR: from element" not in (err.decode(errors="replace") if isinstance(err, bytes) else err):
                raise
            return self.run(["gst-launch-1.0", "-q", *pipeline.split()], timeout=timeout)

    def probe(self, pipeline, timeout=60.0):
        """Run ``pipeline`` with pipeline_probe.py: its JSON result (see that module)."""
        r = self.run([SYSTEM_PYTHON, str(PROBE), pipeline, str(timeout)], timeout=timeout + 60)
        assert r.returncode == 0 and r.stdout.strip(), f"probe failed ({r.returncode}): {r.stderr[-2000:]}"
        assert "Traceback" not in r.stderr, r.stderr[-2000:]
        result = json.loads(r.stdout.strip().splitlines()[-1])
        result["stderr"] = r.stderr
        return result

    def python(self, script, *args, timeout=TIMEOUT):
        return self.run([SYSTEM_PYTHON, "-c", textwrap.dedent(script), *map(str, args)], timeout=timeout)


PROPERTY_LIST = pathlib.Path(__file__).with_name("libgsthailo-4.21.0-properties.txt")
ELEMENTS = ("hailonet", "hailodevicestats")


def committed():
    """{element: {property: [type, default, min, max]}} of libgsthailo 4.21.0 (the committed list)."""
    rows = {}
    for line in PROPERTY_LIST.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            element, name, *rest = line.split()
            rows.setdefault(element, {})[name] = rest
    return rows


def inspected(text):
    """{property: [type, default, min, max, flags]} from gst-inspect-1.0's "Element Properties"."""
    section = text.split("Element Properties:", 1)[1].split("\n\n", 1)[0]
    props = {}
    for name, body in re.findall(r"^  (\S+)\s*: .*\n((?:^ {20,}.*\n?)+)", section, re.M):
        lines = [line.strip() for line in body.strip().splitlines()]
        flags, kind = lines[0], lines[1]
        if m := re.match(r'Enum "(\w+)" Default: (-?\d+)', kind):
            props[name] = [f"Enum:{m[1]}", m[2]]
        elif m := re.match(r"(Unsigned Integer|Float)\. Range:\s*(\S+) -\s*(\S+) Default:\s*(\S+)", kind):
            props[name] = [m[1].replace(" ", "-"), m[4], m[2], m[3]]
        elif m := re.match(r"(String|Boolean)\. Default: (.*)", kind):
            props[name] = [m[1], m[2].strip()]
        else:
            props[name] = [kind]
        props[name].append(flags.removeprefix("flags:").strip())
    return props


def assert_real_properties(element, inspect_output):
    """gst-inspect-1.0 ELEMENT shows exactly libgsthailo's properties, types, defaults, ranges."""
    assert "Traceback" not in inspect_output
    ours = inspected(inspect_output)
    real = committed()[element]
    assert set(ours) - {"name", "parent"} == set(real)
    for name, fields in real.items():
        assert ours[name][:-1] == fields, name
        readonly = name in ("power-measurement", "temperature")
        assert ours[name][-1] == ("readable" if readonly else "readable, writable"), name


# gsthailoplugin.cpp (GST_PLUGIN_DEFINE) and CMakeLists.txt (VERSION, PACKAGE) of HailoRT 4.21.0
PLUGIN_DETAILS = {"Name": "hailo", "Description": "hailo gstreamer plugin", "Version": "1.0",
                  "License": "unknown", "Source module": "hailo", "Binary package": "GStreamer",
                  "Origin URL": "http://gstreamer.net/"}


def assert_hailo_plugin(inspect_output):
    """`gst-inspect-1.0 hailo` shows libgsthailo's plugin details and our two elements (the real
    plugin has a third, the deprecated synchailonet, which we do not provide)."""
    details = dict(re.findall(r"^  (\S.*?)\s{2,}(.*)$", inspect_output.split("\n\n")[0], re.M))
    assert {k: details.get(k) for k in PLUGIN_DETAILS} == PLUGIN_DETAILS, inspect_output
    assert details["Filename"].endswith("/libgsthailo.so"), inspect_output
    features = re.findall(r"^  (\w+): (.*)$", inspect_output, re.M)
    assert features == [("hailodevicestats", "hailodevicestats element"), ("hailonet", "hailonet element")]
    assert "2 features:\n  +-- 2 elements" in inspect_output

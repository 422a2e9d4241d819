"""The root distribution and the runtime-only distribution stay in step."""
import pathlib
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]


def load(path):
    return tomllib.loads((ROOT / path).read_text())["project"]


def test_runtime_scripts_are_the_roots():
    root, runtime = load("pyproject.toml"), load("runtime/pyproject.toml")
    for name, target in runtime["scripts"].items():
        assert root["scripts"][name] == target


def test_runtime_depends_on_numpy_and_protobuf_only():
    deps = {d.split(">")[0].split("=")[0].strip() for d in load("runtime/pyproject.toml")["dependencies"]}
    assert deps == {"numpy", "protobuf"}


def test_versions_are_hailort_4_21_0():
    import hailort_sim
    assert load("pyproject.toml")["version"] == load("runtime/pyproject.toml")["version"] == "4.21.0"
    assert hailort_sim.__version__ == "4.21.0"

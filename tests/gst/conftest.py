"""Fixtures for the GStreamer tests: the system's GStreamer with our plugin, one simulated
Hailo-8, the sample HEFs."""
import pytest

from hailort_sim.hef.samples import write_samples

from gst_helpers import Gst, build_plugin, environment, unavailable

ONE_DEVICE = "[device0]\narchitecture = HAILO8\n"


@pytest.fixture(scope="session")
def gst_registry(tmp_path_factory):
    reason = unavailable()
    if reason:
        pytest.skip(reason)
    return tmp_path_factory.mktemp("gst") / "registry.bin"


@pytest.fixture(scope="session")
def gst_plugin_dir(tmp_path_factory, gst_registry):
    """GST_PLUGIN_PATH: a directory with libgsthailo.so built from this tree."""
    return build_plugin(tmp_path_factory.mktemp("gst-plugin"))


@pytest.fixture(scope="session")
def hefs(tmp_path_factory):
    """Sample HEFs by name (resnet_v1_18, shortcut_net, yolov8n, ...): their paths."""
    outdir = tmp_path_factory.mktemp("hefs")
    names = ["resnet_v1_18", "shortcut_net", "yolov8n", "ssd_mobilenet_v1", "multi_network_shortcut_net",
             "resnet_v1_18_hailo15h", "resnet_v1_18_hailo8l"]
    return {path.rsplit("/", 1)[1][:-4]: path for path in write_samples(str(outdir), names)}


@pytest.fixture
def sim_config(tmp_path):
    path = tmp_path / "hailort-sim.conf"
    path.write_text(ONE_DEVICE)
    return path


@pytest.fixture
def gst(tmp_path, sim_config, gst_registry, gst_plugin_dir):
    return Gst(environment(tmp_path, sim_config, gst_registry, gst_plugin_dir))

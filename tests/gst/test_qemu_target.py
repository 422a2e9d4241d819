"""On the QEMU target (the simulated image: python3-hailort-sim-gst installed as the layer's
recipe installs it): gst-inspect-1.0 shows the plugin "hailo" and both elements with libgsthailo's
properties, and an application reads hailonet's tensors from an appsink."""
import pytest

from gst_helpers import ELEMENTS, assert_hailo_plugin, assert_real_properties

pytestmark = pytest.mark.qemu

APP = r"""
import hashlib, sys, gi
gi.require_version("Gst", "1.0")
from gi.repository import Gst
from hailort_sim.gst import output_tensors
Gst.init(None)
p = Gst.parse_launch("videotestsrc num-buffers=5 ! hailonet hef-path=%s ! appsink name=s sync=false")
s = p.get_by_name("s")
p.set_state(Gst.State.PLAYING)
for i in range(5):
    buf = s.emit("pull-sample").get_buffer()
    ok, m = buf.map(Gst.MapFlags.READ)
    frame = hashlib.sha256(bytes(m.data)).hexdigest()
    buf.unmap(m)
    (name, t), = output_tensors(buf).items()
    print(name, hashlib.sha256(t.data).hexdigest() == frame, t.info.shape.height, t.info.shape.width)
p.set_state(Gst.State.NULL)
"""


def test_inspect_the_hailo_plugin(qemu_target):
    """Issue 14: `gst-inspect-1.0 hailo` lists both elements on the target (the registry the
    image's first gst-inspect-1.0 wrote, or a fresh one)."""
    for command in ("gst-inspect-1.0 hailo", "GST_REGISTRY=$(mktemp -u) gst-inspect-1.0 hailo"):
        r = qemu_target.run(command, timeout=300)
        assert r.exit_status == 0, r.out + r.err
        assert_hailo_plugin(r.out)


@pytest.mark.parametrize("element", ELEMENTS)
def test_elements_listed_with_the_real_properties(qemu_target, element):
    r = qemu_target.run(f"gst-inspect-1.0 {element}", timeout=300)
    assert r.exit_status == 0, r.out + r.err
    assert_real_properties(element, r.out)


def test_appsink_application_reads_the_tensors(qemu_target):
    from hailo_kit.qemu import config
    hef = f"/{config.SAMPLES_DIR}/shortcut_net.hef"
    r = qemu_target.run(f"python3 - <<'EOF'\n{APP % hef}\nEOF", timeout=300)
    assert r.exit_status == 0, r.out + r.err
    assert r.out.splitlines() == ["shortcut_net/output_layer1 True 224 224"] * 5, r.out + r.err

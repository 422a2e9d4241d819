"""parse-hef on sample HEF files from the committed generator (hailort_sim.hef.samples).

The expected texts are written by hand from the spec's output format (runtime-spec §12.2)
and the samples' definitions (shapes, names, NMS parameters) — not captured from our output.
"""
import pytest

samples = pytest.importorskip("hailort_sim.hef.samples", reason="the HEF sample generator is not there")


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("hefs")
    samples.write_samples(str(directory), ["resnet_v1_18", "shortcut_net", "yolov8n", "ssd_mobilenet_v1",
                                           "multi_network_shortcut_net", "multi_network_group",
                                           "resnet_v1_18_hailo8l", "resnet_v1_18_hailo15m", "shortcut_net_hailo10h"])
    return directory


RESNET = """\
Architecture HEF was compiled for: HAILO8
Network group name: resnet_v1_18, Single Context
    Network name: resnet_v1_18/resnet_v1_18
        VStream infos:
            Input  resnet_v1_18/input_layer1 UINT8, NHWC(224x224x3)
            Output resnet_v1_18/fc1 UINT8, NC(1000)
"""
SHORTCUT = """\
Architecture HEF was compiled for: HAILO8
Network group name: shortcut_net, Single Context
    Network name: shortcut_net/shortcut_net
        VStream infos:
            Input  shortcut_net/input_layer1 UINT8, NHWC(224x224x3)
            Output shortcut_net/output_layer1 UINT8, NHWC(224x224x3)
"""
YOLOV8N = """\
Architecture HEF was compiled for: HAILO8
Network group name: yolov8n, Single Context
    Network name: yolov8n/yolov8n
        VStream infos:
            Input  yolov8n/input_layer1 UINT8, NHWC(640x640x3)
            Output yolov8n/yolov8n_nms_postprocess FLOAT32, HAILO NMS BY CLASS(number of classes: 80, maximum bounding boxes per class: 100, maximum frame size: 160320)
            Operation:
                Op YOLOV8
                Name: YOLOV8-Post-Process
                Score threshold: 0.200
                IoU threshold: 0.70
                Classes: 80
                Max bboxes per class: 100
                Image height: 640
                Image width: 640
"""
SSD = """\
Architecture HEF was compiled for: HAILO8
Network group name: ssd_mobilenet_v1, Single Context
    Network name: ssd_mobilenet_v1/ssd_mobilenet_v1
        VStream infos:
            Input  ssd_mobilenet_v1/input_layer1 UINT8, NHWC(300x300x3)
            Output ssd_mobilenet_v1/nms1 FLOAT32, HAILO NMS BY CLASS(number of classes: 90, maximum bounding boxes per class: 20, maximum frame size: 36360)
"""
MULTI_NETWORK = """\
Architecture HEF was compiled for: HAILO8
Network group name: multi_network_shortcut_net, Single Context
    Network name: multi_network_shortcut_net/net0
        VStream infos:
            Input  multi_network_shortcut_net/input_layer1 UINT8, NHWC(64x64x3)
            Output multi_network_shortcut_net/output_layer1 UINT8, NHWC(64x64x3)
    Network name: multi_network_shortcut_net/net1
        VStream infos:
            Input  multi_network_shortcut_net/input_layer2 UINT8, NHWC(64x64x3)
            Output multi_network_shortcut_net/output_layer2 UINT8, NHWC(64x64x3)
"""


@pytest.mark.parametrize("name, expected", [
    ("resnet_v1_18", RESNET), ("shortcut_net", SHORTCUT), ("yolov8n", YOLOV8N), ("ssd_mobilenet_v1", SSD),
    ("multi_network_shortcut_net", MULTI_NETWORK),
    ("multi_network_group", RESNET + SHORTCUT.split("\n", 1)[1]),   # groups in alphabetical order
    ("resnet_v1_18_hailo8l", RESNET.replace("HAILO8\n", "HAILO8L\n")),
    ("resnet_v1_18_hailo15m", RESNET.replace("HAILO8\n", "HAILO15M\n")),
    ("shortcut_net_hailo10h", SHORTCUT.replace("HAILO8\n", "HAILO10H\n")),
])
def test_sample_text(run_cli, sample_dir, name, expected):
    result = run_cli("hailortcli", "parse-hef", sample_dir / (name + ".hef"))
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == expected


def test_parse_streams_shows_device_orders(run_cli, sample_dir):
    result = run_cli("hailortcli", "parse-hef", "--parse-streams", sample_dir / "shortcut_net.hef")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    # the stream block comes before the vstream block, at the same indentation; which device
    # order the input stream has is the HEF reader's business (NHWC or NHCW), the output's is NHCW
    start = lines.index("        Stream infos:")
    assert lines[start + 1].startswith("            Input  shortcut_net/input_layer1 UINT8, NH")
    assert lines[start + 1].endswith("(224x224x3)")
    assert lines[start + 2] == "            Output shortcut_net/output_layer1 UINT8, NHCW(224x224x3)"
    assert "\n".join(lines[start + 3:]) + "\n" == SHORTCUT[SHORTCUT.index("        VStream infos:"):]


def test_directory_mode(run_cli, sample_dir, tmp_path):
    directory = tmp_path / "two"
    directory.mkdir()
    for name in ("shortcut_net", "resnet_v1_18"):
        (directory / (name + ".hef")).write_bytes((sample_dir / (name + ".hef")).read_bytes())
    (directory / "README").write_text("not a HEF")
    result = run_cli("hailortcli", "parse-hef", directory)
    stars = "*" * 80 + "\n"
    assert result.returncode == 0
    assert result.stdout == (stars + "Parsing {}/resnet_v1_18.hef:\n".format(directory) + RESNET +
                             stars + "Parsing {}/shortcut_net.hef:\n".format(directory) + SHORTCUT)


def test_directory_mode_stops_at_a_broken_hef(run_cli, sample_dir, tmp_path):
    directory = tmp_path / "mixed"
    directory.mkdir()
    (directory / "a_good.hef").write_bytes((sample_dir / "resnet_v1_18.hef").read_bytes())
    data = bytearray((sample_dir / "resnet_v1_18.hef").read_bytes())
    data[-1] ^= 0xFF
    (directory / "b_broken.hef").write_bytes(bytes(data))
    result = run_cli("hailortcli", "parse-hef", str(directory) + "/")
    assert result.returncode == 91, result.stderr
    assert result.stdout.endswith("Parsing {}/b_broken.hef:\n".format(directory))
    assert result.stderr.endswith("[HailoRT CLI] [error] CHECK_SUCCESS failed with status=HAILO_HEF_FILE_CORRUPTED(91)"
                                  " - Failed to parse HEF {}/b_broken.hef\n".format(directory))


def test_hailo_parse_hef(run_cli, sample_dir):
    result = run_cli("hailo", "parse-hef", sample_dir / "resnet_v1_18.hef")
    assert result.stdout == "(hailo) Running command 'parse-hef' with 'hailortcli'\n" + RESNET

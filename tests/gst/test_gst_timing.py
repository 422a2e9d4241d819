"""The timing model holds through hailonet: a saturated pipeline runs at the model's configured
FPS. The device is never faster than its timing model, so the test asserts "not faster" within
2 % and only a loose lower bound (a loaded machine can only slow the host side); the precise
figure is benchmarks/bench_gst.py's."""
import numpy as np
import pytest

FPS = 100.0


@pytest.mark.slow
def test_saturated_pipeline_runs_at_the_model_fps(gst, hefs, sim_config):
    sim_config.write_text(f"[device0]\narchitecture = HAILO8\n[network_group resnet_v1_18]\nfps = {FPS:g}\n")
    frames = 120
    r = gst.probe(f"videotestsrc num-buffers={frames} ! hailonet hef-path={hefs['resnet_v1_18']} ! "
                  "appsink name=sink0 sync=false", timeout=120)
    assert r["eos"], r
    times = np.array([f["t"] for f in r["frames"]["sink0"]]) - r["start"]
    assert len(times) == frames
    # Not faster: frame k cannot reach the sink before k frame periods after the start. (Measured
    # from the start, not as the slope between frames: a host stall delays frames the device has
    # done, which then arrive in a burst, and a slope across the burst reads faster than the device.)
    early = np.arange(frames) / FPS * 0.98 - times
    assert early.max() <= 0, f"frame {early.argmax()} arrived {early.max() * 1000:.1f} ms before its time"
    # frames per second: the slope of arrival time over frame index (a least-squares line, so a
    # late wake-up of the sink's thread at either end does not skew it); the first frames wait
    # for the device latency and the pipeline's start
    skip = 10
    fps = 1.0 / np.polyfit(np.arange(frames - skip), times[skip:], 1)[0]
    assert fps >= FPS * 0.5, f"{fps:.1f} FPS: the host could not feed the device (machine overloaded?)"


def test_device_stats_follow_inference(gst, hefs):
    """hailodevicestats posts HailoDeviceStatsMessage (device_id, temperature, power) from its
    parent; the temperature rises while hailonet keeps the device busy."""
    r = gst.python("""
        import sys, gi
        gi.require_version("Gst", "1.0")
        from gi.repository import Gst
        Gst.init(None)
        p = Gst.parse_launch(f"videotestsrc num-buffers=400 ! hailonet hef-path={sys.argv[1]} ! fakesink sync=false "
                             "hailodevicestats name=stats interval=0 silent=true")
        p.set_state(Gst.State.PLAYING)
        seen = []
        while True:
            m = p.get_bus().timed_pop_filtered(30 * Gst.SECOND, Gst.MessageType.ELEMENT | Gst.MessageType.EOS
                                               | Gst.MessageType.ERROR)
            if m is None or m.type != Gst.MessageType.ELEMENT:
                break
            s = m.get_structure()
            seen.append((s.get_name(), m.src.get_name(), s.get_value("device_id"), s.get_value("temperature")))
        last = p.get_by_name("stats").get_property("temperature")
        p.set_state(Gst.State.NULL)
        print(m.type.first_value_nick if m else "timeout", len(seen), *seen[0], last, sep="|")
        """, hefs["resnet_v1_18"])
    assert r.returncode == 0, r.stderr
    end, count, name, source, device, first, last = r.stdout.strip().split("|")
    assert end == "eos" and int(count) > 1, r.stdout
    assert (name, source, device) == ("HailoDeviceStatsMessage", "pipeline0", "0000:01:00.0")
    assert 37.0 <= float(first) < float(last) <= 54.0, r.stdout     # about 38 °C idle + 15 °C x utilisation

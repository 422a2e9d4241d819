"""A scripted target for the runner's and reporters' tests: answers commands by pattern with
what a healthy simulated (or hardware) target prints, per the guide and the runtime spec."""
from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from hailo_kit import ssh

IDENTIFY = """Executing on device: 0000:01:00.0
Identifying board
Control Protocol Version: 2
Firmware Version: {fw} (release,app,extended context switch buffer)
Logger Version: 0
Board Name: Hailo-8
Device Architecture: HAILO8
Serial Number: HLLWM2B233400123
Part Number: HM218B1C2FAE
Product Name: HAILO-8 AI ACC M.2 M KEY MODULE EXT TEMP

"""

PARSE_HEF = """Architecture HEF was compiled for: HAILO8
Network group name: shortcut_net, Single Context
    Network name: shortcut_net/shortcut_net
        VStream infos:
            Input  shortcut_net/input_layer1 UINT8, NHWC(8x8x3)
            Output shortcut_net/output_layer1 UINT8, NHWC(8x8x3)
"""

RUN = ("Running streaming inference ({hef}):\n  Transform data: true\n    Type:      auto\n"
       "    Quantized: true\nNetwork shortcut_net/shortcut_net: 100% | 16 | FPS: 1500.00 | ETA: 00:00:00\r"
       "\x1b[2K\r> Inference result:\n Network group: shortcut_net\n    Duration: 00:00:00\n"
       "    FPS: 1500.12\n    Send Rate: 2.30 Mbit/s\n    Recv Rate: 2.30 Mbit/s\n")


def infer_verdict(argv):
    """What target_scripts/infer_model.py prints when every inference meets its contract."""
    processes = int(argv[argv.index("--processes") + 1]) if "--processes" in argv else 2
    service = [argv[i + 1] for i, a in enumerate(argv) if a == "--service"]
    direct = [a for i, a in enumerate(argv) if "=" in a and argv[i - 1] != "--service"]
    jobs = [(m, False) for m in direct] + [(m, True) for m in service for _ in range(processes)]
    results = [{"hef": hef, "contract": contract, "service": shared, "ok": True,
                "pid": 100 + (i if shared else 0), "detail": f"2 frames, {contract} contract met"}
               for i, ((hef, _, contract), shared) in enumerate((m.rpartition("="), shared) for m, shared in jobs)]
    return json.dumps({"ok": True, "seconds": 0.5, "results": results}) + "\n"


def gst_pipeline_output(frames=30, meta=", meta: GstParentBufferMeta"):
    """gst-launch-1.0 -v ... ! fakesink silent=false: one chain line per frame, then EOS."""
    chain = ("/GstPipeline:pipeline0/GstFakeSink:fakesink0: last-message = chain   ******* (fakesink0:sink) "
             "(150528 bytes, dts: none, pts: 0:00:{pts:012.9f}, duration: 0:00:00.033333333, offset: {i}, "
             "offset_end: {j}, flags: 00000000 {meta}) 0x55a15128c5a0\n")
    lines = "".join(chain.format(pts=i / 30, i=i, j=i + 1, meta=meta) for i in range(frames))
    return "Setting pipeline to PLAYING ...\n" + lines + "Got EOS from element \"pipeline0\".\n"


class FakeTarget:
    """``rules``: list of (regex, reply); a reply is (exit, stdout, stderr), an exception to
    raise, or a callable(command) -> reply. Earlier rules win, so tests prepend overrides.
    An ``ssh.Transport``."""

    alive = True
    concurrent_commands = True

    def __init__(self, profile="simulated", fw="4.21.0"):
        self.commands = []
        self.uploads = []
        self.rules = list(self.defaults(profile, fw))

    @staticmethod
    def defaults(profile, fw):
        yield r"^mktemp -d", (0, "/tmp/hailo-validate.abc123\n", "")
        yield r"hailort_sim as m", (0, "4.21.0 /usr/lib/python3/dist-packages/hailort_sim\n", "")
        yield r"^ls -d /usr/lib/libhailort.so.4.21.0$", (0, "/usr/lib/libhailort.so.4.21.0\n", "")
        # the files check: every path it asks about exists
        yield r"^for f in ", lambda cmd: (0, "".join(p + "\n" for p in shlex.split(cmd.split("; do")[0])[3:]), "")
        yield r"^command -v hailortcli", (0, "/usr/bin/hailortcli\n", "")
        yield r"^hailortcli --version", (0, "HailoRT-CLI version 4.21.0\n", "")
        yield r"hailo_platform as h", (0, "4.21.0 1.24.2 /usr/lib/python3/dist-packages/hailo_platform/__init__.py\n", "")
        yield r"^hailortcli scan", (0, "Hailo Devices:\n[-] Device: 0000:01:00.0\n", "")
        yield r"^hailo fw-control identify", (0, IDENTIFY.format(fw=fw), "")
        yield r"configparser", (0, "/etc/hailo/hailort-sim.conf device0=HAILO8\n", "")
        yield r"^hailortcli parse-hef", (0, PARSE_HEF, "")
        yield r"^hailortcli run (\S+)", lambda cmd: (0, RUN.format(hef=cmd.split()[2]), "")
        yield r"infer_model\.py", lambda cmd: (0, infer_verdict(cmd.split()), "")
        yield r"^command -v hailort_service", (0, "/usr/bin/hailort_service\n", "")
        yield r"^systemctl is-active", (0, "active\n", "")
        yield r"^systemctl show", (0, "321\n", "")
        yield r"^gst-inspect-1.0 \| grep hailo", (0, "hailo:  hailonet: hailonet element\n"
                                                   "hailo:  hailodevicestats: hailodevicestats element\n", "")
        yield r"^gst-inspect-1.0 videotestsrc$", (0, "Factory Details:\n  Long-name  Video test source\n", "")
        yield r"^gst-launch-1.0 -v videotestsrc", lambda cmd: (0, gst_pipeline_output(), "")
        yield r"^find /lib/firmware/hailo", (0, "/lib/firmware/hailo/hailo8_fw.bin\n", "")
        yield r"^modinfo hailo_pci", (0, "filename:       /lib/modules/6.1.0/extra/hailo_pci.ko\n"
                                         "version:        4.21.0\nlicense:        GPL\n", "")
        yield r"^ls -l /dev/hailo", (0, "crw-rw-rw- 1 root root 511, 0 Nov 24 04:00 /dev/hailo0\n", "")
        yield r"^cat /etc/udev/rules.d/51-hailo-udev.rules", (0, 'SUBSYSTEM=="hailo_chardev", MODE="0666"\n', "")
        yield r"^rm -rf", (0, "", "")
        yield r"^true$", (0, "", "")

    def on(self, pattern, reply):
        self.rules.insert(0, (pattern, reply))
        return self

    def run(self, command, timeout_s=60.0, stdin=None):
        self.commands.append(command)
        for pattern, reply in self.rules:
            if re.search(pattern, command):
                if callable(reply) and not isinstance(reply, type):
                    reply = reply(command)
                if isinstance(reply, BaseException):
                    raise reply
                status, out, err = reply
                return ssh.CommandResult(command, status, out.encode(), err.encode(), 0.01)
        return ssh.CommandResult(command, 127, b"", f"sh: 1: {command.split()[0]}: not found\n".encode(), 0.01)

    def put(self, local, remote, timeout_s=60.0):
        assert Path(local).is_file(), local
        self.uploads.append((Path(local).name, remote))

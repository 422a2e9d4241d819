#
# SPDX-License-Identifier: MIT
#
# The HailoRT user guide's "Validating the Integration's Success" table (§10.6) as oeqa runtime
# tests:  IMAGE_CLASSES += "testimage", then  bitbake hailo-image-minimal -c testimage
# (or kas/testimage.yml). One test per row. A row whose package this image does not carry, or
# that needs a Hailo device the target does not have, is skipped with the reason.
#
# HAILO_RUNTIME_PROVIDER = "sim" images carry python3-hailort-sim: the same hailortcli, hailo and
# hailo_platform names on a simulated Hailo-8 described by /etc/hailo/hailort-sim.conf, so the
# command rows run for real there; the native rows (libhailort.so, libgsthailo, firmware, driver)
# skip because that image has no such files; its GStreamer elements are python3-hailort-sim-gst's.
#
# The rows' commands and how their output is read are lib/hailort_checks (ROWS and read_*),
# shared with hailo-validate's checks: one §10.6 table.
#
# Optional: HAILO_TEST_HEF = "/path/on/the/build/host/model.hef" lets the `hailortcli run` row
# run a model of yours on a hardware image (sim images make their own sample).

import os
import re

import hailort_checks as table
from oeqa.core.decorator.depends import OETestDepends
from oeqa.runtime.case import OERuntimeTestCase
from oeqa.runtime.decorator.package import OEHasPackage

HAILORT_VERSION = table.HAILORT_VERSION
SIM_CONFIG = "${HAILORT_SIM_CONFIG:-/etc/hailo/hailort-sim.conf}"
# The identity model of the simulated runtime's sample generator.
SAMPLE_MODEL = "shortcut_net"
REMOTE_DIR = "/tmp/hailort-oeqa"


class HailoRTValidationTest(OERuntimeTestCase):
    """HailoRT guide §10.6, one test per row of hailort_checks.ROWS."""

    def run_ok(self, cmd, what=None):
        status, output = self.target.run(cmd)
        self.assertEqual(status, 0, "%s failed (exit %s): %s" % (what or cmd, status, output))
        return output

    def run_row(self, row_id, **fields):
        return self.run_ok(table.ROWS_BY_ID[row_id].command.format(**fields))

    def provider(self):
        return self.td.get("HAILO_RUNTIME_PROVIDER") or "hardware"

    def expected_devices(self):
        """Device ids the target must report, or skip when it cannot have any."""
        if self.provider() == "sim":
            output = self.run_ok("sed -n 's/^[[:space:]]*device_id[[:space:]]*=[[:space:]]*//p' %s"
                                 % SIM_CONFIG, "reading the simulated device configuration")
            ids = output.split()
            if not ids:
                self.skipTest("the simulated device configuration (%s) lists no device_id"
                              % SIM_CONFIG)
            return ids
        status, _ = self.target.run("ls /dev/hailo*")
        if status != 0:
            self.skipTest("no Hailo device on this target (/dev/hailo* missing): it needs a "
                          "Hailo-8 module and the hailo_pci driver loaded")
        return None

    # -- libhailort: "Libhailort exists at /usr/lib/libhailort.so" ---------------------------
    @OETestDepends(["ssh.SSHTest.test_ssh"])
    @OEHasPackage(["libhailort"])
    def test_libhailort_installed(self):
        libdir = self.td.get("libdir") or "/usr/lib"
        # The unversioned libhailort.so link belongs to libhailort-dev; the runtime package
        # carries the versioned library it points to.
        path = "%s/libhailort.so.%s" % (libdir, HAILORT_VERSION)
        self.run_ok("test -f %s" % path, "looking for libhailort %s in %s" % (HAILORT_VERSION, libdir))
        table.read_libhailort(path)

    # -- hailortcli: "works from the global environment; scan and run communicate" ------------
    @OETestDepends(["ssh.SSHTest.test_ssh"])
    @OEHasPackage(["hailortcli", "python3-hailort-sim"])
    def test_hailortcli_version(self):
        table.read_hailortcli(self.run_row("hailortcli"))

    @OETestDepends(["hailort_validation.HailoRTValidationTest.test_hailortcli_version"])
    def test_hailortcli_scan(self):
        expected = self.expected_devices()
        found = table.read_scan(self.run_row("scan"))
        if expected is not None:
            self.assertEqual(sorted(found), sorted(expected),
                             "hailortcli scan does not list the configured simulated devices")

    @OETestDepends(["hailort_validation.HailoRTValidationTest.test_hailortcli_scan"])
    def test_hailortcli_run(self):
        self.expected_devices()
        table.read_run(self.run_row("run", hef=self.target_hef()))

    def target_hef(self):
        """A HEF on the target: the sample generator's on sim images, HAILO_TEST_HEF otherwise."""
        local = self.td.get("HAILO_TEST_HEF")
        if local:
            if not os.path.isfile(local):
                self.fail("HAILO_TEST_HEF = %s: no such file on the build host" % local)
            remote = "%s/%s" % (REMOTE_DIR, os.path.basename(local))
            self.run_ok("mkdir -p %s" % REMOTE_DIR)
            status, output = self.target.copyTo(local, remote)
            self.assertEqual(status, 0, "copying %s to the target failed: %s" % (local, output))
            return remote
        if self.provider() != "sim":
            self.skipTest("no HEF for the target: set HAILO_TEST_HEF to a model compiled for "
                          "this device to run it")
        self.run_ok("python3 -m hailort_sim.hef.samples %s" % REMOTE_DIR,
                    "the simulated runtime's sample generator")
        return "%s/%s.hef" % (REMOTE_DIR, SAMPLE_MODEL)

    # -- pyhailort: "Python3 includes hailo_platform; hailo fw-control identify" --------------
    @OETestDepends(["ssh.SSHTest.test_ssh"])
    @OEHasPackage(["pyhailort", "python3-hailort-sim"])
    def test_pyhailort_import(self):
        table.read_pyhailort(self.run_row("pyhailort").strip().splitlines()[-1])

    @OETestDepends(["hailort_validation.HailoRTValidationTest.test_pyhailort_import"])
    def test_hailo_fw_control_identify(self):
        expected = self.expected_devices()
        output = self.run_row("identify")
        table.read_identify(output)
        executed = re.findall(r"^Executing on device: (%s)\s*$" % table.DEVICE_ID, output, re.M)
        if expected is not None:
            self.assertEqual(sorted(executed), sorted(expected))

    # -- libgsthailo: "gst-inspect-1.0 | grep hailo returns hailonet, hailodevicestats" -------
    @OETestDepends(["ssh.SSHTest.test_ssh"])
    # (python3-hailort-sim-gst: the same elements on the simulated device, through gst-python)
    @OEHasPackage(["libgsthailo", "python3-hailort-sim-gst"])  # which pull gstreamer1.0 in
    def test_libgsthailo_elements(self):
        table.read_gstreamer(self.run_row("gstreamer"))

    @OETestDepends(["hailort_validation.HailoRTValidationTest.test_libgsthailo_elements"])
    def test_gstreamer_pipeline(self):
        self.expected_devices()
        status, _ = self.target.run("gst-inspect-1.0 videotestsrc")
        if status != 0:
            self.skipTest("no videotestsrc on this image (gstreamer1.0-plugins-base-videotestsrc)")
        table.read_gst_pipeline(self.run_row("gst_pipeline", hef=self.target_hef()))

    # -- hailo-firmware: "firmware exists in /lib/firmware/hailo" ---------------------------
    @OETestDepends(["ssh.SSHTest.test_ssh"])
    @OEHasPackage(["hailo-firmware"])
    def test_hailo_firmware_installed(self):
        table.read_firmware(self.run_row("firmware"))

    # -- hailo-pci: "modinfo hailo_pci returns info about the driver" -------------------------
    @OETestDepends(["ssh.SSHTest.test_ssh"])
    @OEHasPackage(["hailo-pci", "kernel-module-hailo-pci"])
    def test_hailo_pci_modinfo(self):
        table.read_hailo_pci(self.run_row("hailo_pci"))

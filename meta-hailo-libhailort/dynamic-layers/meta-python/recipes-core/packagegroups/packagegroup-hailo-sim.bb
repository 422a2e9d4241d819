SUMMARY = "HailoRT 4.21.0 compatible runtime with a simulated Hailo device"
DESCRIPTION = "python3-hailort-sim (hailo_platform, hailortcli, hailo, hailort_service over a \
               simulated Hailo-8 device) for images and CI without Hailo hardware. It conflicts with \
               packagegroup-hailo's user space."
HOMEPAGE = "https://b-seed-a318fa93.example/meta-hailo-kit"
BUGTRACKER = "https://b-seed-a318fa93.example/meta-hailo-kit/issues"
SECTION = "packagegroups"
LICENSE = "MIT"

inherit packagegroup

RDEPENDS:${PN} = "python3-hailort-sim python3-hailort-sim-gst"

SUMMARY = "HailoRT 4.21.0 on Hailo hardware"
DESCRIPTION = "The HailoRT 4.21.0 user space for Hailo-8/8L: libhailort, hailortcli, pyhailort, \
               libgsthailo and hailort-service. With meta-hailo-accelerator in the build it also pulls the \
               hailo_pci driver and the Hailo-8 firmware (dynamic-layers/hailo-accelerator)."
HOMEPAGE = "https://github.com/hailo-ai/hailort"
BUGTRACKER = "https://github.com/hailo-ai/hailort/issues"
SECTION = "packagegroups"
LICENSE = "MIT"

inherit packagegroup

RDEPENDS:${PN} = "hailort-service \
                  hailortcli \
                  libgsthailo \
                  libhailort \
                  pyhailort \
                 "

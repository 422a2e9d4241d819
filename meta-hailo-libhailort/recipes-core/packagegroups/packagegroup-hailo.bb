SUMMARY = "HailoRT 4.21.0 on Hailo hardware"
DESCRIPTION = "The HailoRT 4.21.0 user space for Hailo-8/8L: libhailort, hailortcli, libgsthailo \
               and hailort-service; with meta-python in the build also pyhailort \
               (dynamic-layers/meta-python), with meta-hailo-accelerator the hailo_pci driver and the \
               Hailo-8 firmware (dynamic-layers/hailo-accelerator)."
HOMEPAGE = "https://b-seed-a318fa93.example/meta-hailo-kit"
BUGTRACKER = "https://b-seed-a318fa93.example/meta-hailo-kit/issues"
SECTION = "packagegroups"
LICENSE = "MIT"

inherit packagegroup

RDEPENDS:${PN} = "hailort-service \
                  hailortcli \
                  libgsthailo \
                  libhailort \
                 "

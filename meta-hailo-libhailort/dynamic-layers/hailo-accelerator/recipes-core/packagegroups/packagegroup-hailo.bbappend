# meta-hailo-accelerator is in the build: the hardware packagegroup brings the PCIe driver
# (exactly HailoRT's version: libhailort refuses any other) and the firmware.
RDEPENDS:${PN} += "hailo-pci \
                   hailo-firmware \
                  "

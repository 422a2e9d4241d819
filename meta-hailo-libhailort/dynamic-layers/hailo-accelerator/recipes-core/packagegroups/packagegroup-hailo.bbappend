# meta-hailo-accelerator is in the build: the hardware packagegroup brings the PCIe driver
# (exactly HailoRT's version: libhailort refuses any other) and the firmware.
# Sorted here; oelint checks the order after the base recipe's list, which this extends.
# nooelint: oelint.vars.dependsordered
RDEPENDS:${PN} += "hailo-firmware \
                   hailo-pci \
                  "

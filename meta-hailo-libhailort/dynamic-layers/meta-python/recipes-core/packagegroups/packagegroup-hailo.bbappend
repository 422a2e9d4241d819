# meta-python is in the build: the hardware packagegroup brings HailoRT's Python API (pyhailort).
RDEPENDS:${PN} += "pyhailort"

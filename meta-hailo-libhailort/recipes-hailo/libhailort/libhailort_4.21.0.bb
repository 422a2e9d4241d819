SUMMARY = "HailoRT library for Hailo AI accelerators"
DESCRIPTION = "libhailort, the HailoRT 4.21.0 user-space library that loads HEF files and \
               runs inference on Hailo-8/8L devices through the hailo_pci driver, with its C/C++ headers \
               and CMake package (HailoRTConfig.cmake). Built with multi-process service support."
HOMEPAGE = "https://github.com/hailo-ai/hailort"
BUGTRACKER = "https://github.com/hailo-ai/hailort/issues"
CVE_PRODUCT = "hailo:hailort"
SECTION = "libs"
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://hailort/LICENSE;md5=ed57bbf10be0c74ecf2c80710208b2b3 \
                    file://hailort/LICENSE-3RD-PARTY.md;md5=87f8edc8e3d5342f8b0614df5bae3b58"

inherit hailort

OECMAKE_TARGET_COMPILE = "libhailort"

# The whole tree's install would add hailortcli and hailort_service (other recipes).
do_install() {
    DESTDIR='${D}' cmake --install ${B}/hailort/libhailort --config Release
}

# libhailort has no SOVERSION: its soname is the full version (libhailort.so.4.21.0),
# which the default FILES patterns put in ${PN}; libhailort.so goes to ${PN}-dev. Named here
# because hailo-validate's hardware profile reads what the packages install from the recipes.
FILES:${PN} += "${libdir}/libhailort.so.${PV}"
FILES:${PN}-dev += "${libdir}/cmake/HailoRT"

RCONFLICTS:${PN} = "python3-hailort-sim"

SUMMARY = "HailoRT GStreamer plugin (hailonet, hailodevicestats)"
DESCRIPTION = "libgsthailo, the HailoRT 4.21.0 GStreamer 1.0 plugin with the hailonet and \
               hailodevicestats elements, built against the installed libhailort."
HOMEPAGE = "https://github.com/hailo-ai/hailort"
BUGTRACKER = "https://github.com/hailo-ai/hailort/issues"
CVE_PRODUCT = "hailo:hailort"
SECTION = "multimedia"
LICENSE = "LGPL-2.1-only"
LIC_FILES_CHKSUM = "file://hailort/libhailort/bindings/gstreamer/LICENSE;md5=4b54a1fd55a448865a0b32d41598759d"

DEPENDS = "gstreamer1.0 gstreamer1.0-plugins-base libhailort"

require recipes-hailo/hailort/hailort-sources-${PV}.inc

# A standalone CMake project: find_package(HailoRT 4.21.0 EXACT) finds libhailort in the
# sysroot, and it uses none of HailoRT's externals, so not the hailort class (which prepares them).
inherit cmake pkgconfig

OECMAKE_SOURCEPATH = "${S}/hailort/libhailort/bindings/gstreamer"

# HailoRT installs into a Debian multiarch folder (lib/<arch>-linux-gnu/gstreamer-1.0).
do_install:append() {
    install -d ${D}${libdir}/gstreamer-1.0
    mv ${D}${libdir}/*-linux-gnu/gstreamer-1.0/libgsthailo.so ${D}${libdir}/gstreamer-1.0/
    rm -rf ${D}${libdir}/*-linux-gnu
}

FILES:${PN} += "${libdir}/gstreamer-1.0/libgsthailo.so"
FILES:${PN}-dev += "${includedir}/gstreamer-1.0/gst/hailo"

RDEPENDS:${PN} = "gstreamer1.0-plugins-base"
# python3-hailort-sim-gst registers the same elements (hailonet, hailodevicestats) on the simulator
RCONFLICTS:${PN} = "python3-hailort-sim-gst"

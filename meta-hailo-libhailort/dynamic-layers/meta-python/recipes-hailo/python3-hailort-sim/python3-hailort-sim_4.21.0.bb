SUMMARY = "HailoRT 4.21.0 compatible runtime with a simulated Hailo device"
DESCRIPTION = "hailort-sim from meta-hailo-kit: the hailo_platform Python API, hailortcli, \
               hailo and hailort_service of HailoRT 4.21.0 in pure Python, over a simulated \
               Hailo-8 device described by /etc/hailo/hailort-sim.conf. For images and CI without \
               Hailo hardware; it replaces libhailort, hailortcli, pyhailort and hailort-service, \
               so an image holds one or the other."
HOMEPAGE = "https://b-seed-a318fa93.example/meta-hailo-kit"
BUGTRACKER = "https://b-seed-a318fa93.example/meta-hailo-kit/issues"
SECTION = "devel/python"
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://runtime/COPYING.MIT;md5=04d06f21f70f8f22bc059ec0288cd165"

# The runtime is runtime/ of the repository that holds this layer: no download, any checkout
# location. The service files are the hailort recipe's (one copy in the repository).
HAILO_KIT_TOPDIR := "${@os.path.normpath(os.path.join(d.getVar('THISDIR'), '..', '..', '..', '..', '..'))}"
# The sources live outside this recipe's folder, in the same repository.
# nooelint: oelint.vars.fileextrapaths,oelint.vars.outofcontext
FILESEXTRAPATHS:prepend := "${HAILO_KIT_TOPDIR}:${THISDIR}/../../../../recipes-hailo/hailort/files:"

# gstreamer1.0: libgsthailo.so, the plugin "hailo" of the GStreamer elements (runtime/gst-plugin).
DEPENDS = "gstreamer1.0"

# Everything unpacks into ${BP}, oe-core's default S on every release.
SRC_URI = "file://runtime;subdir=${BP} \
           file://COPYING.MIT;subdir=${BP}/runtime \
           file://hailort-sim.conf;subdir=${BP} \
           file://hailort.service;subdir=${BP} \
           file://hailort.init;subdir=${BP} \
           file://hailort_service;subdir=${BP} \
           file://hailort-tmpfiles.conf;subdir=${BP} \
          "

inherit pkgconfig python_setuptools_build_meta systemd update-rc.d

PEP517_SOURCE_PATH = "${S}/runtime"

# The plugin embeds the image's Python (it is dlopen()ed by soname, so name it).
GST_PLUGIN_MAKE = "-C ${S}/runtime/gst-plugin O=${B} LIBPYTHON=libpython${PYTHON_BASEVERSION}.so.1.0 \
                   GST_PLUGIN_DIR=${libdir}/gstreamer-1.0"

do_compile:append() {
    oe_runmake ${GST_PLUGIN_MAKE}
}

do_install:append() {
    install -d ${D}${sysconfdir}/hailo ${D}${sysconfdir}/default ${D}${sysconfdir}/init.d
    install -m 0644 ${S}/hailort-sim.conf ${D}${sysconfdir}/hailo/hailort-sim.conf
    install -m 0644 ${S}/hailort_service ${D}${sysconfdir}/default/hailort_service
    install -m 0755 ${S}/hailort.init ${D}${sysconfdir}/init.d/hailort
    install -d ${D}${systemd_system_unitdir} ${D}${nonarch_libdir}/tmpfiles.d
    install -m 0644 ${S}/hailort.service ${D}${systemd_system_unitdir}/hailort.service
    install -m 0644 ${S}/hailort-tmpfiles.conf ${D}${nonarch_libdir}/tmpfiles.d/hailort.conf
    oe_runmake ${GST_PLUGIN_MAKE} install DESTDIR=${D}
}

# The same service as hailort-service's: systemd where it is the init manager, else update-rc.d.
SYSTEMD_SERVICE:${PN} = "hailort.service"
INITSCRIPT_NAME = "hailort"
INITSCRIPT_PARAMS = "defaults 90 10"

# hailonet and hailodevicestats (hailort_sim.gst, docs/gstreamer.md) in a package of their own:
# the plugin "hailo" as libgsthailo.so, as libgsthailo installs it, which it therefore conflicts
# with; gstreamer1.0-python: GStreamer's Python bindings, which the elements are written with.
# videotestsrc: the source of the §10.6 pipeline row.
PACKAGES =+ "${PN}-gst"
FILES:${PN}-gst += "${libdir}/gstreamer-1.0/libgsthailo.so ${PYTHON_SITEPACKAGES_DIR}/hailort_sim/gst"

FILES:${PN} += "${systemd_system_unitdir}/hailort.service ${nonarch_libdir}/tmpfiles.d/hailort.conf"
CONFFILES:${PN} = "${sysconfdir}/hailo/hailort-sim.conf ${sysconfdir}/default/hailort_service"

# The standard-library modules the runtime imports, by oe-core python3 package.
RDEPENDS:${PN} = "python3-core \
                  python3-crypt \
                  python3-datetime \
                  python3-fcntl \
                  python3-io \
                  python3-json \
                  python3-logging \
                  python3-mmap \
                  python3-multiprocessing \
                  python3-netclient \
                  python3-numpy \
                  python3-protobuf \
                  python3-threading \
                 "
RDEPENDS:${PN}-gst = "${PN} gstreamer1.0-python libpython3 python3-ctypes"
# The C XXH3 for HEF integrity hashes (meta-python, like python3-protobuf); without it the
# runtime uses its own, slower implementation.
RRECOMMENDS:${PN} = "python3-xxhash"
RRECOMMENDS:${PN}-gst = "gstreamer1.0-plugins-base-videotestsrc"

# One runtime per image: this package stands in for the real user space.
RPROVIDES:${PN} = "hailo-runtime-cli hailo-runtime-python hailo-runtime-service"
RCONFLICTS:${PN} = "hailort-service hailortcli libhailort pyhailort"
RCONFLICTS:${PN}-gst = "libgsthailo"

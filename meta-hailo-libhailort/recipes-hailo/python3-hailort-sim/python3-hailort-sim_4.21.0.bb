SUMMARY = "HailoRT 4.21.0 compatible runtime with a simulated Hailo device"
DESCRIPTION = "hailort-sim from meta-hailo-kit: the hailo_platform Python API, hailortcli, \
hailo and hailort_service of HailoRT 4.21.0 in pure Python, over a simulated Hailo-8 device \
described by /etc/hailo/hailort-sim.conf. For images and CI without Hailo hardware; it replaces \
libhailort, hailortcli, pyhailort and hailort-service, so an image holds one or the other."
HOMEPAGE = "https://github.com/hailo-ai/hailort"
BUGTRACKER = "https://github.com/hailo-ai/hailort/issues"
SECTION = "devel/python"
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://${COMMON_LICENSE_DIR}/MIT;md5=0835ade698e0bcf8506ecda2f7b4f302"

# The runtime is runtime/ of the repository that holds this layer: no download, any checkout
# location. The service files are the hailort-service recipe's (one copy in the repository).
HAILO_KIT_TOPDIR := "${@os.path.normpath(os.path.join(d.getVar('THISDIR'), '..', '..', '..'))}"
FILESEXTRAPATHS:prepend := "${HAILO_KIT_TOPDIR}:${THISDIR}/../hailort-service/files:"

SRC_URI = "file://runtime;subdir=hailort-sim-${PV} \
           file://hailort-sim.conf \
           file://hailort.service \
           file://hailort_service \
          "

HAILO_SIM_UNPACKDIR = "${@d.getVar('UNPACKDIR') or d.getVar('WORKDIR')}"
S = "${HAILO_SIM_UNPACKDIR}/hailort-sim-${PV}/runtime"

inherit python_setuptools_build_meta systemd

do_install:append() {
	install -d ${D}${sysconfdir}/hailo ${D}${sysconfdir}/default ${D}${systemd_system_unitdir}
	install -m 0644 ${HAILO_SIM_UNPACKDIR}/hailort-sim.conf ${D}${sysconfdir}/hailo/hailort-sim.conf
	install -m 0644 ${HAILO_SIM_UNPACKDIR}/hailort.service ${D}${systemd_system_unitdir}/hailort.service
	install -m 0644 ${HAILO_SIM_UNPACKDIR}/hailort_service ${D}${sysconfdir}/default/hailort_service
}

SYSTEMD_SERVICE:${PN} = "hailort.service"

FILES:${PN} += "${systemd_system_unitdir}/hailort.service"
CONFFILES:${PN} = "${sysconfdir}/hailo/hailort-sim.conf ${sysconfdir}/default/hailort_service"

RDEPENDS:${PN} = "python3-core \
                  python3-logging \
                  python3-multiprocessing \
                  python3-numpy \
                  python3-protobuf \
                 "

# One runtime per image: this package stands in for the real user space.
RPROVIDES:${PN} = "hailo-runtime-cli hailo-runtime-python hailo-runtime-service"
RCONFLICTS:${PN} = "libhailort hailortcli pyhailort hailort-service"

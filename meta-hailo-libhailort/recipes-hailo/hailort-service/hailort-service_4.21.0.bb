SUMMARY = "HailoRT multi-process service (hailort_service)"
DESCRIPTION = "hailort_service, the HailoRT 4.21.0 daemon that shares Hailo devices between \
               processes over gRPC, with its systemd unit hailort.service and /etc/default/hailort_service."
HOMEPAGE = "https://github.com/hailo-ai/hailort"
BUGTRACKER = "https://github.com/hailo-ai/hailort/issues"
CVE_PRODUCT = "hailo:hailort"
SECTION = "base"
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://hailort/LICENSE;md5=ed57bbf10be0c74ecf2c80710208b2b3 \
                    file://hailort/LICENSE-3RD-PARTY.md;md5=87f8edc8e3d5342f8b0614df5bae3b58"

DEPENDS = "libhailort"

# The unit and environment file are the layer's (the same files the simulated service uses):
# upstream's unit starts /usr/local/bin/hailort_service.
SRC_URI:append = " file://hailort.service file://hailort_service file://hailort-tmpfiles.conf"

inherit hailort systemd

OECMAKE_TARGET_COMPILE = "hailort_service"

do_install() {
    install -d ${D}${bindir} ${D}${systemd_system_unitdir} ${D}${sysconfdir}/default ${D}${nonarch_libdir}/tmpfiles.d
    install -m 0755 ${B}/hailort/hailort_service/hailort_service ${D}${bindir}/hailort_service
    install -m 0644 ${HAILORT_UNPACKDIR}/hailort.service ${D}${systemd_system_unitdir}/hailort.service
    install -m 0644 ${HAILORT_UNPACKDIR}/hailort_service ${D}${sysconfdir}/default/hailort_service
    install -m 0644 ${HAILORT_UNPACKDIR}/hailort-tmpfiles.conf ${D}${nonarch_libdir}/tmpfiles.d/hailort.conf
}

SYSTEMD_SERVICE:${PN} = "hailort.service"

FILES:${PN} += "${systemd_system_unitdir}/hailort.service ${nonarch_libdir}/tmpfiles.d/hailort.conf"
CONFFILES:${PN} = "${sysconfdir}/default/hailort_service"

RPROVIDES:${PN} = "hailo-runtime-service"
RCONFLICTS:${PN} = "python3-hailort-sim"

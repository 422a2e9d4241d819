SUMMARY = "Hailo-8/8L firmware"
DESCRIPTION = "hailo8_fw.bin 4.21.0, the Hailo-8/8L firmware that the hailo_pci driver loads \
               from /lib/firmware/hailo. It must match the driver and libhailort version (4.21.0)."
HOMEPAGE = "https://hailo.ai/developer-zone/"
BUGTRACKER = "https://github.com/hailo-ai/hailort-drivers/issues"
CVE_PRODUCT = "hailo:hailo8_firmware"
SECTION = "kernel"
# A licence that is not in SPDX: oe-core master warns unless its name starts with LicenseRef-,
# and looks its file up under the name without the prefix; scarthgap to wrynose under the full name.
LICENSE = "LicenseRef-Hailo-Firmware-EULA"
NO_GENERIC_LICENSE[Hailo-Firmware-EULA] = "LICENSE"
NO_GENERIC_LICENSE[LicenseRef-Hailo-Firmware-EULA] = "LICENSE"
LIC_FILES_CHKSUM = "file://LICENSE;md5=263ee034adc02556d59ab1ebdaea2cda"

HAILO_FW_URI = "https://hailo-hailort.s3.eu-west-2.amazonaws.com/Hailo8/${PV}/FW"
# Both files unpack into ${BP}, oe-core's default S on every release.
SRC_URI = "${HAILO_FW_URI}/hailo8_fw.${PV}.bin;name=firmware;subdir=${BP} \
           ${HAILO_FW_URI}/LICENSE;name=license;subdir=${BP} \
          "
# Hailo publishes md5 sums only, no sha256 (hailort-facts.md section 10; meta-hailo's 4.21.0 recipe).
# nooelint: oelint.vars.srcurichecksum
SRC_URI[firmware.md5sum] = "d6a0391b8e8194b9a1e67f0368eb7b85"
# The same for the licence file.
# nooelint: oelint.vars.srcurichecksum
SRC_URI[license.md5sum] = "263ee034adc02556d59ab1ebdaea2cda"

inherit allarch

do_configure[noexec] = "1"
do_compile[noexec] = "1"

do_install() {
    install -d ${D}${nonarch_base_libdir}/firmware/hailo
    install -m 0644 ${S}/hailo8_fw.${PV}.bin ${D}${nonarch_base_libdir}/firmware/hailo/hailo8_fw.bin
}

FILES:${PN} += "${nonarch_base_libdir}/firmware/hailo/hailo8_fw.bin"

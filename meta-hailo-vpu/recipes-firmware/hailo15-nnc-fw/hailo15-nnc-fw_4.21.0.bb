SUMMARY = "Hailo-15 NNC firmware"
DESCRIPTION = "hailo15_nnc_fw.bin 4.21.0, the firmware of the neural network core integrated in \
               Hailo-15 SoCs, installed into /lib/firmware/hailo. Only for Hailo-15 machines \
               (COMPATIBLE_MACHINE). Hailo publishes no checksum for the 4.21.0 file that this layer could \
               verify, so the build asks for it: set HAILO15_NNC_FW_SHA256SUM to the sha256 of the file you \
               obtained from Hailo (sha256sum hailo15_nnc_fw.4.21.0.bin)."
HOMEPAGE = "https://hailo.ai/developer-zone/"
BUGTRACKER = "https://github.com/hailo-ai/hailort-drivers/issues"
CVE_PRODUCT = "hailo:hailo15_nnc_firmware"
SECTION = "kernel"
# A licence that is not in SPDX: oe-core master warns unless its name starts with LicenseRef-,
# and looks its file up under the name without the prefix; scarthgap to wrynose under the full name.
LICENSE = "LicenseRef-Hailo-Firmware-EULA"
NO_GENERIC_LICENSE[Hailo-Firmware-EULA] = "LICENSE"
NO_GENERIC_LICENSE[LicenseRef-Hailo-Firmware-EULA] = "LICENSE"
LIC_FILES_CHKSUM = "file://LICENSE;md5=263ee034adc02556d59ab1ebdaea2cda"

HAILO15_NNC_FW_URI = "https://hailo-hailort.s3.eu-west-2.amazonaws.com/Hailo15/Hailort/${PV}/FW"
HAILO15_NNC_FW_SHA256SUM ??= ""
# Both files unpack into ${BP}, oe-core's default S on every release.
SRC_URI = "${HAILO15_NNC_FW_URI}/hailo15_nnc_fw.${PV}.bin;name=firmware;subdir=${BP} \
           ${HAILO15_NNC_FW_URI}/LICENSE;name=license;subdir=${BP} \
          "
SRC_URI[firmware.sha256sum] = "${HAILO15_NNC_FW_SHA256SUM}"
# The licence is the same file as Hailo-8's, for which Hailo publishes an md5 sum only.
# nooelint: oelint.vars.srcurichecksum
SRC_URI[license.md5sum] = "263ee034adc02556d59ab1ebdaea2cda"

INHIBIT_DEFAULT_DEPS = "1"

COMPATIBLE_MACHINE = "(hailo15|hailo15l)"
PACKAGE_ARCH = "${MACHINE_ARCH}"

# Skips the recipe (with the reason) instead of failing the fetch of a machine's world build.
# nooelint: oelint.task.noanonpython
python __anonymous() {
    if not d.getVar('HAILO15_NNC_FW_SHA256SUM'):
        raise bb.parse.SkipRecipe('set HAILO15_NNC_FW_SHA256SUM to the sha256 of '
                                  'hailo15_nnc_fw.%s.bin (no published checksum to pin)' % d.getVar('PV'))
}

do_configure[noexec] = "1"
do_compile[noexec] = "1"

do_install() {
    install -d ${D}${nonarch_base_libdir}/firmware/hailo
    install -m 0644 ${S}/hailo15_nnc_fw.${PV}.bin ${D}${nonarch_base_libdir}/firmware/hailo/hailo15_nnc_fw.bin
}

FILES:${PN} += "${nonarch_base_libdir}/firmware/hailo/hailo15_nnc_fw.bin"

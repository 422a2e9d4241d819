SUMMARY = "Hailo PCIe driver (hailo_pci) for Hailo-8/8L"
DESCRIPTION = "hailo_pci.ko 4.21.0, the Linux PCIe driver of Hailo-8/8L accelerators \
               (/dev/hailoN), built out of tree. libhailort 4.21.0 accepts only this exact driver version. \
               The udev rule (device nodes readable by all users) is in hailo-pci-udev, the module options \
               (no_power_mode, force_desc_page_size) in /etc/modprobe.d/hailo_pci.conf. To load the module at \
               boot set KERNEL_MODULE_AUTOLOAD += \"hailo_pci\" in the machine or local configuration."
HOMEPAGE = "https://github.com/hailo-ai/hailort-drivers"
BUGTRACKER = "https://github.com/hailo-ai/hailort-drivers/issues"
CVE_PRODUCT = "hailo:hailort-drivers"
SECTION = "kernel/modules"
LICENSE = "GPL-2.0-only"
LIC_FILES_CHKSUM = "file://LICENSE;md5=39bba7d2cf0ba1036f2a6e2be52fe3f0"

# hailort-drivers v4.21.0, on the hailo8 branch. It unpacks into ${BP}, oe-core's default S on
# every release; the driver builds in its linux/pcie folder.
SRC_URI = "git://github.com/hailo-ai/hailort-drivers.git;protocol=https;branch=hailo8;destsuffix=${BP} \
           file://hailo_pci.conf;subdir=${BP}/oe \
          "
SRCREV = "64897376cd67954ff497e194d6ca76d67f404b26"
B = "${S}/linux/pcie"

inherit module

EXTRA_OEMAKE += "KERNEL_DIR=${STAGING_KERNEL_DIR}"
# MAKE_TARGETS is module.bbclass's (oelint's variable list lacks it); the Makefile's default is help.
# nooelint: oelint.vars.mispell.unknown
MAKE_TARGETS = "all"
# The Makefile's install runs modules_install into kernel/drivers/misc; module.bbclass makes its
# depmod a no-op (DEPMOD=echo) and runs depmod at image time.
MODULES_INSTALL_TARGET = "install"

do_install:append() {
    install -d ${D}${sysconfdir}/udev/rules.d ${D}${sysconfdir}/modprobe.d
    install -m 0644 ${B}/51-hailo-udev.rules ${D}${sysconfdir}/udev/rules.d/51-hailo-udev.rules
    install -m 0644 ${S}/oe/hailo_pci.conf ${D}${sysconfdir}/modprobe.d/hailo_pci.conf
}

PACKAGES =+ "${PN}-udev"

FILES:${PN} += "${sysconfdir}/modprobe.d/hailo_pci.conf"
FILES:${PN}-udev += "${sysconfdir}/udev/rules.d/51-hailo-udev.rules"
CONFFILES:${PN} = "${sysconfdir}/modprobe.d/hailo_pci.conf"

# module.bbclass puts hailo_pci.ko in its own package, kernel-module-hailo-pci, which ${PN}
# depends on: no RPROVIDES of that name here.
RRECOMMENDS:${PN} = "${PN}-udev hailo-firmware"

SUMMARY = "Hailo-15 integrated NNC driver (hailo_integrated_nnc)"
DESCRIPTION = "hailo_integrated_nnc.ko 4.21.0, the Linux driver through which HailoRT talks to \
               the neural network core (NNC) integrated in Hailo-15 SoCs, built out of tree. Only for Hailo-15 \
               machines (COMPATIBLE_MACHINE); extend it with COMPATIBLE_MACHINE:<machine> for others."
HOMEPAGE = "https://github.com/hailo-ai/hailort-drivers"
BUGTRACKER = "https://github.com/hailo-ai/hailort-drivers/issues"
CVE_PRODUCT = "hailo:hailort-drivers"
SECTION = "kernel/modules"
LICENSE = "GPL-2.0-only"
LIC_FILES_CHKSUM = "file://LICENSE;md5=39bba7d2cf0ba1036f2a6e2be52fe3f0"

# hailort-drivers v4.21.0, on the hailo8 branch. It unpacks into ${BP}, oe-core's default S on
# every release; the driver builds in its linux/integrated_nnc folder.
SRC_URI = "git://github.com/hailo-ai/hailort-drivers.git;protocol=https;branch=hailo8;destsuffix=${BP}"
SRCREV = "64897376cd67954ff497e194d6ca76d67f404b26"
B = "${S}/linux/integrated_nnc"

inherit module

COMPATIBLE_MACHINE = "(hailo15|hailo15l)"

EXTRA_OEMAKE += "KERNEL_DIR=${STAGING_KERNEL_DIR}"
# MAKE_TARGETS is module.bbclass's (oelint's variable list lacks it); the Makefile's default is help.
# nooelint: oelint.vars.mispell.unknown
MAKE_TARGETS = "all"
# modules_install into kernel/drivers/misc; module.bbclass makes the Makefile's depmod a no-op.
MODULES_INSTALL_TARGET = "install"

# module.bbclass puts the .ko in its own package, kernel-module-hailo-integrated-nnc.
RRECOMMENDS:${PN} = "hailo15-nnc-fw"

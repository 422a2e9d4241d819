SUMMARY = "HailoRT command line tool"
DESCRIPTION = "hailortcli, the HailoRT 4.21.0 command line tool: scan, fw-control, parse-hef, \
               run, run2, benchmark, measure-power and monitor, for Hailo-8/8L devices."
HOMEPAGE = "https://github.com/hailo-ai/hailort"
BUGTRACKER = "https://github.com/hailo-ai/hailort/issues"
CVE_PRODUCT = "hailo:hailort"
SECTION = "console/utils"
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://hailort/LICENSE;md5=ed57bbf10be0c74ecf2c80710208b2b3 \
                    file://hailort/LICENSE-3RD-PARTY.md;md5=87f8edc8e3d5342f8b0614df5bae3b58"

# The tool links the libhailort built in the same tree; the shared library and its shlibs data
# come from the libhailort recipe.
DEPENDS = "libhailort"

inherit hailort

OECMAKE_TARGET_COMPILE = "hailortcli"

do_install() {
    install -d ${D}${bindir}
    install -m 0755 ${B}/hailort/hailortcli/hailortcli ${D}${bindir}/hailortcli
}

RPROVIDES:${PN} = "hailo-runtime-cli"
RCONFLICTS:${PN} = "python3-hailort-sim"

SUMMARY = "HailoRT library, command line tool and service for Hailo AI accelerators"
DESCRIPTION = "HailoRT 4.21.0 built once from its CMake tree and split into the packages users \
               install: libhailort (the user-space library that loads HEF files and runs inference on \
               Hailo-8/8L devices through the hailo_pci driver), libhailort-dev (C/C++ headers and \
               HailoRTConfig.cmake), hailortcli (the command line tool) and hailort-service (the \
               multi-process daemon hailort_service, with a systemd unit and a SysV init script)."
HOMEPAGE = "https://github.com/hailo-ai/hailort"
BUGTRACKER = "https://github.com/hailo-ai/hailort/issues"
CVE_PRODUCT = "hailo:hailort"
SECTION = "libs"
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://hailort/LICENSE;md5=ed57bbf10be0c74ecf2c80710208b2b3 \
                    file://hailort/LICENSE-3RD-PARTY.md;md5=87f8edc8e3d5342f8b0614df5bae3b58"

# The recipes of HailoRT 4.21.0 before this one was split into packages; DEPENDS on any of
# these names still works.
PROVIDES = "libhailort hailortcli hailort-service"

require recipes-hailo/hailort/hailort-sources-${PV}.inc

# The service's files are the layer's (python3-hailort-sim installs the same ones): upstream's
# unit starts /usr/local/bin/hailort_service. They unpack beside the source tree, into ${S}/oe.
SRC_URI += "file://0001-execute_cmake-pass-CMAKE_POLICY_VERSION_MINIMUM-to-sub-builds.patch \
            file://hailort.service;subdir=${BP}/oe \
            file://hailort.init;subdir=${BP}/oe \
            file://hailort_service;subdir=${BP}/oe \
            file://hailort-tmpfiles.conf;subdir=${BP}/oe \
           "

# PACKAGECONFIG system-libs: our patches, and DotWriter (the one external nobody packages),
# pinned and fetched by do_fetch.
HAILORT_SYSTEM_LIBS_SRC_URI = "file://0002-hailort-system-libs-use-the-distribution-s-libraries.patch \
                               file://0003-hailort-system-libs-include-fmt-through-spdlog.patch \
                               file://0004-hailort-system-libs-hailortcli-with-upstream-CLI11.patch \
                               git://github.com/hailo-ai/DotWriter.git;protocol=https;branch=master;name=dotwriter;destsuffix=${BP}/hailort/external/dotwriter-src \
                              "
# oelint reads the inline python below as one URI and questions its options.
# nooelint: oelint.vars.srcurioptions
SRC_URI += "${@bb.utils.contains('PACKAGECONFIG', 'system-libs', '${HAILORT_SYSTEM_LIBS_SRC_URI}', '', d)}"
# DotWriter's commit: the one HailoRT 4.21.0 pins (hailort/cmake/external/dotwriter.cmake).
# nooelint: oelint.vars.specific,oelint.vars.mispell.unknown
SRCREV_dotwriter = "e5fa8f281adca10dd342b1d32e981499b8681daf"
SRCREV_FORMAT = "default_dotwriter"

inherit hailort systemd update-rc.d

# service: hailort_service, and multi-process support in libhailort (gRPC among the externals).
PACKAGECONFIG ??= "service"
PACKAGECONFIG[service] = "-DHAILO_BUILD_SERVICE=ON,-DHAILO_BUILD_SERVICE=OFF"
# system-libs (issue 11 item 5): HailoRT against the distribution's protobuf, spdlog, CLI11,
# xxhash, eigen and nlohmann-json (oe-core, meta-oe) and readerwriterqueue (this layer)
# instead of its FetchContent copies: nothing bundled to patch for CVEs, no host protoc
# sub-build, no externals tarball (hailort.bbclass skips that step). The service needs gRPC,
# which the patches do not cover: the two exclude each other. Proved with Debian 12's
# packages by scripts/hailort-oracle (docs/oracle.md). Needs meta-oe.
PACKAGECONFIG[system-libs] = "-DHAILO_USE_SYSTEM_LIBS=ON -DProtobuf_PROTOC_EXECUTABLE=${STAGING_BINDIR_NATIVE}/protoc,-DHAILO_USE_SYSTEM_LIBS=OFF,protobuf protobuf-native spdlog cli11 xxhash libeigen nlohmann-json readerwriterqueue,,,service"
HAILORT_BUILD_SERVICE = "${@bb.utils.contains('PACKAGECONFIG', 'service', 'ON', 'OFF', d)}"

OECMAKE_TARGET_COMPILE = "libhailort hailortcli ${@bb.utils.contains('PACKAGECONFIG', 'service', 'hailort_service', '', d)}"

do_install() {
    DESTDIR='${D}' cmake --install ${B}/hailort/libhailort --config Release
    install -d ${D}${bindir}
    install -m 0755 ${B}/hailort/hailortcli/hailortcli ${D}${bindir}/hailortcli
    if ${@bb.utils.contains('PACKAGECONFIG', 'service', 'true', 'false', d)}; then
        install -d ${D}${sysconfdir}/default ${D}${sysconfdir}/init.d
        install -m 0755 ${B}/hailort/hailort_service/hailort_service ${D}${bindir}/hailort_service
        install -m 0644 ${S}/oe/hailort_service ${D}${sysconfdir}/default/hailort_service
        install -m 0755 ${S}/oe/hailort.init ${D}${sysconfdir}/init.d/hailort
        install -d ${D}${systemd_system_unitdir} ${D}${nonarch_libdir}/tmpfiles.d
        install -m 0644 ${S}/oe/hailort.service ${D}${systemd_system_unitdir}/hailort.service
        install -m 0644 ${S}/oe/hailort-tmpfiles.conf ${D}${nonarch_libdir}/tmpfiles.d/hailort.conf
    fi
}

# libhailort has no SOVERSION: its soname is the full version (libhailort.so.4.21.0). The
# files are named exactly: hailo-validate's hardware profile reads them from here (hailo_kit.layer).
PACKAGES =+ "libhailort libhailort-dev hailortcli hailort-service"
FILES:libhailort += "${libdir}/libhailort.so.${PV}"
FILES:libhailort-dev += "${includedir} ${libdir}/libhailort.so ${libdir}/cmake/HailoRT"
FILES:hailortcli += "${bindir}/hailortcli"
FILES:hailort-service += "${bindir}/hailort_service \
                          ${sysconfdir}/default/hailort_service \
                          ${sysconfdir}/init.d/hailort \
                          ${systemd_system_unitdir}/hailort.service \
                          ${nonarch_libdir}/tmpfiles.d/hailort.conf \
                         "
CONFFILES:hailort-service += "${sysconfdir}/default/hailort_service"
RDEPENDS:libhailort-dev = "libhailort"

# systemd starts the service where it is the init manager, update-rc.d elsewhere (sysvinit:
# scarthgap and whinlatter nodistro); each class does nothing without its init system.
# Without PACKAGECONFIG "service" there is no hailort-service package: also remove it from
# packagegroup-hailo (RDEPENDS:packagegroup-hailo:remove = "hailort-service").
HAILORT_SERVICE_PACKAGE = "${@bb.utils.contains('PACKAGECONFIG', 'service', 'hailort-service', '', d)}"
SYSTEMD_PACKAGES = "${HAILORT_SERVICE_PACKAGE}"
SYSTEMD_SERVICE:hailort-service = "hailort.service"
INITSCRIPT_PACKAGES = "${HAILORT_SERVICE_PACKAGE}"
INITSCRIPT_NAME:hailort-service = "hailort"
INITSCRIPT_PARAMS:hailort-service = "defaults 90 10"

RPROVIDES:hailortcli = "hailo-runtime-cli"
RPROVIDES:hailort-service = "hailo-runtime-service"
RCONFLICTS:libhailort = "python3-hailort-sim"
RCONFLICTS:hailortcli = "python3-hailort-sim"
RCONFLICTS:hailort-service = "python3-hailort-sim"

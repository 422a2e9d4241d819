# SPDX-License-Identifier: MIT
#
# The HailoRT 4.21.0 build shared by libhailort, hailortcli, pyhailort, libgsthailo and
# hailort-service: the source (defined only here), the CMake settings, and the offline flow of
# the HailoRT user guide (section 10.7): do_prepare_hailort_external_dependencies.
#
# HailoRT's CMake downloads its externals (protobuf, gRPC, spdlog, pybind11, ...) with
# FetchContent. Here do_configure never gets the network: the externals come from a tarball
# made by do_prepare_hailort_external_dependencies, the only task that may get the network flag,
# and only when it downloads. The logic is in lib/hailort_offline (tested by pytest).
#
#   HAILORT_OFFLINE_BUILD_ENABLE = "1"            keep the tarball in DL_DIR (collect for offline)
#   HAILORT_OFFLINE_BUILD_USE_EXISTING_TAR = "1"  with the above: use that tarball, no network

inherit cmake

HAILORT_VERSION = "4.21.0"
HAILORT_SRCREV = "0df636dcb6be9b3943a458591ad5213674a9845d"
HAILORT_GIT_URI = "git://github.com/hailo-ai/hailort.git;protocol=https;branch=hailo8;destsuffix=hailort-${HAILORT_VERSION}"

SRC_URI = "${HAILORT_GIT_URI}"
SRCREV = "${HAILORT_SRCREV}"
# UNPACKDIR exists from styhead on; on scarthgap sources unpack into WORKDIR.
HAILORT_UNPACKDIR = "${@d.getVar('UNPACKDIR') or d.getVar('WORKDIR')}"
S = "${HAILORT_UNPACKDIR}/hailort-${HAILORT_VERSION}"

HAILORT_OFFLINE_BUILD_ENABLE ??= "0"
HAILORT_OFFLINE_BUILD_USE_EXISTING_TAR ??= "0"

# HAILO_BUILD_SERVICE=ON gives libhailort multi-process support (and needs gRPC among the
# externals); the preparation step gets the same value so the tarball holds what the build uses.
HAILORT_BUILD_SERVICE ??= "ON"

EXTRA_OECMAKE += "-DCMAKE_BUILD_TYPE=Release \
                  -DHAILO_BUILD_SERVICE=${HAILORT_BUILD_SERVICE} \
                  -DHAILO_BUILD_EXAMPLES=OFF \
                  -DHAILO_BUILD_UT=OFF \
                  -DHAILO_COMPILE_WARNING_AS_ERROR=OFF \
                  -DCMAKE_SKIP_RPATH=ON \
                 "

# What -DHAILO_OFFLINE_COMPILATION=ON does, for every CMake project of the tree (the pyhailort
# extension is configured by setup.py, which passes only the toolchain file through).
do_generate_toolchain_file:append() {
    cat >> ${WORKDIR}/toolchain.cmake <<EOF_HAILORT
# meta-hailo-libhailort: externals come from do_prepare_hailort_external_dependencies
set(FETCHCONTENT_FULLY_DISCONNECTED ON CACHE BOOL "HailoRT externals are unpacked by do_unpack" FORCE)
EOF_HAILORT
}

def hailort_offline_mode(d):
    import hailort_offline
    return hailort_offline.mode_from_flags(d.getVar('HAILORT_OFFLINE_BUILD_ENABLE'),
                                           d.getVar('HAILORT_OFFLINE_BUILD_USE_EXISTING_TAR'))

def hailort_tarball(d, mode):
    import hailort_offline
    return hailort_offline.tarball_path(mode, d.getVar('PN'), d.getVar('PV'),
                                        d.getVar('DL_DIR'), d.getVar('WORKDIR'))

# The network flag only when the task downloads (not in USE_EXISTING_TAR mode).
def hailort_network_flag(d):
    import hailort_offline
    try:
        mode = hailort_offline_mode(d)
    except hailort_offline.ExternalsError:
        # Reported by the task itself, with the explanation.
        return "0"
    return "1" if hailort_offline.needs_network(mode) else "0"

python do_prepare_hailort_external_dependencies() {
    import os
    import hailort_offline

    try:
        mode = hailort_offline_mode(d)
    except hailort_offline.ExternalsError as error:
        bb.fatal(str(error))
    tarball = hailort_tarball(d, mode)
    if mode == hailort_offline.OFFLINE:
        if not os.path.isfile(tarball):
            bb.fatal(str(hailort_offline.MissingTarball(tarball)))
        bb.note("Using the existing HailoRT externals %s" % tarball)
        return

    scratch = d.expand('${WORKDIR}/hailort-externals-prepare')
    bb.utils.remove(scratch, recurse=True)
    bb.utils.mkdirhier(scratch)
    bb.fetch2.Fetch([d.getVar('HAILORT_GIT_URI')], d).unpack(scratch)
    source = os.path.join(scratch, 'hailort-' + d.getVar('HAILORT_VERSION'))

    env = dict(os.environ)
    env.update(bb.fetch2.get_fetcher_environment(d))
    env['PATH'] = d.getVar('PATH')
    # Nothing is compiled: the nested project() only needs a working host compiler.
    env['CC'] = d.getVar('BUILD_CC')
    env['CXX'] = d.getVar('BUILD_CXX')
    # Script mode has no generator of its own; the nested configure needs one (-G).
    command = ['cmake', '-DCMAKE_GENERATOR=%s' % d.getVar('OECMAKE_GENERATOR'),
               '-DHAILO_BUILD_SERVICE=%s' % d.getVar('HAILORT_BUILD_SERVICE'),
               '-P', 'hailort/prepare_externals.cmake']
    try:
        hailort_offline.prepare_externals(source, command, env=env)
        hailort_offline.write_reproducible_tarball(source, hailort_offline.EXTERNALS_SUBDIR, tarball)
    except hailort_offline.ExternalsError as error:
        bb.fatal(str(error))
    bb.utils.remove(scratch, recurse=True)
    bb.note("HailoRT externals packed into %s" % tarball)
}
do_prepare_hailort_external_dependencies[doc] = "Downloads HailoRT's CMake externals into a reproducible tarball (HailoRT user guide 10.7)"
do_prepare_hailort_external_dependencies[vardeps] += "HAILORT_OFFLINE_BUILD_ENABLE HAILORT_OFFLINE_BUILD_USE_EXISTING_TAR HAILORT_BUILD_SERVICE"
do_prepare_hailort_external_dependencies[vardepsexclude] += "DL_DIR"
do_prepare_hailort_external_dependencies[dirs] = "${WORKDIR}"
# The only task of these recipes that may download, besides do_fetch (HailoRT user guide 10.7).
# nooelint: oelint.task.network
do_prepare_hailort_external_dependencies[network] = "${@hailort_network_flag(d)}"
addtask prepare_hailort_external_dependencies after do_fetch do_prepare_recipe_sysroot before do_unpack

hailort_unpack_externals[doc] = "Unpacks the HailoRT externals tarball into the source tree (do_unpack postfunc)"
python hailort_unpack_externals() {
    import hailort_offline
    try:
        mode = hailort_offline_mode(d)
        hailort_offline.extract_tarball(hailort_tarball(d, mode), d.getVar('S'))
    except hailort_offline.ExternalsError as error:
        bb.fatal(str(error))
}
hailort_unpack_externals[vardepsexclude] += "DL_DIR"
do_unpack[postfuncs] += "hailort_unpack_externals"

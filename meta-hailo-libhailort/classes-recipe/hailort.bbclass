# SPDX-License-Identifier: MIT
#
# How HailoRT's CMake is built, for the recipes that build from its tree with its externals
# (hailort, pyhailort): the CMake settings every Yocto release needs, and the offline flow of
# the HailoRT user guide (section 10.7): do_prepare_hailort_external_dependencies. Behaviour
# only: the version, source and commit are in recipes-hailo/hailort/hailort-sources-<PV>.inc.
#
# HailoRT's CMake downloads its externals (protobuf, gRPC, spdlog, pybind11, ...) with
# FetchContent. Here do_configure never gets the network: the externals come from a tarball
# made by do_prepare_hailort_external_dependencies, the only task that may get the network flag,
# and only when it downloads. The logic is in lib/hailort_offline (tested by pytest).
#
#   HAILORT_OFFLINE_BUILD_ENABLE = "1"            keep the tarball in DL_DIR (collect for offline)
#   HAILORT_OFFLINE_BUILD_USE_EXISTING_TAR = "1"  with the above: use that tarball, no network

inherit cmake

# HailoRT's CMake builds a host protoc (and, for the service, grpc_cpp_plugin) at configure
# time, in a sub-build run under `env -i PATH=/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:
# /usr/bin:/sbin bash -l` with the parent's generator (hailort/cmake/execute_cmake.cmake).
# That environment sees the build host's /usr/bin only: make is there on every Yocto build
# host (a required host tool), ninja is not (oe-core's default Ninja generator runs
# ninja-native from the sysroot, which the sub-build cannot see). The vendor's layer does the same.
OECMAKE_GENERATOR = "Unix Makefiles"

HAILORT_OFFLINE_BUILD_ENABLE ??= "0"
HAILORT_OFFLINE_BUILD_USE_EXISTING_TAR ??= "0"

# HAILO_BUILD_SERVICE=ON gives libhailort multi-process support (and needs gRPC among the
# externals); the hailort recipe's PACKAGECONFIG "service" sets it, and the preparation step
# gets the same value so the tarball holds what the build uses.
HAILORT_BUILD_SERVICE ??= "OFF"

EXTRA_OECMAKE += "-DCMAKE_BUILD_TYPE=Release \
                  -DHAILO_BUILD_EXAMPLES=OFF \
                  -DHAILO_BUILD_UT=OFF \
                  -DHAILO_COMPILE_WARNING_AS_ERROR=OFF \
                 "

# Settings for every CMake project of the tree, in the toolchain file because pyhailort's
# setup.py configures its extension itself and passes only CMAKE_TOOLCHAIN_FILE through:
# - what -DHAILO_OFFLINE_COMPILATION=ON does: the externals are unpacked by do_unpack;
# - no RPATH: pyhailort sets INSTALL_RPATH to LIBHAILORT_PATH, a path in the recipe sysroot,
#   which oe-core's buildpaths QA refuses (an error from whinlatter on); libhailort is in libdir;
# - CMake 4 (whinlatter 4.1, wrynose 4.3) refuses cmake_minimum_required below 3.5, which
#   CLI11, DotWriter and json declare; CMake 3 ignores the variable. The patch
#   0001-execute_cmake-pass-CMAKE_POLICY_VERSION_MINIMUM-to-sub-builds.patch hands it on to the
#   host protoc/gRPC sub-builds.
HAILORT_CMAKE_POLICY_VERSION_MINIMUM ?= "3.5"
do_generate_toolchain_file:append() {
    cat >> ${WORKDIR}/toolchain.cmake <<EOF_HAILORT
# meta-hailo-libhailort (hailort.bbclass)
set(FETCHCONTENT_FULLY_DISCONNECTED ON CACHE BOOL "HailoRT externals are unpacked by do_unpack" FORCE)
set(CMAKE_SKIP_RPATH ON CACHE BOOL "no build paths in the installed files" FORCE)
set(CMAKE_SKIP_INSTALL_RPATH ON CACHE BOOL "no build paths in the installed files" FORCE)
set(CMAKE_POLICY_VERSION_MINIMUM ${HAILORT_CMAKE_POLICY_VERSION_MINIMUM} CACHE STRING "CMake 4 and the externals' old cmake_minimum_required" FORCE)
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
# PACKAGECONFIG "system-libs" (hailort recipe): the distribution's libraries instead of the
# externals, so the externals task and its unpack step do nothing.
def hailort_system_libs(d):
    return bb.utils.contains('PACKAGECONFIG', 'system-libs', True, False, d)

def hailort_network_flag(d):
    import hailort_offline
    if hailort_system_libs(d):
        return "0"
    try:
        mode = hailort_offline_mode(d)
    except hailort_offline.ExternalsError:
        # Reported by the task itself, with the explanation.
        return "0"
    return "1" if hailort_offline.needs_network(mode) else "0"

python do_prepare_hailort_external_dependencies() {
    import os
    import hailort_offline

    if hailort_system_libs(d):
        bb.note("PACKAGECONFIG system-libs: HailoRT uses the distribution's libraries, nothing to download")
        return
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
    source = os.path.join(scratch, d.getVar('BP'))

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
do_prepare_hailort_external_dependencies[vardeps] += "HAILORT_OFFLINE_BUILD_ENABLE HAILORT_OFFLINE_BUILD_USE_EXISTING_TAR HAILORT_BUILD_SERVICE PACKAGECONFIG"
do_prepare_hailort_external_dependencies[vardepsexclude] += "DL_DIR"
do_prepare_hailort_external_dependencies[dirs] = "${WORKDIR}"
# The only task of these recipes that may download, besides do_fetch (HailoRT user guide 10.7).
# nooelint: oelint.task.network
do_prepare_hailort_external_dependencies[network] = "${@hailort_network_flag(d)}"
addtask prepare_hailort_external_dependencies after do_fetch do_prepare_recipe_sysroot before do_unpack

hailort_unpack_externals[doc] = "Unpacks the HailoRT externals tarball into the source tree (do_unpack postfunc)"
python hailort_unpack_externals() {
    import hailort_offline
    if hailort_system_libs(d):
        return
    try:
        mode = hailort_offline_mode(d)
        hailort_offline.extract_tarball(hailort_tarball(d, mode), d.getVar('S'))
    except hailort_offline.ExternalsError as error:
        bb.fatal(str(error))
}
hailort_unpack_externals[vardepsexclude] += "DL_DIR"
do_unpack[postfuncs] += "hailort_unpack_externals"

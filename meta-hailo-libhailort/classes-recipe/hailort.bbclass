# SPDX-License-Identifier: MIT
#
# How HailoRT's CMake is built, for the recipes that build from its tree with its externals
# (hailort, pyhailort): the CMake settings every Yocto release needs, and the offline flow of
# the HailoRT user guide (section 10.7). Behaviour only: the version, source and commit are in
# recipes-hailo/hailort/hailort-sources-<PV>.inc.
#
# HailoRT's CMake downloads its externals (protobuf, gRPC, spdlog, pybind11, ...) with
# FetchContent. Here all downloading happens in do_fetch, the one task with the network (as
# yocto-check-layer requires): a do_fetch postfunc runs HailoRT's prepare_externals.cmake and
# packs the externals into a reproducible tarball in DL_DIR, like any other download;
# do_prepare_hailort_external_dependencies (after do_fetch, before do_unpack, no network) checks
# that tarball, and do_unpack unpacks it. The logic is in lib/hailort_offline (tested by pytest).
#
#   (nothing) or HAILORT_OFFLINE_BUILD_ENABLE = "1"   do_fetch makes the tarball in DL_DIR
#   HAILORT_OFFLINE_BUILD_USE_EXISTING_TAR = "1"       with ENABLE: the tarball must be in
#                                                      DL_DIR already; nothing is downloaded

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

# The service needs gRPC among the externals (the tarball's name and its check say so).
def hailort_builds_service(d):
    return d.getVar('HAILORT_BUILD_SERVICE') == 'ON'

def hailort_tarball(d):
    import hailort_offline
    return hailort_offline.tarball_path(d.getVar('DL_DIR'), d.getVar('PN'), d.getVar('PV'),
                                        hailort_builds_service(d))

# PACKAGECONFIG "system-libs" (hailort recipe): the distribution's libraries instead of the
# externals, so nothing is downloaded, checked or unpacked.
def hailort_system_libs(d):
    return bb.utils.contains('PACKAGECONFIG', 'system-libs', True, False, d)

def hailort_downloads_externals(d):
    import hailort_offline
    if hailort_system_libs(d):
        return False
    try:
        return hailort_offline.downloads(hailort_offline_mode(d))
    except hailort_offline.ExternalsError:
        # Reported by do_prepare_hailort_external_dependencies, with the explanation.
        return False

# do_fetch downloads the externals with CMake (prepare_externals.cmake is a CMake script):
# cmake-native, staged for do_fetch as git-native or nodejs-native are for their fetchers
# (staging.bbclass prepends extend_recipe_sysroot to a task whose depends name a
# populate_sysroot), so its bin dir in the recipe's native sysroot is on do_fetch's PATH.
do_fetch[depends] += "${@'cmake-native:do_populate_sysroot' if hailort_downloads_externals(d) else ''}"
do_fetch[postfuncs] += "hailort_fetch_externals"
do_fetch[vardeps] += "HAILORT_OFFLINE_BUILD_ENABLE HAILORT_OFFLINE_BUILD_USE_EXISTING_TAR HAILORT_BUILD_SERVICE"

hailort_fetch_externals[doc] = "Downloads HailoRT's CMake externals into a reproducible tarball in DL_DIR (do_fetch postfunc; HailoRT user guide 10.7)"
python hailort_fetch_externals() {
    import os
    import hailort_offline

    if not hailort_downloads_externals(d):
        return
    tarball = hailort_tarball(d)
    if os.path.isfile(tarball):
        bb.note("HailoRT externals already downloaded: %s" % tarball)
        return
    try:
        bb.fetch2.check_network_access(d, "cmake -P hailort/prepare_externals.cmake", d.getVar('HAILORT_GIT_URI'))
    except bb.fetch2.BBFetchException as error:
        bb.fatal("%s is not in DL_DIR and cannot be downloaded (%s). Copy it from a machine that "
                 "fetched this recipe, or allow the network." % (tarball, error))

    scratch = d.expand('${WORKDIR}/hailort-externals-fetch')
    bb.utils.remove(scratch, recurse=True)
    bb.utils.mkdirhier(scratch)
    # The HailoRT tree base_do_fetch has just downloaded (SRC_URI), unpacked to a scratch folder.
    bb.fetch2.Fetch([d.getVar('HAILORT_GIT_URI')], d).unpack(scratch)
    source = os.path.join(scratch, d.getVar('BP'))

    env = hailort_offline.host_environment(os.environ, d.getVar('BUILD_CC'), d.getVar('BUILD_CXX'),
                                           d.getVar('BUILD_CFLAGS'), d.getVar('BUILD_CXXFLAGS'),
                                           d.getVar('BUILD_LDFLAGS'))
    env.update(bb.fetch2.get_fetcher_environment(d))
    env['PATH'] = d.getVar('PATH')
    # CMake 4 also reads the policy minimum from the environment (the nested configure).
    env['CMAKE_POLICY_VERSION_MINIMUM'] = d.getVar('HAILORT_CMAKE_POLICY_VERSION_MINIMUM')
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
hailort_fetch_externals[vardepsexclude] += "DL_DIR"

# The guide's step (bitbake -c prepare_hailort_external_dependencies hailort pyhailort): after
# do_fetch, which downloaded; here only the check, with no network, so that a missing or wrong
# tarball is named before do_unpack (USE_EXISTING_TAR: the one copied from the online machine).
python do_prepare_hailort_external_dependencies() {
    import hailort_offline

    if hailort_system_libs(d):
        bb.note("PACKAGECONFIG system-libs: HailoRT uses the distribution's libraries, no externals")
        return
    try:
        mode = hailort_offline_mode(d)
        tarball = hailort_tarball(d)
        hailort_offline.check_tarball(tarball, mode, hailort_builds_service(d))
    except hailort_offline.ExternalsError as error:
        bb.fatal(str(error))
    bb.note("HailoRT externals ready: %s" % tarball)
}
do_prepare_hailort_external_dependencies[doc] = "Checks the tarball of HailoRT's CMake externals that do_fetch made or that was copied into DL_DIR (HailoRT user guide 10.7)"
do_prepare_hailort_external_dependencies[vardeps] += "HAILORT_OFFLINE_BUILD_ENABLE HAILORT_OFFLINE_BUILD_USE_EXISTING_TAR HAILORT_BUILD_SERVICE PACKAGECONFIG"
do_prepare_hailort_external_dependencies[vardepsexclude] += "DL_DIR"
addtask prepare_hailort_external_dependencies after do_fetch before do_unpack

hailort_unpack_externals[doc] = "Unpacks the HailoRT externals tarball into the source tree (do_unpack postfunc)"
python hailort_unpack_externals() {
    import hailort_offline
    if hailort_system_libs(d):
        return
    try:
        hailort_offline.extract_tarball(hailort_tarball(d), d.getVar('S'))
    except hailort_offline.ExternalsError as error:
        bb.fatal(str(error))
}
hailort_unpack_externals[vardepsexclude] += "DL_DIR"
do_unpack[postfuncs] += "hailort_unpack_externals"

SUMMARY = "HailoRT Python API (hailo_platform) and the hailo command"
DESCRIPTION = "pyhailort, the HailoRT 4.21.0 Python package hailo_platform with its _pyhailort \
               extension. In 4.21.0 the extension is a standalone CMake/pybind11 project that setup.py builds \
               against the libhailort installed in the sysroot."
HOMEPAGE = "https://github.com/hailo-ai/hailort"
BUGTRACKER = "https://github.com/hailo-ai/hailort/issues"
CVE_PRODUCT = "hailo:hailort"
SECTION = "devel/python"
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://hailort/LICENSE;md5=ed57bbf10be0c74ecf2c80710208b2b3 \
                    file://hailort/LICENSE-3RD-PARTY.md;md5=87f8edc8e3d5342f8b0614df5bae3b58"

# setup.py imports wheel.bdist_wheel: oe-core's setuptools3 class stopped bringing
# python3-wheel-native after wrynose (it is in the class on scarthgap..wrynose).
DEPENDS = "libhailort python3 python3-wheel-native"

require recipes-hailo/hailort/hailort-sources-${PV}.inc

# numpy 2 (whinlatter and later): see the patch.
SRC_URI += "file://0001-setup.py-accept-numpy-2.patch"

# hailort first (cmake: toolchain file with no RPATH, externals: pybind11), then setuptools3
# runs setup.py, which configures the extension with that toolchain file.
inherit hailort setuptools3

SETUPTOOLS_SETUP_PATH = "${S}/hailort/libhailort/bindings/python/platform"

# setup.py's build_ext passes these environment variables to CMake. LIBHAILORT_PATH is a
# sysroot path that HailoRT's CMake also makes the INSTALL_RPATH: the toolchain file turns
# RPATHs off (hailort.bbclass), so no build path reaches the installed extension.
export CMAKE_TOOLCHAIN_FILE = "${WORKDIR}/toolchain.cmake"
export LIBHAILORT_PATH = "${STAGING_LIBDIR}/libhailort.so.${PV}"
export HAILORT_INCLUDE_DIR = "${STAGING_INCDIR}"
export PYTHON_INCLUDE_DIRS = "${STAGING_INCDIR}/python${PYTHON_BASEVERSION}${PYTHON_ABI}"
export PYTHON_LIBRARY = "${STAGING_LIBDIR}/libpython${PYTHON_BASEVERSION}${PYTHON_ABI}.so"

RDEPENDS:${PN} = "python3-argcomplete \
                  python3-contextlib2 \
                  python3-future \
                  python3-netaddr \
                  python3-netifaces \
                  python3-numpy \
                 "

RPROVIDES:${PN} = "hailo-runtime-python"
RCONFLICTS:${PN} = "python3-hailort-sim"

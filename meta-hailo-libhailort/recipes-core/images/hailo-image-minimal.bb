SUMMARY = "Minimal image with HailoRT 4.21.0 and an SSH server"
DESCRIPTION = "core-image-minimal with an OpenSSH server and the HailoRT runtime chosen by \
               HAILO_RUNTIME_PROVIDER: hardware (packagegroup-hailo: libhailort, hailortcli, \
               pyhailort, libgsthailo, hailort-service and, with meta-hailo-accelerator, hailo-pci \
               and hailo-firmware) or sim (packagegroup-hailo-sim: the simulated device runtime, \
               for QEMU and CI)."
HOMEPAGE = "https://b-seed-a318fa93.example/meta-hailo-kit"
BUGTRACKER = "https://b-seed-a318fa93.example/meta-hailo-kit/issues"
SECTION = "images"
LICENSE = "MIT"

# core-image-minimal is oe-core's (BBPATH), which oelint cannot see.
# nooelint: oelint.file.requirenotfound
require recipes-core/images/core-image-minimal.bb

HAILO_RUNTIME_PROVIDER ??= "hardware"
HAILO_RUNTIME_PACKAGEGROUP = "${@hailo_runtime_packagegroup(d)}"

def hailo_runtime_packagegroup(d):
    provider = d.getVar('HAILO_RUNTIME_PROVIDER')
    groups = {'hardware': 'packagegroup-hailo', 'sim': 'packagegroup-hailo-sim'}
    if provider not in groups:
        bb.fatal('HAILO_RUNTIME_PROVIDER = "%s": use "hardware" or "sim"' % provider)
    if provider == 'sim' and 'meta-python' not in d.getVar('BBFILE_COLLECTIONS').split():
        bb.fatal('HAILO_RUNTIME_PROVIDER = "sim" needs meta-python (python3-protobuf) in bblayers.conf')
    return groups[provider]

# An image: core-image-minimal inherits core-image (oelint cannot see through the require).
# nooelint: oelint.vars.outofcontext
IMAGE_FEATURES += "ssh-server-openssh"
IMAGE_INSTALL += "${HAILO_RUNTIME_PACKAGEGROUP}"

SUMMARY = "Single-producer, single-consumer lock-free queue for C++"
DESCRIPTION = "readerwriterqueue, a header-only C++11 lock-free queue. HailoRT uses it; the \
               hailort recipe's PACKAGECONFIG system-libs builds against this recipe's headers \
               instead of a bundled copy (neither oe-core nor meta-openembedded has it)."
HOMEPAGE = "https://github.com/cameron314/readerwriterqueue"
BUGTRACKER = "https://github.com/cameron314/readerwriterqueue/issues"
CVE_PRODUCT = "readerwriterqueue"
SECTION = "libs"
# The queue is Simplified BSD; atomicops.h embeds Jeff Preshing's semaphore (zlib).
LICENSE = "BSD-2-Clause ${HAILO_LICENSE_AND} Zlib"
LIC_FILES_CHKSUM = "file://LICENSE.md;md5=ee6a511ac75d33a4520d961860f77103"

# destsuffix=${BP}: the default S on every release (scarthgap unpacks git into WORKDIR/git).
SRC_URI = "git://github.com/cameron314/readerwriterqueue.git;protocol=https;branch=master;destsuffix=${BP}"
SRCREV = "8e7627d18c2108aca178888d88514179899a044f"

inherit cmake

# Headers only: everything goes to -dev (upstream installs LICENSE.md beside them).
ALLOW_EMPTY:${PN} = "1"
BBCLASSEXTEND = "native nativesdk"

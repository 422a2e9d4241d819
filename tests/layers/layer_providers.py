"""Where the names our recipes depend on come from, outside our layers.

Keys are what a recipe names (a DEPENDS/RDEPENDS/RRECOMMENDS entry, an inherited class or a
required file); values are (layer collection, the recipe or file in that layer that provides it).
test_layers_structure computes the dependencies from the recipes and needs each outside one here;
test_layers_bitbake_parse checks every entry against the real oe-core/meta-openembedded
checkouts of each release it is given.
"""

PROVIDERS = {
    # build dependencies
    "gstreamer1.0": ("core", "recipes-multimedia/gstreamer/gstreamer1.0_*.bb"),
    "gstreamer1.0-plugins-base": ("core", "recipes-multimedia/gstreamer/gstreamer1.0-plugins-base_*.bb"),
    # python3-hailort-sim-gst: GStreamer's Python bindings, and the §10.6 pipeline row's source
    "gstreamer1.0-python": ("core", "recipes-multimedia/gstreamer/gstreamer1.0-python_*.bb"),
    "gstreamer1.0-plugins-base-videotestsrc": ("core", "recipes-multimedia/gstreamer/gstreamer1.0-plugins-base_*.bb"),
    "python3": ("core", "recipes-devtools/python/python3_*.bb"),
    "python3-wheel-native": ("core", "recipes-devtools/python/python3-wheel_*.bb"),
    # run-time dependencies: packages of oe-core's python3 recipe (python3-manifest.json)
    "python3-core": ("core", "recipes-devtools/python/python3_*.bb"),
    "libpython3": ("core", "recipes-devtools/python/python3_*.bb"),
    "python3-crypt": ("core", "recipes-devtools/python/python3_*.bb"),
    "python3-ctypes": ("core", "recipes-devtools/python/python3_*.bb"),
    "python3-datetime": ("core", "recipes-devtools/python/python3_*.bb"),
    "python3-fcntl": ("core", "recipes-devtools/python/python3_*.bb"),
    "python3-io": ("core", "recipes-devtools/python/python3_*.bb"),
    "python3-json": ("core", "recipes-devtools/python/python3_*.bb"),
    "python3-logging": ("core", "recipes-devtools/python/python3_*.bb"),
    "python3-mmap": ("core", "recipes-devtools/python/python3_*.bb"),
    "python3-multiprocessing": ("core", "recipes-devtools/python/python3_*.bb"),
    "python3-netclient": ("core", "recipes-devtools/python/python3_*.bb"),
    "python3-threading": ("core", "recipes-devtools/python/python3_*.bb"),
    "python3-numpy": ("core", "recipes-devtools/python/python3-numpy_*.bb"),
    # meta-python
    "python3-argcomplete": ("meta-python", "recipes-devtools/python/python3-argcomplete_*.bb"),
    "python3-contextlib2": ("meta-python", "recipes-devtools/python/python3-contextlib2_*.bb"),
    "python3-future": ("meta-python", "recipes-devtools/python/python3-future_*.bb"),
    "python3-netaddr": ("meta-python", "recipes-devtools/python/python3-netaddr_*.bb"),
    "python3-netifaces": ("meta-python", "recipes-devtools/python/python3-netifaces_*.bb"),
    "python3-protobuf": ("meta-python", "recipes-devtools/python/python3-protobuf_*.bb"),
    "python3-xxhash": ("meta-python", "recipes-devtools/python/python3-xxhash_*.bb"),
    # classes
    "class:allarch": ("core", "classes-recipe/allarch.bbclass"),
    "class:cmake": ("core", "classes-recipe/cmake.bbclass"),
    "class:module": ("core", "classes-recipe/module.bbclass"),
    "class:packagegroup": ("core", "classes-recipe/packagegroup.bbclass"),
    "class:pkgconfig": ("core", "classes-recipe/pkgconfig.bbclass"),
    "class:python_setuptools_build_meta": ("core", "classes-recipe/python_setuptools_build_meta.bbclass"),
    "class:setuptools3": ("core", "classes-recipe/setuptools3.bbclass"),
    "class:systemd": ("core", "classes-recipe/systemd.bbclass"),
    "class:update-rc.d": ("core", "classes-recipe/update-rc.d.bbclass"),
    # required files
    "require:recipes-core/images/core-image-minimal.bb": ("core", "recipes-core/images/core-image-minimal.bb"),
    # image features: IMAGE_FEATURES "ssh-server-openssh" installs this packagegroup
    "packagegroup-core-ssh-openssh": ("core", "recipes-core/packagegroups/packagegroup-core-ssh-openssh.bb"),
}

# LAYERDEPENDS of the layers we depend on (their conf/layer.conf), for the closure.
EXTERNAL_LAYERDEPENDS = {
    "core": set(),
    "openembedded-layer": {"core"},
    "meta-python": {"core", "openembedded-layer"},
}

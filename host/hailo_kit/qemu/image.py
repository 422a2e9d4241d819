"""The bootable image: kernel + initramfs (base archive followed by the overlay archive),
each stage cached under its own content key in the cache root:

    <cache>/debs/<arch>/            debootstrap's .deb cache (survives key changes)
    <cache>/<arch>/base/<key>/      vmlinuz, base.cpio, manifest.json
    <cache>/<arch>/overlay/<key>/   overlay.cpio, initrd.cpio (base + overlay), SSH keys, manifest.json
"""
import pathlib
import shutil
from dataclasses import dataclass

from . import cache, config, overlay, preflight, rootfs
from .progress import say


# What an entry must hold to be used (cache.problem checks them with the manifest's hashes).
BASE_FILES = ("vmlinuz", "base.cpio")
OVERLAY_FILES = ("overlay.cpio", "initrd.cpio", "id_ed25519", "id_ed25519.pub", "host_key.pub")


@dataclass(frozen=True)
class Image:
    arch: str
    kernel: pathlib.Path
    initrd: pathlib.Path
    key_path: pathlib.Path       # OpenSSH private key for root
    host_key: str                # "ssh-ed25519 AAAA..."
    base_key: str
    overlay_key: str
    base_cached: bool            # the base stage came from the cache (no debootstrap)
    overlay_cached: bool         # the overlay stage came from the cache
    base_dir: pathlib.Path
    overlay_dir: pathlib.Path

    @property
    def cached(self):
        return self.base_cached and self.overlay_cached


def keys_for(arch_name="amd64", mirror=None):
    """(base key, overlay key) of the image that build_image would return, without building."""
    arch = config.arch(arch_name)
    mirror = mirror or config.debian_mirror()
    base_key = cache.content_key(*rootfs.key_inputs(arch, mirror))
    return base_key, overlay.overlay_key(base_key)


def _combine(base_cpio, overlay_cpio, out):
    with open(out, "wb") as dst:
        for part in (base_cpio, overlay_cpio):
            with open(part, "rb") as src:
                shutil.copyfileobj(src, dst, 8 << 20)


def build_image(arch="amd64", mirror=None, cache_dir=None, prune=True):
    """Builds what is missing and returns the Image; only a cache miss needs root."""
    arch = config.arch(arch)
    mirror = mirror or config.debian_mirror()
    root = pathlib.Path(cache_dir) if cache_dir else config.cache_root()
    base_key, overlay_key = keys_for(arch.name, mirror)
    base_dir = root / arch.name / "base" / base_key
    ov_dir = root / arch.name / "overlay" / overlay_key

    def build_base(tmp):
        preflight.require_root()
        preflight.require_tools(preflight.BUILD_TOOLS)
        preflight.require_foreign_arch(arch)
        preflight.require_mirror(mirror)
        return rootfs.build(tmp, arch, mirror, root / "debs" / arch.name)

    if not base_dir.exists():
        say(f"base rootfs {base_key} not cached: building it in {root}")
    base_dir, base_cached = cache.ensure(base_dir, build_base, BASE_FILES, "base rootfs")
    base_manifest = cache.manifest(base_dir)

    def build_overlay(tmp):
        manifest = overlay.build(tmp, base_manifest)
        say("overlay: joining base and overlay archives")
        _combine(base_dir / "base.cpio", tmp / "overlay.cpio", tmp / "initrd.cpio")
        return manifest

    if not ov_dir.exists():
        say(f"overlay {overlay_key} (runtime + layer files) not cached: building it")
    # initrd.cpio holds a copy of base.cpio: a rebuilt base needs a new one
    made_from = {"base_cpio": base_manifest["files"]["base.cpio"]["sha256"]}
    ov_dir, overlay_cached = cache.ensure(ov_dir, build_overlay, OVERLAY_FILES, "overlay", made_from)
    if prune:  # old keys are dead weight (hundreds of MB each)
        cache.prune(root / arch.name / "overlay", keep=overlay_key)
        cache.prune(root / arch.name / "base", keep=base_key, newest=2)
    host_key = (ov_dir / "host_key.pub").read_text().strip()
    if base_cached and overlay_cached:
        say(f"image {arch.name} {overlay_key}: cached")
    return Image(arch.name, base_dir / "vmlinuz", ov_dir / "initrd.cpio", ov_dir / "id_ed25519",
                 host_key, base_key, overlay_key, base_cached, overlay_cached, base_dir, ov_dir)

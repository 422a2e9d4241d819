"""The overlay stage: what changes with our code, packed as a small cpio archive that the kernel
unpacks over the base (concatenated newc archives overlay each other). A runtime change
rebuilds only this: the runtime wheel, the layer's files, SSH keys and sample HEFs."""
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

from installer import install
from installer.destinations import SchemeDictionaryDestination
from installer.sources import WheelFile

from .. import layer
from . import config, keys
from .cache import content_key, tree_key
from .errors import TargetError
from .progress import say
from .rootfs import pack

RUNTIME = config.REPO_ROOT / "runtime"
SAMPLES_MODULE = RUNTIME / "hailort_sim/hef/samples.py"


# The simulated image's package group (hailo-image-minimal with HAILO_RUNTIME_PROVIDER = "sim").
PACKAGEGROUP = "packagegroup-hailo-sim"


def layer_files_of_image():
    """(files, enabled units): what the package group's recipes install from the layers (their
    file:// sources; the runtime itself is the wheel) and the units SYSTEMD_SERVICE enables, as
    hailo_kit.layer reads them from the recipes. No init scripts: systemd.bbclass drops them on
    an image without sysvinit, and this one has none."""
    packages = layer.packagegroup(PACKAGEGROUP)
    files = [f for f in layer.installed_files(packages)
             if f.source is not None and layer.init_system(f.path) != "sysvinit"]
    if not files:
        raise TargetError(f"the recipes of {PACKAGEGROUP} install no file from the layers")
    units = []
    for service in layer.systemd_services(packages):
        unit = next((f.path for f in files if f.path.endswith("/systemd/system/" + service)), None)
        if unit is None:
            raise TargetError(f"SYSTEMD_SERVICE names {service}, which no recipe of {PACKAGEGROUP} "
                              "installs from the layer")
        units.append(unit)
    return files, units


def key_inputs(base_key):
    files, units = layer_files_of_image()
    installed = [x for f in files for x in (f.path, f.mode, f.source)]
    return ["overlay", base_key, tree_key(RUNTIME), *installed, units,
            pathlib.Path(__file__), pathlib.Path(keys.__file__), pathlib.Path(layer.__file__)]


def image_path(rel):
    """Merged /usr: the base has /lib -> usr/lib, so the overlay writes through usr/."""
    first, _, rest = rel.partition("/")
    return f"usr/{rel}" if first in ("lib", "bin", "sbin", "lib64") else rel


def build_wheel(work):
    """The runtime as a wheel, built from a copy so the work tree gets no build/ or egg-info."""
    src = work / "runtime-src"
    shutil.copytree(RUNTIME, src, ignore=shutil.ignore_patterns(
        "__pycache__", "*.pyc", "build", "*.egg-info", "dist"))
    out = work / "wheel"
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                           "--disable-pip-version-check", "-w", str(out), str(src)],
                          capture_output=True, text=True)
    wheels = sorted(out.glob("*.whl"))
    if proc.returncode != 0 or not wheels:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise TargetError(f"building the runtime wheel from {RUNTIME} failed:\n{tail}")
    return wheels[0]


def install_wheel(wheel, root, pyver):
    """Installs into the target's Debian python: modules in /usr/lib/python3/dist-packages,
    scripts in /usr/bin with a #!/usr/bin/python3 shebang."""
    scheme = {"purelib": "/usr/lib/python3/dist-packages",
              "platlib": "/usr/lib/python3/dist-packages",
              "headers": f"/usr/include/python{pyver}/hailort-sim",
              "scripts": "/usr/bin", "data": "/usr"}
    # Precompiled bytecode saves seconds per boot under TCG; only valid for the same version.
    same_python = f"{sys.version_info[0]}.{sys.version_info[1]}" == pyver
    dest = SchemeDictionaryDestination(scheme, interpreter="/usr/bin/python3", script_kind="posix",
                                       bytecode_optimization_levels=(0,) if same_python else (),
                                       destdir=str(root))
    with WheelFile.open(wheel) as source:
        install(source, dest, additional_metadata={"INSTALLER": b"hailo-kit\n"})
    return same_python


def layer_files(root):
    """Installs the files the layers' recipes install, and enables their units."""
    files, units = layer_files_of_image()
    for f in files:
        target = root / image_path(f.path.lstrip("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f.source, target)
        target.chmod(0o644 if f.mode is None else f.mode)
    for unit in units:
        text = (root / image_path(unit.lstrip("/"))).read_text()
        wanted_by = [w for line in text.splitlines() if line.strip().startswith("WantedBy=")
                     for w in line.split("=", 1)[1].split()]
        for target_unit in wanted_by:  # what `systemctl enable` does
            link = root / "etc/systemd/system" / f"{target_unit}.wants" / os.path.basename(unit)
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(unit)
    return files


def gst_plugin(root, work, arch, pyver):
    """libgsthailo.so, the GStreamer plugin "hailo" that python3-hailort-sim-gst builds from
    runtime/gst-plugin, built here with the same Makefile and the host's compiler and GStreamer
    headers: in ${libdir}/gstreamer-1.0 as the recipe installs it, linked from Debian's plugin
    directory /usr/lib/<multiarch>/gstreamer-1.0. Only for the host's own architecture: a
    cross build would need the target's GStreamer and libc headers, which the host lacks; a
    foreign target is built without the plugin (and says so), its GStreamer rows then fail."""
    target = config.arch(arch)
    if target.name != config.arch(os.uname().machine).name:
        say(f"overlay: libgsthailo.so is built for the host's architecture only: this {target.name} "
            "target has no GStreamer plugin hailo (hailonet, hailodevicestats)")
        return
    out = work / "gst-plugin"
    out.mkdir()
    proc = subprocess.run(["make", "-s", "-C", str(RUNTIME / "gst-plugin"), f"O={out}",
                           f"LIBPYTHON=libpython{pyver}.so.1.0", "GST_PLUGIN_DIR=/usr/lib/gstreamer-1.0",
                           f"DESTDIR={root}", "install"], capture_output=True, text=True)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-10:])
        raise TargetError(f"building libgsthailo.so (runtime/gst-plugin: make, cc, libgstreamer1.0-dev) "
                          f"failed:\n{tail}")
    link = root / f"usr/lib/{target.multiarch}/gstreamer-1.0/libgsthailo.so"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to("/usr/lib/gstreamer-1.0/libgsthailo.so")


def ssh_keys(root, out):
    ssh = root / "root/.ssh"
    ssh.mkdir(parents=True)
    (root / "root").chmod(0o700)
    ssh.chmod(0o700)
    public = keys.client_key(out / "id_ed25519")
    (out / "id_ed25519.pub").write_text(public + "\n")
    (ssh / "authorized_keys").write_text(public + "\n")
    (ssh / "authorized_keys").chmod(0o600)
    hostkey = root / "etc/dropbear/dropbear_ed25519_host_key"
    hostkey.parent.mkdir(parents=True)
    host_public = keys.dropbear_host_key(hostkey)
    hostkey.chmod(0o600)
    (out / "host_key.pub").write_text(host_public + "\n")
    return host_public


def sample_hefs(root, work):
    """HEFs from the runtime's own generator; skipped (and said so) while it does not exist."""
    if not SAMPLES_MODULE.is_file():
        say("overlay: no hailort_sim.hef.samples in the runtime yet: image has no sample HEFs")
        return []
    dest = root / config.SAMPLES_DIR
    dest.mkdir(parents=True)
    env = {**os.environ, "PYTHONPATH": str(work / "runtime-src")}
    proc = subprocess.run([sys.executable, "-m", "hailort_sim.hef.samples", str(dest)],
                          capture_output=True, text=True, env=env, cwd=work)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-10:])
        raise TargetError(f"generating sample HEFs (python3 -m hailort_sim.hef.samples) failed:\n{tail}")
    for p in dest.rglob("*"):
        p.chmod(0o755 if p.is_dir() else 0o644)
    return sorted(str(p.relative_to(dest)) for p in dest.rglob("*.hef"))


def build(out, base_manifest):
    """Fills `out` with overlay.cpio and the SSH keys; returns the manifest."""
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="hailo-qemu-overlay-") as tmp:
        work = pathlib.Path(tmp)
        root = work / "root"
        root.mkdir(mode=0o755)
        say("overlay: building the runtime wheel")
        wheel = build_wheel(work)
        compiled = install_wheel(wheel, root, base_manifest["python"])
        layer_files(root)
        gst_plugin(root, work, base_manifest["arch"], base_manifest["python"])
        host_public = ssh_keys(root, out)
        samples = sample_hefs(root, work)
        say("overlay: packing")
        pack(root, out / "overlay.cpio")
    return {"stage": "overlay", "wheel": wheel.name, "bytecode": compiled,
            "samples": samples, "host_key": host_public,
            "build_s": round(time.monotonic() - t0, 1)}


def overlay_key(base_key):
    return content_key(*key_inputs(base_key))

"""A content-addressed build cache: an entry is a directory named by the hash of its inputs,
built under a file lock into a temporary directory and renamed into place, so two builds at
once neither collide nor leave half an entry behind."""
import contextlib
import fcntl
import hashlib
import json
import os
import pathlib
import shutil
import time

from .progress import say


def content_key(*parts):
    """A short hex digest of the parts: str, bytes, paths (their content) or JSON-able values."""
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, pathlib.Path):
            h.update(b"path:" + part.name.encode() + b"\0" + part.read_bytes())
        elif isinstance(part, bytes):
            h.update(b"bytes:" + part)
        elif isinstance(part, str):
            h.update(b"str:" + part.encode())
        else:
            h.update(b"json:" + json.dumps(part, sort_keys=True).encode())
        h.update(b"\0\1")
    return h.hexdigest()[:20]


def tree_files(root, patterns=("*.py", "*.proto", "*.toml", "*.cfg", "*.md")):
    """The files of a source tree that make up a build, in a stable order, without caches."""
    root = pathlib.Path(root)
    files = set()
    for pattern in patterns:
        files.update(p for p in root.rglob(pattern)
                     if p.is_file() and "__pycache__" not in p.parts
                     and not any(part.endswith(".egg-info") or part == "build" for part in p.relative_to(root).parts))
    return sorted(files)


def tree_key(root, **kw):
    root = pathlib.Path(root)
    return content_key(*[x for p in tree_files(root, **kw) for x in (str(p.relative_to(root)), p)])


@contextlib.contextmanager
def _locked(lock_path):
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"waiting for another build holding {lock_path}")
            fcntl.flock(fh, fcntl.LOCK_EX)
        yield


MANIFEST = "manifest.json"
STAMP = ".verified"        # stat of each file when its hash was last checked
FORMAT = 2                 # manifests with content hashes ("files")


def manifest(entry):
    """The entry's manifest (a dict); raises ValueError when it is missing or not one."""
    try:
        data = json.loads((pathlib.Path(entry) / MANIFEST).read_text())
    except FileNotFoundError:
        raise ValueError("no manifest.json") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"manifest.json is not valid JSON: {e}") from None
    if not isinstance(data, dict):
        raise ValueError("manifest.json is not a JSON object")
    if data.get("format") != FORMAT or not isinstance(data.get("files"), dict):
        raise ValueError(OLD_FORMAT)
    return data


OLD_FORMAT = "manifest.json has no content hashes (made by an earlier hailo-kit)"


def _adopt(entry, required):
    """An entry of an earlier hailo-kit (a valid manifest without hashes) with all its files:
    hash them into its manifest instead of rebuilding (other work trees may be using it)."""
    entry = pathlib.Path(entry)
    if not all((entry / name).is_file() for name in required):
        return False
    try:
        data = json.loads((entry / MANIFEST).read_text())
    except (OSError, ValueError):
        return False
    data["format"] = FORMAT
    data["files"] = {p.name: {"size": p.stat().st_size, "sha256": file_hash(p)}
                     for p in sorted(entry.iterdir()) if p.is_file() and not p.name.startswith(".")
                     and p.name != MANIFEST}
    _write_atomic(entry / MANIFEST, json.dumps(data, indent=2, sort_keys=True) + "\n")
    _write_atomic(entry / STAMP, json.dumps({n: _stat(entry / n) for n in data["files"]}))
    return True


def file_hash(path):
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _stat(path):
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def problem(entry, required=(), expect=None):
    """Why the entry cannot be used (one line), or None when it is sound: a manifest of this
    version, every file it lists (and every `required` one) present with its size and SHA-256,
    and the manifest's values for `expect`'s keys as given (what the entry was made from).
    A file's hash is computed again only when its stat changed since the last check."""
    entry = pathlib.Path(entry)
    if not entry.is_dir():
        return "missing"
    try:
        data = manifest(entry)
    except ValueError as e:
        return str(e)
    for key, value in (expect or {}).items():
        if data.get(key) != value:
            return f"out of date: made from another {key}"
    files = data["files"]
    try:
        stamps = json.loads((entry / STAMP).read_text())
    except (OSError, ValueError):
        stamps = {}
    fresh = {}
    for name in sorted(set(files) | set(required)):
        path = entry / name
        want = files.get(name)
        if want is None:
            return f"the manifest does not list {name}"
        if not path.is_file():
            return f"{name} is missing"
        stat = _stat(path)
        if stat[0] != want["size"]:
            return f"{name} has {stat[0]} bytes, the manifest says {want['size']}"
        if stamps.get(name) != stat:
            if file_hash(path) != want["sha256"]:
                return f"{name} does not match its SHA-256 in the manifest"
        fresh[name] = stat
    if fresh != stamps:
        _write_atomic(entry / STAMP, json.dumps(fresh))
    return None


def complete(entry):
    return problem(entry) is None


def _write_atomic(path, text):
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(text)
        os.replace(tmp, path)
    except OSError:            # a read-only cache still works, it only hashes again next time
        tmp.unlink(missing_ok=True)


def ensure(entry, build, required=(), what=None, expect=None):
    """Returns (entry, was_cached). `build(tmpdir)` fills tmpdir and returns a manifest dict;
    the files it leaves are listed in the manifest with their sizes and hashes. An entry that
    fails its check is rebuilt, with one line saying why."""
    entry = pathlib.Path(entry)
    if problem(entry, required, expect) is None:
        touch(entry)
        return entry, True
    with _locked(entry.parent / f".{entry.name}.lock"):
        why = problem(entry, required, expect)
        if why == OLD_FORMAT and _adopt(entry, required):
            why = problem(entry, required, expect)
        if why is None:           # another process built it while we waited
            return entry, True
        if why.startswith("out of date"):
            say(f"cache: {what or 'entry'} {entry} is {why}: rebuilding it")
        elif why != "missing":
            say(f"cache: {what or 'entry'} {entry} is broken ({why}): rebuilding it")
        tmp = entry.parent / f".{entry.name}.tmp-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        try:
            data = {**build(tmp), **(expect or {})}
            data["format"] = FORMAT
            data["files"] = {p.name: {"size": p.stat().st_size, "sha256": file_hash(p)}
                             for p in sorted(tmp.iterdir()) if p.is_file() and p.name != MANIFEST}
            (tmp / MANIFEST).write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
            (tmp / STAMP).write_text(json.dumps({n: _stat(tmp / n) for n in data["files"]}))
            if entry.exists() or entry.is_symlink():   # the broken one
                old = entry.parent / f".{entry.name}.old-{os.getpid()}"
                os.rename(entry, old)
                shutil.rmtree(old, ignore_errors=True)
            os.rename(tmp, entry)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return entry, False


def remove(entry):
    """Removes an entry under its lock (waits while someone builds it)."""
    entry = pathlib.Path(entry)
    lock = entry.parent / f".{entry.name}.lock"
    with _locked(lock):
        shutil.rmtree(entry, ignore_errors=True)
    lock.unlink(missing_ok=True)


UNUSED_S = 24 * 3600      # an entry nobody used for this long may be pruned


def touch(entry):
    """Marks an entry as used now (prune keeps entries in use by any work tree)."""
    try:
        os.utime(pathlib.Path(entry) / MANIFEST)
    except OSError:
        pass


def prune(kind_dir, keep, newest=3, unused_s=UNUSED_S):
    """Removes finished entries (with a manifest) of one kind beyond the `newest` most recently
    used (plus `keep`) that nobody used for `unused_s`: several work trees share one cache, each
    with its own keys, so an entry in use elsewhere is never removed. Each goes under its lock."""
    kind_dir = pathlib.Path(kind_dir)
    used = {}
    for e in (kind_dir.iterdir() if kind_dir.is_dir() else []):
        if e.is_dir() and not e.name.startswith(".") and e.name != keep:
            try:
                used[e] = (e / MANIFEST).stat().st_mtime
            except OSError:           # unfinished, or removed meanwhile by another process
                continue
    removed = []
    for entry in sorted(used, key=used.get, reverse=True)[max(newest - 1, 0):]:
        if time.time() - used[entry] > unused_s:
            remove(entry)
            removed.append(entry.name)
    return removed

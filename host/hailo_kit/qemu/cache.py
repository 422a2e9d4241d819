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


def complete(entry):
    return (entry / "manifest.json").is_file()


def ensure(entry, build):
    """Returns (entry, was_cached). `build(tmpdir)` fills tmpdir and returns a manifest dict."""
    entry = pathlib.Path(entry)
    if complete(entry):
        return entry, True
    with _locked(entry.parent / f".{entry.name}.lock"):
        if complete(entry):          # another process built it while we waited
            return entry, True
        tmp = entry.parent / f".{entry.name}.tmp-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        try:
            manifest = build(tmp)
            (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
            if entry.exists():       # an incomplete leftover (no manifest): replace it
                shutil.rmtree(entry)
            os.rename(tmp, entry)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return entry, False


def prune(kind_dir, keep, newest=3):
    """Removes complete entries of one kind beyond the `newest` most recent (plus `keep`).
    Several work trees (or a concurrent build from another runtime) may be using the others,
    so only old ones go, each under its lock."""
    kind_dir = pathlib.Path(kind_dir)
    entries = [e for e in (kind_dir.iterdir() if kind_dir.is_dir() else [])
               if e.is_dir() and not e.name.startswith(".") and e.name != keep and complete(e)]
    entries.sort(key=lambda e: (e / "manifest.json").stat().st_mtime, reverse=True)
    removed = []
    for entry in entries[max(newest - 1, 0):]:
        with _locked(kind_dir / f".{entry.name}.lock"):
            shutil.rmtree(entry, ignore_errors=True)
        (kind_dir / f".{entry.name}.lock").unlink(missing_ok=True)
        removed.append(entry.name)
    return removed

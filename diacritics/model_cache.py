"""An uncompressed, memory-mapped copy of the shipped language model (and of the context
model's score table, see ``diacritics.context_model.ContextModel``), built on first load.

``lexicon/data/model.npz`` ships zipped (42 MB instead of ~120): reading it
means inflating every table and summing the delta-coded keys, ~0.7 CPU-s in
every process that loads it. The first load writes the tables as plain
``.npy`` files (keys already summed, candidate lists already grouped) to a
folder of the user's cache; later loads map them into memory, which costs
milliseconds and shares the pages between processes.

The folder is named after the shipped file's content (the CRC-32 and size of
each array the zip records, read from its directory without inflating
anything) and this layout's version, so a rebuilt model never meets a stale
copy. It is written under a temporary name, synced and renamed, so a crash or
two processes racing never leave a half-written copy behind. When no cache
folder can be written, the model is simply read from the zip as before.

Where: ``$SOHOA_CACHE_DIR``, else ``$XDG_CACHE_HOME/sohoa``, else ``~/.cache/sohoa``.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import zipfile
from pathlib import Path

import numpy as np

ENV_DIR = "SOHOA_CACHE_DIR"
# Bump when what is stored changes (names, dtypes, meaning): old copies are then ignored.
LAYOUT = 1
NAMES = ("vocab", "counts", "lp1", "bo1", "meta", "keys2", "lp2", "bo2", "keys3", "lp3", "bo3",
         "keys4", "lp4", "cand_keys", "cand_ids", "cand_splits")


def cache_root() -> Path:
    """The folder that holds derived copies (it may not exist yet)."""
    explicit = os.environ.get(ENV_DIR)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "sohoa"


def content_key(path: Path) -> str | None:
    """A name for ``path``'s content, from its zip directory; None if it is not a readable zip."""
    try:
        with zipfile.ZipFile(path) as zf:
            members = sorted((i.filename, i.CRC, i.file_size) for i in zf.infolist())
    except (OSError, zipfile.BadZipFile):
        return None
    h = hashlib.sha256(f"layout {LAYOUT}\n".encode())
    for name, crc, size in members:
        h.update(f"{name}\t{crc:08x}\t{size}\n".encode())
    return h.hexdigest()[:24]


def _folder(path: Path, kind: str) -> Path | None:
    key = content_key(path)
    return cache_root() / f"{kind}-{key}" if key else None


def load(path: Path, names: tuple[str, ...] = NAMES, kind: str = "lm") -> dict[str, np.ndarray] | None:
    """The cached arrays ``names`` derived from ``path`` (memory-mapped), or None if there is no
    usable copy. ``kind`` names what was derived (and how: a caller whose derivation has settings
    puts them in it)."""
    folder = _folder(path, kind)
    if folder is None or not folder.is_dir():
        return None
    try:
        # np.asarray: plain arrays over the mapping (a memmap subclass slows every numpy call on it)
        return {n: np.asarray(np.load(folder / f"{n}.npy", mmap_mode="r", allow_pickle=False))
                for n in names}
    except (OSError, ValueError):
        return None   # damaged or foreign folder: fall back to the zip (store() replaces it)


def store(path: Path, arrays: dict[str, np.ndarray], kind: str = "lm") -> Path | None:
    """Write ``arrays`` as the cached copy derived from ``path``; the folder, or None when it
    cannot be written.

    Failing to write is not an error: the caller already has the arrays.
    """
    folder = _folder(path, kind)
    if folder is None:
        return None
    tmp = folder.with_name(f".{folder.name}.{os.getpid()}.part")
    try:
        tmp.mkdir(parents=True, exist_ok=True)
        _sweep(folder.parent)
        for n in arrays:
            with open(tmp / f"{n}.npy", "wb") as fh:
                np.save(fh, np.ascontiguousarray(arrays[n]), allow_pickle=False)
                fh.flush()
                os.fsync(fh.fileno())
        if folder.exists():   # a damaged copy (load() refused it), or another process won the race
            if load(path, tuple(arrays), kind) is not None:
                shutil.rmtree(tmp, ignore_errors=True)
                return folder
            shutil.rmtree(folder, ignore_errors=True)
        os.rename(tmp, folder)
        _sync_dir(folder.parent)
        return folder
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        # another process may have renamed its copy in between
        return folder if folder.is_dir() else None


def _sweep(root: Path, age: float = 3600.0) -> None:
    """Remove half-written copies left by processes killed while writing (an hour old: not racing)."""
    import time
    for part in root.glob(".lm-*.part"):
        with contextlib.suppress(OSError):
            if time.time() - part.stat().st_mtime > age:
                shutil.rmtree(part)


def _sync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

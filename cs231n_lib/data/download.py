"""Downloads with a progress bar and checksum verification.

Every file is written to ``<name>.part`` and renamed into place only after its
checksum matches, so an interrupted or corrupt download never leaves a file
that later passes as valid.  Archives are unpacked into a temporary folder that
is renamed into place once complete.  Existing files are never overwritten or
deleted: ``fetch(..., force=True)`` moves what it replaces aside to
``<name>.old`` (``.old1``, ``.old2``... if taken) once the new copy is verified.
"""

from __future__ import annotations

import hashlib
import tarfile
import tempfile
import urllib.request
from pathlib import Path

from tqdm.auto import tqdm

from .registry import Checksum, Dataset, DatasetError, Remote, cache_root, is_complete

#: The opener used for downloads (tests replace it; no test touches the network).
urlopen = urllib.request.urlopen
CHUNK = 1 << 16


def file_digest(path: Path, algorithm: str) -> str:
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify(path: Path, checksums: tuple[Checksum, ...]) -> Checksum:
    """The first of ``checksums`` that ``path`` matches; :class:`DatasetError` when none does."""
    if not checksums:
        raise ValueError(f"no checksum registered for {path}")
    for checksum in checksums:
        if file_digest(path, checksum.algorithm) == checksum.hexdigest:
            return checksum
    tried = ", ".join(f"{c.algorithm} of the {c.source}" for c in checksums)
    raise DatasetError(f"{path} failed its checksum (matches no known-good {tried}): corrupt or incomplete.")


def set_aside(path: Path) -> Path:
    """Rename ``path`` to the first free ``<name>.old``, ``<name>.old1``... and return the new path."""
    for i in range(1000):
        aside = path.with_name(f"{path.name}.old{i or ''}")
        if not aside.exists():
            path.replace(aside)
            print(f"kept the previous {path.name} as {aside}")
            return aside
    raise DatasetError(f"too many old copies next to {path}; delete some {path.name}.old* and retry")


def download(remote: Remote, dest: Path) -> Path:
    """Download ``remote.url`` to ``dest`` through ``dest.part``; verify; rename. Returns ``dest``.

    An existing ``dest`` is moved aside (:func:`set_aside`) only after the new file verified.
    """
    dest, url = Path(dest), remote.url
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    try:
        with urlopen(url, timeout=60) as response, open(part, "wb") as out:
            total = int(response.headers.get("Content-Length") or 0) or None
            with tqdm(total=total, unit="B", unit_scale=True, desc=dest.name) as bar:
                for block in iter(lambda: response.read(CHUNK), b""):
                    out.write(block)
                    bar.update(len(block))
        verify(part, remote.checksums)
    except DatasetError as exc:
        part.unlink(missing_ok=True)
        raise DatasetError(f"download of {url} is corrupt: {exc} Nothing was kept; try again.") from None
    except Exception as exc:
        part.unlink(missing_ok=True)
        raise DatasetError(f"download of {url} failed ({type(exc).__name__}: {exc}). "
                           f"Nothing was kept; check the connection and try again.") from None
    if dest.exists():
        set_aside(dest)
    part.replace(dest)
    return dest


def _unpack(archive_path: Path, dataset: Dataset, root: Path, replace: bool = False) -> Path:
    """Unpack ``archive_path`` into ``root/<dataset.folder>`` (an existing folder is set aside if ``replace``)."""
    target = root / dataset.folder
    with tempfile.TemporaryDirectory(dir=root, prefix=f".{dataset.folder}.") as tmp:
        try:
            with tarfile.open(archive_path) as tar:
                tar.extractall(tmp, filter="data")
        except (tarfile.TarError, EOFError, OSError) as exc:
            reason = " ".join(str(exc).split())  # tarfile lists one reason per line
            raise DatasetError(f"{archive_path} could not be unpacked ({reason}); delete it and run "
                               f"{dataset.fix_command()}") from None
        found = [p for p in Path(tmp).rglob(dataset.folder) if p.is_dir()]
        if not found or not is_complete(found[0], dataset):
            raise DatasetError(f"{archive_path} does not contain {dataset.folder}/ with "
                               f"{', '.join(dataset.files)}; delete it and run {dataset.fix_command()}")
        if target.exists():
            if not replace:
                raise DatasetError(_incomplete(target, dataset))
            set_aside(target)
        found[0].replace(target)
    return target


def _incomplete(target: Path, dataset: Dataset) -> str:
    missing = [f for f in dataset.files if not (target / f).is_file()]
    return (f"{target} exists but lacks {', '.join(missing)}; it was left as it is. Move it away and run "
            f"{dataset.fix_command()} (or add --force to set it aside automatically)")


def fetch(dataset: Dataset, force: bool = False) -> Path:
    """Download ``dataset`` into the cache and return its folder.

    Without ``force`` a complete cache folder is returned as is, files already
    there are verified (not replaced), and an incomplete folder someone made is
    reported rather than changed.  With ``force`` everything is downloaded
    again and what it replaces is set aside as ``*.old``.
    """
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    target = root / dataset.folder
    if is_complete(target, dataset) and not force:
        return target
    if dataset.archive is not None:
        if target.exists() and not force:
            raise DatasetError(_incomplete(target, dataset))
        arc = dataset.archive
        archive_path = root / arc.filename
        if force or not archive_path.exists():
            download(arc, archive_path)
        else:
            try:
                verify(archive_path, arc.checksums)
            except DatasetError as exc:
                raise DatasetError(f"{exc} It was left as it is: delete it, then run "
                                   f"{dataset.fix_command()}") from None
        return _unpack(archive_path, dataset, root, replace=force)
    for remote in dataset.downloads:
        dest = target / remote.filename
        if dest.exists() and not force:
            try:
                verify(dest, remote.checksums)
            except DatasetError as exc:
                raise DatasetError(f"{exc} It was left as it is: move it away, then run "
                                   f"{dataset.fix_command()}") from None
            continue
        download(remote, dest)
    return target


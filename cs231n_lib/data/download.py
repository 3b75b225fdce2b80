"""Downloads with a progress bar and checksum verification.

Every file is written to ``<name>.part`` and renamed into place only after its
checksum matches, so an interrupted or corrupt download never leaves a file
that later passes as valid.  Archives are unpacked into a temporary folder that
is renamed into place once complete.  Existing files are never overwritten.
"""

from __future__ import annotations

import hashlib
import tarfile
import tempfile
import urllib.request
from pathlib import Path

from tqdm.auto import tqdm

from .registry import Dataset, DatasetError, cache_root, is_complete

#: The opener used for downloads (tests replace it; no test touches the network).
urlopen = urllib.request.urlopen
CHUNK = 1 << 16


def file_digest(path: Path, algorithm: str) -> str:
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify(path: Path, sha256: str | None = None, md5: str | None = None) -> None:
    """Raise :class:`DatasetError` when ``path``'s checksum differs from the expected one."""
    for algorithm, expected in (("sha256", sha256), ("md5", md5)):
        if expected and file_digest(path, algorithm) != expected:
            raise DatasetError(f"{path} failed its {algorithm} checksum (corrupt or incomplete).")


def download(url: str, dest: Path, sha256: str | None = None, md5: str | None = None) -> Path:
    """Download ``url`` to ``dest`` through ``dest.part``; verify; rename. Returns ``dest``."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    try:
        with urlopen(url, timeout=60) as response, open(part, "wb") as out:
            total = int(response.headers.get("Content-Length") or 0) or None
            with tqdm(total=total, unit="B", unit_scale=True, desc=dest.name) as bar:
                for block in iter(lambda: response.read(CHUNK), b""):
                    out.write(block)
                    bar.update(len(block))
        verify(part, sha256=sha256, md5=md5)
    except DatasetError as exc:
        part.unlink(missing_ok=True)
        raise DatasetError(f"download of {url} is corrupt: {exc} Nothing was kept; try again.") from None
    except Exception as exc:
        part.unlink(missing_ok=True)
        raise DatasetError(f"download of {url} failed ({type(exc).__name__}: {exc}). "
                           f"Nothing was kept; check the connection and try again.") from None
    part.replace(dest)
    return dest


def _unpack(archive_path: Path, dataset: Dataset, root: Path) -> Path:
    target = root / dataset.folder
    with tempfile.TemporaryDirectory(dir=root, prefix=f".{dataset.folder}.") as tmp:
        try:
            with tarfile.open(archive_path) as tar:
                tar.extractall(tmp, filter="data")
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise DatasetError(f"{archive_path} could not be unpacked ({exc}); delete it and run "
                               f"{dataset.fix_command()}") from None
        found = [p for p in Path(tmp).rglob(dataset.folder) if p.is_dir()]
        if not found or not is_complete(found[0], dataset):
            raise DatasetError(f"{archive_path} does not contain {dataset.folder}/ with "
                               f"{', '.join(dataset.files)}; delete it and run {dataset.fix_command()}")
        if target.exists():
            raise DatasetError(f"{target} exists but is incomplete; move it away and run {dataset.fix_command()}")
        found[0].replace(target)
    return target


def fetch(dataset: Dataset, force: bool = False) -> Path:
    """Download ``dataset`` into the cache (never touching files already there unless ``force``)."""
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    target = root / dataset.folder
    if is_complete(target, dataset) and not force:
        return target
    if dataset.archive is not None:
        arc = dataset.archive
        archive_path = root / arc.filename
        if force or not archive_path.exists():
            download(arc.url, archive_path, sha256=arc.sha256, md5=arc.md5)
        else:
            verify(archive_path, sha256=arc.sha256, md5=arc.md5)
        return _unpack(archive_path, dataset, root)
    for filename, (url, sha256) in dataset.downloads.items():
        dest = target / filename
        if dest.exists() and not force:
            try:
                verify(dest, sha256=sha256)
            except DatasetError as exc:
                raise DatasetError(f"{exc} It was left as it is: move it away, then run "
                                   f"{dataset.fix_command()}") from None
            continue
        download(url, dest, sha256=sha256)
    return target


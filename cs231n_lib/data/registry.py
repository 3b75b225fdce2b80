"""The dataset registry: one entry per dataset -- its files, checksums, where to
look locally, and where to download from.

Resolution order for a dataset (:func:`resolve`):

1. the cache folder ``datasets/`` of the repository (or ``$CS231N_DATA``);
2. the system install (Debian's ``dataset-fashion-mnist`` puts Fashion-MNIST in
   ``/usr/share/datasets/fashion-mnist/``; ``$CS231N_SYSTEM_DATA`` overrides the
   parent folder ``/usr/share/datasets``);
3. a download into the cache, only when ``download=True``.

A folder counts as holding the dataset when every expected file is there; the
checksums (md5 or sha256, several accepted digests per file) are verified on
download and by ``python -m cs231n_lib.data verify``,
and a truncated or corrupt file is reported by the loaders (it cannot be parsed).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..config import REPO_ROOT


class DatasetError(RuntimeError):
    """A dataset is missing, truncated or corrupt; the message names the file and the fix."""


DIGEST_LENGTHS = {"md5": 32, "sha256": 64}


@dataclass(frozen=True)
class Checksum:
    """One known-good digest of a file, and where that digest comes from."""

    algorithm: str  # "md5" or "sha256"
    hexdigest: str
    source: str

    def __post_init__(self):
        if len(self.hexdigest) != DIGEST_LENGTHS.get(self.algorithm, -1):
            raise ValueError(f"bad {self.algorithm} digest {self.hexdigest!r} ({self.source}); "
                             f"algorithms: {', '.join(DIGEST_LENGTHS)}")


@dataclass(frozen=True)
class Remote:
    """A file to download.  It is valid when it matches ANY of ``checksums``.

    (Several digests because the same content ships in differently compressed
    copies: Debian recompressed the Fashion-MNIST .gz files, so their bytes
    differ from the upstream downloads while the images are the same.)
    """

    filename: str
    url: str
    checksums: tuple[Checksum, ...]


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    #: files the loader reads, relative to the dataset's folder
    files: tuple[str, ...]
    class_names: tuple[str, ...]
    image_shape: tuple[int, int, int]
    #: folder name under the cache / system root
    folder: str
    #: files downloaded one by one into ``folder``
    downloads: tuple[Remote, ...] = ()
    #: or one archive (kept in the cache root) that unpacks into ``folder``
    archive: Remote | None = None
    system_package: str | None = None

    def fix_command(self) -> str:
        """The command that puts this dataset in place."""
        cmd = f"python -m cs231n_lib.data fetch {self.name}"
        if self.system_package:
            return f"sudo apt-get install {self.system_package}  (or: {cmd})"
        return cmd


FASHION_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
UPSTREAM = "published upstream file (the md5 torchvision pins)"
DEBIAN = "Debian dataset-fashion-mnist file (recompressed)"


def _fashion_file(filename, upstream_md5, debian_sha256):
    return Remote(filename, FASHION_URL + filename,
                  (Checksum("md5", upstream_md5, UPSTREAM), Checksum("sha256", debian_sha256, DEBIAN)))


REGISTRY: dict[str, Dataset] = {
    "fashion_mnist": Dataset(
        name="fashion_mnist",
        title="Fashion-MNIST",
        files=("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
               "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
        class_names=("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                     "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
        image_shape=(28, 28, 1),
        folder="fashion-mnist",
        downloads=(
            _fashion_file("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                          "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7"),
            _fashion_file("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe",
                          "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056"),
            _fashion_file("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79",
                          "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa"),
            _fashion_file("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310",
                          "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05"),
        ),
        system_package="dataset-fashion-mnist",
    ),
    "cifar10": Dataset(
        name="cifar10",
        title="CIFAR-10",
        files=tuple(f"data_batch_{i}" for i in range(1, 6)) + ("test_batch",),
        class_names=("plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"),
        image_shape=(32, 32, 3),
        folder="cifar-10-batches-py",
        archive=Remote("cifar-10-python.tar.gz", "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
                       (Checksum("md5", "c58f30108f718f92721af3b95e74349a", "published on the CIFAR-10 page"),)),
    ),
}


def get_dataset(name: str) -> Dataset:
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown dataset {name!r}; known: {', '.join(REGISTRY)}") from None


def cache_root() -> Path:
    """The download cache: ``$CS231N_DATA`` or ``<repo>/datasets``."""
    return Path(os.environ.get("CS231N_DATA") or REPO_ROOT / "datasets").expanduser()


def system_root() -> Path:
    """Where system packages install datasets: ``$CS231N_SYSTEM_DATA`` or ``/usr/share/datasets``."""
    return Path(os.environ.get("CS231N_SYSTEM_DATA") or "/usr/share/datasets")


def candidates(dataset: Dataset) -> list[tuple[str, Path]]:
    """The local folders to look in, in resolution order, labelled."""
    return [("cache", cache_root() / dataset.folder), ("system", system_root() / dataset.folder)]


def is_complete(folder: Path, dataset: Dataset) -> bool:
    return folder.is_dir() and all((folder / f).is_file() for f in dataset.files)


def locate(name: str) -> Path | None:
    """The first local folder holding every file of dataset ``name``, or None. Never downloads."""
    dataset = get_dataset(name)
    for _, folder in candidates(dataset):
        if is_complete(folder, dataset):
            return folder
    return None


def resolve(name: str, download: bool = False) -> Path:
    """The folder holding dataset ``name``: cache, then system install, then (if allowed) download."""
    found = locate(name)
    if found is not None:
        return found
    dataset = get_dataset(name)
    if download:
        from .download import fetch

        return fetch(dataset)
    looked = ", ".join(str(folder) for _, folder in candidates(dataset))
    raise DatasetError(f"{dataset.title} not found (looked in {looked}). Fix: {dataset.fix_command()}")

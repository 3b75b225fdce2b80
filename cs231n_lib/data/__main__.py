"""``python -m cs231n_lib.data status | fetch NAME [--force] | verify NAME``."""

from __future__ import annotations

import argparse
import sys

from .download import fetch, verify
from .registry import REGISTRY, DatasetError, candidates, get_dataset, locate, resolve


def status() -> int:
    for name, dataset in REGISTRY.items():
        folder = locate(name)
        where = next((label for label, f in candidates(dataset) if f == folder), None)
        print(f"{name:<14} {f'{where}: {folder}' if folder else f'missing (fix: {dataset.fix_command()})'}")
    return 0


def verify_checksums(name: str) -> int:
    dataset = get_dataset(name)
    folder = resolve(name)
    downloaded = set()
    for remote in dataset.downloads:
        matched = verify(folder / remote.filename, remote.checksums)
        print(f"{folder / remote.filename}: {matched.algorithm} OK ({matched.source})")
        downloaded.add(remote.filename)
    for filename in dataset.files:
        if filename not in downloaded:
            print(f"{folder / filename}: present (unpacked from a verified archive)")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cs231n_lib.data", description="course datasets")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("status", help="where each dataset resolves")
    p_fetch = sub.add_parser("fetch", help="make a dataset available (cache, system, then download)")
    p_fetch.add_argument("name", choices=sorted(REGISTRY))
    p_fetch.add_argument("--force", action="store_true", help="download again into the cache")
    p_verify = sub.add_parser("verify", help="check a dataset's files against their checksums")
    p_verify.add_argument("name", choices=sorted(REGISTRY))
    args = parser.parse_args(argv)
    try:
        if args.command == "status":
            return status()
        if args.command == "verify":
            return verify_checksums(args.name)
        folder = fetch(get_dataset(args.name), force=True) if args.force else resolve(args.name, download=True)
        print(f"{args.name}: {folder}")
        return 0
    except DatasetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

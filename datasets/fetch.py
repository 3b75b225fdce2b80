"""Fetch a dataset into this folder: ``python datasets/fetch.py NAME [--force]``.

A thin wrapper around ``python -m cs231n_lib.data fetch``.
"""

import sys

from cs231n_lib.data.__main__ import main

if __name__ == "__main__":
    sys.exit(main(["fetch", *sys.argv[1:]]))

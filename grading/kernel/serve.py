"""The student's side of trusted scoring: ``python -m grading.kernel.serve FD``.

Runs in the sandbox, in the submission's private folder, and answers the
trusted scorer's requests over the inherited socket ``FD``: import
``module:name`` (the student's package is the folder's ``cs231n``), read and
set attributes, call.  It hands back data only (:mod:`grading.kernel.wire`).
"""

from __future__ import annotations

import os
import socket
import sys
import warnings


def import_object(module: str, name: str):
    """``module.name``; a student module that does not import raises ImportError saying where."""
    from cs231n_lib.student import Unavailable, load_object

    obj = load_object(module, name)
    if isinstance(obj, Unavailable):
        raise ImportError(obj.reason)
    return obj


def main(argv: list[str]) -> int:
    sock = socket.socket(fileno=int(argv[0]))
    sys.path.insert(0, os.getcwd())
    warnings.simplefilter("ignore")  # a warning never changes a score
    from .peer import STUDENT_OPS, Peer

    Peer(sock, STUDENT_OPS, importer=import_object).serve()
    sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Distance benchmarks: the reference kNN implementation's two-loop, one-loop and
no-loop distances against scikit-learn's ``pairwise_distances`` (and
``torch.cdist``), timed in one run on the same arrays and printed as ratios to
scikit-learn.  Ratios, not absolute times: this machine's timings are noisy.

    make bench            # or: python bench/run.py --num-train 2000 --num-test 200
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from cs231n_lib.student import Unavailable, load_object  # noqa: E402
from cs231n_lib.timing import time_function  # noqa: E402


def load_knn(assignment_dir: Path):
    """KNearestNeighbor from the student package of ``assignment_dir`` (its cs231n/ folder)."""
    sys.path.insert(0, str(assignment_dir))
    cls = load_object("cs231n.classifiers.k_nearest_neighbor", "KNearestNeighbor")
    if isinstance(cls, Unavailable):
        raise SystemExit(f"bench: cannot benchmark {assignment_dir}: {cls.reason}")
    return cls


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--num-train", type=int, default=2000)
    parser.add_argument("--num-test", type=int, default=200)
    parser.add_argument("--dim", type=int, default=28 * 28, help="feature size (Fashion-MNIST: 784)")
    parser.add_argument("--repeat", type=int, default=5, help="best of N for the fast methods")
    parser.add_argument("--assignment-dir", type=Path, default=REPO / "solutions" / "assignment1",
                        help="assignment folder whose cs231n/classifiers/k_nearest_neighbor.py is benchmarked")
    args = parser.parse_args(argv)

    import torch
    from sklearn.metrics import pairwise_distances

    KNearestNeighbor = load_knn(args.assignment_dir)
    rng = np.random.default_rng(0)
    X_train = rng.standard_normal((args.num_train, args.dim)).astype(np.float32)
    X_test = rng.standard_normal((args.num_test, args.dim)).astype(np.float32)
    knn = KNearestNeighbor()
    knn.train(X_train, np.zeros(args.num_train, dtype=np.int64))
    torch.set_num_threads(torch.get_num_threads())
    t_train, t_test = torch.from_numpy(X_train), torch.from_numpy(X_test)

    contenders = {
        "two loops": (knn.compute_distances_two_loops, 1),
        "one loop": (knn.compute_distances_one_loop, 1),
        "no loops": (knn.compute_distances_no_loops, args.repeat),
        "sklearn pairwise_distances": (lambda X: pairwise_distances(X, X_train), args.repeat),
        "torch.cdist": (lambda X: torch.cdist(t_test, t_train).numpy(), args.repeat),
    }
    reference = pairwise_distances(X_test, X_train)
    times = {}
    for name, (f, repeat) in contenders.items():
        err = float(np.max(np.abs(f(X_test) - reference)))
        times[name] = time_function(f, X_test, repeat=repeat)
        print(f"  measured {name:<28} (max abs diff to sklearn {err:.1e})", flush=True)

    peer = times["sklearn pairwise_distances"]
    print(f"\nDistances {args.num_test} x {args.num_train}, D={args.dim}, float32 "
          f"(ratio = time / time of sklearn pairwise_distances; lower is faster)")
    for name, t in times.items():
        print(f"  {name:<28} {t / peer:8.2f}x")
    return times


if __name__ == "__main__":
    main()

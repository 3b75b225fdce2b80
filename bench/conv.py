"""Convolution and max-pool benchmarks: cs231n_lib.fast_layers against torch CPU (F.conv2d / F.max_pool2d
forward + autograd backward, same thread count as numpy's BLAS) and against the naive loops, forward +
backward, best of N, printed as ratios (lower ours/torch is better; higher naive/ours is better), plus a
per-stage profile of the fast convolution (im2col, matmuls, col2im).

    make bench            # or: python bench/conv.py --repeat 5
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from cs231n_lib import fast_layers as fl  # noqa: E402
from cs231n_lib.timing import time_function  # noqa: E402

CASES = {"classic": ((100, 3, 31, 31), (25, 3, 3, 3), 2, 1), "64x32": ((64, 32, 32, 32), (64, 32, 3, 3), 1, 1)}
TINY = {"classic": ((2, 3, 7, 7), (4, 3, 3, 3), 2, 1), "64x32": ((2, 4, 6, 6), (5, 4, 3, 3), 1, 1)}


def loop_conv_forward(x, w, b, conv_param):
    """MINIMAL LOOP REFERENCE (used only when the solution's conv_forward_naive is not available)."""
    s, p = conv_param["stride"], conv_param["pad"]
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    N, F, HH, WW = x.shape[0], w.shape[0], w.shape[2], w.shape[3]
    Ho, Wo = (xp.shape[2] - HH) // s + 1, (xp.shape[3] - WW) // s + 1
    out = np.empty((N, F, Ho, Wo), dtype=x.dtype)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    out[n, f, i, j] = np.sum(xp[n, :, i * s:i * s + HH, j * s:j * s + WW] * w[f]) + b[f]
    return out, (x, w, b, conv_param)


def loop_conv_backward(dout, cache):
    """MINIMAL LOOP REFERENCE backward of :func:`loop_conv_forward`."""
    x, w, b, conv_param = cache
    s, p = conv_param["stride"], conv_param["pad"]
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    N, F, Ho, Wo = dout.shape
    HH, WW = w.shape[2:]
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    g = dout[n, f, i, j]
                    dw[f] += g * xp[n, :, i * s:i * s + HH, j * s:j * s + WW]
                    dxp[n, :, i * s:i * s + HH, j * s:j * s + WW] += g * w[f]
    return dxp[:, :, p:p + x.shape[2], p:p + x.shape[3]], dw, dout.sum(axis=(0, 2, 3))


def naive_layers(assignment_dir: Path):
    """``[(label, forward, backward)]``: the loop reference above (the naive layers as loops over every output
    value), and the reference solution's naive conv when it is available (it loops over output positions and
    vectorises over examples, filters and channels, so it is much faster than the loops)."""
    layers = [("loops", loop_conv_forward, loop_conv_backward)]
    # imported under a private name: another ``cs231n`` (assignment 1's, say) may already be in sys.modules
    package, alias = assignment_dir / "cs231n", "bench_conv_solution_cs231n"
    try:
        if alias not in sys.modules:
            spec = importlib.util.spec_from_file_location(alias, package / "__init__.py",
                                                          submodule_search_locations=[str(package)])
            sys.modules[alias] = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(sys.modules[alias])
        solution = importlib.import_module(f"{alias}.layers")
        fwd, bwd = solution.conv_forward_naive, solution.conv_backward_naive
        x, w = np.ones((1, 1, 3, 3)), np.ones((1, 1, 3, 3))
        bwd(np.ones((1, 1, 1, 1)), fwd(x, w, np.zeros(1), {"stride": 1, "pad": 0})[1])  # a release's stub raises
    except Exception as exc:  # noqa: BLE001 -- any reason the solution's naive conv cannot run: say it, go on
        sys.modules.pop(alias, None)
        print(f"(solution's naive conv not used: {type(exc).__name__}: {exc})")
    else:
        layers.append(("solution naive", fwd, bwd))
    return layers


def conv_round_trip(forward, backward):
    def run(x, w, b, param, dout):
        _, cache = forward(x, w, b, param)
        return backward(dout, cache)
    return run


def torch_conv_round_trip(torch, F):
    def run(x, w, b, stride, pad, dout):
        xt, wt, bt = (torch.from_numpy(a).requires_grad_() for a in (x, w, b))
        F.conv2d(xt, wt, bt, stride=stride, padding=pad).backward(dout)
        return xt.grad
    return run


def profile_conv(x, w, b, stride, pad, repeat):
    """Best-of-``repeat`` milliseconds of each stage of the fast convolution (fast_layers' own im2col and col2im),
    timed on their own, each writing where the layer writes it."""
    N, C, H, W = x.shape
    Fn, _, HH, WW = w.shape
    Ho, Wo = fl.conv_output_size(H, HH, stride, pad), fl.conv_output_size(W, WW, stride, pad)
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    c = fl.im2col(xp, HH, WW, stride, Ho, Wo, x.dtype)
    wm = w.reshape(Fn, -1)
    dout = np.random.default_rng(1).standard_normal((N, Fn, Ho * Wo)).astype(x.dtype)
    # the backward pass writes dcols and the padded dx into work arrays it keeps between calls: so do the stages
    dcols_flat = np.matmul(wm.T, dout)
    dcols, dxp = dcols_flat.reshape(N, C, HH, WW, Ho, Wo), np.empty(xp.shape, dtype=x.dtype)

    def col2im():
        dxp.fill(0)
        return fl.col2im(dcols, xp.shape, stride, out=dxp)
    stages = {"pad": lambda: np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad))),
              "im2col": lambda: fl.im2col(xp, HH, WW, stride, Ho, Wo, x.dtype),
              "fwd matmul": lambda: np.matmul(wm, c), "dw matmul": lambda: np.matmul(dout, c.transpose(0, 2, 1)).sum(0),
              "dcols matmul": lambda: np.matmul(wm.T, dout, out=dcols_flat), "col2im": col2im}
    return {name: 1e3 * time_function(f, repeat=repeat) for name, f in stages.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="best of N for the fast layers and torch")
    parser.add_argument("--naive-repeat", type=int, default=1)
    parser.add_argument("--tiny", action="store_true", help="tiny shapes (smoke test), same printout")
    parser.add_argument("--assignment-dir", type=Path, default=REPO / "solutions" / "assignment2")
    args = parser.parse_args(argv)

    import torch
    import torch.nn.functional as F
    from threadpoolctl import threadpool_info

    blas = [d.get("num_threads") for d in threadpool_info() if d.get("user_api") == "blas"]
    threads = blas[0] if blas else torch.get_num_threads()
    torch.set_num_threads(threads)
    print(f"BLAS threads {blas} ({', '.join(d.get('internal_api', '?') for d in threadpool_info())}), "
          f"torch threads {torch.get_num_threads()}")
    naives = [(label, conv_round_trip(f, b)) for label, f, b in naive_layers(args.assignment_dir)]
    print("naive = " + "; ".join(label for label, _ in naives) + " (loops: bench/conv.py's loop reference over every "
          "output value; solution naive: solutions' conv_forward_naive/conv_backward_naive)")
    ours = conv_round_trip(fl.conv_forward_fast, fl.conv_backward_fast)
    ref = torch_conv_round_trip(torch, F)
    ratios, profiles = {}, {}
    rng = np.random.default_rng(0)
    for name, (xs, ws, stride, pad) in (TINY if args.tiny else CASES).items():
        for dtype in (np.float32, np.float64):
            x, w, b = (rng.standard_normal(s).astype(dtype) for s in (xs, ws, ws[:1]))
            param = {"stride": stride, "pad": pad}
            out, _ = fl.conv_forward_fast(x, w, b, param)
            dout = rng.standard_normal(out.shape).astype(dtype)
            t_ours = time_function(ours, x, w, b, param, dout, repeat=args.repeat)
            t_torch = time_function(ref, x, w, b, stride, pad, torch.from_numpy(dout), repeat=args.repeat)
            t_naive = {label: time_function(f, x, w, b, param, dout, repeat=args.naive_repeat) for label, f in naives}
            ratios[name, np.dtype(dtype).name] = (t_ours / t_torch, {k: t / t_ours for k, t in t_naive.items()})
            print(f"  measured conv {name} {np.dtype(dtype).name}: ours {1e3 * t_ours:.1f} ms, torch "
                  f"{1e3 * t_torch:.1f} ms, " + ", ".join(f"{k} {1e3 * t:.0f} ms" for k, t in t_naive.items()),
                  flush=True)
        profiles[name] = profile_conv(x.astype(np.float32), w.astype(np.float32), b, stride, pad, args.repeat)

    xs = (2, 3, 8, 8) if args.tiny else (100, 25, 16, 16)
    pool = {"pool_height": 2, "pool_width": 2, "stride": 2}
    for dtype in (np.float32, np.float64):
        x = rng.standard_normal(xs).astype(dtype)
        dout = rng.standard_normal((xs[0], xs[1], xs[2] // 2, xs[3] // 2)).astype(dtype)

        def ours_pool():
            return fl.max_pool_backward_fast(dout, fl.max_pool_forward_fast(x, pool)[1])

        def torch_pool():
            xt = torch.from_numpy(x).requires_grad_()
            F.max_pool2d(xt, 2, stride=2).backward(torch.from_numpy(dout))
            return xt.grad
        ratios["max pool 2x2/2", np.dtype(dtype).name] = (time_function(ours_pool, repeat=args.repeat)
                                                         / time_function(torch_pool, repeat=args.repeat), None)

    print("\nForward + backward, best of", args.repeat, "(ours/torch: lower is faster; naive/ours: higher is faster)")
    for (name, dtype), (vs_torch, vs_naive) in ratios.items():
        tail = "".join(f"   {k}/ours {v:7.1f}x" for k, v in (vs_naive or {}).items())
        print(f"  ratio {name:<15} {dtype:<8} ours/torch {vs_torch:6.2f}x{tail}")
    print("\nProfile of the fast convolution, float32, ms (best of", args.repeat, ")")
    for name, stages in profiles.items():
        print(f"  {name:<8} " + "  ".join(f"{k} {v:.1f}" for k, v in stages.items()))
    return ratios, profiles


if __name__ == "__main__":
    main()

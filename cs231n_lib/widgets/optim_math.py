"""Pure math behind the optimizer playground: 2-D loss surfaces, update rules, learning-rate schedules.

Everything works on a 2-D point ``p = (x, y)`` (numpy float64, shape ``(2,)``).

**Surfaces** (:data:`SURFACES`), each with an analytic gradient and square plotting bounds:

- ``"ravine"`` -- an ill-conditioned quadratic, a long narrow valley along x:
  ``f = 0.05 x^2 + 2.5 y^2`` (curvatures 0.1 and 5, condition number 50). With a
  large step plain SGD zig-zags across the valley (y) while crawling along it (x).
- ``"saddle"`` -- ``f = x^2 + 0.25 (y^2 - 1)^2``: a saddle point at the origin
  (``f = 0.25``, curvatures +2 and -1) between two minima at ``(0, +-1)``
  (``f = 0``). On the ridge ``y = 0`` the y-gradient is exactly zero, so every
  deterministic method started there slides into the saddle and stays;
  gradient noise gets out. From the default start a hair off the ridge
  (``y = 0.001``) at ``lr = 0.05``, SGD is still at the saddle after 100 steps
  (``y`` grows by only ``1 + lr`` a step) while momentum (about 40 steps), Adam
  (about 10) and RMSProp (at once: it divides the tiny gradient by its own size) escape.
- ``"noisy"`` -- least squares on 200 seeded points: ``f(w, b) = mean_i (w u_i + b - t_i)^2 / 2``
  with ``u ~ N(1, 0.5^2)`` (so ``w`` and ``b`` are correlated: a tilted valley).
  The contour plot shows the full-batch loss; every step of an optimizer sees
  the gradient of a random minibatch (the same minibatches for every
  optimizer, drawn from ``seed``), i.e. a stochastic gradient.

**Update rules** (:class:`Stepper`), CS231n conventions (lecture 7 / assignment 2), ``g`` the gradient:

- ``sgd``:      ``p -= lr g``
- ``momentum``: ``v = mu v - lr g;  p += v``
- ``nesterov``: ``v_old = v;  v = mu v - lr g;  p += -mu v_old + (1 + mu) v``
  (the "look-ahead" form of the CS231n notes: ``g`` is taken at the stored point)
- ``adagrad``:  ``c += g^2;  p -= lr g / (sqrt(c) + eps)``
- ``rmsprop``:  ``c = rho c + (1 - rho) g^2;  p -= lr g / (sqrt(c) + eps)``
- ``adam``:     ``m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
  p -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)``, ``t = 1, 2, ...``

Against ``torch.optim`` (tests compare trajectories step by step): with a
constant learning rate all six agree (``SGD(momentum=mu)``,
``SGD(momentum=mu, nesterov=True)``, ``Adagrad``, ``RMSprop(alpha=rho)``,
``Adam``; torch's RMSprop, like CS231n, adds ``eps`` *outside* the square root
-- TensorFlow/Keras put it inside; torch's Adagrad defaults to ``eps=1e-10``,
ours is ``1e-8``). One convention differs when the learning rate changes over
time: the CS231n velocity ``v`` already contains ``lr``, whereas torch keeps
``b = mu b + g`` and multiplies by the *current* ``lr`` (``p -= lr b``), so
after a drop in ``lr`` torch's momentum slows at once and ours only as old
velocity decays.

The update rules are deliberately *not* functions of the assignment-2 form
``(w, dw, config) -> (next_w, config)``: students write those themselves.

**Schedules** (:func:`learning_rate`): ``constant``, ``step``, ``cosine``, ``warmup``, ``inv_sqrt``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "SURFACES", "OPTIMIZERS", "SCHEDULES", "Surface", "Stepper", "learning_rate", "schedule_curve", "race",
    "get_surface", "contour_levels", "clip_segment", "thin_path", "DIVERGED",
]

#: Optimizer key -> label shown in the widget (also the race order).
OPTIMIZERS = {
    "sgd": "SGD",
    "momentum": "Momentum",
    "nesterov": "Nesterov",
    "adagrad": "AdaGrad",
    "rmsprop": "RMSProp",
    "adam": "Adam",
}

#: Schedule key -> label.
SCHEDULES = {
    "constant": "constant",
    "step": "step (x0.1 every third)",
    "cosine": "cosine to 0",
    "warmup": "linear warm-up (first 10%)",
    "inv_sqrt": "inverse sqrt (1/sqrt(t+1))",
}

#: A point farther than this from the origin (or not finite) has diverged; its path stops there.
DIVERGED = 1e6


# ----- surfaces ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Surface:
    """A 2-D loss surface. ``loss(P)`` takes points of shape ``(..., 2)``; ``grad(p, batch=None)``
    the gradient at one point (for ``stochastic`` surfaces, of the minibatch ``batch``: indices into the data)."""

    key: str
    label: str
    bounds: tuple          # (lo, hi): the plotting square [lo, hi]^2
    start: tuple           # a default start
    minimum: tuple         # the (a) global minimiser
    lr: float              # a suggested learning rate (SGD at it shows the surface's character)
    stochastic: bool = False
    data: tuple = field(default=(), repr=False)  # (u, t) for the least-squares surface

    def loss(self, P):
        P = np.asarray(P, dtype=np.float64)
        x, y = P[..., 0], P[..., 1]
        if self.key == "ravine":
            return 0.05 * x ** 2 + 2.5 * y ** 2
        if self.key == "saddle":
            return x ** 2 + 0.25 * (y ** 2 - 1.0) ** 2
        u, t = self.data
        # mean_i (w u_i + b - t_i)^2 / 2 expanded in the data's moments (works on any grid of (w, b))
        mu, mt, muu, mut, mtt = u.mean(), t.mean(), (u * u).mean(), (u * t).mean(), (t * t).mean()
        return 0.5 * (x * x * muu + 2 * x * y * mu + y * y - 2 * x * mut - 2 * y * mt + mtt)

    def grad(self, p, batch=None):
        x, y = float(p[0]), float(p[1])
        if self.key == "ravine":
            return np.array([0.1 * x, 5.0 * y])
        if self.key == "saddle":
            return np.array([2.0 * x, y * (y * y - 1.0)])
        u, t = self.data
        if batch is not None:
            u, t = u[batch], t[batch]
        r = x * u + y - t
        return np.array([float(np.mean(r * u)), float(np.mean(r))])

    @property
    def min_loss(self):
        return float(self.loss(np.array(self.minimum)))

    @property
    def num_data(self):
        return len(self.data[0]) if self.data else 0


def _least_squares_surface(seed=0, n=200):
    rng = np.random.default_rng(seed)
    u = 1.0 + 0.5 * rng.standard_normal(n)
    t = 0.8 * u - 0.6 + 0.3 * rng.standard_normal(n)
    A = np.stack([u, np.ones(n)], axis=1)
    w_star = np.linalg.lstsq(A, t, rcond=None)[0]
    return Surface("noisy", "noisy minibatch loss (least squares)", (-2.0, 2.0), (-1.5, 1.5),
                   (float(w_star[0]), float(w_star[1])), 0.3, stochastic=True, data=(u, t))


#: Surface key -> :class:`Surface`.
SURFACES = {
    "ravine": Surface("ravine", "ravine (ill-conditioned quadratic)", (-2.0, 2.0), (-1.8, 0.6), (0.0, 0.0), 0.25),
    "saddle": Surface("saddle", "saddle point", (-2.0, 2.0), (-1.8, 0.001), (0.0, 1.0), 0.05),
    "noisy": _least_squares_surface(),
}


def get_surface(key):
    if key not in SURFACES:
        raise ValueError(f"unknown surface {key!r}; choose one of {sorted(SURFACES)}")
    return SURFACES[key]


# ----- update rules ------------------------------------------------------------------------------
class Stepper:
    """One optimizer's update rule and its state, on a 2-D point (see the module doc for the formulas).

        s = Stepper("adam")
        p = s.step(p, grad, lr)       # returns the next point; s keeps m, v, t

    Hyperparameters: ``mu`` (momentum, Nesterov), ``rho`` (RMSProp decay), ``beta1``, ``beta2`` (Adam), ``eps``.
    """

    def __init__(self, kind, mu=0.9, rho=0.99, beta1=0.9, beta2=0.999, eps=1e-8):
        if kind not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {kind!r}; choose one of {list(OPTIMIZERS)}")
        self.kind, self.mu, self.rho, self.beta1, self.beta2, self.eps = kind, mu, rho, beta1, beta2, eps
        self.v = np.zeros(2)      # velocity (momentum, Nesterov) or first moment (Adam)
        self.cache = np.zeros(2)  # sum / running mean of squared gradients (AdaGrad, RMSProp, Adam's v)
        self.t = 0

    def step(self, p, g, lr):
        p, g = np.asarray(p, dtype=np.float64), np.asarray(g, dtype=np.float64)
        self.t += 1
        k = self.kind
        if k == "sgd":
            return p - lr * g
        if k == "momentum":
            self.v = self.mu * self.v - lr * g
            return p + self.v
        if k == "nesterov":
            v_old = self.v
            self.v = self.mu * self.v - lr * g
            return p - self.mu * v_old + (1.0 + self.mu) * self.v
        if k == "adagrad":
            self.cache = self.cache + g * g
            return p - lr * g / (np.sqrt(self.cache) + self.eps)
        if k == "rmsprop":
            self.cache = self.rho * self.cache + (1.0 - self.rho) * g * g
            return p - lr * g / (np.sqrt(self.cache) + self.eps)
        # adam
        self.v = self.beta1 * self.v + (1.0 - self.beta1) * g
        self.cache = self.beta2 * self.cache + (1.0 - self.beta2) * g * g
        m_hat = self.v / (1.0 - self.beta1 ** self.t)
        v_hat = self.cache / (1.0 - self.beta2 ** self.t)
        return p - lr * m_hat / (np.sqrt(v_hat) + self.eps)


# ----- learning-rate schedules -------------------------------------------------------------------
def learning_rate(schedule, base_lr, t, total, gamma=0.1, warmup_frac=0.1):
    """The learning rate of step ``t`` (0-based, ``0 <= t < total``) of a run of ``total`` steps.

    - ``constant``: ``base_lr``
    - ``step``: ``base_lr * gamma ** floor(t / ceil(total / 3))`` (two drops, at a third and two thirds)
    - ``cosine``: ``base_lr * (1 + cos(pi t / total)) / 2`` (from ``base_lr`` towards 0)
    - ``warmup``: ``base_lr * (t + 1) / W`` for the first ``W = ceil(warmup_frac * total)`` steps, then ``base_lr``
    - ``inv_sqrt``: ``base_lr / sqrt(t + 1)``
    """
    if schedule not in SCHEDULES:
        raise ValueError(f"unknown schedule {schedule!r}; choose one of {list(SCHEDULES)}")
    t, total = int(t), max(int(total), 1)
    if t < 0:
        raise ValueError(f"learning_rate: t must be >= 0, got {t}")
    if schedule == "constant":
        return float(base_lr)
    if schedule == "step":
        return float(base_lr * gamma ** (t // math.ceil(total / 3)))
    if schedule == "cosine":
        return float(base_lr * 0.5 * (1.0 + math.cos(math.pi * min(t, total) / total)))
    if schedule == "warmup":
        w = max(1, math.ceil(warmup_frac * total))
        return float(base_lr * min(1.0, (t + 1) / w))
    return float(base_lr / math.sqrt(t + 1))


def schedule_curve(schedule, base_lr, total):
    """The learning rate of every step, ``(total,)``."""
    return np.array([learning_rate(schedule, base_lr, t, total) for t in range(int(total))])


# ----- the race ----------------------------------------------------------------------------------
def race(surface, optimizers, start, lr, schedule="constant", steps=100, seed=0, batch_size=10, grad_noise=0.0,
         **hyper):
    """Run each optimizer from ``start`` for ``steps`` steps on ``surface`` (a key or :class:`Surface`).

    Every optimizer sees the same stochastic parts: the same minibatches (stochastic surfaces, ``batch_size``
    points each) and the same Gaussian gradient noise (std ``grad_noise``, any surface) at step ``t``; all
    drawn from ``seed``. ``hyper`` goes to :class:`Stepper`.

    Returns ``{name: {"path": (n + 1, 2), "loss": (n + 1,), "diverged": bool}}`` with ``n <= steps``: a
    path stops at the first point that is not finite or farther than :data:`DIVERGED`.
    """
    s = get_surface(surface) if isinstance(surface, str) else surface
    steps = int(steps)
    rng = np.random.default_rng(seed)
    batches = None
    if s.stochastic:
        b = min(max(int(batch_size), 1), s.num_data)
        batches = [rng.choice(s.num_data, size=b, replace=False) for _ in range(steps)]
    noise = grad_noise * rng.standard_normal((steps, 2)) if grad_noise else None
    rates = schedule_curve(schedule, lr, steps)
    out = {}
    for name in optimizers:
        stepper = Stepper(name, **hyper)
        p = np.array(start, dtype=np.float64)
        path, diverged = [p], False
        with np.errstate(over="ignore", invalid="ignore"):
            for t in range(steps):
                g = s.grad(p, None if batches is None else batches[t])
                if noise is not None:
                    g = g + noise[t]
                p = stepper.step(p, g, rates[t])
                if not np.all(np.isfinite(p)) or np.abs(p).max() > DIVERGED:
                    diverged = True
                    break
                path.append(p)
        path = np.array(path)
        out[name] = {"path": path, "loss": s.loss(path), "diverged": diverged}
    return out


# ----- drawing helpers (pure) --------------------------------------------------------------------
def contour_levels(values, num_levels=14):
    """Band index ``0 .. num_levels - 1`` of each loss value: equal steps of ``log(1 + (f - min) / scale)``
    (fine bands near the minimum, coarse far away), ``scale`` a tenth of the value range's median."""
    f = np.asarray(values, dtype=np.float64)
    d = f - f.min()
    scale = max(float(np.median(d)) / 10.0, 1e-12)
    u = np.log1p(d / scale)
    top = u.max()
    if top <= 0:
        return np.zeros(f.shape, dtype=np.int64)
    return np.minimum((u / top * num_levels).astype(np.int64), num_levels - 1)


def clip_segment(p0, p1, lo, hi):
    """The part of segment ``p0 -> p1`` inside the square ``[lo, hi]^2`` (Liang-Barsky), or ``None``."""
    (x0, y0), (x1, y1) = map(float, p0), map(float, p1)
    dx, dy = x1 - x0, y1 - y0
    a, b = 0.0, 1.0
    for p, q in ((-dx, x0 - lo), (dx, hi - x0), (-dy, y0 - lo), (dy, hi - y0)):
        if p == 0:
            if q < 0:
                return None
            continue
        r = q / p
        if p < 0:
            a = max(a, r)
        else:
            b = min(b, r)
        if a > b:
            return None
    return (x0 + a * dx, y0 + a * dy), (x0 + b * dx, y0 + b * dy)


def thin_path(path, min_step):
    """Indices of a sub-path that keeps the first and last point and drops points closer than
    ``min_step`` to the last kept one (converged tails cost nothing to draw)."""
    path = np.asarray(path, dtype=np.float64)
    if len(path) <= 2:
        return list(range(len(path)))
    keep, last = [0], path[0]
    for i in range(1, len(path) - 1):
        if np.hypot(*(path[i] - last)) >= min_step:
            keep.append(i)
            last = path[i]
    keep.append(len(path) - 1)
    return keep

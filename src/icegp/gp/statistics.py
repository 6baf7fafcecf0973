"""SGPR sufficient statistics: an expert's bound and posterior at fixed hyperparameters and inducing
points from sums over its observations.

Why: at fixed theta and Z the collapsed bound and the posterior (:mod:`.sparse`) see the observations
only through Phi = Kuf Kuf^T, b = Kuf y, c = Kuf 1, sum y, sum y^2 and n (the trace term of a
stationary kernel is n kv). Each is a sum over observations, so a window's statistics are the sum of
its days' (a window slides by adding the day that enters and subtracting the one that leaves) and a
window without some tracks is the window's minus theirs, exactly. A local prior mean m stays exact:
the de-meaned data have b - m c and y'y - 2 m sum y + n m^2.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cache

import numpy as np
from scipy.linalg import lapack

from icegp.gp.exact import LOG_2PI, CholeskyError, sq_diffs
from icegp.gp.hyper import KV, LS, NV
from icegp.gp.kernels import Kernel

INDUCING_JITTER = 1e-6  # on K_uu, as GPflow's default
BLOCK_BYTES = 64 * 2**20  # per M x block matrix: a few of them live at once


def _chol(K: np.ndarray, what: str) -> np.ndarray:
    c, info = lapack.dpotrf(K, lower=1, clean=1)
    if info != 0:
        raise CholeskyError(f"Cholesky of {what} failed (info {info})")
    return c


def factor(Kuu: np.ndarray, phi: np.ndarray, s2: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The Cholesky factors L of K_uu (with jitter) and LB of B = I + C / s2, and C = L^-1 Phi L^-T:
    W = Kuu + Phi / s2 = L B L^T is factored through B, which is well conditioned."""
    m = len(Kuu)
    L = _chol(Kuu + INDUCING_JITTER * np.eye(m), "K_uu")
    T, _ = lapack.dtrtrs(L, phi, lower=1)
    C, _ = lapack.dtrtrs(L, np.ascontiguousarray(T.T), lower=1)
    LB = _chol(np.eye(m) + (C + C.T) / (2.0 * s2), "I + A A^T")
    return L, LB, C


@dataclass(frozen=True, eq=False)  # arrays: no elementwise ==
class Statistics:
    """The sums over a set of observations that the SGPR bound and posterior need (y not de-meaned)."""

    phi: np.ndarray  # (M, M) Kuf Kuf^T
    b: np.ndarray  # (M,) Kuf y
    c: np.ndarray  # (M,) Kuf 1
    sy: float  # sum y
    syy: float  # sum y^2
    n: int

    @classmethod
    def empty(cls, m: int) -> Statistics:
        return cls(np.zeros((m, m)), np.zeros(m), np.zeros(m), 0.0, 0.0, 0)

    def _combine(self, other: Statistics, sign: int) -> Statistics:
        return Statistics(*(getattr(self, f.name) + sign * getattr(other, f.name) for f in fields(self)))

    def __add__(self, other: Statistics) -> Statistics:
        return self._combine(other, 1)

    def __sub__(self, other: Statistics) -> Statistics:
        return self._combine(other, -1)

    def mean(self, kind: str) -> float:
        """The expert's prior mean from its data ('local', the default) or zero (GPSat's), as
        :func:`icegp.gp.problem.prior_mean`."""
        if kind not in ("local", "zero"):
            raise ValueError(f"config key training.prior_mean: {kind!r} is not 'local' or 'zero'")
        return self.sy / self.n if kind == "local" and self.n else 0.0


def statistics(kernel: Kernel, theta: np.ndarray, Z: np.ndarray, X: np.ndarray, y: np.ndarray) -> Statistics:
    """The statistics of observations X (n, 3), y (n,) against inducing points Z (M, 3), both in
    scaled units, in column blocks of Kuf (memory bounded however many observations)."""
    m, n = len(Z), len(y)
    phi, b, c = np.zeros((m, m)), np.zeros(m), np.zeros(m)
    step = max(256, int(BLOCK_BYTES // (8 * m)))
    for i in range(0, n, step):
        Kuf, _ = kernel.covariance(sq_diffs(Z, X[i : i + step]), theta[LS], theta[KV])
        phi += Kuf @ Kuf.T  # numpy's matmul takes BLAS SYRK for A A^T
        b += Kuf @ y[i : i + step]
        c += Kuf.sum(axis=1)
    y = np.asarray(y, float)
    return Statistics(phi, b, c, float(y.sum()), float(y @ y), n)


class Posterior:
    """One expert's SGPR posterior (GPflow's SGPR predict_f, full_cov=False) and its bound, from its
    statistics: an M x M factorisation, whatever the number of observations."""

    def __init__(self, kernel: Kernel, theta: np.ndarray, Z: np.ndarray, stats: Statistics, *, mean: float):
        self.kernel, self.theta, self.Z, self.mean, self.n = kernel, np.asarray(theta, float), Z, mean, stats.n
        s2 = self.theta[NV]
        Kuu, _ = kernel.covariance(sq_diffs(Z, Z), self.theta[LS], self.theta[KV])
        self.L, self.LB, C = factor(Kuu, stats.phi, s2)
        self.b = stats.b - mean * stats.c  # the de-meaned data's Kuf y
        self.yy = stats.syy - 2.0 * mean * stats.sy + stats.n * mean**2
        self.R = self.L @ self.LB  # W = Kuu + Phi / s2 = R R^T
        self.w, _ = lapack.dpotrs(self.R, self.b, lower=1)  # W^-1 b
        self.trace = float(np.trace(C))
        self._s2 = s2

    def predict(self, Xstar: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Latent mean (the prior mean added back) and variance at scaled inputs Xstar (k, 3)."""
        Kus, _ = self.kernel.covariance(sq_diffs(self.Z, np.asarray(Xstar, float)), self.theta[LS], self.theta[KV])
        a, _ = lapack.dtrtrs(self.L, Kus, lower=1)
        c, _ = lapack.dtrtrs(self.R, Kus, lower=1)
        var = self.theta[KV] - np.sum(a * a, axis=0) + np.sum(c * c, axis=0)
        return Kus.T @ self.w / self._s2 + self.mean, np.maximum(var, 0.0)

    def negative_bound(self) -> float:
        """-ELBO, the objective :class:`icegp.gp.sparse.SGPRBound` minimises, at these statistics."""
        s2, kv, n = self._s2, self.theta[KV], self.n
        elbo = (
            -0.5 * n * LOG_2PI
            - np.sum(np.log(np.diag(self.LB)))
            - 0.5 * n * np.log(s2)
            - 0.5 * self.yy / s2
            + 0.5 * float(self.b @ self.w) / s2**2
            - 0.5 * n * kv / s2
            + 0.5 * self.trace / s2
        )
        return -float(elbo)


@cache
def _upper(m: int) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(m)


@dataclass(frozen=True, eq=False)
class PackedStatistics:
    """Statistics kept for later, with Phi (symmetric: Kuf Kuf^T) as its upper triangle: half the
    memory of a part a window keeps (a chunk keeps a window of days' for every expert). Unpacking
    gives Phi back bit for bit."""

    upper: np.ndarray  # Phi's upper triangle, row by row
    b: np.ndarray
    c: np.ndarray
    sy: float
    syy: float
    n: int

    @classmethod
    def of(cls, stats: Statistics) -> PackedStatistics:
        return cls(stats.phi[_upper(len(stats.b))], stats.b, stats.c, stats.sy, stats.syy, stats.n)

    def unpacked(self) -> Statistics:
        iu, m = _upper(len(self.b)), len(self.b)
        phi = np.empty((m, m))
        phi[iu] = self.upper
        phi.T[iu] = self.upper
        return Statistics(phi, self.b, self.c, self.sy, self.syy, self.n)


class SlidingSum:
    """The statistics of a window of keyed parts (days, packed) kept as a running sum: a part that
    enters is added, one that leaves is subtracted; `resum` makes the sum again from the parts in key
    order (the caller's schedule of resums bounds subtraction's rounding and makes the sum
    reproducible)."""

    def __init__(self, m: int):
        self.parts: dict = {}  # key (sortable: a day) -> PackedStatistics
        self.total = Statistics.empty(m)

    def add(self, key, part: PackedStatistics) -> None:
        if key in self.parts:
            raise KeyError(f"{key} is already in the window")
        self.parts[key] = part
        self.total = self.total + part.unpacked()

    def remove(self, key) -> None:
        self.total = self.total - self.parts.pop(key).unpacked()

    def resum(self) -> None:
        total = Statistics.empty(len(self.total.b))
        for key in sorted(self.parts):
            total = total + self.parts[key].unpacked()
        self.total = total

"""Stationary ARD kernels for the closed-form engines: k = kv * f(r), r^2 = sum_d S_d / l_d^2.

Each kernel is GPflow's kernel of the same name (the name GPSat configs use for ``kernel``), so the
reference engine and the GPflow tests use GPflow's class and the closed-form engines this module.
Every kernel gives, from scaled squared distances r^2, the covariance K and a term D with

    dK / dl_d = scale * kv * D * S_d / l_d^3

(``scale`` a constant of the kernel): the one quantity the analytic gradients of the GPR likelihood
and the SGPR bound need beyond K itself, since every kernel is proportional to kv. The work is done
in place in the caller's buffers (the sparse engine keeps them between evaluations).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

SQRT3, SQRT5 = np.sqrt(3.0), np.sqrt(5.0)


def _matern12(r: np.ndarray, variance: float, out: np.ndarray) -> None:
    """exp(-r); D = exp(-r) / r (0 where r = 0, where every S_d is 0 too)."""
    np.sqrt(r, out=r)
    np.exp(np.negative(r), out=out)
    D = np.divide(out, r, out=np.zeros_like(r), where=r > 0)
    np.multiply(out, variance, out=r)
    out[...] = D


def _matern32(r: np.ndarray, variance: float, out: np.ndarray) -> None:
    """(1 + sqrt3 r) exp(-sqrt3 r); D = exp(-sqrt3 r)."""
    np.sqrt(r, out=r)
    r *= SQRT3  # r is now sqrt(3) * distance
    e = np.negative(r, out=out)
    np.exp(e, out=e)
    r += 1.0
    r *= e
    r *= variance


def _matern52(r: np.ndarray, variance: float, out: np.ndarray) -> None:
    """(1 + sqrt5 r + 5 r^2 / 3) exp(-sqrt5 r); D = (1 + sqrt5 r) exp(-sqrt5 r)."""
    np.sqrt(r, out=r)
    r *= SQRT5  # s = sqrt(5) * distance
    np.exp(np.negative(r), out=out)
    square = r * r / 3.0  # s^2 / 3 = 5 r^2 / 3
    r += 1.0
    r *= out  # D = (1 + s) exp(-s)
    np.multiply(square, out, out=square)
    out[...] = r
    r += square
    r *= variance


def _squared_exponential(r: np.ndarray, variance: float, out: np.ndarray) -> None:
    """exp(-r^2 / 2); D = exp(-r^2 / 2)."""
    np.multiply(r, -0.5, out=out)
    np.exp(out, out=out)
    np.multiply(out, variance, out=r)


@dataclass(frozen=True)
class Kernel:
    """One kernel family member: its GPflow name, its in-place evaluation and its gradient scale."""

    name: str
    _fill: Callable[[np.ndarray, float, np.ndarray], None]
    scale: float

    def from_r2(self, r2: np.ndarray, variance: float, out: np.ndarray | None = None):
        """(K, D) from scaled squared distances: K overwrites `r2`, D goes to `out` (or a new array)."""
        out = np.empty_like(r2) if out is None else out
        self._fill(r2, variance, out)
        return r2, out

    def covariance(self, S: np.ndarray, lengthscales, variance):
        """(K, D) from squared coordinate differences S (3, n, m)."""
        return self.from_r2(np.tensordot(1.0 / np.asarray(lengthscales) ** 2, S, axes=1), variance)


KERNELS = {
    k.name: k
    for k in (
        Kernel("Matern12", _matern12, 1.0),
        Kernel("Matern32", _matern32, 3.0),
        Kernel("Matern52", _matern52, 5.0 / 3.0),
        Kernel("SquaredExponential", _squared_exponential, 1.0),
    )
}


def kernel(name: str) -> Kernel:
    """The kernel called `name` (GPflow's class name), or an error naming the config key."""
    if name not in KERNELS:
        raise ValueError(f"config key training.kernel: {name!r} is not one of {sorted(KERNELS)}")
    return KERNELS[name]

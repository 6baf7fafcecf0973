"""SGPR (Titsias 2009 collapsed bound) with closed-form gradients on BLAS/LAPACK, and inducing points.

Why: reverse-mode autodiff of the bound (GPflow, or our TensorFlow function) costs ~6-9 n M^2 flops a
step; written out it needs one SYRK (Kuf Kuf^T, n M^2) and one GEMM (G Kuf, 2 n M^2), all else is
M x M or elementwise. The n-sized work runs in column blocks so memory stays bounded however many
observations an expert has. The tests hold it to GPflow's SGPR (value and gradient).

With Phi = Kuf Kuf^T, b = Kuf y and W = Kuu + Phi / s2 (s2 the noise variance), the bound is

  F = -n/2 log 2pi - 1/2 log|W| + 1/2 log|Kuu| - n/2 log s2 - y'y/(2 s2) + b'W^-1 b/(2 s2^2)
      - n kv/(2 s2) + tr(Kuu^-1 Phi)/(2 s2)

and with v = W^-1 b its partial derivatives are
  dF/dKuu = -W^-1/2 - v v'/(2 s2^2) + Kuu^-1/2 - Kuu^-1 Phi Kuu^-1/(2 s2)
  dF/dKuf = 2 G Kuf + v y'/s2^2,   G = dF/dPhi = (Kuu^-1 - W^-1)/(2 s2) - v v'/(2 s2^3)
  dF/ds2  = tr(W^-1 Phi)/(2 s2^2) - b'v/s2^3 + v'Phi v/(2 s2^4) - n/(2 s2) + (y'y + n kv - tr(Kuu^-1 Phi))/(2 s2^2)
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import blas, lapack

from icegp.gp.exact import LOG_2PI, CholeskyError, sq_diffs
from icegp.gp.hyper import KV, LS, NV
from icegp.gp.kernels import Kernel
from icegp.gp.statistics import BLOCK_BYTES, Posterior, factor, statistics

CACHE_BYTES = 1280 * 2**20  # squared differences and Kuf kept (n up to 67,000 at M = 500)


def _inv_from_chol(L: np.ndarray) -> np.ndarray:
    """Full symmetric inverse from a lower Cholesky factor."""
    inv, info = lapack.dpotri(L, lower=1)
    if info != 0:
        raise CholeskyError("inverse from Cholesky failed")
    inv += np.tril(inv, -1).T  # the upper triangle is zero: L came from a clean dpotrf or is L LB
    return inv


class SGPRBound:
    """Negative collapsed ELBO and its gradient in theta (the layout of :mod:`.hyper`).

    X (n, 3), y (n,), Z (M, 3) in scaled units. The n-sized work runs in column blocks of Kuf.
    """

    def __init__(self, kernel: Kernel, X: np.ndarray, y: np.ndarray, Z: np.ndarray, cache_bytes: float = CACHE_BYTES):
        self.kernel = kernel
        self.X, self.y = np.ascontiguousarray(X, float), np.ascontiguousarray(y, float)
        self.Z = np.ascontiguousarray(Z, float)
        self.n, self.m = len(self.y), len(self.Z)
        self.yy = float(self.y @ self.y)
        step = max(256, int(BLOCK_BYTES // (8 * self.m)))
        self.blocks = [slice(i, min(i + step, self.n)) for i in range(0, self.n, step)]
        self.Suu = sq_diffs(self.Z, self.Z)
        # Kept between evaluations while they fit in cache_bytes: the exact squared differences of every
        # block, then also every block's Kuf and gradient term (the gradient pass reuses them); otherwise
        # they are recomputed block by block. Workspaces are reused: no page faults per step.
        per_obs = 8 * self.m
        self.keep = 5 * per_obs * self.n <= cache_bytes
        cached = 3 * per_obs * self.n <= cache_bytes
        self._S = [sq_diffs(self.Z, self.X[b]) for b in self.blocks] if cached else None
        sizes = [b.stop - b.start for b in self.blocks] if self.keep else [self.blocks[0].stop]
        self._work = [(np.empty(self.m * k), np.empty(self.m * k)) for k in sizes]
        self._P = np.empty(self.m * self.blocks[0].stop)

    def _view(self, flat: np.ndarray, k: int) -> np.ndarray:
        """The leading M x (block k's size) of a flat workspace, C-contiguous."""
        b = self.blocks[k]
        return flat[: self.m * (b.stop - b.start)].reshape(self.m, b.stop - b.start)

    def _S_block(self, k: int) -> np.ndarray:
        return self._S[k] if self._S is not None else sq_diffs(self.Z, self.X[self.blocks[k]])

    def _kuf(self, k: int, theta):
        """Block k of Kuf and its gradient term D (:mod:`.kernels`), computed in the workspace from
        exact squared differences (an expansion |z|^2 + |x|^2 - 2 z.x loses digits that an
        ill-conditioned K_uu amplifies)."""
        Kf, Ef = self._work[k if self.keep else 0]
        K, E = self._view(Kf, k), self._view(Ef, k)
        np.dot(1.0 / theta[LS] ** 2, self._S_block(k).reshape(3, -1), out=K.reshape(-1))
        return self.kernel.from_r2(K, theta[KV], out=E)

    def _factor(self, theta):
        """Kuu (without jitter) and its gradient term, Phi, b, the Cholesky factors L (Kuu) and LB (B),
        C = L^-1 Phi L^-T and tr(C); the blocks' Kuf stay in the workspace where they are kept."""
        m = self.m
        Kuu_f, Euu = self.kernel.covariance(self.Suu, theta[LS], theta[KV])
        Phi = np.zeros((m, m))
        b = np.zeros(m)
        for k, blk in enumerate(self.blocks):
            Kuf, _ = self._kuf(k, theta)
            Phi += Kuf @ Kuf.T  # numpy's matmul takes BLAS SYRK for A A^T
            b += Kuf @ self.y[blk]
        L, LB, C = factor(Kuu_f, Phi, theta[NV])
        return Kuu_f, Euu, Phi, b, L, LB, C, float(np.trace(C))

    def value_and_grad(self, theta: np.ndarray):
        ls, kv, s2 = theta[LS], theta[KV], theta[NV]
        n = self.n
        Kuu_f, Euu, Phi, b, L, LB, C, tr_KiPhi = self._factor(theta)
        Kuu_inv, W_inv = _inv_from_chol(L), _inv_from_chol(L @ LB)  # W = L LB (L LB)^T
        v = W_inv @ b
        bv = float(b @ v)
        elbo = (
            -0.5 * n * LOG_2PI
            - np.sum(np.log(np.diag(LB)))
            - 0.5 * n * np.log(s2)
            - 0.5 * self.yy / s2
            + 0.5 * bv / s2**2
            - 0.5 * n * kv / s2
            + 0.5 * tr_KiPhi / s2
        )
        vv = np.outer(v, v)
        G = (Kuu_inv - W_inv) / (2.0 * s2) - vv / (2.0 * s2**3)
        T, _ = lapack.dtrtrs(L, C, lower=1, trans=1)  # Kuu^-1 Phi Kuu^-1 = L^-T C L^-1
        KiPhiKi, _ = lapack.dtrtrs(L, np.ascontiguousarray(T.T), lower=1, trans=1)
        Guu = 0.5 * (Kuu_inv - W_inv) - vv / (2.0 * s2**2) - KiPhiKi / (2.0 * s2)
        G2, w = 2.0 * G, v / s2**2
        # Kuu and Kuf are proportional to kv: <dF/dKuf, Kuf> = 2 <G, Phi> + w'b
        d_kv = -0.5 * n / s2 + (np.vdot(Guu, Kuu_f) + np.vdot(G2, Phi) + w @ b) / kv
        dl = np.tensordot(self.Suu, Guu * Euu, axes=([1, 2], [0, 1]))
        # pass 2: dF/dKuf = 2 G Kuf + w y^T, contracted with dKuf/dl block by block
        for k, blk in enumerate(self.blocks):
            Kuf, E = (self._view(a, k) for a in self._work[k]) if self.keep else self._kuf(k, theta)
            P = self._view(self._P, k)
            np.multiply.outer(w, self.y[blk], out=P)
            # P += G2 Kuf in BLAS, transposed so that P is its Fortran-order output (no copy when contiguous)
            P = blas.dgemm(1.0, Kuf.T, G2.T, beta=1.0, c=P.T, overwrite_c=1).T
            P *= E
            dl += self._S_block(k).reshape(3, -1) @ P.reshape(-1)
        d_s2 = (
            0.5 * np.vdot(W_inv, Phi) / s2**2
            - bv / s2**3
            + 0.5 * (v @ Phi @ v) / s2**4
            - 0.5 * n / s2
            + 0.5 * (self.yy + n * kv - tr_KiPhi) / s2**2
        )
        # dk/dl_d = scale kv D S_d / l_d^3 (:mod:`.kernels`)
        grad = np.r_[self.kernel.scale * kv * dl / ls**3, d_kv, d_s2]
        return -float(elbo), -grad

    def predict(self, theta: np.ndarray, Xstar: np.ndarray):
        """Posterior latent mean and variance at Xstar (GPflow's SGPR predict_f, full_cov=False)."""
        stats = statistics(self.kernel, theta, self.Z, self.X, self.y)
        return Posterior(self.kernel, theta, self.Z, stats, mean=0.0).predict(Xstar)

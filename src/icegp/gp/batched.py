"""Many SGPR experts in one TensorFlow program: the path of ``device: gpu``.

One expert at the seed's scale (n ~ 7,000, M = 100..500) is far too small to fill a GPU, so a GPU
fits a batch of experts together. Their rows are padded to a common n (the padding is masked out
of every sum: its Kuf columns are zero, its y is zero, n counts real rows only), the M x M algebra is
batched, and TensorFlow Probability's L-BFGS runs the batch as independent problems, each with its
own convergence, through the same Sigmoid bounds as the CPU engines.

Memory stays bounded in n: the bound needs Kuf only through Phi = Kuf Kuf^T and b = Kuf y (see
:mod:`.sparse`), which are summed over row blocks; their gradient recomputes each block instead of
keeping it (a custom gradient), so no B x M x n array exists unless one block covers n.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from icegp.gp.compiled import LOG_2PI, covariance
from icegp.gp.device import tensorflow
from icegp.gp.hyper import KV, NV
from icegp.gp.statistics import INDUCING_JITTER

tf = tensorflow()
F64 = tf.float64
#: Bytes of one B x M x block x 3 temporary of squared differences (a few live at once)
BLOCK_BYTES = 256 * 2**20
#: Padded rows (B x n) of one batch: experts are batched in order of size until this many
BATCH_ROWS = 4_000_000


@dataclass
class Batch:
    """B padded problems in scaled units: X (B, N, 3), y (B, N), mask (B, N) 1 on real rows, Z (B, M, 3)."""

    X: np.ndarray
    y: np.ndarray
    mask: np.ndarray
    Z: np.ndarray

    @classmethod
    def pad(cls, problems: list[tuple[np.ndarray, np.ndarray, np.ndarray]], *, rows: int | None = None) -> "Batch":
        """(X, y, Z) triples padded to `rows` (default: the largest n) with zeros and mask 0."""
        n = max(len(y) for _, y, _ in problems) if rows is None else rows
        B = len(problems)
        X, y, mask = np.zeros((B, n, 3)), np.zeros((B, n)), np.zeros((B, n))
        for k, (Xk, yk, _) in enumerate(problems):
            if Xk.shape != (len(yk), 3):
                raise ValueError(f"batch member {k}: X has shape {Xk.shape}, expected ({len(yk)}, 3)")
            X[k, : len(yk)], y[k, : len(yk)], mask[k, : len(yk)] = Xk, yk, 1.0
        Z = np.stack([np.asarray(Zk, float) for _, _, Zk in problems])
        return cls(X, y, mask, Z)

    def block(self) -> int:
        """Rows per block: a B x M x block x 3 float64 temporary within BLOCK_BYTES."""
        B, M = self.Z.shape[:2]
        return int(max(1, min(self.X.shape[1], BLOCK_BYTES // (B * M * 3 * 8))))


def batches(sizes, *, rows: int = BATCH_ROWS) -> list[list[int]]:
    """Indices of problems with `sizes` rows grouped into batches, smallest first, so that a batch's
    padded rows (members x its largest n) stay within `rows` (a larger problem is a batch alone)."""
    order = np.argsort(np.asarray(sizes), kind="stable")
    groups: list[list[int]] = []
    for i in order:
        if groups and (len(groups[-1]) + 1) * sizes[i] <= rows:
            groups[-1].append(int(i))
        else:
            groups.append([int(i)])
    return groups


@lru_cache(maxsize=None)
def _functions(kernel: str):
    """The kernel's batched bound (value and gradient in theta) and prediction, traced once per process."""
    cov = covariance(kernel)
    spec = [tf.TensorSpec([None, 5], F64), tf.TensorSpec([None, None, 3], F64), tf.TensorSpec([None, None], F64)]
    spec += [tf.TensorSpec([None, None], F64), tf.TensorSpec([None, None, 3], F64), tf.TensorSpec([], tf.int32)]

    def block_kuf(theta, X, mask, Z, start, size):
        Xb, mb = X[:, start : start + size], mask[:, start : start + size]
        return cov(Z, Xb, theta) * mb[:, None, :]

    def statistics(theta, X, y, mask, Z, size):
        """Phi (B, M, M) and b (B, M), summed over row blocks; the gradient recomputes each block."""

        @tf.custom_gradient
        def phi_b(theta):
            n = tf.shape(X)[1]
            B, M = tf.shape(Z)[0], tf.shape(Z)[1]
            Phi, b = tf.zeros([B, M, M], F64), tf.zeros([B, M], F64)
            for start in tf.range(0, n, size):
                K = block_kuf(theta, X, mask, Z, start, size)
                Phi += tf.matmul(K, K, transpose_b=True)
                b += tf.linalg.matvec(K, y[:, start : start + size])

            def grad(dPhi, db):
                sym = dPhi + tf.linalg.matrix_transpose(dPhi)
                dtheta = tf.zeros_like(theta)
                for start in tf.range(0, n, size):
                    with tf.GradientTape() as tape:
                        tape.watch(theta)
                        K = block_kuf(theta, X, mask, Z, start, size)
                    dK = tf.matmul(sym, K) + db[:, :, None] * y[:, None, start : start + size]
                    dtheta += tape.gradient(K, theta, output_gradients=dK)
                return dtheta

            return (Phi, b), grad

        return phi_b(theta)

    def factors(theta, X, y, mask, Z, size):
        M = tf.shape(Z)[1]
        eye = tf.eye(M, batch_shape=[tf.shape(Z)[0]], dtype=F64)
        Phi, b = statistics(theta, X, y, mask, Z, size)
        L = tf.linalg.cholesky(cov(Z, Z, theta) + INDUCING_JITTER * eye)
        s2 = theta[:, NV, None, None]
        T = tf.linalg.triangular_solve(L, Phi)
        C = tf.linalg.triangular_solve(L, tf.linalg.matrix_transpose(T))  # L^-1 Phi L^-T
        LB = tf.linalg.cholesky(eye + 0.5 * (C + tf.linalg.matrix_transpose(C)) / s2)
        return L, LB, C, b

    @tf.function(input_signature=spec)
    def value_and_grad(theta, X, y, mask, Z, size):
        """Per member the negative collapsed ELBO (B,) and its gradient in theta (B, 5)."""
        with tf.GradientTape() as tape:
            tape.watch(theta)
            n = tf.reduce_sum(mask, axis=1)
            s2, kv = theta[:, NV], theta[:, KV]
            L, LB, C, b = factors(theta, X, y, mask, Z, size)
            c = tf.linalg.triangular_solve(LB, tf.linalg.triangular_solve(L, b[:, :, None]))[:, :, 0] / s2[:, None]
            elbo = (
                -0.5 * n * LOG_2PI
                - tf.reduce_sum(tf.math.log(tf.linalg.diag_part(LB)), axis=1)
                - 0.5 * n * tf.math.log(s2)
                - 0.5 * tf.reduce_sum(y * y, axis=1) / s2
                + 0.5 * tf.reduce_sum(c * c, axis=1)
                - 0.5 * n * kv / s2
                + 0.5 * tf.linalg.trace(C) / s2
            )
            loss = -elbo
        return loss, tape.gradient(loss, theta)

    @tf.function(input_signature=[*spec[:5], tf.TensorSpec([None, None, 3], F64), spec[5]])
    def predict(theta, X, y, mask, Z, Xstar, size):
        """Per member the posterior latent mean and variance at its Xstar rows (B, S)."""
        s2 = theta[:, NV, None, None]
        L, LB, _, b = factors(theta, X, y, mask, Z, size)
        Kus = cov(Z, Xstar, theta)
        a = tf.linalg.triangular_solve(L, Kus)
        c = tf.linalg.triangular_solve(LB, a)
        w = tf.linalg.triangular_solve(LB, tf.linalg.triangular_solve(L, b[:, :, None])) / s2
        mean = tf.reduce_sum(c * w, axis=1)
        var = theta[:, KV, None] - tf.reduce_sum(a * a, axis=1) + tf.reduce_sum(c * c, axis=1)
        return mean, tf.maximum(var, 0.0)

    return value_and_grad, predict


def _tensors(batch: Batch):
    return [tf.constant(a, F64) for a in (batch.X, batch.y, batch.mask, batch.Z)] + [tf.constant(batch.block())]


def value_and_grad(kernel: str, theta: np.ndarray, batch: Batch) -> tuple[np.ndarray, np.ndarray]:
    """Per member the negative bound (B,) and its gradient in theta (B, 5), as numpy."""
    value, grad = _functions(kernel)[0](tf.constant(theta, F64), *_tensors(batch))
    return value.numpy(), grad.numpy()


def predict(kernel: str, theta: np.ndarray, batch: Batch, Xstar: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Posterior latent mean and variance (B, S) at Xstar (B, S, 3), padded rows included."""
    X, y, mask, Z, size = _tensors(batch)
    mean, var = _functions(kernel)[1](tf.constant(theta, F64), X, y, mask, Z, tf.constant(Xstar, F64), size)
    return mean.numpy(), var.numpy()


@dataclass
class BatchFit:
    """What L-BFGS ended at per member: unconstrained u (B, 5), objective, iterations, converged, failed."""

    u: np.ndarray
    loss: np.ndarray
    n_iter: np.ndarray
    converged: np.ndarray
    failed: np.ndarray


def minimize(
    kernel: str,
    batch: Batch,
    u0: np.ndarray,
    *,
    low: np.ndarray,
    high: np.ndarray,
    free: np.ndarray,
    tolerance: float,
    max_iter: int,
) -> BatchFit:
    """TensorFlow Probability's L-BFGS on every member at once, in u with theta = low + (high - low)
    sigmoid(u) (the CPU engines' transform); fixed entries (`free` False) get no gradient, so they stay
    at u0. A member stops when its gradient's largest entry or its relative change of the objective
    falls under `tolerance` (SciPy's gtol and ftol in the CPU engines)."""
    import tensorflow_probability as tfp

    fn = _functions(kernel)[0]
    X, y, mask, Z, size = _tensors(batch)
    lo, width, keep = (tf.constant(np.asarray(a, float), F64) for a in (low, np.subtract(high, low), free))

    @tf.function
    def objective(u):
        s = tf.sigmoid(u)
        value, grad = fn(lo + width * s, X, y, mask, Z, size)
        return value, grad * width * s * (1.0 - s) * keep

    result = tfp.optimizer.lbfgs_minimize(
        objective,
        initial_position=tf.constant(u0, F64),
        tolerance=tolerance,
        f_relative_tolerance=tolerance,
        max_iterations=max_iter,
    )
    return BatchFit(
        result.position.numpy(),
        result.objective_value.numpy(),
        np.broadcast_to(result.num_iterations.numpy(), (len(u0),)).astype(int),
        result.converged.numpy(),
        result.failed.numpy(),
    )

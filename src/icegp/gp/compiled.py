"""GP objectives as TensorFlow functions traced once per process and kernel (dynamic shapes, float64).

Used by the fast engine when a GPU is in use: no GPflow model is built and no function is retraced
per expert, whatever its number of observations.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from icegp.gp.device import tensorflow
from icegp.gp.hyper import KV, LS, NV
from icegp.gp.statistics import INDUCING_JITTER

tf = tensorflow()

F64 = tf.float64
LOG_2PI = np.log(2.0 * np.pi)
THETA, POINTS, VALUES = tf.TensorSpec([5], F64), tf.TensorSpec([None, 3], F64), tf.TensorSpec([None], F64)

#: k / kv as a function of the scaled distance r (and r^2), as GPflow's kernels of the same names
SHAPES = {
    "Matern12": lambda r, r2: tf.exp(-r),
    "Matern32": lambda r, r2: (1.0 + np.sqrt(3.0) * r) * tf.exp(-np.sqrt(3.0) * r),
    "Matern52": lambda r, r2: (1.0 + np.sqrt(5.0) * r + 5.0 / 3.0 * r2) * tf.exp(-np.sqrt(5.0) * r),
    "SquaredExponential": lambda r, r2: tf.exp(-0.5 * r2),
}


def covariance(kernel: str):
    """kv f(r) between A (..., P, 3) and C (..., Q, 3) at theta (..., 5): one expert, or a batch of
    them (leading dimension B, each with its own theta; :mod:`.batched`)."""
    shape = SHAPES[kernel]

    def cov(A, C, theta):
        d = (A[..., :, None, :] - C[..., None, :, :]) / theta[..., None, None, LS]
        r2 = tf.reduce_sum(d * d, axis=-1)
        return theta[..., KV, None, None] * shape(tf.sqrt(tf.maximum(r2, 1e-36)), r2)

    return cov


@lru_cache(maxsize=None)
def _functions(kernel: str):
    """The kernel's traced GPR and SGPR objectives and its covariance (traced once per process)."""
    cov = covariance(kernel)

    @tf.function(input_signature=[THETA, POINTS, VALUES])
    def gpr_value_and_grad(theta, X, y):
        with tf.GradientTape() as tape:
            tape.watch(theta)
            n = tf.shape(y)[0]
            K = cov(X, X, theta) + theta[NV] * tf.eye(n, dtype=F64)
            L = tf.linalg.cholesky(K)
            a = tf.linalg.triangular_solve(L, y[:, None])
            nll = (
                0.5 * tf.reduce_sum(a * a)
                + tf.reduce_sum(tf.math.log(tf.linalg.diag_part(L)))
                + 0.5 * tf.cast(n, F64) * LOG_2PI
            )
        return nll, tape.gradient(nll, theta)

    @tf.function(input_signature=[THETA, POINTS, VALUES, POINTS])
    def sgpr_value_and_grad(theta, X, y, Z):
        """Negative Titsias (2009) collapsed ELBO, as GPflow's SGPR computes it."""
        with tf.GradientTape() as tape:
            tape.watch(theta)
            n = tf.cast(tf.shape(y)[0], F64)
            m = tf.shape(Z)[0]
            sigma2 = theta[NV]
            Kuu = cov(Z, Z, theta) + INDUCING_JITTER * tf.eye(m, dtype=F64)
            Kuf = cov(Z, X, theta)
            L = tf.linalg.cholesky(Kuu)
            A = tf.linalg.triangular_solve(L, Kuf) / tf.sqrt(sigma2)
            B = tf.eye(m, dtype=F64) + tf.matmul(A, A, transpose_b=True)
            LB = tf.linalg.cholesky(B)
            c = tf.linalg.triangular_solve(LB, tf.matmul(A, y[:, None])) / tf.sqrt(sigma2)
            elbo = (
                -0.5 * n * LOG_2PI
                - tf.reduce_sum(tf.math.log(tf.linalg.diag_part(LB)))
                - 0.5 * n * tf.math.log(sigma2)
                - 0.5 * tf.reduce_sum(y * y) / sigma2
                + 0.5 * tf.reduce_sum(c * c)
                - 0.5 * (n * theta[KV]) / sigma2
                + 0.5 * tf.reduce_sum(A * A)
            )
            loss = -elbo
        return loss, tape.gradient(loss, theta)

    return gpr_value_and_grad, sgpr_value_and_grad, cov


def _numpy_fn(fn, *arrays):
    tensors = [tf.constant(np.asarray(a, float), F64) for a in arrays]

    def value_and_grad(theta):
        value, grad = fn(tf.constant(theta, F64), *tensors)
        return float(value.numpy()), grad.numpy()

    return value_and_grad


def gpr_objective(kernel: str, X, y):
    return _numpy_fn(_functions(kernel)[0], X, y)


def sgpr_objective(kernel: str, X, y, Z):
    return _numpy_fn(_functions(kernel)[1], X, y, Z)


def sgpr_predict(kernel: str, theta, X, y, Z, Xstar):
    """SGPR posterior latent mean and variance at Xstar (GPflow's predict_f, full_cov=False)."""
    t = tf.constant(theta, F64)
    X, y, Z, Xs = (tf.constant(np.asarray(a, float), F64) for a in (X, y, Z, Xstar))
    m = tf.shape(Z)[0]
    sigma = tf.sqrt(t[NV])
    cov = _functions(kernel)[2]
    Kuu = cov(Z, Z, t) + INDUCING_JITTER * tf.eye(m, dtype=F64)
    Kuf = cov(Z, X, t)
    Kus = cov(Z, Xs, t)
    L = tf.linalg.cholesky(Kuu)
    A = tf.linalg.triangular_solve(L, Kuf) / sigma
    LB = tf.linalg.cholesky(tf.eye(m, dtype=F64) + tf.matmul(A, A, transpose_b=True))
    c = tf.linalg.triangular_solve(LB, tf.matmul(A, y[:, None])) / sigma
    tmp1 = tf.linalg.triangular_solve(L, Kus)
    tmp2 = tf.linalg.triangular_solve(LB, tmp1)
    mean = tf.matmul(tmp2, c, transpose_a=True)[:, 0]
    var = t[KV] + tf.reduce_sum(tmp2 * tmp2, 0) - tf.reduce_sum(tmp1 * tmp1, 0)
    return mean.numpy(), np.maximum(var.numpy(), 0.0)


def gpr_predict(kernel: str, theta, X, y, Xstar):
    """GPR posterior latent mean and variance at Xstar, on whatever device TensorFlow uses."""
    t = tf.constant(theta, F64)
    X, y, Xs = (tf.constant(np.asarray(a, float), F64) for a in (X, y, Xstar))
    cov = _functions(kernel)[2]
    K = cov(X, X, t) + t[NV] * tf.eye(tf.shape(y)[0], dtype=F64)
    L = tf.linalg.cholesky(K)
    Ks = cov(X, Xs, t)
    alpha = tf.linalg.cholesky_solve(L, y[:, None])
    v = tf.linalg.triangular_solve(L, Ks)
    return tf.matmul(Ks, alpha, transpose_a=True)[:, 0].numpy(), np.maximum(
        (t[KV] - tf.reduce_sum(v * v, 0)).numpy(), 0.0
    )

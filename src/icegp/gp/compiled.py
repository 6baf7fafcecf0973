"""GP objectives as TensorFlow functions traced once per process (dynamic shapes, float64).

Used by the fast engine for SGPR, and for GPR when a GPU is in use: no GPflow model is built and no
function is retraced per expert, whatever its number of observations.
"""
from __future__ import annotations

import numpy as np

from ..device import tensorflow

tf = tensorflow()

F64 = tf.float64
SQRT3 = np.sqrt(3.0)
LOG_2PI = np.log(2.0 * np.pi)
INDUCING_JITTER = 1e-6  # GPflow's default jitter on K_uu


def _matern32(A, B, theta):
    ls, kv = theta[:3], theta[3]
    d = (A[:, None, :] - B[None, :, :]) / ls
    r = tf.sqrt(tf.maximum(tf.reduce_sum(d * d, axis=-1), 1e-36))
    return kv * (1.0 + SQRT3 * r) * tf.exp(-SQRT3 * r)


@tf.function(input_signature=[tf.TensorSpec([5], F64), tf.TensorSpec([None, 3], F64), tf.TensorSpec([None], F64)])
def _gpr_value_and_grad(theta, X, y):
    with tf.GradientTape() as tape:
        tape.watch(theta)
        n = tf.shape(y)[0]
        K = _matern32(X, X, theta) + theta[4] * tf.eye(n, dtype=F64)
        L = tf.linalg.cholesky(K)
        a = tf.linalg.triangular_solve(L, y[:, None])
        nll = 0.5 * tf.reduce_sum(a * a) + tf.reduce_sum(tf.math.log(tf.linalg.diag_part(L))) \
            + 0.5 * tf.cast(n, F64) * LOG_2PI
    return nll, tape.gradient(nll, theta)


@tf.function(input_signature=[tf.TensorSpec([5], F64), tf.TensorSpec([None, 3], F64), tf.TensorSpec([None], F64),
                              tf.TensorSpec([None, 3], F64)])
def _sgpr_value_and_grad(theta, X, y, Z):
    """Negative Titsias (2009) collapsed ELBO, as GPflow's SGPR computes it."""
    with tf.GradientTape() as tape:
        tape.watch(theta)
        n = tf.cast(tf.shape(y)[0], F64)
        m = tf.shape(Z)[0]
        sigma2 = theta[4]
        Kuu = _matern32(Z, Z, theta) + INDUCING_JITTER * tf.eye(m, dtype=F64)
        Kuf = _matern32(Z, X, theta)
        L = tf.linalg.cholesky(Kuu)
        A = tf.linalg.triangular_solve(L, Kuf) / tf.sqrt(sigma2)
        B = tf.eye(m, dtype=F64) + tf.matmul(A, A, transpose_b=True)
        LB = tf.linalg.cholesky(B)
        c = tf.linalg.triangular_solve(LB, tf.matmul(A, y[:, None])) / tf.sqrt(sigma2)
        elbo = (-0.5 * n * LOG_2PI - tf.reduce_sum(tf.math.log(tf.linalg.diag_part(LB)))
                - 0.5 * n * tf.math.log(sigma2) - 0.5 * tf.reduce_sum(y * y) / sigma2
                + 0.5 * tf.reduce_sum(c * c)
                - 0.5 * (n * theta[3]) / sigma2 + 0.5 * tf.reduce_sum(A * A))
        loss = -elbo
    return loss, tape.gradient(loss, theta)


def _numpy_fn(fn, *arrays):
    tensors = [tf.constant(np.asarray(a, float), F64) for a in arrays]

    def value_and_grad(theta):
        value, grad = fn(tf.constant(theta, F64), *tensors)
        return float(value.numpy()), grad.numpy()

    return value_and_grad


def gpr_objective(X, y):
    return _numpy_fn(_gpr_value_and_grad, X, y)


def sgpr_objective(X, y, Z):
    return _numpy_fn(_sgpr_value_and_grad, X, y, Z)


def sgpr_predict(theta, X, y, Z, Xstar):
    """SGPR posterior latent mean and variance at Xstar (GPflow's predict_f, full_cov=False)."""
    t = tf.constant(theta, F64)
    X, y, Z, Xs = (tf.constant(np.asarray(a, float), F64) for a in (X, y, Z, Xstar))
    m = tf.shape(Z)[0]
    sigma = tf.sqrt(t[4])
    Kuu = _matern32(Z, Z, t) + INDUCING_JITTER * tf.eye(m, dtype=F64)
    Kuf = _matern32(Z, X, t)
    Kus = _matern32(Z, Xs, t)
    L = tf.linalg.cholesky(Kuu)
    A = tf.linalg.triangular_solve(L, Kuf) / sigma
    LB = tf.linalg.cholesky(tf.eye(m, dtype=F64) + tf.matmul(A, A, transpose_b=True))
    c = tf.linalg.triangular_solve(LB, tf.matmul(A, y[:, None])) / sigma
    tmp1 = tf.linalg.triangular_solve(L, Kus)
    tmp2 = tf.linalg.triangular_solve(LB, tmp1)
    mean = tf.matmul(tmp2, c, transpose_a=True)[:, 0]
    var = t[3] + tf.reduce_sum(tmp2 * tmp2, 0) - tf.reduce_sum(tmp1 * tmp1, 0)
    return mean.numpy(), np.maximum(var.numpy(), 0.0)


def gpr_predict(theta, X, y, Xstar):
    """GPR posterior latent mean and variance at Xstar, on whatever device TensorFlow uses."""
    t = tf.constant(theta, F64)
    X, y, Xs = (tf.constant(np.asarray(a, float), F64) for a in (X, y, Xstar))
    K = _matern32(X, X, t) + t[4] * tf.eye(tf.shape(y)[0], dtype=F64)
    L = tf.linalg.cholesky(K)
    Ks = _matern32(X, Xs, t)
    alpha = tf.linalg.cholesky_solve(L, y[:, None])
    v = tf.linalg.triangular_solve(L, Ks)
    return tf.matmul(Ks, alpha, transpose_a=True)[:, 0].numpy(), np.maximum(
        (t[3] - tf.reduce_sum(v * v, 0)).numpy(), 0.0)

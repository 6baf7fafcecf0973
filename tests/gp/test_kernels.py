"""Every kernel of the family held to GPflow's kernel of the same name: the covariance, and the value
and gradient of the GPR likelihood (closed form and TensorFlow) and of the SGPR bound, on random inputs."""

import gpflow
import numpy as np
import pytest
import tensorflow as tf
from snakemake.exceptions import WorkflowError

from icegp import config
from icegp.gp import compiled, exact, sparse
from icegp.gp.engines import make_engine
from icegp.gp.kernels import KERNELS, kernel
from icegp.gp.problem import Problem, inducing_points

THETA = np.array([1.3, 2.1, 0.7, 0.8, 0.12])  # l_x, l_y, l_t, kernel variance, noise variance
NAMES = sorted(KERNELS)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(1)
    X = rng.uniform(-5, 5, (300, 3))
    X[1] = X[0]  # a repeated location: r = 0 off the diagonal
    y = np.sin(X[:, 0]) + 0.3 * X[:, 1] - 0.2 * X[:, 2] + rng.normal(0, 0.3, 300)
    Z = inducing_points(X, 40, method="random", seed=0, expert_id=3)
    return X, y, Z


def gpflow_kernel(name, theta):
    return getattr(gpflow.kernels, name)(variance=theta[3], lengthscales=theta[:3])


def gpflow_model(name, X, y, theta, Z=None):
    k = gpflow_kernel(name, theta)
    if Z is None:
        return gpflow.models.GPR((X, y[:, None]), kernel=k, noise_variance=theta[4])
    return gpflow.models.SGPR((X, y[:, None]), kernel=k, inducing_variable=Z.copy(), noise_variance=theta[4])


def gpflow_value_and_grad(model):
    """GPflow's loss and autodiff gradient in the constrained (l, kv, noise) parameters."""
    params = [model.kernel.lengthscales, model.kernel.variance, model.likelihood.variance]
    with tf.GradientTape() as tape:
        loss = model.training_loss()
    grads = tape.gradient(loss, [p.unconstrained_variable for p in params])
    out = []
    for p, g in zip(params, grads):
        with tf.GradientTape() as t2:
            t2.watch(p.unconstrained_variable)
            c = p.transform.forward(p.unconstrained_variable)
        jac = t2.jacobian(c, p.unconstrained_variable) if c.shape.rank else t2.gradient(c, p.unconstrained_variable)
        jac = np.diag(jac.numpy()) if c.shape.rank else float(jac.numpy())
        out.append(np.atleast_1d(g.numpy() / jac))
    return float(loss.numpy()), np.concatenate(out)


@pytest.mark.parametrize("name", NAMES)
def test_covariance_matches_gpflow(data, name):
    X, _, Z = data
    K, D = kernel(name).covariance(exact.sq_diffs(X, Z), THETA[:3], THETA[3])
    np.testing.assert_allclose(K, gpflow_kernel(name, THETA).K(X, Z).numpy(), rtol=1e-12, atol=1e-15)
    assert np.isfinite(D).all()


@pytest.mark.parametrize("name", NAMES)
def test_gpr_value_and_gradient_match_gpflow(data, name):
    X, y, _ = data
    ref_value, ref_grad = gpflow_value_and_grad(gpflow_model(name, X, y, THETA))
    value, grad = exact.nll_and_grad(kernel(name), THETA, exact.sq_diffs(X, X), y)
    assert value == pytest.approx(ref_value, rel=1e-12)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-8)
    tf_value, tf_grad = compiled.gpr_objective(name, X, y)(THETA)
    assert tf_value == pytest.approx(ref_value, rel=1e-12)
    np.testing.assert_allclose(tf_grad, ref_grad, rtol=1e-8)


@pytest.mark.parametrize("name", NAMES)
def test_sgpr_bound_gradient_and_prediction_match_gpflow(data, name):
    X, y, Z = data
    model = gpflow_model(name, X, y, THETA, Z)
    ref_value, ref_grad = gpflow_value_and_grad(model)
    value, grad = sparse.SGPRBound(kernel(name), X, y, Z).value_and_grad(THETA)
    assert value == pytest.approx(ref_value, rel=1e-12)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-8)
    tf_value, tf_grad = compiled.sgpr_objective(name, X, y, Z)(THETA)
    assert tf_value == pytest.approx(ref_value, rel=1e-12)
    np.testing.assert_allclose(tf_grad, ref_grad, rtol=1e-8)
    Xs = np.random.default_rng(2).uniform(-6, 6, (40, 3))
    ref_mean, ref_var = (a.numpy()[:, 0] for a in model.predict_f(Xs))
    for mean, var in (
        sparse.SGPRBound(kernel(name), X, y, Z).predict(THETA, Xs),
        compiled.sgpr_predict(name, THETA, X, y, Z, Xs),
    ):
        np.testing.assert_allclose(mean, ref_mean, atol=1e-10)
        np.testing.assert_allclose(var, ref_var, atol=1e-10)


@pytest.mark.parametrize("name", ["Matern12", "Matern52", "SquaredExponential"])
def test_fast_and_reference_engines_fit_the_configured_kernel_alike(data, name):
    """`training.kernel` reaches both engines: they reach the same optimum, which differs from
    Matern-3/2's."""
    X, y, _ = data
    problem = Problem(0, np.zeros(3), X * [50_000.0, 50_000.0, 1.0], y)
    training = {"kernel": name, "max_iter": 500, "tolerance": 1e-10}
    fast, ref = (
        make_engine(config.section("training", {**training, "engine": e})).fit_one(problem)
        for e in ("fast", "reference")
    )
    m32 = make_engine(config.section("training", {**training, "kernel": "Matern32"})).fit_one(problem)
    assert fast.loss == pytest.approx(ref.loss, rel=1e-6)
    np.testing.assert_allclose(fast.hyper.lengthscales, ref.hyper.lengthscales, rtol=1e-3)
    assert abs(fast.loss - m32.loss) > 1e-3


def test_unknown_kernel_names_the_key():
    with pytest.raises(ValueError, match="training.kernel"):
        make_engine({**config.section("training"), "kernel": "Matern72"})
    with pytest.raises(WorkflowError, match="Matern72"):
        config.section("training", {"kernel": "Matern72"})

"""The closed-form SGPR bound in column blocks, and the inducing-point choices (the bound itself is
held to GPflow's SGPR for every kernel in test_kernels.py)."""

import numpy as np
import pytest

from icegp.gp import sparse
from icegp.gp.kernels import KERNELS
from icegp.gp.problem import inducing_points

M32 = KERNELS["Matern32"]
THETA = np.array([1.3, 2.1, 0.7, 0.8, 0.12])  # l_x, l_y, l_t, kernel variance, noise variance


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(1)
    X = rng.uniform(-5, 5, (600, 3))
    y = np.sin(X[:, 0]) + 0.3 * X[:, 1] - 0.2 * X[:, 2] + rng.normal(0, 0.3, 600)
    Z = inducing_points(X, 60, method="random", seed=0, expert_id=3)
    return X, y, Z


@pytest.mark.parametrize("cached", [False, True])
def test_blocks_without_cache_give_the_same_bound(data, monkeypatch, cached):
    """Large experts run in column blocks, recomputing Kuf (and, past the cache, the squared
    differences) block by block: the same value and gradient."""
    X, y, Z = data
    whole = sparse.SGPRBound(M32, X, y, Z).value_and_grad(THETA)
    monkeypatch.setattr(sparse, "BLOCK_BYTES", 8 * len(Z) * 256)
    blocked = sparse.SGPRBound(M32, X, y, Z, cache_bytes=3 * 8 * len(Z) * len(X) if cached else 0)
    assert len(blocked.blocks) == 3 and not blocked.keep and (blocked._S is not None) == cached
    value, grad = blocked.value_and_grad(THETA)
    assert value == pytest.approx(whole[0], rel=1e-12)
    np.testing.assert_allclose(grad, whole[1], rtol=1e-10)


def test_kmeans_inducing_points_are_seeded_and_beat_random_draws(data):
    """Centres that cover the data give a tighter bound than a random draw of the same size."""
    X, y, _ = data
    a, b = (inducing_points(X, 40, method="kmeans", seed=0, expert_id=7) for _ in range(2))
    np.testing.assert_array_equal(a, b)
    assert a.shape == (40, 3)
    np.testing.assert_array_equal(inducing_points(X[:30], 40, method="kmeans", seed=0, expert_id=7), X[:30])
    theta = np.array([2.0, 2.0, 2.0, 0.5, 0.09])
    kmeans = sparse.SGPRBound(M32, X, y, a).value_and_grad(theta)[0]
    randoms = [
        sparse.SGPRBound(M32, X, y, inducing_points(X, 40, method="random", seed=s, expert_id=7)).value_and_grad(theta)[
            0
        ]
        for s in range(5)
    ]
    assert kmeans < min(randoms)  # the negative bound: lower is tighter


def test_unknown_inducing_method_names_the_key(data):
    with pytest.raises(ValueError, match="training.inducing_method"):
        inducing_points(data[0], 10, method="grid", seed=0, expert_id=0)

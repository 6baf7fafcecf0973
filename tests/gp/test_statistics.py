"""SGPR sufficient statistics: days' statistics sum to the window's, a slid window equals one summed
from scratch, the posterior and bound from statistics equal the sparse engine's, and a hold-out by
subtraction equals a posterior made without the held-out tracks (all at fixed hyperparameters and
inducing points).

Tolerances. Kuf >= 0 for these kernels, so the sums have no cancellation and a sum of n terms is
within n u of its value elementwise (u = eps / 2, the unit roundoff): the bounds below are derived,
not measured. Predictions and bounds compared between two orders of summation differ by what W's
conditioning makes of that: measured across OpenBLAS's Zen, Haswell, Prescott and Nehalem kernels and
one thread (tests/tolerance_probe.py), with the margins stated beside each assertion.
"""

import numpy as np
import pytest

from icegp.gp import sparse
from icegp.gp.kernels import KERNELS
from icegp.gp.problem import inducing_points
from icegp.gp.statistics import PackedStatistics, Posterior, SlidingSum, Statistics, statistics

M32 = KERNELS["Matern32"]
THETA = np.array([3.0, 2.5, 2.0, 0.3, 0.01])  # scaled l_x, l_y, l_t (days), kernel and noise variance
U = np.finfo(float).eps / 2
DAYS = 15


@pytest.fixture(scope="module")
def window():
    """A 15-day window of scaled observations around an expert, with a mean far from zero (so the
    local mean's exactness is tested), its days and 40 k-means inducing points."""
    rng = np.random.default_rng(4)
    n = 3000
    X = np.c_[rng.uniform(-10, 10, (n, 2)), rng.uniform(-7.5, 7.5, n)]
    y = 2.0 + np.sin(X[:, 0] / 3) + np.cos(X[:, 1] / 4) + 0.05 * X[:, 2] + rng.normal(0, 0.1, n)
    day = np.floor(X[:, 2] + 7.5).astype(int)
    Z = inducing_points(X, 40, method="kmeans", seed=0, expert_id=1)
    return X, y, day, Z


def stats_of(X, y, Z, mask=slice(None)):
    return statistics(M32, THETA, Z, X[mask], y[mask])


def assert_within(got: Statistics, want: Statistics, scale: Statistics, terms: int):
    """Every sum of got equals want's to terms x u x scale (scale: the sums of the terms' magnitudes)."""
    for name in ("phi", "b", "c", "sy", "syy"):
        a, b, s = (np.asarray(getattr(x, name)) for x in (got, want, scale))
        np.testing.assert_array_less(np.abs(a - b), terms * U * np.abs(s) + 1e-300)
    assert got.n == want.n


def magnitudes(X, y, Z, mask=slice(None)) -> Statistics:
    """The sums of the terms' magnitudes: Kuf >= 0, so Phi and c are their own; b and sum y need |y|."""
    return stats_of(X, np.abs(y), Z, mask)


def test_days_statistics_sum_to_the_windows(window):
    X, y, day, Z = window
    whole = stats_of(X, y, Z)
    parts = [stats_of(X, y, Z, day == d) for d in range(DAYS)]
    total = sum(parts[1:], parts[0])
    assert total.n == len(y)
    # each sum is a sum of len(y) terms in another order: within 2 n u of its magnitude
    assert_within(total, whole, magnitudes(X, y, Z), 2 * len(y))


def test_a_slid_window_equals_its_sum_from_scratch(window):
    """A 5-day window slid over 15 days, never re-summed, against the sum of its days made anew;
    re-summing restores the sum from scratch exactly (the same additions in the same order)."""
    X, y, day, Z = window
    parts = {d: PackedStatistics.of(stats_of(X, y, Z, day == d)) for d in range(DAYS)}
    slid = SlidingSum(len(Z))
    for d in range(5):
        slid.add(d, parts[d])
    changes = 5
    for d in range(5, DAYS):
        slid.add(d, parts[d])
        slid.remove(d - 5)
        changes += 2
        scratch = SlidingSum(len(Z))
        for k in range(d - 4, d + 1):
            scratch.add(k, parts[k])
        scratch.resum()
        # every running total is bounded elementwise by the magnitudes of all days, and each change
        # and each of the scratch sum's additions rounds once
        assert_within(slid.total, scratch.total, magnitudes(X, y, Z), changes + 5)
    slid.resum()
    for name in ("phi", "b", "c", "sy", "syy", "n"):
        np.testing.assert_array_equal(getattr(slid.total, name), getattr(scratch.total, name))


def test_sliding_sum_refuses_a_part_twice(window):
    X, y, day, Z = window
    slid = SlidingSum(len(Z))
    slid.add(1, PackedStatistics.of(stats_of(X, y, Z, day == 1)))
    with pytest.raises(KeyError, match="already in the window"):
        slid.add(1, PackedStatistics.of(stats_of(X, y, Z, day == 1)))


def test_packed_statistics_unpack_bit_for_bit(window):
    """Phi = Kuf Kuf^T is symmetric to the bit (BLAS SYRK), so its upper triangle holds all of it."""
    X, y, day, Z = window
    stats = stats_of(X, y, Z, day == 2)
    again = PackedStatistics.of(stats).unpacked()
    for name in ("phi", "b", "c", "sy", "syy", "n"):
        np.testing.assert_array_equal(getattr(again, name), getattr(stats, name))
    assert PackedStatistics.of(stats).upper.size == len(Z) * (len(Z) + 1) // 2


@pytest.mark.parametrize("name", ["Matern12", "Matern32", "SquaredExponential"])
def test_posterior_and_bound_from_statistics_equal_the_sparse_engines(window, name):
    """With the local mean taken from the sums, the engine's own path (y de-meaned first, then the
    sums) gives the same predictions and bound."""
    X, y, _, Z = window
    kern = KERNELS[name]
    s = statistics(kern, THETA, Z, X, y)
    post = Posterior(kern, THETA, Z, s, mean=s.mean("local"))
    m = float(np.mean(y))
    bound = sparse.SGPRBound(kern, X, y - m, Z)
    Xq = X[::50] + [0.3, -0.2, 0.1]
    want_mean, want_var = bound.predict(THETA, Xq)
    got_mean, got_var = post.predict(Xq)
    # The two orders of de-meaning differ in b by ~ n u |m| |c|: measured largest difference over the
    # five environments 1.8e-14 m; the tolerance is 550x that. The variance does not see y (the same
    # Phi from the same code): equal by construction.
    np.testing.assert_allclose(got_mean, want_mean + m, rtol=0, atol=1e-11)
    np.testing.assert_array_equal(got_var, want_var)
    # measured largest relative difference 1.3e-14; the tolerance is 78x that
    assert post.negative_bound() == pytest.approx(bound.value_and_grad(THETA)[0], rel=1e-12)
    assert s.mean("zero") == 0.0 and s.mean("local") == pytest.approx(m, rel=1e-14)


def test_a_holdout_by_subtraction_equals_a_posterior_without_the_tracks(window):
    """The window's statistics minus the held-out tracks' are the statistics of the rest: their
    posterior (with the rest's own local mean) predicts the held-out points as one made from the rest."""
    X, y, day, Z = window
    held = (day == 7) & (X[:, 0] > 2.0)  # part of the target day
    window_stats, held_stats = stats_of(X, y, Z), stats_of(X, y, Z, held)
    rest = window_stats - held_stats
    assert rest.n == int((~held).sum())
    # subtraction cancels: each sum is within (n + 2) u of the window's magnitudes
    assert_within(rest, stats_of(X, y, Z, ~held), magnitudes(X, y, Z), 2 * len(y) + 2)
    by_subtraction = Posterior(M32, THETA, Z, rest, mean=rest.mean("local"))
    m = float(np.mean(y[~held]))
    direct = sparse.SGPRBound(M32, X[~held], y[~held] - m, Z)
    want, want_var = direct.predict(THETA, X[held])
    got, got_var = by_subtraction.predict(X[held])
    # measured largest difference over the five environments 2.9e-14 m (the variances bit-equal in
    # all five); the tolerances are 345x that and 1e-12
    np.testing.assert_allclose(got, want + m, rtol=0, atol=1e-11)
    np.testing.assert_allclose(got_var, want_var, rtol=0, atol=1e-12)


def test_an_empty_part_changes_nothing_and_has_no_mean(window):
    X, y, _, Z = window
    empty = stats_of(X, y, Z, np.zeros(len(y), bool))
    assert empty.n == 0 and empty.mean("local") == 0.0 and not empty.phi.any()
    with pytest.raises(ValueError, match="training.prior_mean"):
        empty.mean("global")

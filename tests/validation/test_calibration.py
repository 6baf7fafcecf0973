"""The calibration check: errors drawn from the stated Gaussian read as calibrated, a std half the
truth's reads as overconfident, and the CRPS equals its definition integrated numerically."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.stats import norm

from icegp.validation import scores

N = 200_000


def sampling_bound(p: float) -> float:
    """Five binomial standard errors of a share p over N draws."""
    return 5 * np.sqrt(p * (1 - p) / N)


@pytest.mark.parametrize("scale", [1.0, 0.5])
def test_shares_within_one_and_two_std_follow_the_stated_std(scale):
    """Errors of std 0.2 m judged against a stated std of 0.2 m (calibrated) or 0.1 m (overconfident):
    the shares are a Gaussian's at |z| <= k / scale, the spread of z is scale's inverse."""
    rng = np.random.default_rng(1)
    mean = rng.normal(1.5, 0.5, N)
    observed = mean + rng.normal(0.0, 0.2, N)
    got = scores.calibration(observed, mean, np.full(N, 0.2 * scale))
    for k in (1, 2):
        share = 2 * norm.cdf(k * scale) - 1
        assert got[f"within_{k}std"] == pytest.approx(share, abs=sampling_bound(share))
    assert got["gaussian_within_1std"] == pytest.approx(2 * norm.cdf(1) - 1, abs=1e-4)
    assert got["z_std"] == pytest.approx(1 / scale, rel=5 / np.sqrt(2 * N))
    pit = np.array(got["pit_histogram"]) / N
    if scale == 1.0:  # flat: each bin a tenth, within its sampling error
        np.testing.assert_allclose(pit, 0.1, atol=sampling_bound(0.1))
    else:  # overconfident: a U, the outer bins fuller than the middle
        assert pit[0] > 0.15 and pit[-1] > 0.15 and pit[4] < 0.06


@pytest.mark.parametrize("observed,mean,std", [(1.3, 1.0, 0.2), (0.0, 1.0, 0.5), (2.0, 2.0, 0.05)])
def test_crps_is_its_definition(observed, mean, std):
    """CRPS = integral of (F(x) - 1{x >= y})^2 dx over x for the forecast N(mean, std^2), integrated
    by quadrature either side of the observation (quad's error estimate below 1e-9)."""
    below, _ = quad(lambda x: norm.cdf(x, mean, std) ** 2, mean - 40 * std, observed, epsabs=1e-12)
    above, _ = quad(lambda x: (1 - norm.cdf(x, mean, std)) ** 2, observed, mean + 40 * std, epsabs=1e-12)
    got = scores.calibration(np.full(2, observed), np.full(2, mean), np.full(2, std))
    assert got["crps"] == pytest.approx(below + above, abs=1e-8)


def test_cells_without_a_std_are_left_out():
    got = scores.calibration([1.0, 2.0, 3.0, np.nan], [1.0, 2.5, 3.0, 1.0], [0.5, 0.5, 0.0, 0.5])
    assert got["n"] == 2 and got["within_1std"] == 1.0

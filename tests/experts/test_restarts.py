"""Honest convergence (why a fit stopped, whether it ended on a bound) and restarts that keep the best start."""

import numpy as np
import pytest
from scipy.optimize import minimize

from icegp import config
from icegp.experts import training
from icegp.gp.fast import FastEngine
from icegp.gp.hyper import Hyper, Space
from icegp.gp.problem import stop_reason

from conftest import matern_problem as problem


def space(**training) -> Space:
    return Space.from_config(config.section("training", training))


def test_stop_reason_reads_scipys_messages():
    quad = lambda v: (float(((v - 3) ** 2).sum()), 2 * (v - 3))  # noqa: E731
    assert stop_reason(minimize(quad, np.zeros(2), jac=True, method="L-BFGS-B").message) in (
        "gradient_tolerance",
        "objective_tolerance",
    )
    rosen = minimize(
        lambda v: 100 * (v[1] - v[0] ** 2) ** 2 + (1 - v[0]) ** 2,
        [-1.2, 1.0],
        method="L-BFGS-B",
        options={"maxiter": 2},
    )
    assert stop_reason(rosen.message) == "iteration_limit"
    assert stop_reason(b"CONVERGENCE: REL_REDUCTION_OF_F_<=_FACTR*EPSMCH") == "objective_tolerance"
    assert stop_reason("ABNORMAL_TERMINATION_IN_LNSRCH") == "line_search_failed"


def test_a_fit_pinned_at_a_bound_says_so():
    """The noise variance is 0.01; with its lower bound at 0.05 the fit can only end on that bound."""
    bounds = {"likelihood_variance": {"low": 0.05, "high": 1.0}}
    engine = FastEngine(space(bounds=bounds, init={"likelihood_variance": 0.2}))
    result = engine.fit_one(problem())
    assert result.at_bound == "likelihood_variance"
    assert result.hyper.likelihood_variance == pytest.approx(0.05, rel=1e-2)
    free_engine = FastEngine(space())
    free = free_engine.fit_one(problem())
    assert free.at_bound == ""
    # an interior optimum: a fit from the centre of the bounds ends at the same objective
    assert free.loss == pytest.approx(free_engine.fit_one(problem(), free_engine.space.centre()).loss, rel=1e-6)


def test_restarts_keep_the_lowest_objective_and_record_the_gain():
    engine = FastEngine(space())
    p = problem(seed=2)
    other = Hyper(np.array([20_000.0, 20_000.0, 0.6]), 0.01, 0.5)  # short scales, everything noise
    starts = {"neighbours": other, "centre": engine.space.centre(), "skipped": None}
    returned = []

    class Recording:  # the engine, keeping every fit it returns to fit_expert
        space = engine.space

        def fit_one(self, problem, init=None):
            returned.append(engine.fit_one(problem, init))
            return returned[-1]

    best = training.fit_expert(Recording(), p, starts)
    alone = {
        "init": engine.fit_one(p),
        "neighbours": engine.fit_one(p, other),
        "centre": engine.fit_one(p, engine.space.centre()),
    }
    losses = {k: r.loss for k, r in alone.items()}
    assert best.start == min(losses, key=losses.get)
    assert best.loss == pytest.approx(min(losses.values()), rel=1e-12)
    assert best.gain == pytest.approx(losses["init"] - best.loss, abs=1e-9) and best.gain >= 0
    assert len(returned) == 3  # the start given as None is skipped
    assert best.seconds == pytest.approx(sum(r.seconds for r in returned), rel=1e-12)  # every start's time counts


def test_fixed_parameters_keep_their_value_from_any_start():
    engine = FastEngine(space(init={"kernel_variance": 0.7}), fixed=("kernel_variance",))
    result = engine.fit_one(problem(), engine.space.centre())
    assert result.hyper.kernel_variance == pytest.approx(0.7, rel=1e-9)


def test_neighbour_start_is_the_weighted_mean_of_fitted_neighbours():
    def row(x, lx, status="ok"):
        return {
            "x": x,
            "y": 0.0,
            "status": status,
            "lengthscale_x": lx,
            "lengthscale_y": lx,
            "lengthscale_t": 2.0,
            "kernel_variance": 0.3,
            "likelihood_variance": 0.05,
        }

    rows = [row(0.0, 100e3), row(400e3, 300e3), row(100e3, np.nan, "cholesky_failed")]
    h = training.neighbour_start(rows, 200e3, 0.0, 400e3)  # both fitted experts 200 km away: equal weights
    assert h.lengthscales[0] == pytest.approx(200e3) and h.kernel_variance == pytest.approx(0.3)
    assert training.neighbour_start(rows, 5e6, 0.0, 400e3) is None  # none within two radii
    assert training.neighbour_start(rows[2:], 100e3, 0.0, 400e3) is None  # failed fits do not count

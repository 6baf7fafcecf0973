"""Consecutive days from slid statistics (icegp.experts.sliding) against the daily path at the same
hyperparameters and inducing points: each day's predictions, a chunk started on a later day (as a
resumed job starts), and the hold-out by subtraction.

Tolerances: the slid sums and the daily path's sums add the same terms in other orders (n u of their
magnitudes, tests/gp/test_statistics.py), which W's conditioning turns into a difference in the
predictions; measured under the numeric variants (tests/tolerance_probe.py) as stated beside each.
"""

import numpy as np
import pandas as pd
import pytest

from icegp import config
from icegp.experts import selection
from icegp.experts.sliding import RESUM_DAYS, SlidingExperts
from icegp.gp import sparse
from icegp.gp.engines import make_engine
from icegp.gp.hyper import Hyper
from icegp.util.time_window import TimeWindow
from icegp.validation import scores

N = 3  # days either side
FIRST = 18_000  # the chunk's first target day (days since 1970)
DAYS = 9  # target days: longer than RESUM_DAYS, so a resum falls inside
RADIUS = 300_000.0
HYPER = Hyper(np.array([150e3, 200e3, 3.0]), 0.3, 0.01)
TRAINING = {"model_type": "SGPR", "inducing_points": 30, "inducing_method": "kmeans", "coords_scale": [50e3, 50e3, 1]}


@pytest.fixture(scope="module")
def tracks() -> pd.DataFrame:
    """Satellite-like tracks: each data day eight straight passes of 60 points over ten minutes, over
    a smooth field with a mean far from zero, plus noise."""
    rng = np.random.default_rng(11)
    rows = []
    for d in range(FIRST - N, FIRST + DAYS + N):
        for k in range(8):
            start = rng.uniform(-4e5, 4e5, 2)
            heading = rng.uniform(0, 2 * np.pi)
            s = np.linspace(-3e5, 3e5, 60)
            x, y = start[0] + s * np.cos(heading), start[1] + s * np.sin(heading)
            t = d + (k + 1) / 10 + np.linspace(0, 10 / 1440, 60)
            rows.append(pd.DataFrame({"x": x, "y": y, "t": t}))
    obs = pd.concat(rows, ignore_index=True)
    obs["obs"] = 1.5 + np.sin(obs["x"] / 2e5) * np.cos(obs["y"] / 3e5) + 0.02 * (obs["t"] - FIRST)
    obs["obs"] += rng.normal(0, 0.1, len(obs))
    obs["source"] = "is2"
    return obs


EXPERTS = pd.DataFrame({"expert_id": [0, 1, 2], "x": [-2e5, 0.0, 2.5e5], "y": [1e5, -1e5, 0.0]})


def engine():
    return make_engine(config.section("training", TRAINING))


def chunk(tracks):
    day = np.floor(tracks["t"]).astype(int)
    return SlidingExperts(
        engine(),
        tracks,
        lambda d: tracks[day == d],
        first=FIRST,
        days=DAYS,
        training_radius=RADIUS,
        num_days_before_after=N,
    )


def expert_on(e, target_day):
    return next(EXPERTS.iloc[[e]].assign(t=target_day + 0.5).itertuples(index=False))


def window_of(tracks, target_day):
    return tracks[(tracks["t"] >= target_day - N) & (tracks["t"] < target_day + N + 1)]


def daily_path(sliding, expert, rows, Xstar):
    """The sparse engine on the expert's data in `rows` (its window, or less), with the chunk's Z."""
    _, state = sliding._expert(expert, HYPER)
    problem = selection.LocalData(rows).problem(expert, RADIUS, N + 0.5)
    m = float(np.mean(problem.y))
    bound = sparse.SGPRBound(sliding.engine.kernel, (problem.X - state.origin) / sliding.scale, problem.y - m, state.Z)
    f_mean, f_var = bound.predict(state.theta, (Xstar - state.origin) / sliding.scale)
    return f_mean + m, f_var


def test_each_day_of_a_chunk_predicts_as_the_daily_path(tracks):
    sliding = chunk(tracks)
    for target_day in range(FIRST, FIRST + DAYS):
        for e in range(len(EXPERTS)):
            expert = expert_on(e, target_day)
            Xstar = np.c_[expert.x + np.linspace(-2e5, 2e5, 25), np.full(25, expert.y), np.full(25, expert.t)]
            got = sliding.posterior(expert, HYPER, target_day)(Xstar)
            want_mean, want_var = daily_path(sliding, expert, window_of(tracks, target_day), Xstar)
            # measured largest difference over the numeric variants 5.9e-14 m (variance 8e-17); tolerances 170x that
            np.testing.assert_allclose(got["f_mean"], want_mean, rtol=0, atol=1e-11)
            np.testing.assert_allclose(got["f_var"], want_var, rtol=0, atol=1e-12)
            assert got["y_var"] == pytest.approx(got["f_var"] + HYPER.likelihood_variance, rel=1e-15)


def test_a_chunk_started_on_a_later_day_equals_the_uninterrupted_one(tracks):
    """A resumed job starts mid-chunk: its sums are made on the same resum days, so its predictions
    are the uninterrupted chunk's bit for bit (the same additions in the same order)."""
    assert DAYS > RESUM_DAYS
    whole, resumed = chunk(tracks), chunk(tracks)
    later = FIRST + RESUM_DAYS - 2
    for target_day in range(FIRST, FIRST + DAYS):
        for e in range(len(EXPERTS)):
            expert = expert_on(e, target_day)
            Xstar = np.c_[[expert.x], [expert.y], [expert.t]]
            a = whole.posterior(expert, HYPER, target_day)(Xstar)
            if target_day >= later:
                b = resumed.posterior(expert, HYPER, target_day)(Xstar)
                np.testing.assert_array_equal(a["f_mean"], b["f_mean"])
                np.testing.assert_array_equal(a["f_var"], b["f_var"])
        whole.forget_before(target_day)


def test_the_holdout_by_subtraction_equals_one_without_the_tracks(tracks):
    """scores.holdout with the chunk's predictor (the window's statistics minus the held-out tracks')
    scores the held-out tracks as the daily path made from the rest of the window (same Z)."""
    sliding = chunk(tracks)
    target_day = FIRST + 4
    merged = window_of(tracks, target_day).reset_index(drop=True)
    experts = EXPERTS.assign(t=target_day + 0.5, lon=0.0, lat=80.0, n_obs=1)
    hyp = experts[["x", "y"]].assign(**HYPER.as_row())
    window = TimeWindow(pd.Timestamp(target_day, unit="D").strftime("%Y-%m-%d"), N)
    common = dict(window=window, training_radius=RADIUS, fraction=0.3, seed=2, sources=["is2"])

    def by_subtraction(expert, hyp_row, held, Xstar):
        return sliding.without(expert, HYPER, target_day, held)(Xstar)

    def from_the_rest(expert, hyp_row, held, Xstar):
        rest = merged.drop(held.index)
        f_mean, f_var = daily_path(sliding, expert, rest, Xstar)
        return {"f_mean": f_mean, "y_var": f_var + HYPER.likelihood_variance}

    got = scores.holdout(merged, experts, hyp, sliding.engine, predictor=by_subtraction, **common)
    want = scores.holdout(merged, experts, hyp, sliding.engine, predictor=from_the_rest, **common)
    assert got["n_held_out"] == want["n_held_out"] >= 2 and got["n"] == want["n"] > 50
    # measured largest difference over the numeric variants 8.8e-15 m; the tolerance is 1100x that
    assert got["rmse"] == pytest.approx(want["rmse"], abs=1e-11)
    assert got["bias"] == pytest.approx(want["bias"], abs=1e-11)
    # the calibration's z divides by y_var's root, of the size of the noise; same 1e-11 m / 1e-2 m margin
    for key in ("z_mean", "z_std", "within_1std", "crps"):
        assert got["calibration"][key] == pytest.approx(want["calibration"][key], abs=1e-8)


def test_sliding_statistics_refuse_a_gpr_engine(tracks):
    gpr = make_engine(config.section("training", {**TRAINING, "model_type": "GPR"}))
    with pytest.raises(ValueError, match="model_type GPR"):
        SlidingExperts(
            gpr, tracks, lambda d: tracks, first=FIRST, days=1, training_radius=RADIUS, num_days_before_after=N
        )

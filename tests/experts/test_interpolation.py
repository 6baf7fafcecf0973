"""Hyperparameters between two trained days (stride mode) and warm starts from another day's."""

import numpy as np
import pandas as pd
import pytest

from icegp import config
from icegp.experts import smoothing, training
from icegp.gp.fast import FastEngine
from icegp.gp.hyper import COLUMNS, Hyper, Space
from icegp.util.time_window import TimeWindow

from conftest import matern_problem as problem

SPACE = Space.from_config(config.section("training"))


def table(xs, lengthscale_x, noise=0.01):
    n = len(xs)
    return pd.DataFrame(
        {
            "expert_id": np.arange(n),
            "x": np.asarray(xs, float),
            "y": 0.0,
            "t": 18000.5,
            "lon": 0.0,
            "lat": 80.0,
            "lengthscale_x": lengthscale_x,
            "lengthscale_y": 200_000.0,
            "lengthscale_t": 3.0,
            "kernel_variance": 0.2,
            "likelihood_variance": noise,
        }
    )


def test_interpolation_is_each_anchor_at_its_end_and_the_transform_midpoint_between():
    places = table([0.0, 400_000.0], 0.0)
    first, second = table([0.0, 400_000.0], [100_000.0, 300_000.0]), table([0.0, 400_000.0], [400_000.0, 300_000.0])
    at = lambda w: smoothing.interpolate_in_time(first, second, places, weight=w, space=SPACE, length_scale=3e5)  # noqa: E731
    np.testing.assert_allclose(at(0.0)[list(COLUMNS)], first[list(COLUMNS)], rtol=1e-9)
    np.testing.assert_allclose(at(1.0)[list(COLUMNS)], second[list(COLUMNS)], rtol=1e-9)
    mid = at(0.5)
    transform, scale = SPACE.transform(), SPACE.coords_scale[0]
    u = [transform.inverse(SPACE.to_scaled_vector(Hyper(np.array([v, 2e5, 3.0]), 0.2, 0.01)))[0] for v in (1e5, 4e5)]
    expected = transform.forward(np.r_[np.mean(u), np.zeros(4)])[0] * scale
    assert mid["lengthscale_x"][0] == pytest.approx(expected, rel=1e-9)
    assert 1e5 < mid["lengthscale_x"][0] < 4e5 and mid["lengthscale_x"][1] == pytest.approx(3e5, rel=1e-9)
    assert (mid["status"] == "interpolated").all()


def test_a_place_an_anchor_lacks_takes_its_neighbours_or_the_other_anchors_value():
    places = table([0.0, 400_000.0], 0.0)
    first = table([0.0, 400_000.0], 150_000.0)
    first.loc[1, list(COLUMNS)] = np.nan  # the fit at 400 km failed and nothing filled it
    second = table([0.0, 400_000.0], [150_000.0, 250_000.0])
    mid = smoothing.interpolate_in_time(first, second, places, weight=0.5, space=SPACE, length_scale=3e5)
    assert mid["lengthscale_x"][0] == pytest.approx(150_000.0, rel=1e-9)
    # the first day has no usable expert at 400 km: its neighbour at 0 km stands in (Nadaraya-Watson)
    u = [SPACE.transform().inverse(np.r_[v / SPACE.coords_scale[0], 0, 0, 0, 0])[0] for v in (150_000.0, 250_000.0)]
    expected = SPACE.transform().forward(np.r_[np.mean(u), 0, 0, 0, 0])[0] * SPACE.coords_scale[0]
    assert mid["lengthscale_x"][1] == pytest.approx(expected, rel=1e-9)
    only_second = smoothing.interpolate_in_time(
        first.iloc[:0], second, places, weight=0.25, space=SPACE, length_scale=3e5
    )  # a day without any usable expert: the other day's values
    np.testing.assert_allclose(only_second["lengthscale_x"], second["lengthscale_x"], rtol=1e-9)


def test_a_warm_start_reaches_the_cold_starts_optimum():
    engine = FastEngine(SPACE)
    p = problem(seed=3)
    cold = engine.fit_one(p)
    near = Hyper(cold.hyper.lengthscales * 1.3, cold.hyper.kernel_variance * 0.8, cold.hyper.likelihood_variance * 1.2)
    warm = training.fit_expert(engine, p, {}, warm=near)
    assert warm.start == "warm"
    assert warm.loss == pytest.approx(cold.loss, rel=1e-6)
    np.testing.assert_allclose(warm.hyper.lengthscales, cold.hyper.lengthscales, rtol=1e-2)


def test_fit_shard_starts_each_expert_from_the_warm_table_at_its_place():
    engine = FastEngine(SPACE)
    p = problem(seed=3)
    experts = table([0.0], 0.0).assign(n_obs=p.n)
    obs = pd.DataFrame({"x": p.X[:, 0], "y": p.X[:, 1], "t": 18000.5 + p.X[:, 2], "obs": p.y})
    cfg = config.section("training", {"training_radius": 1e7})
    warm = table([0.0], 180_000.0)
    window = TimeWindow("2019-04-14", 2)
    done = pd.DataFrame(columns=["expert_id"])
    fitted = training.fit_shard(obs, experts, engine, training=cfg, window=window, min_obs=10, done=done, warm=warm)
    cold = training.fit_shard(obs, experts, engine, training=cfg, window=window, min_obs=10, done=done)
    assert fitted["start"].tolist() == ["warm"] and cold["start"].tolist() == ["init"]
    assert fitted["loss"][0] == pytest.approx(cold["loss"][0], rel=1e-6)

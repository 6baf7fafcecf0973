"""Blending, gridding and the hyperparameter/prediction helpers, on small hand-made inputs."""

import numpy as np
import pandas as pd
import pytest

from icegp import config, grid
from icegp.experts import prediction, smoothing
from icegp.gp.hyper import Space
from icegp.product import daily
from icegp.util.atomic import write_parquet
from icegp.util.checks import InputError
from icegp.util.time_window import TimeWindow


def test_blend_weights_and_mixture_std():
    preds = pd.DataFrame(
        {
            "expert_id": [0, 1],
            "expert_x": [0.0, 100.0],
            "expert_y": [0.0, 0.0],
            "x": [25.0, 25.0],
            "y": [0.0, 0.0],
            "f_mean": [1.0, 3.0],
            "f_var": [0.04, 0.09],
            "y_var": [0.05, 0.1],
        }
    )
    out = daily.blend(preds, length_scale=50.0)
    w = np.exp(-0.5 * np.array([25.0, 75.0]) ** 2 / 50.0**2)
    mean = (w * [1.0, 3.0]).sum() / w.sum()
    var = (w * (np.array([0.04, 0.09]) + np.array([1.0, 3.0]) ** 2)).sum() / w.sum() - mean**2
    assert out["mean"].item() == pytest.approx(mean)
    assert out["std"].item() == pytest.approx(np.sqrt(var))
    assert out["n_experts"].item() == 2


def test_binned_input_lands_in_the_right_cells():
    x_axis = np.array([0.0, 10.0, 20.0])
    y_axis = np.array([10.0, 0.0])  # descending, as the product grid
    obs = pd.DataFrame({"x": [1.0, -2.0, 19.0, 100.0], "y": [9.0, 11.0, -3.0, 0.0], "obs": [1.0, 3.0, 5.0, 9.0]})
    mean, count = grid.bin_to_grid(obs, x_axis, y_axis)
    assert mean[0, 0] == 2.0 and mean[1, 2] == 5.0
    assert np.isnan(mean).sum() == 4
    assert count.tolist() == [[2, 0, 0], [0, 0, 1]]  # the observation at x = 100 is off the grid


def test_smoothing_is_nadaraya_watson_and_fills_failed_experts():
    space = Space.from_config(config.section("training"))
    rows = []
    for i, (x, ls) in enumerate([(0.0, 100_000.0), (100_000.0, 300_000.0), (200_000.0, np.nan)]):
        rows.append(
            {
                "expert_id": i,
                "x": x,
                "y": 0.0,
                "lengthscale_x": ls,
                "lengthscale_y": 200_000.0,
                "lengthscale_t": 2.0,
                "kernel_variance": 0.1,
                "likelihood_variance": 0.01,
            }
        )
    out = smoothing.smooth(pd.DataFrame(rows), space, length_scale=100_000.0, params=["lengthscales"])
    w = np.exp(-0.5 * np.array([0.0, 1.0]))
    assert out.loc[0, "lengthscale_x"] == pytest.approx((w * [100_000, 300_000]).sum() / w.sum())
    assert np.isnan(out.loc[2, "lengthscale_x_raw"]) and np.isfinite(out.loc[2, "lengthscale_x"])
    failed = pd.DataFrame(rows).assign(**{c: [0.1, 0.2, np.nan] for c in ("kernel_variance", "likelihood_variance")})
    filled = smoothing.smooth(failed, space, length_scale=100_000.0, params=["lengthscales"])
    assert np.isfinite(filled.loc[2, ["kernel_variance", "likelihood_variance"]].astype(float)).all()
    assert filled.loc[0, "likelihood_variance"] == 0.1  # not smoothed: kept where trained
    off = smoothing.smooth(pd.DataFrame(rows), space, length_scale=100_000.0, params=["lengthscales"], enabled=False)
    assert off.loc[0, "lengthscale_x"] == 100_000.0 and np.isnan(off.loc[2, "lengthscale_x"])


def test_hyperparameters_match_on_location_not_time_and_check_crs(tmp_path):
    hyp = pd.DataFrame({"x": [0.0, 400_000.0], "y": [0.0, 0.0], "t": [17000.5, 17000.5]})
    experts = pd.DataFrame({"x": [400_000.0, 800_000.0], "y": [0.0, 0.0], "t": [17003.5, 17003.5]})
    assert list(prediction.match_by_location(experts, hyp)) == [1, -1]
    path = tmp_path / "hyperparameters.parquet"
    write_parquet(hyp, path, {"crs": "EPSG:6931"})
    with pytest.raises(InputError, match="2019-04-16.*EPSG:6931"):
        prediction.read_hyperparameters(str(path), "EPSG:3411", "2019-04-16")


def test_empty_expert_set_names_the_target():
    from icegp.experts import selection

    obs = pd.DataFrame({"x": [0.0], "y": [0.0], "t": [17996.5], "obs": [1.0]})
    cand = pd.DataFrame({"x": [5e6], "y": [5e6], "lon": [0.0], "lat": [60.0]})
    with pytest.raises(InputError, match="target 2019-04-10: none of 1 candidate"):
        selection.choose_experts(obs, cand, window=TimeWindow("2019-04-10", 1), min_obs=1, radius=100_000.0, n_shards=2)


def test_holdout_units_are_tracks_or_blocks():
    from icegp.validation import scores

    t = np.r_[18000.1 + np.arange(5) * 1e-4, 18000.3 + np.arange(5) * 1e-4]  # two passes, 5 points each
    obs = pd.DataFrame({"x": np.arange(10) * 1e4, "y": 0.0, "t": t, "source": "is2"})
    units, unit = scores.holdout_units(obs, np.ones(10, bool))
    assert unit == "track" and list(units) == [0] * 5 + [1] * 5
    binned = obs.assign(t=18000.0, x=np.r_[np.zeros(5), np.full(5, 450_000.0)])  # no time of day
    units, unit = scores.holdout_units(binned, np.ones(10, bool))
    assert unit == "block_200km" and len(set(units[:5])) == 1 and units[0] != units[-1]


@pytest.mark.parametrize("crs,origin", [("EPSG:3411", 90.0), ("EPSG:3413", 90.0), ("EPSG:3976", -90.0)])
def test_polar_stereographic_grid_mappings_name_their_pole(crs, origin):
    """CF requires latitude_of_projection_origin for polar_stereographic; pyproj's to_cf leaves it out."""
    attrs = grid.crs_cf_attrs(crs)
    assert attrs["grid_mapping_name"] == "polar_stereographic"
    assert attrs["latitude_of_projection_origin"] == origin

"""Our experts against GPSat's conventions computed independently (tests/gpsat_oracle.py)."""

import numpy as np
import pandas as pd
import yaml

from icegp import config
from icegp.experts import prediction, selection
from icegp.gp.engines import make_engine
from icegp.sources import loading
from icegp.util import timestamps
from icegp.util.time_window import TimeWindow

from conftest import REPO
from gpsat_oracle import local_expert

CRS = "EPSG:6931"
TARGET = "2020-03-05"
NUM_DAYS = 2


def gpsat_table(path, seed=3):
    """A day-stamped table as GPSat users bin it: t the day number, a smooth field plus noise."""
    rng = np.random.default_rng(seed)
    n = 600
    x, y = rng.uniform(-300_000, 300_000, n), rng.uniform(-300_000, 300_000, n)
    t = timestamps.day_to_t(TARGET) + rng.integers(-NUM_DAYS - 1, NUM_DAYS + 2, n)  # one day beyond each edge
    obs = 1.5 + 0.4 * np.sin(x / 150_000) * np.cos(y / 200_000) + 0.05 * (t - t.mean()) + rng.normal(0, 0.05, n)
    pd.DataFrame({"x": x, "y": y, "t": t.astype(float), "obs": obs}).to_parquet(path, index=False)
    return str(path)


def test_predictions_equal_gpsats_on_a_day_stamped_table(tmp_path):
    cfg = yaml.safe_load((REPO / "config/examples/gpsat_inputs.yaml").read_text())
    training = config.section("training", cfg["training"])
    source = config.source(
        "gpsat", {"type": "table", "path": gpsat_table(tmp_path / "obs.parquet"), "time_stamps": "day"}
    )
    table = pd.read_parquet(source["path"])
    obs = pd.concat([loading.load_day(source, d, CRS) for d in TimeWindow(TARGET, NUM_DAYS).days], ignore_index=True)
    cand = pd.DataFrame({"x": [-100_000.0, 0.0, 150_000.0], "y": [0.0, 50_000.0, -100_000.0]})
    cand["lon"], cand["lat"] = 0.0, 90.0
    window = TimeWindow(TARGET, NUM_DAYS)
    experts = selection.choose_experts(
        obs, cand, window=window, min_obs=3, radius=training["training_radius"], n_shards=1
    )
    engine = make_engine(training)
    local = selection.LocalData(obs)
    half = window.half_width
    fits = [engine.fit_one(local.problem(e, training["training_radius"], half)) for e in experts.itertuples()]
    hyp = pd.DataFrame([{**experts.iloc[k][["x", "y"]].to_dict(), **f.as_row()} for k, f in enumerate(fits)])
    g = np.arange(-350_000, 350_001, 50_000.0)
    locs = pd.DataFrame({"x": np.repeat(g, len(g)), "y": np.tile(g, len(g))})
    ours, status = prediction.predict_shard(
        obs, experts, hyp, locs, engine, training_radius=training["training_radius"], half_width=half, radius=200_000.0
    )
    assert status["predicted"] == 3
    for k, e in experts.iterrows():
        loss, f_mean, rows = local_expert(
            table,
            np.array([e["x"], e["y"], timestamps.day_to_t(TARGET)]),
            hyp.iloc[k],
            training_radius=training["training_radius"],
            num_days=NUM_DAYS,
            coords_scale=training["coords_scale"],
            pred_xy=locs[["x", "y"]].to_numpy(float),
            pred_radius=200_000.0,
        )
        mine = ours[ours["expert_id"] == e["expert_id"]]
        assert e["n_obs"] == fits[k].n_obs  # same local data: GPSat's inclusive day window
        # GPSat keeps raw t ~ 18,000, whose squared differences lose digits: the largest relative
        # difference over the numeric variants was 2.3e-8, spread 1.1e-8 between them
        np.testing.assert_allclose(loss, fits[k].loss, rtol=3e-7)
        theirs = locs.iloc[rows].assign(gpsat=f_mean)
        both = mine.merge(theirs, on=["x", "y"], how="outer", validate="one_to_one")
        assert len(both) == len(mine) == len(theirs)  # the same prediction locations
        np.testing.assert_allclose(both["f_mean"], both["gpsat"], rtol=0, atol=1e-6)

"""Local selection edges and expert choice."""

import numpy as np
import pandas as pd
import pytest

from icegp import config
from icegp.experts import selection
from icegp.gp.engines import make_engine
from icegp.gp.problem import Problem
from icegp.util import timestamps
from icegp.util.checks import InputError
from icegp.util.time_window import TimeWindow


def test_local_selection_edges_are_inclusive():
    t0 = timestamps.day_centre("2019-04-15")
    half = TimeWindow("2019-04-15", 1).half_width  # 1.5 days: exactly the data days 14, 15 and 16
    obs = pd.DataFrame(
        {
            "x": [300_000.0, 300_000.001, 0.0, 0.0, 0.0, 0.0],
            "y": [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            "t": [t0, t0, t0 - half, t0 + half, t0 - half - 1e-6, t0 + half + 1e-6],
            "obs": np.arange(6.0),
        }
    )
    local = selection.LocalData(obs)
    assert list(local.select(0.0, 0.0, t0, 300_000.0, half)) == [0, 2, 3]
    assert list(local.counts([0.0, 1e7], [0.0, 0.0], t0, 300_000.0, half)) == [3, 0]
    problem = local.problem(pd.Series({"expert_id": 4, "x": 0.0, "y": 0.0, "t": t0}), 300_000.0, half)
    assert problem.expert_id == 4 and problem.n == 3 and list(problem.y) == [0.0, 2.0, 3.0]


def test_shards_are_bands_of_neighbours():
    xs, ys = np.meshgrid(np.arange(4) * 1e5, np.arange(4) * 1e5)
    df = pd.DataFrame({"x": xs.ravel(), "y": ys.ravel()})
    shard = selection.assign_shards(df, 2)
    assert np.bincount(shard).tolist() == [8, 8]
    assert set(df.loc[shard == 0, "y"]) == {2e5, 3e5}  # the northern half first


def test_shards_balance_the_work():
    """Bands hold equal observation counts, not equal expert counts: one heavy northern row."""
    xs, ys = np.meshgrid(np.arange(4) * 1e5, np.arange(4) * 1e5)
    df = pd.DataFrame({"x": xs.ravel(), "y": ys.ravel()})
    work = np.where(df["y"] == 3e5, 1000, 10)
    shard = selection.assign_shards(df, 2, work)
    assert np.bincount(shard).tolist() == [2, 14]
    assert work[shard == 0].sum() == 2000 and work[shard == 1].sum() == 2120
    assert set(df.loc[shard == 0, "y"]) == {3e5}


def test_predict_shards_are_the_training_bands_or_their_own(tmp_path):
    """`prediction.shards` cuts the experts into its own bands the same way; null keeps the training's."""
    from icegp.jobs.gp import shard_experts
    from icegp.util.atomic import write_parquet

    xs, ys = np.meshgrid(np.arange(4) * 1e5, np.arange(4) * 1e5)
    df = pd.DataFrame({"expert_id": np.arange(16), "x": xs.ravel(), "y": ys.ravel(), "n_obs": np.arange(16) + 5})
    df["shard"] = selection.assign_shards(df, 4, df["n_obs"])
    path = tmp_path / "experts.parquet"
    write_parquet(df, path)
    for k in range(4):
        assert shard_experts(str(path), k, 4)["expert_id"].tolist() == shard_experts(str(path), k)["expert_id"].tolist()
    assert shard_experts(str(path), 0, 1)["expert_id"].tolist() == list(range(16))
    halves = [set(shard_experts(str(path), k, 2)["expert_id"]) for k in range(2)]
    assert halves[0] | halves[1] == set(range(16)) and not halves[0] & halves[1]


def test_arrays_of_the_wrong_shape_are_refused_where_they_enter_the_engines():
    """X swapped with its transpose, y of another length, a 2-D Xstar: a clear error naming the expert."""
    X, y = np.zeros((5, 3)), np.zeros(5)
    with pytest.raises(ValueError, match=r"expert 4: X has shape \(3, 5\)"):
        Problem(4, np.zeros(3), X.T, y)
    with pytest.raises(ValueError, match=r"expert 4: X has shape \(5, 3\) and y \(4,\)"):
        Problem(4, np.zeros(3), X, y[:4])
    with pytest.raises(ValueError, match=r"expert 4: origin has shape \(2,\)"):
        Problem(4, np.zeros(2), X, y)
    rng = np.random.default_rng(0)
    problem = Problem(4, np.zeros(3), rng.uniform(-1e5, 1e5, (20, 3)), rng.normal(size=20))
    engine = make_engine(config.section("training", {}))
    fit = engine.fit_one(problem)
    with pytest.raises(ValueError, match=r"expert 4: prediction inputs have shape \(7, 2\)"):
        engine.predict(problem, fit.hyper, np.zeros((7, 2)))


@pytest.mark.parametrize(
    "name, content, says",
    [
        ("header_only.csv", b"lon,lat\n", "no locations"),
        ("truncated_row.csv", b"x,y\n0.0,1e5\n2e5\n", "non-finite"),
        ("truncated.parquet", None, "truncated.parquet"),
    ],
)
def test_a_malformed_locations_file_is_refused_naming_it(tmp_path, name, content, says):
    path = tmp_path / name
    if content is None:  # a real parquet file cut short, as an interrupted copy leaves it
        pd.DataFrame({"x": [0.0, 1e5], "y": [0.0, 0.0]}).to_parquet(path)
        path.write_bytes(path.read_bytes()[:-20])
    else:
        path.write_bytes(content)
    with pytest.raises(InputError, match=says) as err:
        selection.read_locations(str(path), "EPSG:3413")
    assert str(path) in str(err.value)

"""The fast engine held to the GPflow reference on real demo experts (3-D, de-meaned, bounded)."""

import numpy as np
import pandas as pd
import pytest

from icegp import config, merging
from icegp.experts import selection
from icegp.gp.engines import make_engine
from icegp.sources import loading
from icegp.util.atomic import write_parquet
from icegp.util.time_window import TimeWindow

TARGET = "2019-04-15"
TRAINING = {
    "training_radius": 400_000,
    "coords_scale": [50_000, 50_000, 1],
    "max_iter": 500,
    "tolerance": 1e-9,
    "inducing_points": 80,
}
PRED_TOL_M = 1e-4  # largest |f_mean| difference at the prediction locations
HYPER_RTOL = 1e-3  # relative, per hyperparameter


@pytest.fixture(scope="module")
def demo_problems(demo_days, tmp_path_factory):
    root, _ = demo_days
    tmp = tmp_path_factory.mktemp("fvr")
    src = config.source("is2", {"type": "is2sitdat4", "path": str(root), "beams": ["bnum1", "bnum3"]})
    paths = []
    for day in ("2019-04-14", "2019-04-15", "2019-04-16"):
        path = tmp / f"{day}.parquet"
        df = loading.load_day(src, day, "EPSG:3411")
        write_parquet(df, path, loading.status_metadata(src, day, df))
        paths.append(path)
    obs, _ = merging.build_window(paths, TARGET, "EPSG:3411", bin_spacing=50_000)
    cand = pd.DataFrame(
        {
            "x": [0.0, 800_000.0, -800_000.0, 400_000.0],
            "y": [0.0, 400_000.0, -400_000.0, -1.2e6],
            "lon": 0.0,
            "lat": 80.0,
        }
    )
    days = TimeWindow(TARGET, 1)
    experts = selection.choose_experts(
        obs, cand, window=days, min_obs=10, radius=TRAINING["training_radius"], n_shards=1
    )
    local = selection.LocalData(obs)
    problems = [local.problem(e, TRAINING["training_radius"], days.half_width) for e in experts.itertuples(index=False)]
    return experts, problems


@pytest.mark.parametrize("model_type,inducing_method", [("GPR", "random"), ("SGPR", "random"), ("SGPR", "kmeans")])
def test_fast_matches_reference_on_demo_experts(demo_problems, model_type, inducing_method):
    experts, problems = demo_problems
    training = {**TRAINING, "model_type": model_type, "inducing_method": inducing_method}
    fast, ref = (make_engine(config.section("training", {**training, "engine": e})) for e in ("fast", "reference"))
    sizes = [p.n for p in problems]
    if model_type == "SGPR":  # both paths of the fast engine: more and fewer obs than inducing points
        assert min(sizes) <= TRAINING["inducing_points"] < max(sizes)
    for e, p in zip(experts.itertuples(index=False), problems):
        a, b = fast.fit_one(p), ref.fit_one(p)
        assert a.loss == pytest.approx(b.loss, rel=1e-4)  # the same optimum, whatever either's stop reason
        va, vb = np.array(list(a.hyper.as_row().values())), np.array(list(b.hyper.as_row().values()))
        np.testing.assert_allclose(va, vb, rtol=HYPER_RTOL)
        assert a.mean == pytest.approx(b.mean)
        angles = np.linspace(0, 2 * np.pi, 25)
        X = np.c_[e.x + 150_000 * np.cos(angles), e.y + 150_000 * np.sin(angles), np.full(25, e.t)]
        pa, pb = fast.predict(p, a.hyper, X), ref.predict(p, b.hyper, X)
        assert np.max(np.abs(pa["f_mean"] - pb["f_mean"])) < PRED_TOL_M
        assert np.max(np.abs(np.sqrt(pa["f_var"]) - np.sqrt(pb["f_var"]))) < PRED_TOL_M

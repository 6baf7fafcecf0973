"""Prediction locations and the predict job: each expert predicts with fixed hyperparameters."""
from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from . import experts as ex
from . import geo
from .gp.hyper import Hyper
from .io.atomic import read_parquet_metadata
from .io.checks import InputError

log = logging.getLogger(__name__)
PRED_COLUMNS = ["expert_id", "expert_x", "expert_y", "x", "y", "f_mean", "f_var", "y_var"]
MATCH_TOLERANCE_M = 1.0


def locations(cfg: dict, crs: str) -> pd.DataFrame:
    """Prediction locations: an ocean-masked grid at grid_spacing, or a locations_file."""
    if cfg.get("locations_file"):
        return ex.read_locations(cfg["locations_file"], crs)
    g = geo.ocean_grid(cfg.get("extent") or geo.NSIDC_NORTH_EXTENT, cfg["grid_spacing"], crs, cfg.get("min_lat"))
    return pd.DataFrame({k: g[k] for k in ("x", "y", "lon", "lat")})


def read_hyperparameters(path: str, crs: str, target: str) -> pd.DataFrame:
    """A smoothed hyperparameter table, refusing one made in another CRS."""
    meta = read_parquet_metadata(path)
    if meta.get("crs") != crs:
        raise InputError(f"target {target}: hyperparameters in {path} were made in CRS {meta.get('crs')!r}, "
                         f"this run uses {crs!r}")
    return pd.read_parquet(path)


def match_by_location(experts: pd.DataFrame, hyp: pd.DataFrame) -> np.ndarray:
    """Row of `hyp` for each expert, matched on (x, y) only (never on time); -1 where none."""
    if hyp.empty:
        return np.full(len(experts), -1)
    dist, idx = cKDTree(hyp[["x", "y"]].to_numpy(float)).query(experts[["x", "y"]].to_numpy(float), k=1)
    return np.where(dist <= MATCH_TOLERANCE_M, idx, -1)


def predict_shard(obs: pd.DataFrame, experts: pd.DataFrame, hyp: pd.DataFrame, pred_locs: pd.DataFrame,
                  engine, training_radius: float, half_width: float, radius: float) -> tuple[pd.DataFrame, dict]:
    """Predictions of every expert at the locations strictly within `radius` of it, and a status count."""
    from .training import problem_for

    local = ex.LocalData(obs)
    tree = cKDTree(pred_locs[["x", "y"]].to_numpy(float))
    rows = match_by_location(experts, hyp)
    frames, status = [], {"predicted": 0, "no_hyperparameters": 0, "no_locations": 0, "too_few_obs": 0}
    for expert, r in zip(experts.itertuples(index=False), rows):
        h = hyp.iloc[r] if r >= 0 else None
        if h is None or not np.isfinite(h[["lengthscale_x", "kernel_variance", "likelihood_variance"]]
                                        .to_numpy(float)).all():
            status["no_hyperparameters"] += 1
            continue
        idx = np.array(tree.query_ball_point([expert.x, expert.y], r=radius), dtype=int)
        pl = pred_locs.iloc[idx]
        pl = pl[np.hypot(pl["x"] - expert.x, pl["y"] - expert.y) < radius]
        if pl.empty:
            status["no_locations"] += 1
            continue
        problem = problem_for(expert, local, training_radius, half_width)
        if problem.n == 0:
            status["too_few_obs"] += 1
            continue
        Xstar = np.c_[pl["x"], pl["y"], np.full(len(pl), expert.t)]
        pred = engine.predict(problem, Hyper.from_row(h), Xstar)
        frames.append(pd.DataFrame({"expert_id": expert.expert_id, "expert_x": expert.x, "expert_y": expert.y,
                                    "x": pl["x"].to_numpy(), "y": pl["y"].to_numpy(), **pred}))
        status["predicted"] += 1
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=PRED_COLUMNS)
    return table[PRED_COLUMNS], status

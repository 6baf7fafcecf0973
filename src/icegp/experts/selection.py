"""Expert locations and the local data each expert trains on."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from icegp import contracts, grid
from icegp.gp.problem import Problem
from icegp.sources import tables
from icegp.util import timestamps
from icegp.util.checks import InputError
from icegp.util.time_window import TimeWindow


class LocalData:
    """A KD-tree over the observations' (x, y) for selecting an expert's training data.

    Edges: the spatial ball is inclusive (distance <= radius, as scipy's query_ball_point and GPSat),
    and so is the time window (|t - t_expert| <= half_width).
    """

    def __init__(self, obs: pd.DataFrame):
        self.obs = obs.reset_index(drop=True)
        self.xy = self.obs[["x", "y"]].to_numpy(float)
        self.t = self.obs["t"].to_numpy(float)
        self.tree = cKDTree(self.xy) if len(self.xy) else None

    def select(self, x: float, y: float, t: float, radius: float, half_width: float) -> np.ndarray:
        if self.tree is None:
            return np.array([], dtype=int)
        idx = np.asarray(self.tree.query_ball_point([x, y], r=radius), dtype=int)
        idx = idx[np.abs(self.t[idx] - t) <= half_width]
        return np.sort(idx)

    def counts(self, xs, ys, ts, radius: float, half_width: float) -> np.ndarray:
        """Observations each location (x, y, t) would train on (one batched tree query)."""
        if self.tree is None:
            return np.zeros(len(xs), dtype=int)
        balls = self.tree.query_ball_point(np.c_[xs, ys], r=radius)
        ts = np.broadcast_to(np.asarray(ts, float), (len(balls),))
        return np.array(
            [int((np.abs(self.t[np.asarray(b, dtype=int)] - t) <= half_width).sum()) for b, t in zip(balls, ts)],
            dtype=int,
        )

    def problem(self, expert, radius: float, half_width: float) -> Problem:
        """The training problem of one expert (a row with expert_id, x, y, t)."""
        obs = self.obs.iloc[self.select(expert.x, expert.y, expert.t, radius, half_width)]
        return Problem(
            int(expert.expert_id),
            np.array([expert.x, expert.y, expert.t]),
            obs[["x", "y", "t"]].to_numpy(float),
            obs["obs"].to_numpy(float),
        )


def grid_candidates(extent, spacing: float, crs: str, min_lat=None) -> pd.DataFrame:
    g = grid.ocean_grid(extent, spacing, crs, min_lat)
    return pd.DataFrame({"x": g["x"], "y": g["y"], "lon": g["lon"], "lat": g["lat"]})


def read_locations(path: str, crs: str, time_stamps: str | None = None) -> pd.DataFrame:
    """Expert (or prediction) locations from CSV/parquet with x, y in `crs`, or lon, lat.

    With `time_stamps` (exact | day), a `t` or `date` column is kept as the exact time `t`.
    """
    df = tables.read_any(path)
    if df.empty:
        raise InputError(f"{path}: no locations (the table has no rows)")
    if {"x", "y"} <= set(df.columns):
        out = df[["x", "y"]].astype(float)
        out["lon"], out["lat"] = grid.xy_to_lonlat(out["x"].to_numpy(), out["y"].to_numpy(), crs)
    elif {"lon", "lat"} <= set(df.columns):
        out = df[["lon", "lat"]].astype(float)
        out["x"], out["y"] = grid.lonlat_to_xy(out["lon"].to_numpy(), out["lat"].to_numpy(), crs)
    else:
        raise InputError(f"{path}: locations need columns x, y (metres in {crs}) or lon, lat; found {list(df.columns)}")
    if time_stamps and ({"t", "date"} & set(df.columns)):
        out["t"] = tables.stamp(tables.table_times(df, path), time_stamps, path)
    if not np.isfinite(out.to_numpy()).all():
        raise InputError(f"{path}: non-finite coordinates or times")
    return out[[c for c in ("x", "y", "lon", "lat", "t") if c in out.columns]].reset_index(drop=True)


def assign_shards(df: pd.DataFrame, n_shards: int, work=None) -> np.ndarray:
    """Tiles of neighbouring experts: row-major order (north to south, west to east) cut into
    `n_shards` bands of neighbouring experts with equal sums of `work` (default: one per expert).

    With the observation counts as `work` the bands take about the same time to fit: a fit costs
    about n M^2, and pan-Arctic experts range from tens to tens of thousands of observations.
    """
    if df.empty:
        return np.array([], dtype=int)
    order = np.lexsort((df["x"].to_numpy(), -df["y"].to_numpy()))
    w = np.ones(len(df)) if work is None else np.maximum(np.asarray(work, float)[order], 1e-12)
    centre = (np.cumsum(w) - 0.5 * w) / w.sum()  # each expert's position in the cumulative work
    shard = np.empty(len(df), dtype=int)
    shard[order] = np.minimum((centre * n_shards).astype(int), n_shards - 1)
    return shard


def candidates(cfg: dict, crs: str, time_stamps: str, *, locations_file: str | None) -> pd.DataFrame:
    """Candidate expert locations: `locations_file` (the DAG's input for `experts.locations_file`;
    its times, if it has any, read as `time_stamps`), or an ocean-masked grid at expert_spacing."""
    if locations_file:
        return read_locations(locations_file, crs, time_stamps)
    return grid_candidates(cfg["extent"], cfg["expert_spacing"], crs, cfg["min_lat"])


def on_target_day(cand: pd.DataFrame, target: str) -> pd.DataFrame:
    """Candidates of one target with their times: the rows of a timed locations file that fall on the
    target day (honoured exactly), else every location at the centre of the target day."""
    if "t" not in cand.columns:
        return cand.assign(t=timestamps.day_centre(target))
    t0 = timestamps.day_to_t(target)
    mine = cand[(cand["t"] >= t0) & (cand["t"] < t0 + 1)].reset_index(drop=True)
    if mine.empty:
        span = timestamps.t_to_datetime([cand["t"].min(), cand["t"].max()])
        raise InputError(
            f"target {target}: experts.locations_file has no location on that day (its times "
            f"run from {span[0]} to {span[1]})"
        )
    return mine


def choose_experts(
    obs: pd.DataFrame, cand: pd.DataFrame, *, window: TimeWindow, min_obs: int, radius: float, n_shards: int
) -> pd.DataFrame:
    """Experts of one target: candidate locations with at least `min_obs` local observations."""
    target = window.target
    cand = on_target_day(cand, target)
    cand["n_obs"] = LocalData(obs).counts(cand["x"], cand["y"], cand["t"], radius, window.half_width)
    kept = cand[cand["n_obs"] >= min_obs].reset_index(drop=True)
    if kept.empty:
        raise InputError(
            f"target {target}: none of {len(cand)} candidate expert locations has {min_obs} "
            f"observations within {radius} m"
        )
    kept["expert_id"] = np.arange(len(kept))
    kept["shard"] = assign_shards(kept, n_shards, kept["n_obs"])
    return kept[contracts.EXPERTS]

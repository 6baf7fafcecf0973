"""Hyperparameters over space and time: smoothing over expert locations (Nadaraya-Watson with a
Gaussian kernel in metres), their values at other places, and interpolation in time between two
trained days (stride mode)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from icegp import contracts
from icegp.gp.hyper import COLUMNS, PARAM, Space

#: Two experts closer than this (m) are at the same place: hyperparameters are matched by location.
MATCH_TOLERANCE_M = 1.0


def gaussian_weights(xy: np.ndarray, length_scale: float) -> np.ndarray:
    d2 = ((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1)
    return np.exp(-0.5 * d2 / length_scale**2)


def nadaraya_watson(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted mean over the experts that have a value; NaN where none contributes."""
    ok = np.isfinite(values)
    num = weights[:, ok] @ values[ok]
    den = weights[:, ok].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 1e-300, num / den, np.nan)


def clip_columns(df: pd.DataFrame, space: Space) -> pd.DataFrame:
    low, high = space.low.as_row(), space.high.as_row()
    out = df.copy()
    for c in COLUMNS:
        out[c] = out[c].clip(low[c], high[c])
    return out


def smooth(trained: pd.DataFrame, space: Space, *, length_scale: float, params, enabled: bool = True) -> pd.DataFrame:
    """One row per expert: `<param>_raw` as trained, `<param>` as used for prediction.

    Values are clipped to the bounds, the `params` are smoothed, and all are clipped again. Experts
    whose fit failed receive their neighbours' weighted values of every parameter (smoothed or not),
    so they still predict; with smoothing disabled the trained values pass through unchanged.
    """
    out = trained.sort_values("expert_id").reset_index(drop=True)
    for c in COLUMNS:
        out[f"{c}_raw"] = out[c]
    if not enabled or out.empty:
        return out
    out = clip_columns(out, space)
    w = gaussian_weights(out[["x", "y"]].to_numpy(float), length_scale)
    smoothed = {c for p in params for c in PARAM[p].columns}
    for c in COLUMNS:
        values = out[c].to_numpy(float)
        weighted = nadaraya_watson(values, w)
        out[c] = weighted if c in smoothed else np.where(np.isfinite(values), values, weighted)
    return clip_columns(out, space)


def match_by_location(experts: pd.DataFrame, hyp: pd.DataFrame) -> np.ndarray:
    """Row of `hyp` for each expert, matched on (x, y) only (never on time); -1 where none."""
    if hyp.empty:
        return np.full(len(experts), -1)
    dist, idx = cKDTree(hyp[["x", "y"]].to_numpy(float)).query(experts[["x", "y"]].to_numpy(float), k=1)
    return np.where(dist <= MATCH_TOLERANCE_M, idx, -1)


def at_places(table: pd.DataFrame, places: pd.DataFrame, length_scale: float) -> np.ndarray:
    """A hyperparameter table's values (COLUMNS, one row per place) at `places` (x, y): the row of an
    expert at that place where it has every value, else the Gaussian-weighted mean (`length_scale`)
    of the rows that do; NaN where the table has none."""
    values = table[list(COLUMNS)].to_numpy(float)
    usable = np.isfinite(values).all(axis=1)
    rows = match_by_location(places, table)
    exact = rows >= 0
    exact[exact] = usable[rows[exact]]
    out = np.full((len(places), len(COLUMNS)), np.nan)
    out[exact] = values[rows[exact]]
    rest = ~exact
    if rest.any() and usable.any():
        xy = places[["x", "y"]].to_numpy(float)[rest]
        w = np.exp(
            -0.5 * ((xy[:, None, :] - table[["x", "y"]].to_numpy(float)[usable][None]) ** 2).sum(-1) / length_scale**2
        )
        out[rest] = np.column_stack([nadaraya_watson(values[usable, k], w) for k in range(len(COLUMNS))])
    return out


def interpolate_in_time(
    first: pd.DataFrame, second: pd.DataFrame, places: pd.DataFrame, *, weight: float, space: Space, length_scale: float
) -> pd.DataFrame:
    """Hyperparameters at `places` between two trained days' smoothed tables: `weight` 0 is the first
    day's, 1 the second's, linear in between in the Sigmoid-transformed space the optimiser works in
    (so bounds hold and a scale halfway between 100 and 400 km is not 250 km but the transform's
    midpoint). A place only one day has values for takes that day's."""
    scale = np.r_[space.coords_scale, 1.0, 1.0]
    transform = space.transform()
    ua, ub = (transform.inverse(at_places(table, places, length_scale) / scale) for table in (first, second))
    ua, ub = np.where(np.isfinite(ua), ua, ub), np.where(np.isfinite(ub), ub, ua)
    theta = transform.forward((1.0 - weight) * ua + weight * ub) * scale
    out = places[["expert_id", "x", "y", "t", "lon", "lat"]].reset_index(drop=True)
    out[list(COLUMNS)] = theta
    out["status"] = np.where(np.isfinite(theta).all(axis=1), "interpolated", "no_hyperparameters")
    return out[contracts.INTERPOLATED]

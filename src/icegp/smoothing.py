"""Hyperparameter smoothing over expert locations (Nadaraya-Watson with a Gaussian kernel in metres)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .gp.hyper import COLUMNS, PARAM, Space


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


def smooth(trained: pd.DataFrame, space: Space, length_scale: float, params, enabled: bool = True) -> pd.DataFrame:
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

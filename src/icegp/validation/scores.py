"""Validation of a product: against a known truth where one exists (the demo), and by holding out
whole tracks of real observations, which works on real data too."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from icegp.experts import selection
from icegp.experts.prediction import predict_expert, usable_pairs
from icegp.gp.engines import Engine
from icegp.util import timestamps
from icegp.util.time_window import TimeWindow

TRACK_GAP_DAYS = 10.0 / 1440.0  # a new track starts after a 10 minute gap in a source's time series
BLOCK_M = 200_000.0  # hold-out unit for tables without time of day: square blocks of this size


def scores(pred, ref) -> dict:
    pred, ref = np.asarray(pred, float), np.asarray(ref, float)
    ok = np.isfinite(pred) & np.isfinite(ref)
    if ok.sum() < 2:
        return {"n": int(ok.sum())}
    d = pred[ok] - ref[ok]
    return {
        "n": int(ok.sum()),
        "rmse": float(np.sqrt(np.mean(d**2))),
        "bias": float(np.mean(d)),
        "mae": float(np.mean(np.abs(d))),
        "correlation": float(np.corrcoef(pred[ok], ref[ok])[0, 1]),
        "reference_std": float(np.std(ref[ok])),
    }


#: A Gaussian's shares within 1 and 2 standard deviations, what calibrated z-scores reach.
NORMAL_WITHIN = {1: 0.6827, 2: 0.9545}
PIT_BINS = 10


def calibration(observed, mean, std) -> dict:
    """Whether `std` means what it says of `observed - mean`: the standardised errors z, the shares
    within +-1 and +-2 (against a Gaussian's 68.3 and 95.4 %), z's mean and spread (1 when
    calibrated), the mean CRPS of the Gaussian N(mean, std^2) (metres; the closed form of Gneiting &
    Raftery 2007) and the PIT histogram (counts of Phi(z) in PIT_BINS equal bins; flat when calibrated)."""
    from scipy.stats import norm

    observed, mean, std = (np.asarray(a, float) for a in (observed, mean, std))
    ok = np.isfinite(observed) & np.isfinite(mean) & np.isfinite(std) & (std > 0)
    if ok.sum() < 2:
        return {"n": int(ok.sum())}
    z = (observed[ok] - mean[ok]) / std[ok]
    crps = std[ok] * (z * (2 * norm.cdf(z) - 1) + 2 * norm.pdf(z) - 1 / np.sqrt(np.pi))
    return {
        "n": int(ok.sum()),
        **{f"within_{k}std": float(np.mean(np.abs(z) <= k)) for k in NORMAL_WITHIN},
        **{f"gaussian_within_{k}std": share for k, share in NORMAL_WITHIN.items()},
        "z_mean": float(z.mean()),
        "z_std": float(z.std()),
        "crps": float(crps.mean()),
        "pit_histogram": np.histogram(norm.cdf(z), bins=PIT_BINS, range=(0.0, 1.0))[0].tolist(),
    }


def track_ids(obs: pd.DataFrame) -> np.ndarray:
    """Tracks: runs of one source's observations without a 10-minute gap (all beams of a pass together)."""
    ids = np.full(len(obs), -1, dtype=np.int64)
    next_id = 0
    for _, g in obs.groupby("source", sort=True, observed=True):
        order = g.sort_values("t", kind="stable").index.to_numpy()
        t = obs.loc[order, "t"].to_numpy()
        run = np.r_[0, np.cumsum(np.diff(t) > TRACK_GAP_DAYS)]
        ids[order] = run + next_id
        next_id += int(run.max()) + 1 if len(run) else 0
    return ids


def block_ids(obs: pd.DataFrame) -> np.ndarray:
    """Square spatial blocks of BLOCK_M, for data whose time stamps cannot separate tracks."""
    bx = np.floor(obs["x"].to_numpy() / BLOCK_M).astype(np.int64)
    by = np.floor(obs["y"].to_numpy() / BLOCK_M).astype(np.int64)
    return pd.factorize(pd.Series(list(zip(bx, by))))[0]


def holdout_units(obs: pd.DataFrame, day: np.ndarray) -> tuple[np.ndarray, str]:
    """Tracks where the target day has at least two; otherwise spatial blocks (e.g. binned tables
    whose t has no time of day, where a whole day reads as one track)."""
    tracks = track_ids(obs)
    if len(np.unique(tracks[day])) >= 2:
        return tracks, "track"
    return block_ids(obs), f"block_{int(BLOCK_M / 1000)}km"


def holdout(
    obs: pd.DataFrame,
    experts: pd.DataFrame,
    hyp: pd.DataFrame,
    engine: Engine,
    *,
    window: TimeWindow,
    training_radius: float,
    fraction: float,
    seed: int,
    sources,
    predictor: Callable | None = None,
) -> dict:
    """Hold out a fraction of the target day's tracks, predict them from the rest, report the error
    and its calibration against the predicting expert's y_var (:func:`calibration`).

    Each held-out point is predicted by its nearest expert with the product's hyperparameters,
    conditioned on the window's observations minus every held-out track (or block, see
    :func:`holdout_units`): by `predictor(expert, hyperparameter row, held rows, Xstar)` (a dict
    with f_mean, or None) when given, else by the engine on the rest of the window.
    """
    t0 = timestamps.day_to_t(window.target)
    obs = obs.reset_index(drop=True)
    day = ((obs["t"] >= t0) & (obs["t"] < t0 + 1) & obs["source"].isin(sources)).to_numpy()
    units, unit = holdout_units(obs, day)
    candidates = np.unique(units[day])
    if len(candidates) < 2:
        return {
            "unit": unit,
            "n_units": int(len(candidates)),
            "note": "too few tracks or blocks on the target day to hold any out",
        }
    rng = np.random.default_rng(seed)
    k = max(1, int(round(fraction * len(candidates))))
    held = rng.choice(candidates, size=k, replace=False)
    is_held = np.isin(units, held) & day
    test = obs[is_held]
    if predictor is None:
        train = selection.LocalData(obs[~is_held])

        def predictor(expert, hyp_row, _held, Xstar):
            return predict_expert(
                engine, train, expert, hyp_row, Xstar, training_radius=training_radius, half_width=window.half_width
            )

    usable_experts, usable_hyp = usable_pairs(experts, hyp)
    if usable_experts.empty:
        return {"unit": unit, "note": "no expert has usable hyperparameters"}
    _, nearest = cKDTree(usable_experts[["x", "y"]].to_numpy(float)).query(test[["x", "y"]].to_numpy(float), k=1)
    pred, y_var = np.full(len(test), np.nan), np.full(len(test), np.nan)
    for j in np.unique(nearest):
        mine = nearest == j
        Xstar = test.loc[mine, ["x", "y", "t"]].to_numpy(float)
        expert = next(usable_experts.iloc[[j]].itertuples(index=False))
        out = predictor(expert, usable_hyp.iloc[j], test, Xstar)
        if out is not None:
            pred[mine], y_var[mine] = out["f_mean"], out["y_var"]
    out = scores(pred, test["obs"].to_numpy())
    out.update({"unit": unit, "n_units": int(len(candidates)), "n_held_out": int(k), "fraction": fraction})
    # an observation's error is the latent field's plus its noise: the expert's y_var, f_var + noise variance
    out["calibration"] = calibration(test["obs"].to_numpy(), pred, np.sqrt(y_var))
    return out

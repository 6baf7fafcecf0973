"""The observations window of one target: merge the day files, prefer IS-2 over SMAP, bin."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from icegp import contracts, grid
from icegp.sources import tables
from icegp.util.atomic import read_parquet_metadata
from icegp.util.checks import InputError

log = logging.getLogger(__name__)


def read_day_files(paths) -> tuple[pd.DataFrame, list[dict]]:
    """Concatenate per-day parquet files; return the rows and each file's status metadata."""
    frames, statuses = [], []
    for path in paths:
        meta = read_parquet_metadata(path)
        meta["file"] = str(path)
        statuses.append(meta)
        df = pd.read_parquet(path)
        if len(df):
            frames.append(df)
    if not frames:
        return tables.empty(), statuses
    return pd.concat(frames, ignore_index=True), statuses


def drop_exact_duplicates(df: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Rows repeating another row's source, time and position exactly (a section stored twice) would
    weigh twice in the GP: keep the first, count the others per source. Near-duplicates are kept."""
    dup = df.duplicated(["source", "t", "x", "y"], keep="first")
    counts = df.loc[dup, "source"].value_counts().astype(int).to_dict()
    return df[~dup.to_numpy()].reset_index(drop=True), counts


def drop_near_preferred(df: pd.DataFrame, preferred, dropped, radius: float) -> pd.DataFrame:
    """Drop `dropped`-source points within `radius` (m) of a same-day `preferred`-source point."""
    day = np.floor(df["t"].to_numpy())
    is_pref = df["source"].isin(preferred).to_numpy()
    is_drop = df["source"].isin(dropped).to_numpy()
    remove = np.zeros(len(df), bool)
    xy = df[["x", "y"]].to_numpy()
    for d in np.unique(day[is_drop]):
        ref = is_pref & (day == d)
        cand = np.flatnonzero(is_drop & (day == d))
        if not ref.any() or not cand.size:
            continue
        dist, _ = cKDTree(xy[ref]).query(xy[cand], k=1, distance_upper_bound=radius * (1 + 1e-12))
        remove[cand[dist <= radius]] = True
    return df[~remove].reset_index(drop=True)


def bin_cell_day(df: pd.DataFrame, spacing: float, crs: str) -> pd.DataFrame:
    """Cell-day means per source on a grid of `spacing` metres anchored at the CRS origin."""
    if df.empty:
        return df
    key = pd.DataFrame(
        {
            "source": df["source"].to_numpy(),
            "ix": np.floor(df["x"].to_numpy() / spacing).astype(np.int64),
            "iy": np.floor(df["y"].to_numpy() / spacing).astype(np.int64),
            "day": np.floor(df["t"].to_numpy()).astype(np.int64),
        }
    )
    vals = pd.concat([key, df[["t", "obs", "obs_unc"]].reset_index(drop=True)], axis=1)
    g = vals.groupby(["source", "ix", "iy", "day"], sort=True, observed=True)
    out = g.agg(t=("t", "mean"), obs=("obs", "mean"), obs_unc=("obs_unc", "mean"), n=("obs", "size")).reset_index()
    out["x"] = (out["ix"] + 0.5) * spacing
    out["y"] = (out["iy"] + 0.5) * spacing
    out["lon"], out["lat"] = grid.xy_to_lonlat(out["x"].to_numpy(), out["y"].to_numpy(), crs)
    return out[contracts.WINDOW]


def build_window(
    paths,
    target: str,
    crs: str,
    *,
    preferred=(),
    dropped=(),
    pref_radius: float = 10_000.0,
    bin_spacing: float | None = None,
    allow_missing: bool = False,
) -> tuple[pd.DataFrame, dict]:
    """Merge a target's day files into one table and a report of what went in."""
    df, statuses = read_day_files(paths)
    missing = [s for s in statuses if s.get("status") == "missing"]
    if missing and not allow_missing:
        raise InputError(f"target {target}: missing days {[(s['source'], s['day']) for s in missing]}")
    report = {
        "target": target,
        "crs": crs,
        "status": "ok",
        "rows_loaded": df.groupby("source").size().astype(int).to_dict(),
        "days_skipped": [{k: s.get(k) for k in ("source", "day", "reason", "file")} for s in missing],
    }
    if df.empty:
        if not allow_missing:
            raise InputError(f"target {target}: no observations in the window (files: {[str(p) for p in paths]})")
        log.warning("target %s: no observations in the window: the target is a missing day", target)
        return df.assign(n=pd.Series(dtype=float))[contracts.WINDOW], report | {"status": "no_data", "rows_total": 0}
    df, report["duplicates_dropped"] = drop_exact_duplicates(df)
    if preferred and dropped:
        before = len(df)
        df = drop_near_preferred(df, preferred, dropped, pref_radius)
        report["is2_pref_dropped"] = int(before - len(df))
    if bin_spacing:
        df = bin_cell_day(df, bin_spacing, crs)
        report["binned_to_m"] = bin_spacing
    df = df.sort_values(["t", "source"], kind="stable").reset_index(drop=True)
    report["rows"] = df.groupby("source").size().astype(int).to_dict()
    report["rows_total"] = int(len(df))
    return df, report

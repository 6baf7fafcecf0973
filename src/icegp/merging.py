"""The observations window of one target: merge the day files, prefer IS-2 over SMAP, bin."""

from __future__ import annotations

import logging
from dataclasses import dataclass

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


@dataclass
class MergedDay:
    """One data day's rows after merging (duplicates dropped, along-track data preferred, binned),
    sorted by time and source, with what the merge counted. A window is its days' merged rows one
    after the other: every step works within one day, so merging day by day is merging the window."""

    rows: pd.DataFrame
    loaded: dict[str, int]  # rows per source before merging
    duplicates: dict[str, int]
    pref_dropped: int


def split_days(df: pd.DataFrame) -> dict[int, pd.DataFrame]:
    """The rows of each data day (floor of t), in day order."""
    day = np.floor(df["t"].to_numpy()).astype(np.int64)
    return {int(d): df[day == d].reset_index(drop=True) for d in np.unique(day)}


def merge_day(
    df: pd.DataFrame,
    crs: str,
    *,
    preferred=(),
    dropped=(),
    pref_radius: float = 10_000.0,
    bin_spacing: float | None = None,
) -> MergedDay:
    """Merge one data day's rows of every source in a window."""
    loaded = df.groupby("source").size().astype(int).to_dict()
    rows, duplicates = drop_exact_duplicates(df)
    before = len(rows)
    if preferred and dropped:
        rows = drop_near_preferred(rows, preferred, dropped, pref_radius)
    pref_dropped = before - len(rows)
    if bin_spacing:
        rows = bin_cell_day(rows, bin_spacing, crs)
    rows = rows.sort_values(["t", "source"], kind="stable").reset_index(drop=True)
    return MergedDay(rows, loaded, duplicates, int(pref_dropped))


def assemble(
    days: list[MergedDay],
    statuses: list[dict],
    target: str,
    crs: str,
    *,
    preferring: bool,
    bin_spacing: float | None,
    allow_missing: bool,
    paths,
) -> tuple[pd.DataFrame, dict]:
    """A target's window from its merged days (in day order) and its files' statuses, with the
    report of what went in."""
    missing = [s for s in statuses if s.get("status") == "missing"]
    if missing and not allow_missing:
        raise InputError(f"target {target}: missing days {[(s['source'], s['day']) for s in missing]}")
    report: dict = {
        "target": target,
        "crs": crs,
        "status": "ok",
        "rows_loaded": _total(d.loaded for d in days),
        "days_skipped": [{k: s.get(k) for k in ("source", "day", "reason", "file")} for s in missing],
    }
    if not any(d.loaded for d in days):
        if not allow_missing:
            raise InputError(f"target {target}: no observations in the window (files: {[str(p) for p in paths]})")
        log.warning("target %s: no observations in the window: the target is a missing day", target)
        empty = tables.empty()
        return empty.assign(n=pd.Series(dtype=float))[contracts.WINDOW], report | {"status": "no_data", "rows_total": 0}
    report["duplicates_dropped"] = _total(d.duplicates for d in days)
    if preferring:
        report["is2_pref_dropped"] = sum(d.pref_dropped for d in days)
    if bin_spacing:
        report["binned_to_m"] = bin_spacing
    df = pd.concat([d.rows for d in days], ignore_index=True)
    report["rows"] = df.groupby("source").size().astype(int).to_dict()
    report["rows_total"] = int(len(df))
    return df, report


def _total(counts) -> dict[str, int]:
    total: dict[str, int] = {}
    for part in counts:
        for key, n in part.items():
            total[key] = total.get(key, 0) + int(n)
    return total


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
    merging = dict(preferred=preferred, dropped=dropped, pref_radius=pref_radius, bin_spacing=bin_spacing)
    days = [merge_day(rows, crs, **merging) for rows in split_days(df).values()] if len(df) else []
    preferring = bool(preferred and dropped)
    return assemble(
        days,
        statuses,
        target,
        crs,
        preferring=preferring,
        bin_spacing=bin_spacing,
        allow_missing=allow_missing,
        paths=paths,
    )

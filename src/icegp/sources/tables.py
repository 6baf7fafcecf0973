"""Observation tables: the generic along-track CSV/parquet reader, the ready x,y,t,obs table, and the
per-day contract every loader writes (x, y, t, obs, source, lon, lat, obs_unc)."""

from __future__ import annotations

import logging
import os

import numpy as np
import pandas as pd

from icegp import contracts, grid
from icegp.util import timestamps
from icegp.util.checks import InputError, check_lonlat, check_no_inf, check_plausible

log = logging.getLogger(__name__)


def read_any(path: str) -> pd.DataFrame:
    """CSV or parquet by extension, with errors that name the file."""
    if not os.path.exists(path):
        raise InputError(f"{path}: file not found")
    try:
        if str(path).endswith((".parquet", ".pq")):
            return pd.read_parquet(path)
        return pd.read_csv(path)
    except Exception as err:
        raise InputError(f"{path}: cannot read table ({type(err).__name__}: {err})") from err


def require_columns(df: pd.DataFrame, columns, where: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(f"{where}: missing columns {missing}; found {list(df.columns)}")


def parse_dates(values, path: str, column: str, units: str | None = None) -> np.ndarray:
    """A time column to float days since 1970: ISO 8601 text (`Z`/offsets read as such), datetimes,
    or numbers in CF `units`; anything else is an error naming the file, the column and the value."""
    values = pd.Series(values)
    try:
        if units is not None:
            return timestamps.numbers_to_t(pd.to_numeric(values), units)
        if pd.api.types.is_datetime64_any_dtype(values):
            return timestamps.datetime_to_t(values)
        if pd.api.types.is_numeric_dtype(values):
            raise ValueError(
                f"it holds numbers (first: {values.iloc[0]!r}) and no units; set the source's "
                "columns.time_units, e.g. 'seconds since 1970-01-01'"
            )
        return timestamps.text_to_t(values)
    except Exception as err:
        first = str(err).splitlines()[0]
        raise InputError(f"{path}: column {column!r} is not readable as times ({first})") from err


def stamp(t: np.ndarray, time_stamps: str, path: str) -> np.ndarray:
    """Exact times from a table's stamps; says so when 'exact' stamps all look like whole days."""
    finite = t[np.isfinite(t)]
    if time_stamps == "exact" and len(finite) > 1 and np.all(finite == np.floor(finite)):
        log.warning(
            "%s: every time stamp is at 00:00; if they stand for whole days (GPSat's day numbers), "
            "set the source's time_stamps: day, or experts at the centre of the day see them "
            "half a day off",
            path,
        )
    return timestamps.stamp_times(t, time_stamps)


def read_along_track_table(
    path: str, value: str, kind: str | None = None, time_stamps: str = "exact", time_units: str | None = None
) -> pd.DataFrame:
    """A generic along-track table with `datetime, lon, lat, <value>` columns."""
    df = read_any(path)
    require_columns(df, ["datetime", "lon", "lat", value], path)
    obs = pd.to_numeric(df[value], errors="coerce").to_numpy(float)
    check_no_inf(obs, path, value)
    check_plausible(obs, path, value, kind)
    t = stamp(parse_dates(df["datetime"], path, "datetime", time_units), time_stamps, path)
    keep = np.isfinite(obs)
    lon = df["lon"].to_numpy(float)[keep]
    lat = df["lat"].to_numpy(float)[keep]
    check_lonlat(lon, lat, path)
    return pd.DataFrame({"lon": lon, "lat": lat, "t": t[keep], "obs": obs[keep], "obs_unc": np.nan})


def table_times(df: pd.DataFrame, path: str, time_units: str | None = None) -> np.ndarray:
    """A table's times: `t` (float days since 1970) or else `date` (see :func:`parse_dates`)."""
    if "t" in df.columns:
        return pd.to_numeric(df["t"], errors="coerce").to_numpy(float)
    if "date" in df.columns:
        return parse_dates(df["date"], path, "date", time_units)
    raise InputError(f"{path}: needs a time column 't' (days since 1970) or 'date'; found {list(df.columns)}")


def read_xyt_table(path: str, crs: str, time_stamps: str = "exact", time_units: str | None = None) -> pd.DataFrame:
    """A ready table of x, y (metres in `crs`), obs and a time (`t` in days since 1970, or `date`), made
    exact by :func:`icegp.util.timestamps.stamp_times`; lon/lat are derived."""
    df = read_any(path)
    require_columns(df, ["x", "y"] + ([] if "date" in df.columns else ["t"]) + ["obs"], path)
    df = df.assign(
        t=stamp(table_times(df, path, time_units), time_stamps, path),
        obs_unc=df["obs_unc"].astype(float) if "obs_unc" in df.columns else np.nan,
    )
    out = df[["x", "y", "t", "obs", "obs_unc"]].astype(float)
    for col in ("x", "y", "t", "obs"):
        check_no_inf(out[col].to_numpy(), path, col)
    keep = np.isfinite(out[["x", "y", "t", "obs"]].to_numpy()).all(axis=1)
    out = out[keep].reset_index(drop=True)
    if (out[["x", "y"]].abs() > 2.0e7).any().any():
        raise InputError(f"{path}: x/y beyond 20,000 km; are they metres in {crs}?")
    out["lon"], out["lat"] = grid.xy_to_lonlat(out["x"].to_numpy(), out["y"].to_numpy(), crs)
    return out


def finish(df: pd.DataFrame, source: str, crs: str) -> pd.DataFrame:
    """Project lon/lat into `crs` once and order the columns of the observation contract."""
    out = df.copy()
    if "x" not in out.columns:
        out["x"], out["y"] = grid.lonlat_to_xy(out["lon"].to_numpy(), out["lat"].to_numpy(), crs)
    out["source"] = source
    for col in ("x", "y", "t", "obs", "lon", "lat", "obs_unc"):
        out[col] = out[col].astype("float64")
    return out[contracts.OBS].reset_index(drop=True)


def empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64") for c in contracts.OBS}).astype({"source": "object"})

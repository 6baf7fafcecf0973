"""Season products: the daily products of a target range in one CF file on a time axis (the monthly
means are a file of their own, :mod:`icegp.product.monthly`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

#: Spatial tile of a chunk; every chunk holds the whole time axis, so a time series reads one chunk.
CHUNK_XY = 32


def stack(products: list[xr.Dataset], variable: str) -> xr.Dataset:
    """Daily products (one time step each, same grid) concatenated in time order, with the products'
    land mask and which days are missing (`day_status`, `days_missing`)."""
    keep = [variable, f"{variable}_std", "n_experts"]
    flagged = [p[keep].assign(day_status=("time", [int(p.attrs.get("day_status") == "missing")])) for p in products]
    daily = xr.concat(flagged, dim="time", join="exact").sortby("time")
    if daily.indexes["time"].has_duplicates:
        raise ValueError("season: two products share a date")
    first = products[0]
    daily = daily.assign_coords(lat=first["lat"], lon=first["lon"]).assign(crs=first["crs"])
    daily.attrs = season_attrs(products, variable)
    missing = daily["time"].values[daily["day_status"].values == 1]
    daily["day_status"] = daily["day_status"].astype("int8")
    daily["day_status"].attrs.update(
        long_name="whether the day was mapped",
        flag_values=np.array([0, 1], "int8"),
        flag_meanings="mapped missing",
        comment="missing: no observations in the target's window (missing_days: skip); its fields are missing",
    )
    daily.attrs["days_missing"] = " ".join(str(d)[:10] for d in missing) or "none"
    return daily.assign(land_mask=first["land_mask"])


#: A daily product's global attributes that describe its one day, not a season
PER_DAY = {"title", "summary", "target_date", "history", "date_created", "comment", "day_status"}
PER_DAY |= {"time_coverage_start", "time_coverage_end", "time_coverage_duration", "icegp_negative_cells"}


def season_attrs(products: list[xr.Dataset], variable: str) -> dict:
    """The season's global attributes: the products' shared ones (conventions, discovery metadata, the
    config), with the title, summary and time coverage of the whole season."""
    ordered = sorted(products, key=lambda p: p.attrs["time_coverage_start"])
    first, last = ordered[0], ordered[-1]
    days = (pd.Timestamp(last.attrs["target_date"]) - pd.Timestamp(first.attrs["target_date"])).days + 1
    covered = pd.Timestamp(last.attrs["time_coverage_end"]) - pd.Timestamp(first.attrs["time_coverage_start"])
    long_name = first[variable].attrs.get("long_name", variable)
    span = f"{first.attrs['target_date']} to {last.attrs['target_date']}"
    now = pd.Timestamp.now("UTC")
    return {k: v for k, v in first.attrs.items() if k not in PER_DAY} | {
        "title": f"Daily {long_name} from GP local-expert interpolation, {span}",
        "summary": f"The daily maps of {long_name} of {days} days ({span}) on one time axis. "
        + first.attrs.get("summary", ""),
        "time_coverage_start": first.attrs["time_coverage_start"],
        "time_coverage_end": last.attrs["time_coverage_end"],
        "time_coverage_duration": f"P{covered.days}D",
        "history": f"{now.isoformat()} made by icegp from {len(products)} daily products",
        "date_created": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


#: The calibration numbers of validation.json a season carries per day, by what they score against
#: (held-out observations with the predicting expert's y_var, the truth with the product's std).
CALIBRATION = ("n", "within_1std", "within_2std", "z_mean", "z_std", "crps")
CALIBRATED = {"holdout": "held-out observations", "truth": "the truth"}


def calibration(reports: list[dict]) -> tuple[pd.DataFrame, dict[str, float], dict[str, list[int]]]:
    """The season's calibration from its days' validation.json: per day and check (the hold-out, and
    the truth where there is one) the numbers of :func:`icegp.validation.scores.calibration`; over
    the season, the same pooled over every point of every day (`icegp_calibration_*` attributes of
    the season file); and each check's PIT histogram summed over the days. A missing day, or one
    with too few tracks to hold out, has none."""
    rows: list[dict] = []
    pit: dict[str, list[int]] = {}
    for report in reports:
        for against in CALIBRATED:
            found = (report.get(against) or {}).get("calibration", {})
            if found.get("n", 0) >= 2:
                rows.append({"day": report["target"], "against": against, **{k: found[k] for k in CALIBRATION}})
                pit[against] = (np.asarray(pit.get(against, 0)) + found["pit_histogram"]).tolist()
    table = pd.DataFrame(rows, columns=["day", "against", *CALIBRATION]).sort_values(["against", "day"])
    pooled: dict[str, float] = {}
    for against, days in table.groupby("against"):
        n = days["n"].to_numpy(float)
        mean = np.average(days["z_mean"], weights=n)
        second = np.average(days["z_std"] ** 2 + days["z_mean"] ** 2, weights=n)
        pooled |= {
            f"icegp_calibration_{against}_n": int(n.sum()),
            **{
                f"icegp_calibration_{against}_{k}": float(np.average(days[k], weights=n))
                for k in ("within_1std", "within_2std", "crps")
            },
            f"icegp_calibration_{against}_z_std": float(np.sqrt(second - mean**2)),
        }
    return table.reset_index(drop=True), pooled, pit


def ice_series(season: xr.Dataset, variable: str) -> pd.DataFrame:
    """Daily mean and spread (standard deviation over cells) of the product over the ice-covered region:
    the cells with a value on every mapped day and a positive season mean, so coverage changes do not
    move it (a missing day's mean is missing)."""
    field = season[variable]
    mapped = field.isel(time=season["day_status"].values == 0)
    region = mapped.notnull().all("time") & (mapped.mean("time") > 0)
    inside = field.where(region)
    return pd.DataFrame(
        {
            "time": season["time"].values,
            "mean": inside.mean(("y", "x")).values,
            "std": inside.std(("y", "x")).values,
            "cells": int(region.sum()),
        }
    )


def encoding(season: xr.Dataset) -> dict:
    """Compressed, chunked for time series: whole time axis by CHUNK_XY x CHUNK_XY cells."""
    enc = {}
    for name, var in season.data_vars.items():
        dims = var.dims
        if dims[-2:] == ("y", "x"):
            chunks = tuple(min(CHUNK_XY, season.sizes[d]) if d in ("y", "x") else season.sizes[d] for d in dims)
            enc[name] = {"zlib": True, "complevel": 4, "chunksizes": chunks}
    enc["time"] = {"units": "days since 1970-01-01", "dtype": "float64"}
    for axis in ("time", "y", "x"):  # CF: coordinate variables have no _FillValue
        enc.setdefault(axis, {})["_FillValue"] = None
    return enc

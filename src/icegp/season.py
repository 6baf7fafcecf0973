"""Season products: the daily products of a target range in one CF file on a time axis, with monthly
means, their standard deviation over the days and the number of days behind them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

#: Spatial tile of a chunk; every chunk holds the whole time axis, so a time series reads one chunk.
CHUNK_XY = 32


def stack(products: list[xr.Dataset], variable: str) -> xr.Dataset:
    """Daily products (one time step each, same grid) concatenated in time order, with the monthly
    statistics and the products' land mask."""
    keep = [variable, f"{variable}_std", "n_experts"]
    daily = xr.concat([p[keep] for p in products], dim="time", join="exact").sortby("time")
    if daily.indexes["time"].has_duplicates:
        raise ValueError("season: two products share a date")
    first = products[0]
    daily = daily.assign_coords(lat=first["lat"], lon=first["lon"]).assign(crs=first["crs"])
    daily.attrs = {k: v for k, v in first.attrs.items() if k in ("Conventions", "source")}
    season = daily.assign({**monthly(daily[variable]), "land_mask": first["land_mask"]})
    season["month"].attrs.update(standard_name="time", long_name="first day of the month", bounds="month_bounds")
    return season


def monthly(field: xr.DataArray) -> dict:
    """Per calendar month: the mean over the days with a value, their standard deviation, and how many
    days contributed, on a `month` axis (the month's first day, with bounds)."""
    groups = field.groupby(field["time"].dt.strftime("%Y-%m").rename("month"))
    start = pd.to_datetime([f"{m}-01" for m in groups.groups])
    name, units = field.name, field.attrs.get("units", "")
    stats = {
        "mean": (groups.mean("time"), {"units": units, "cell_methods": "month: mean"}),
        "std": (groups.std("time", ddof=0), {"units": units, "cell_methods": "month: standard_deviation"}),
        "days": (groups.count("time").astype("int16"), {"units": "1"}),
    }
    meaning = {
        "mean": "mean over the days of the month",
        "std": "standard deviation over the days of the month",
        "days": "days of the month with a value",
    }
    out = {
        f"{name}_monthly_{k}": v.assign_coords(month=start.values).assign_attrs(long_name=f"{name}: {meaning[k]}", **a)
        for k, (v, a) in stats.items()
    }
    out["month_bounds"] = xr.DataArray(
        np.c_[start.values, (start + pd.offsets.MonthBegin(1)).values],
        dims=("month", "nv"),
        coords={"month": start.values},
    )
    return out


def ice_series(season: xr.Dataset, variable: str) -> pd.DataFrame:
    """Daily mean and spread (standard deviation over cells) of the product over the ice-covered region:
    the cells with a value on every day and a positive season mean, so coverage changes do not move it."""
    field = season[variable]
    region = field.notnull().all("time") & (field.mean("time") > 0)
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
    enc["month"] = {"units": "days since 1970-01-01", "dtype": "float64"}
    enc["month_bounds"] = {"units": "days since 1970-01-01", "dtype": "float64"}
    return enc

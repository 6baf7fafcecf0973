"""The monthly file of a season: one time step per calendar month with its bounds (CF `cell_methods:
"time: mean"`), as monthly products are, and the old pipeline's monthly statistics: grid cell area
from the projection, sea-ice volume with a concentration, and area-weighted means per region."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
import xarray as xr

import icegp.product.daily
import icegp.product.season
from icegp import grid, regridding

KM2, KM3 = 1e6, 1e9
#: The product variable whose monthly mean times concentration and area is a volume.
THICKNESS = "sea_ice_thickness"


def cell_area(x_axis, y_axis, crs: str) -> xr.DataArray:
    """The true area of each cell (m2): its nominal area in the projection divided by the projection's
    areal scale factor at the cell centre (pyproj's `get_factors`), not a file of areas."""
    from pyproj import Proj

    xx, yy = np.meshgrid(x_axis, y_axis)
    lon, lat = grid.xy_to_lonlat(xx, yy, crs)
    nominal = abs(float(x_axis[1] - x_axis[0]) * float(y_axis[1] - y_axis[0]))
    area = nominal / Proj(crs).get_factors(lon, lat).areal_scale
    return xr.DataArray(
        area,
        dims=("y", "x"),
        coords={"y": y_axis, "x": x_axis},
        attrs={"standard_name": "cell_area", "long_name": "area of the grid cell on the ellipsoid", "units": "m2"},
    )


def month_of(times) -> xr.DataArray:
    """Each time's calendar month, as the month's first day (the grouping key)."""
    starts = pd.DatetimeIndex(pd.to_datetime(np.asarray(times))).to_period("M").to_timestamp()
    return xr.DataArray(starts.values, dims="time", name="month")


def means(season: xr.Dataset, variable: str, *, window_days: int) -> xr.Dataset:
    """Per calendar month of the season's mapped days: the mean of the estimate, its standard error
    (:func:`monthly_std`), its spread over the days and the days with a value; `time` is the month's
    first day and `time_bnds` the month."""
    mapped = season.isel(time=season["day_status"].values == 0)
    month = month_of(mapped["time"].values)
    field = mapped[variable].groupby(month)
    n_days = field.count("time")
    mean_var = (mapped[f"{variable}_std"] ** 2).groupby(month).mean("time")
    out = xr.Dataset(
        {
            variable: field.mean("time"),
            f"{variable}_std": monthly_std(mean_var, n_days, window_days=window_days),
            f"{variable}_day_std": field.std("time", ddof=0),
            "n_days": n_days.astype("int16"),
            "days_mapped": mapped["time"].groupby(month).count().astype("int16"),
        }
    ).rename(month="time")
    starts = pd.DatetimeIndex(out["time"].values)
    out["time_bnds"] = (("time", "nv"), np.c_[starts.values, (starts + pd.offsets.MonthBegin(1)).values])
    return out


def monthly_std(mean_var, n_days, *, window_days: int):
    """The standard error of a mean of n daily estimates whose variances average `mean_var`: days
    one window (2N+1 days) apart or less share its data, so their errors are taken as fully
    correlated, and as independent beyond, n / window_days effective samples: mean_var x
    min(1, window_days / n). One day, or a month within one window, keeps the daily std."""
    return np.sqrt(mean_var * np.minimum(1.0, window_days / n_days.where(n_days > 0)))


def blocks(x_axis, y_axis, correlation_m: float) -> np.ndarray:
    """Each cell's square block of side `correlation_m` (y, x): cells within a block are taken to have
    fully correlated errors (they share an expert's data), blocks to be independent."""
    bx = np.floor((np.asarray(x_axis) - np.min(x_axis)) / correlation_m).astype(np.int64)
    by = np.floor((np.asarray(y_axis) - np.min(y_axis)) / correlation_m).astype(np.int64)
    ids = by[:, None] * (bx.max() + 1) + bx[None, :]
    return np.unique(ids, return_inverse=True)[1].reshape(ids.shape)  # numbered 0.. for bincount


def summed_std(std_per_cell: np.ndarray, block: np.ndarray, cells: np.ndarray) -> float:
    """The std of a sum over `cells` whose terms have std `std_per_cell`: linear within a block, in
    quadrature across blocks."""
    per_block = np.bincount(block[cells], weights=std_per_cell[cells])
    return float(np.sqrt(np.sum(per_block**2)))


def concentration(
    daily: dict[str, tuple], x_axis, y_axis, crs: str, *, source_crs: str, needed: np.ndarray
) -> xr.DataArray:
    """The mean sea-ice area fraction of each month per cell of ours: each day's field (day -> x, y,
    fraction on the source's grid, NaN where flagged) regridded to our cells (the source's mean
    over the cell, `icegp.regridding`), the `needed` cells (those with an estimate) it does not
    cover from the nearest valid source cell within `regridding.FILL_SPACINGS`, then averaged over the month's
    days with a value. Its `cells_filled` attribute: the most cells a day filled."""
    fields, filled = [], 0
    x, y, _ = daily[min(daily)]  # one grid: the reader holds every file to the CDR's
    lookup = regridding.Regridder(regridding.Grid(x, y, source_crs), regridding.Grid(x_axis, y_axis, crs))
    for _day, (_x, _y, fraction) in sorted(daily.items()):
        field, n = lookup.mean(fraction, fill_within=lookup.fill_reach, fill_where=needed)
        fields.append(field)
        filled = max(filled, n)
    stacked = xr.DataArray(
        np.stack(fields), dims=("time", "y", "x"), coords={"time": pd.to_datetime(sorted(daily)).values}
    )
    monthly = stacked.groupby(month_of(stacked["time"].values)).mean("time").rename(month="time")
    return monthly.assign_attrs(cells_filled=filled, fill_within_km=lookup.fill_reach / 1000)


class Regions(NamedTuple):
    """A region mask on our grid: each cell's code, the names by code, the cells without a region
    and how many cells took theirs from the nearest water code (`sources.nsidc_0780.on_grid`)."""

    codes: np.ndarray
    names: dict[int, str]
    without: np.ndarray
    filled: int


def dataset(
    season: xr.Dataset,
    *,
    variable: str,
    crs: str,
    concentration: xr.DataArray | None = None,
    regions: Regions | None = None,
    excluded: list[str],
    window_days: int,
    correlation_m: float,
) -> xr.Dataset:
    """The monthly file: `means` (days' errors correlated over `window_days`) with cell area, and with
    a concentration its monthly mean and (for thickness) the volume per cell and in total, each with
    its std; with a region mask on our grid, the regions (`region`). The cells with an estimate left
    without a concentration or a region are counted in the file's attributes (`gaps`). The total
    volume's std takes cells' errors as correlated within `correlation_m` (:func:`blocks`)."""
    out = means(season, variable, window_days=window_days)
    x_axis, y_axis = season["x"].values, season["y"].values
    out["cell_area"] = cell_area(x_axis, y_axis, crs)
    counted = xr.ones_like(out["cell_area"], dtype=bool)
    if regions is not None:
        out["region"] = (("y", "x"), regions.codes.astype("int8"), region_attrs(regions.names))
        counted = ~out["region"].isin([code for code, name in regions.names.items() if name in excluded])
    if concentration is not None:
        # the months with a mapped day (a month of missing days only has no thickness to weigh)
        at = concentration.sel(time=out["time"].values).assign_coords(y=out["y"], x=out["x"])
        out["sea_ice_area_fraction"] = at.transpose("time", "y", "x")
        if variable == THICKNESS:
            weight = out["sea_ice_area_fraction"] * out["cell_area"]
            volume = out[variable] * weight
            out["sea_ice_volume"] = volume
            out["sea_ice_volume_std"] = out[f"{variable}_std"] * weight
            out["total_sea_ice_volume"] = (volume.where(counted).sum(("y", "x"), min_count=1) / KM3).astype("float64")
            block = blocks(x_axis, y_axis, correlation_m)
            stds = [
                summed_std(np.nan_to_num(v.values), block, np.isfinite(v.values) & counted.values)
                for v in out["sea_ice_volume_std"].transpose("time", "y", "x")
            ]
            out["total_sea_ice_volume_std"] = ("time", np.array(stds) / KM3)
    out = out.assign_coords(lat=season["lat"], lon=season["lon"]).assign(
        crs=season["crs"], land_mask=season["land_mask"]
    )
    describe(out, season, variable=variable, excluded=excluded)
    out.attrs.update(icegp_error_window_days=int(window_days), icegp_error_correlation_km=correlation_m / 1000)
    out.attrs.update(gaps(out, variable, concentration=concentration, regions=regions))
    return out


def gaps(out: xr.Dataset, variable: str, *, concentration: xr.DataArray | None, regions: Regions | None) -> dict:
    """How many cells with an estimate have no concentration (in a month with the estimate) or no
    region, and how many took theirs from a nearby source cell."""
    estimated = out[variable].notnull()
    found: dict[str, int | float] = {}
    if concentration is not None:
        lacking = (estimated & out["sea_ice_area_fraction"].isnull()).any("time")
        found["icegp_cells_without_concentration"] = int(lacking.sum())
        found["icegp_cells_concentration_filled"] = int(concentration.attrs.get("cells_filled", 0))
        found["icegp_concentration_fill_within_km"] = float(concentration.attrs.get("fill_within_km", 0.0))
    if regions is not None:
        found["icegp_cells_without_region"] = int((estimated.any("time").values & regions.without).sum())
        found["icegp_cells_region_filled"] = regions.filled
    return found


def region_attrs(names: dict[int, str]) -> dict:
    return {
        "long_name": "sea ice region (NSIDC-0780)",
        "flag_values": np.array(sorted(names), "int8"),
        "flag_meanings": " ".join(names[k] for k in sorted(names)),
        "grid_mapping": "crs",
        "coverage_content_type": "auxiliaryInformation",
    }


def describe(out: xr.Dataset, season: xr.Dataset, *, variable: str, excluded: list[str]) -> None:
    """CF and ACDD attributes of the monthly file's variables and the file itself."""
    daily = season[variable].attrs
    units, standard = daily.get("units", "m"), daily.get("standard_name")
    common = {"grid_mapping": "crs", "coordinates": "lat lon", "coverage_content_type": "modelResult"}
    ancillary = f"{variable}_std {variable}_day_std n_days"
    measures = {"cell_measures": "area: cell_area"}
    out[variable].attrs = {
        **common,
        **measures,
        "standard_name": standard,
        "long_name": f"monthly mean {daily.get('long_name', variable)}",
        "units": units,
        "cell_methods": f"{icegp.product.daily.ICE_MEAN} time: mean",
        "ancillary_variables": ancillary,
    }
    out[f"{variable}_std"].attrs = {
        **common,
        "standard_name": f"{standard} standard_error" if standard else None,
        "long_name": "standard error of the monthly mean from the daily standard deviations (days within "
        "one window of each other taken as fully correlated, beyond as independent)",
        "units": units,
        "coverage_content_type": "qualityInformation",
    }
    out[f"{variable}_day_std"].attrs = {
        **common,
        "standard_name": standard,
        "long_name": f"standard deviation of the daily {variable} over the month's days",
        "units": units,
        "cell_methods": "time: standard_deviation",
    }
    out["n_days"].attrs = {
        **common,
        "standard_name": "number_of_observations",
        "long_name": "days of the month with a value in the cell",
        "units": "1",
        "coverage_content_type": "auxiliaryInformation",
    }
    out["days_mapped"].attrs = {
        "standard_name": "number_of_observations",
        "long_name": "days of the month with a daily product",
        "units": "1",
        "coverage_content_type": "auxiliaryInformation",
    }
    out["time"].attrs = {"standard_name": "time", "long_name": "first day of the month", "bounds": "time_bnds"}
    out["cell_area"].attrs.update(
        grid_mapping="crs", coordinates="lat lon", coverage_content_type="auxiliaryInformation"
    )
    if "sea_ice_area_fraction" in out:
        out["sea_ice_area_fraction"].attrs = {
            **common,
            "standard_name": "sea_ice_area_fraction",
            "long_name": "monthly mean sea ice concentration (the daily concentration files averaged over the cell)",
            "units": "1",
            "cell_methods": "time: mean",
            "coverage_content_type": "physicalMeasurement",
        }
    if "sea_ice_volume" in out:
        out["sea_ice_volume"].attrs = {
            **common,
            "standard_name": "sea_ice_volume",
            "long_name": "sea ice volume in the cell: monthly mean thickness x concentration x cell area "
            "(negative estimates counted as they are)",
            "units": "m3",
        }
        out["sea_ice_volume_std"].attrs = {
            **common,
            "standard_name": "sea_ice_volume standard_error",
            "long_name": "standard error of the cell's sea ice volume: the thickness's x concentration x cell "
            "area (the concentration taken as exact)",
            "units": "m3",
            "coverage_content_type": "qualityInformation",
        }
        out["sea_ice_volume"].attrs["ancillary_variables"] = "sea_ice_volume_std"
        out["total_sea_ice_volume_std"].attrs = {
            "standard_name": "sea_ice_volume standard_error",
            "long_name": "standard error of the total sea ice volume: cells' errors fully correlated within "
            "icegp_error_correlation_km, independent beyond",
            "units": "km3",
            "coverage_content_type": "qualityInformation",
        }
        out["total_sea_ice_volume"].attrs = {
            "ancillary_variables": "total_sea_ice_volume_std",
            "standard_name": "sea_ice_volume",
            "cell_methods": "area: sum",
            "long_name": "sea ice volume summed over the cells with thickness and concentration, "
            "excluded regions left out",
            "units": "km3",
            "coverage_content_type": "modelResult",
        }
    for name in out.data_vars:
        out[name].attrs = {k: v for k, v in out[name].attrs.items() if v is not None}
    first, last = pd.Timestamp(out["time_bnds"].values[0, 0]), pd.Timestamp(out["time_bnds"].values[-1, 1])
    long_name, final = daily.get("long_name", variable), last - pd.Timedelta(days=1)
    now = pd.Timestamp.now("UTC")
    # the season's time coverage (its data), while time_bnds are the calendar months the means stand for
    shared = icegp.product.season.PER_DAY - {"time_coverage_start", "time_coverage_end", "time_coverage_duration"}
    out.attrs = {k: v for k, v in season.attrs.items() if k not in shared | {"days_missing"}} | {
        "title": f"Monthly {long_name} from GP local-expert interpolation, {first:%Y-%m} to {final:%Y-%m}",
        "summary": f"Monthly means of the daily {long_name} maps, with their spread over the days, grid cell "
        "area, and where a concentration is given sea ice concentration and volume. " + season.attrs.get("summary", ""),
        "time_coverage_resolution": "P1M",
        "icegp_excluded_regions": " ".join(excluded) or "none",
        "history": f"{now.isoformat()} made by icegp from the season file",
        "date_created": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def regional(monthly: xr.Dataset, variable: str, *, excluded: list[str], correlation_m: float) -> pd.DataFrame:
    """Per month and region (and over every region not excluded, `all`): the cells with a value, their
    area, with a concentration the ice area and (thickness) the volume, and the mean of the variable
    weighted by ice area (cell area x concentration; by cell area without a concentration), each of
    the last two with its std from the cells' (:func:`summed_std`, cells correlated within
    `correlation_m`; the concentration taken as exact)."""
    block = blocks(monthly["x"].values, monthly["y"].values, correlation_m)
    names, codes = {}, None
    if "region" in monthly:
        attrs = monthly["region"].attrs
        names = dict(zip(np.atleast_1d(attrs["flag_values"]).tolist(), attrs["flag_meanings"].split()))
        codes = monthly["region"].values
    dropped = [code for code, name in names.items() if name in excluded]
    area = monthly["cell_area"].values
    rows = []
    for k, month in enumerate(pd.DatetimeIndex(monthly["time"].values)):
        value = monthly[variable].isel(time=k).values
        std = monthly[f"{variable}_std"].isel(time=k).values
        conc = monthly["sea_ice_area_fraction"].isel(time=k).values if "sea_ice_area_fraction" in monthly else None
        weight = area * conc if conc is not None else area
        valued = np.isfinite(value) & np.isfinite(weight)
        groups = []
        if codes is not None:
            present = [int(c) for c in np.unique(codes[valued]) if int(c) not in dropped]
            groups = [(names.get(c, f"code_{c}"), c, valued & (codes == c)) for c in present]
            valued = valued & ~np.isin(codes, dropped)
        groups.append(("all", -1, valued))
        for name, code, cells in groups:
            row = {"month": f"{month:%Y-%m}", "region": name, "code": code, "cells": int(cells.sum())}
            row["area_km2"] = area[cells].sum() / KM2
            if conc is not None:
                row["ice_area_km2"] = weight[cells].sum() / KM2
            summed = summed_std(np.nan_to_num(std * weight), block, cells & np.isfinite(std))
            with np.errstate(invalid="ignore"):
                row[f"mean_{variable}"] = float((value[cells] * weight[cells]).sum() / weight[cells].sum())
                row[f"mean_{variable}_std"] = summed / float(weight[cells].sum())
            if conc is not None and variable == THICKNESS:
                row["volume_km3"] = float((value[cells] * weight[cells]).sum() / KM3)
                row["volume_km3_std"] = summed / KM3
            rows.append(row)
    return pd.DataFrame(rows)


def encoding(monthly: xr.Dataset) -> dict:
    """float32 fields, compressed; CF: coordinate variables and bounds have no _FillValue."""
    enc: dict = {}
    for name, var in monthly.data_vars.items():
        if var.dims[-2:] == ("y", "x") and var.dtype.kind == "f":
            enc[name] = {"zlib": True, "complevel": 4, "dtype": "float32", "_FillValue": np.float32(np.nan)}
    for name in ("time", "time_bnds"):
        enc[name] = {"units": "days since 1970-01-01", "dtype": "float64", "_FillValue": None}
    for axis in ("y", "x"):
        enc[axis] = {"_FillValue": None}
    return enc

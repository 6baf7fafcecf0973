"""Comparison with another gridded product (CS2SMOS, IS2SITMOGR4, ...): its field regridded to our
cells (`icegp.regridding`: its mean over each cell)."""

from __future__ import annotations

import numpy as np
import xarray as xr
from pyproj import CRS

from icegp import regridding
from icegp.util.checks import InputError, open_netcdf, to_metres


def product_crs(ds: xr.Dataset, field: xr.DataArray, path: str, given: str | None) -> str:
    """The other product's projection: as configured, else its CF grid mapping."""
    if given:
        return given
    mapping = field.attrs.get("grid_mapping")
    if mapping not in ds.variables:
        raise InputError(f"{path}: {field.name} has no CF grid mapping; set the product's `crs`")
    try:
        return CRS.from_cf(ds[mapping].attrs).to_wkt()
    except Exception as err:  # pyproj raises several kinds for a mapping it cannot read
        raise InputError(
            f"{path}: the grid mapping {mapping!r} is not a CF one ({err}); set the product's `crs`"
        ) from None


def regrid(path: str, settings: dict, *, x_axis, y_axis, crs: str) -> xr.DataArray:
    """The product's field (metres) on our cells: its mean over each cell of its valid cells
    (`icegp.regridding`, any grid and projection); NaN where it has no valid cell."""
    variable, xname, yname = settings["variable"], settings["x"], settings["y"]
    with open_netcdf(path) as ds:
        if variable not in ds.variables:
            raise InputError(f"{path}: no variable {variable!r} to compare with; found {sorted(ds.variables)}")
        field = ds[variable].squeeze(drop=True)
        if set(field.dims) != {xname, yname}:
            raise InputError(f"{path}: {variable} must be a map on ({yname}, {xname}), not {field.dims}")
        theirs = product_crs(ds, field, path, settings["crs"])
        field = field.transpose(yname, xname)
        values = to_metres(field.values, field.attrs.get("units", "m"), path, variable)
        source = regridding.Grid(field[xname].values.astype(float), field[yname].values.astype(float), theirs)
    mean, _ = regridding.Regridder(source, regridding.Grid(np.asarray(x_axis), np.asarray(y_axis), crs)).mean(values)
    return xr.DataArray(mean, dims=("y", "x"), coords={"y": y_axis, "x": x_axis}, name=variable)

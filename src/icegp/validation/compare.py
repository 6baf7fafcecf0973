"""Comparison with another gridded product (CS2SMOS, IS2SITMOGR4, ...): its field regridded to our
cells, and the scores of ours against it."""

from __future__ import annotations

import numpy as np
import xarray as xr
from pyproj import CRS

from icegp import grid
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
    """The product's field (metres) at our cell centres: the centres in its projection, its field
    interpolated bilinearly there (xarray's `interp`); NaN outside it or next to its missing cells."""
    variable, xname, yname = settings["variable"], settings["x"], settings["y"]
    with open_netcdf(path) as ds:
        if variable not in ds.variables:
            raise InputError(f"{path}: no variable {variable!r} to compare with; found {sorted(ds.variables)}")
        field = ds[variable].squeeze(drop=True)
        if set(field.dims) != {xname, yname}:
            raise InputError(f"{path}: {variable} must be a map on ({yname}, {xname}), not {field.dims}")
        theirs = product_crs(ds, field, path, settings["crs"])
        values = to_metres(field.values, field.attrs.get("units", "m"), path, variable)
        field = field.copy(data=values).load()
    xx, yy = np.meshgrid(x_axis, y_axis)
    lon, lat = grid.xy_to_lonlat(xx, yy, crs)
    px, py = grid.lonlat_to_xy(lon, lat, theirs)
    at = {xname: xr.DataArray(px, dims=("y", "x")), yname: xr.DataArray(py, dims=("y", "x"))}
    return field.interp(at, method="linear").drop_vars([xname, yname]).assign_coords(y=y_axis, x=x_axis)

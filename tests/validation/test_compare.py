"""Another product regridded to ours (its mean over each of our cells), held to a field linear in
its projection within a bound derived from its gradient, and bad files refused with the file named."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from icegp import grid
from icegp.util.checks import InputError
from icegp.validation import compare

SETTINGS = {"variable": "thickness", "crs": None, "x": "xc", "y": "yc"}


def other_product(path, *, units="m", mapping=True):
    """A field linear in its own projected x and y (EPSG:3413, 25 km), in `units`."""
    x, y = grid.grid_axes((-3_000_000, 3_000_000, -3_000_000, 3_000_000), 25_000.0)
    field = 1.0 + x[None, :] / 4e6 - y[:, None] / 5e6
    scale = 100.0 if units == "cm" else 1.0
    ds = xr.Dataset(
        {"thickness": (("yc", "xc"), field * scale, {"units": units, **({"grid_mapping": "crs"} if mapping else {})})},
        coords={"xc": x, "yc": y},
    )
    if mapping:
        ds["crs"] = ((), 0, grid.crs_cf_attrs("EPSG:3413"))
    ds.to_netcdf(path)
    return lambda px, py: 1.0 + px / 4e6 - py / 5e6


@pytest.mark.parametrize("units", ["m", "cm"])
def test_a_linear_field_is_regridded_to_its_cell_mean_from_another_projection(tmp_path, units):
    """Each of our cell's points takes its nearest source cell's value, off the field at the point by
    at most the gradient times a source cell's half diagonal; the points' mean is the field's mean
    over our cell, which for a linear field is its value at the centre (to the projections' curvature
    over a cell, far below the bound)."""
    truth = other_product(tmp_path / "other.nc", units=units)
    x_axis, y_axis = grid.grid_axes((-2_000_000, 2_000_000, -2_000_000, 2_000_000), 100_000.0)
    got = compare.regrid(str(tmp_path / "other.nc"), SETTINGS, x_axis=x_axis, y_axis=y_axis, crs="EPSG:3411")
    xx, yy = np.meshgrid(x_axis, y_axis)
    px, py = grid.lonlat_to_xy(*grid.xy_to_lonlat(xx, yy, "EPSG:3411"), "EPSG:3413")
    bound = np.hypot(1 / 4e6, 1 / 5e6) * np.hypot(12_500.0, 12_500.0)
    assert np.abs(got.values - truth(px, py)).max() <= bound
    assert got.dims == ("y", "x") and np.array_equal(got["x"], x_axis)


def test_a_product_without_a_grid_mapping_needs_its_crs(tmp_path):
    other_product(tmp_path / "other.nc", mapping=False)
    x_axis, y_axis = grid.grid_axes((-1_000_000, 1_000_000, -1_000_000, 1_000_000), 100_000.0)
    with pytest.raises(InputError, match="other.nc: thickness has no CF grid mapping; set the product's `crs`"):
        compare.regrid(str(tmp_path / "other.nc"), SETTINGS, x_axis=x_axis, y_axis=y_axis, crs="EPSG:3411")
    got = compare.regrid(
        str(tmp_path / "other.nc"), SETTINGS | {"crs": "EPSG:3413"}, x_axis=x_axis, y_axis=y_axis, crs="EPSG:3413"
    )
    assert np.isfinite(got.values).all()


def test_a_missing_variable_is_refused_naming_file_and_variable(tmp_path):
    other_product(tmp_path / "other.nc")
    with pytest.raises(InputError, match="other.nc: no variable 'sit' to compare with"):
        compare.regrid(
            str(tmp_path / "other.nc"),
            SETTINGS | {"variable": "sit"},
            x_axis=[0.0, 1.0],
            y_axis=[1.0, 0.0],
            crs="EPSG:3413",
        )

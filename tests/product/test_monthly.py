"""The monthly file's pieces held to independent computations: cell areas to geodesic polygon areas,
the regional table to sums written out by hand, the region mask's lookup (on a finer grid) to xarray's nearest cell."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from pyproj import Geod, Transformer

from icegp import grid
from icegp.product import monthly
from icegp.sources import nsidc_0780
from icegp.util.checks import InputError

CRS = "EPSG:3411"


@pytest.mark.parametrize("centre", [(0.0, 0.0), (1_500_000.0, -2_000_000.0), (-3_000_000.0, 1_000_000.0)])
def test_cell_area_is_the_geodesic_area_of_the_cell(centre):
    spacing = 25_000.0
    x_axis = centre[0] + spacing * np.array([-1.0, 0.0, 1.0])
    y_axis = centre[1] + spacing * np.array([1.0, 0.0, -1.0])
    area = monthly.cell_area(x_axis, y_axis, CRS).values[1, 1]
    # the cell's outline, densified, on the ellipsoid of the projection (Hughes 1980 for EPSG:3411)
    edge = np.linspace(-0.5, 0.5, 51)
    ring_x = centre[0] + spacing * np.r_[edge, np.full(51, 0.5), edge[::-1], np.full(51, -0.5)]
    ring_y = centre[1] + spacing * np.r_[np.full(51, -0.5), edge, np.full(51, 0.5), edge[::-1]]
    lon, lat = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True).transform(ring_x, ring_y)
    geod = Geod(a=6378273.0, rf=298.279411123064)  # the Hughes ellipsoid
    geodesic, _ = geod.polygon_area_perimeter(lon, lat)
    assert area == pytest.approx(abs(geodesic), rel=1e-4)
    assert area != pytest.approx(spacing**2, rel=1e-3) or centre == (0.0, 0.0)  # true at 70 N only


def small_monthly(concentration=True) -> xr.Dataset:
    """Two months on a 2 x 3 grid with regions 1, 2 and 12 and every number written out."""
    h = np.array([[[1.0, 2.0, 3.0], [4.0, np.nan, 6.0]], [[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]]])
    ds = xr.Dataset(
        {
            "sea_ice_thickness": (("time", "y", "x"), h),
            "cell_area": (("y", "x"), np.array([[1.0, 2.0, 1.0], [1.0, 1.0, 3.0]]) * 1e8),
            "region": (
                ("y", "x"),
                np.array([[1, 1, 2], [2, 12, 12]], "int8"),
                {"flag_values": np.array([0, 1, 2, 12]), "flag_meanings": "outside central beaufort caa"},
            ),
        },
        coords={
            "time": pd.to_datetime(["2019-04-01", "2019-05-01"]).values,
            "y": [100e3, 0.0],
            "x": [0.0, 100e3, 200e3],
        },
    )
    ds["sea_ice_thickness_std"] = xr.full_like(ds["sea_ice_thickness"], 0.1)
    if concentration:
        c = np.array([[[1.0, 0.5, 1.0], [1.0, 1.0, 0.5]], [[1.0, 1.0, 1.0], [np.nan, 1.0, 1.0]]])
        ds["sea_ice_area_fraction"] = (("time", "y", "x"), c)
    return ds


def test_regional_means_and_volumes_by_hand():
    table = monthly.regional(small_monthly(), "sea_ice_thickness", excluded=["caa"], correlation_m=150e3)
    table = table.set_index(["month", "region"])
    april = table.loc["2019-04"]
    # central: cells h=1 (A=1e8, c=1) and h=2 (A=2e8, c=0.5): ice area 2e8 m2, volume 3e8 m3
    assert april.loc["central", "ice_area_km2"] == pytest.approx(200.0)
    assert april.loc["central", "volume_km3"] == pytest.approx(0.3)
    assert april.loc["central", "mean_sea_ice_thickness"] == pytest.approx(1.5)
    # beaufort: h=3 (A=1e8, c=1) and h=4 (A=1e8, c=1)
    assert april.loc["beaufort", "mean_sea_ice_thickness"] == pytest.approx(3.5)
    assert "caa" not in april.index  # excluded
    assert april.loc["all", "volume_km3"] == pytest.approx(0.3 + 0.7)
    assert april.loc["all", "cells"] == 4
    may = table.loc["2019-05"]
    assert may.loc["beaufort", "cells"] == 1  # the cell without a concentration is not counted
    assert may.loc["all", "area_km2"] == pytest.approx(400.0)


@pytest.mark.parametrize("correlation_m", [1.0, 150e3, 1e9])
def test_regional_uncertainty_by_hand(correlation_m):
    """Every cell's std is 0.1 m. In 150 km squares the first two columns share a block and the third is
    its own: central's two cells add linearly, beaufort's (one in each) in quadrature; 1 m makes every
    cell independent, 1e9 m every cell one block."""
    table = monthly.regional(small_monthly(), "sea_ice_thickness", excluded=["caa"], correlation_m=correlation_m)
    april = table[table["month"] == "2019-04"].set_index("region")
    term = 0.1 * 1e8  # std x concentration x area of each of central's and beaufort's cells (m3)
    central = {1.0: np.hypot(term, term), 150e3: 2 * term, 1e9: 2 * term}[correlation_m]
    beaufort = {1.0: np.hypot(term, term), 150e3: np.hypot(term, term), 1e9: 2 * term}[correlation_m]
    assert april.loc["central", "volume_km3_std"] == pytest.approx(central / 1e9)
    assert april.loc["central", "mean_sea_ice_thickness_std"] == pytest.approx(central / 2e8)
    assert april.loc["beaufort", "volume_km3_std"] == pytest.approx(beaufort / 1e9)


def test_a_months_std_counts_one_sample_per_window():
    """Daily stds of 0.3 m: a month of 21 days of a 7-day window has 3 effective samples, 0.3 / sqrt(3);
    a month of 5 days within one window keeps 0.3."""
    mean_var = xr.DataArray([0.09, 0.09])
    n = xr.DataArray([21, 5])
    np.testing.assert_allclose(monthly.monthly_std(mean_var, n, window_days=7), [0.3 / np.sqrt(3), 0.3])


def test_regional_without_concentration_weights_by_cell_area():
    table = monthly.regional(small_monthly(concentration=False), "sea_ice_thickness", excluded=[], correlation_m=150e3)
    april = table[table["month"] == "2019-04"].set_index("region")
    assert april.loc["central", "mean_sea_ice_thickness"] == pytest.approx((1 * 1 + 2 * 2) / 3)
    assert april.loc["caa", "mean_sea_ice_thickness"] == pytest.approx(6.0)  # the NaN cell is left out
    assert "volume_km3" not in table and "ice_area_km2" not in table


def test_region_mask_round_trip_and_lookup(tmp_path):
    x, y = grid.grid_axes(grid.NSIDC_NORTH_EXTENT, 25_000.0)
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 19, size=(len(y), len(x)))
    path = tmp_path / nsidc_0780.FILE_NAME
    nsidc_0780.write_file(str(path), codes, x, y, CRS)
    read, names, mask_crs = nsidc_0780.read_file(str(path))
    assert names[12] == "canadian_archipelago" and names[nsidc_0780.LAND] == "land" and len(names) == 20
    np.testing.assert_array_equal(read.values, codes)
    # a coarser grid: the majority over the cell, held to an independent count in tests/test_regridding.py
    # a finer grid: the mask cell holding each centre, as xarray's nearest cell
    fine_x, fine_y = grid.grid_axes((-500_000, 500_000, -500_000, 500_000), 10_000.0)
    needed = np.ones((len(fine_y), len(fine_x)), bool)
    fine, without, filled = nsidc_0780.on_grid(read, mask_crs, fine_x, fine_y, "EPSG:3413", names=names, needed=needed)
    assert not without.any() and filled == 0
    xx, yy = np.meshgrid(fine_x, fine_y)
    fx, fy = Transformer.from_crs("EPSG:3413", CRS, always_xy=True).transform(xx, yy)
    with xr.open_dataset(path) as ds:
        nearest = ds["sea_ice_region"].sel(x=xr.DataArray(fx.ravel()), y=xr.DataArray(fy.ravel()), method="nearest")
    np.testing.assert_array_equal(fine.ravel(), nearest.values)


def test_a_truncated_region_mask_is_refused_naming_the_file(tmp_path):
    x, y = grid.grid_axes(grid.NSIDC_NORTH_EXTENT, 25_000.0)
    path = tmp_path / nsidc_0780.FILE_NAME
    nsidc_0780.write_file(str(path), np.ones((len(y), len(x))), x, y, CRS)
    path.write_bytes(path.read_bytes()[:2000])  # a transfer cut short
    with pytest.raises(InputError, match=f"{path}: cannot open as netCDF"):
        nsidc_0780.read_file(str(path))


def test_a_region_mask_off_its_axes_is_refused(tmp_path):
    path = tmp_path / "regions.nc"
    values = np.zeros((3, 2, 2), "uint8")
    attrs = {"flag_values": np.array([0], "uint8"), "flag_meanings": "outside"}
    xr.Dataset({"sea_ice_region": (("t", "y", "x"), values, attrs)}, coords={"x": [0, 1], "y": [1, 0]}).to_netcdf(path)
    with pytest.raises(InputError, match=f"{path}: sea_ice_region must lie on \\(y, x\\)"):
        nsidc_0780.read_file(str(path))


def test_a_region_mask_without_names_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "regions.nc"
    xr.Dataset(
        {"sea_ice_region": (("y", "x"), np.zeros((2, 2), "uint8"))}, coords={"x": [0, 1], "y": [1, 0]}
    ).to_netcdf(path)
    with pytest.raises(InputError, match=f"{path}: sea_ice_region needs flag_values"):
        nsidc_0780.read_file(str(path))


def test_the_monthly_file_averages_mapped_days_and_weighs_volume():
    x_axis, y_axis = np.array([0.0, 100e3]), np.array([100e3, 0.0])
    h = np.array([[[1.0, 2.0], [3.0, np.nan]], [[9.0, 9.0], [9.0, 9.0]], [[3.0, 2.0], [1.0, 4.0]]])
    dims = ("time", "y", "x")
    season = xr.Dataset(
        {
            "sea_ice_thickness": (dims, h, {"units": "m", "standard_name": "sea_ice_thickness"}),
            "sea_ice_thickness_std": (dims, np.full(h.shape, 0.2)),
            "day_status": ("time", np.array([0, 1, 0], "int8")),  # 2019-05-01 is a missing day
            "crs": ((), 0, grid.crs_cf_attrs(CRS)),
            "land_mask": (("y", "x"), np.zeros((2, 2), "int8")),
        },
        coords={
            "time": pd.to_datetime(["2019-04-30", "2019-05-01", "2019-05-02"]).values,
            "y": y_axis,
            "x": x_axis,
            "lat": (("y", "x"), np.full((2, 2), 85.0)),
            "lon": (("y", "x"), np.zeros((2, 2))),
        },
    )
    conc = xr.DataArray(
        np.array([[[1.0, 0.5], [1.0, 1.0]], [[0.5, 0.5], [0.5, np.nan]]]),
        dims=dims,
        coords={"time": pd.to_datetime(["2019-04-01", "2019-05-01"]).values},
    )
    without = np.array([[False, True], [False, False]])
    names = {0: "outside", 1: "central", 2: "beaufort", 12: "caa"}
    regions = monthly.Regions(np.array([[1, 1], [12, 2]]), names, without, filled=3)
    out = monthly.dataset(
        season,
        variable="sea_ice_thickness",
        crs=CRS,
        concentration=conc,
        regions=regions,
        excluded=["caa"],
        window_days=3,
        correlation_m=50e3,
    )
    np.testing.assert_array_equal(out["days_mapped"], [1, 1])
    np.testing.assert_allclose(out["sea_ice_thickness"].isel(time=1), h[2])  # the missing day is not averaged
    area = out["cell_area"].values
    np.testing.assert_allclose(out["sea_ice_volume"].isel(time=0), h[0] * conc.values[0] * area)
    april = np.nansum(np.where(regions.codes == 12, np.nan, h[0] * conc.values[0] * area)) / 1e9
    assert float(out["total_sea_ice_volume"].isel(time=0)) == pytest.approx(april)  # caa left out
    assert [str(b)[:10] for b in out["time_bnds"].values[:, 1]] == ["2019-05-01", "2019-06-01"]
    assert out["sea_ice_thickness"].attrs["cell_methods"] == "area: mean where sea_ice time: mean"
    assert out.attrs["icegp_excluded_regions"] == "caa"
    # April has one day, May two within a 3-day window: both keep the daily 0.2 m; 50 km blocks hold one
    # cell each, so the total's std is the cells' in quadrature
    np.testing.assert_allclose(out["sea_ice_thickness_std"].values[np.isfinite(out["sea_ice_thickness"].values)], 0.2)
    kept = np.isfinite(h[0]) & (regions.codes != 12)
    want = np.sqrt(np.sum((0.2 * conc.values[0] * area)[kept] ** 2)) / 1e9
    assert float(out["total_sea_ice_volume_std"].isel(time=0)) == pytest.approx(want)
    # May's estimate at (1, 1) has no concentration; (0, 1) has no region
    assert out.attrs["icegp_cells_without_concentration"] == 1
    assert out.attrs["icegp_cells_without_region"] == 1 and out.attrs["icegp_cells_region_filled"] == 3

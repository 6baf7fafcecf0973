"""Projection, grids and masks: lon/lat to the workflow CRS and back, grid axes, putting tables on a
grid (by exact lookup or by binning), and the land mask."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import xarray as xr
from pyproj import CRS, Transformer

#: Bounds of the NSIDC 25 km polar-stereographic north grid (EPSG:3411), cell edges in metres.
NSIDC_NORTH_EXTENT = (-3850000.0, 3750000.0, -5350000.0, 5850000.0)


@lru_cache(maxsize=16)
def _transformer(crs: str, inverse: bool) -> Transformer:
    src, dst = ("EPSG:4326", crs) if not inverse else (crs, "EPSG:4326")
    return Transformer.from_crs(CRS.from_user_input(src), CRS.from_user_input(dst), always_xy=True)


def lonlat_to_xy(lon, lat, crs: str):
    """Project longitude/latitude (degrees) to x, y metres in `crs`."""
    return _transformer(crs, False).transform(np.asarray(lon, float), np.asarray(lat, float))


def xy_to_lonlat(x, y, crs: str):
    """Inverse of :func:`lonlat_to_xy`; returns lon, lat in degrees."""
    return _transformer(crs, True).transform(np.asarray(x, float), np.asarray(y, float))


def crs_cf_attrs(crs: str) -> dict:
    """CF grid-mapping attributes for `crs` (what a `crs` variable in a netCDF product carries)."""
    c = CRS.from_user_input(crs)
    attrs = c.to_cf()
    if attrs.get("grid_mapping_name") == "polar_stereographic" and "latitude_of_projection_origin" not in attrs:
        # CF requires it (+-90, the pole); pyproj leaves it out for a variant-B projection, whose
        # standard parallel's hemisphere says which pole
        attrs["latitude_of_projection_origin"] = 90.0 if float(attrs["standard_parallel"]) > 0 else -90.0
    attrs["crs_wkt"] = c.to_wkt()
    attrs["spatial_ref"] = c.to_wkt()
    srs = c.to_authority()
    if srs:
        attrs["epsg_code"] = f"{srs[0]}:{srs[1]}"
    return attrs


def grid_axes(extent, spacing: float):
    """Cell-centre coordinates of a regular grid: x ascending, y descending (north-up, as NSIDC grids)."""
    xmin, xmax, ymin, ymax = (float(v) for v in extent)
    nx = int(round((xmax - xmin) / spacing))
    ny = int(round((ymax - ymin) / spacing))
    if nx < 1 or ny < 1:
        raise ValueError(f"grid extent {extent} is smaller than one cell of {spacing} m")
    x = xmin + spacing * (np.arange(nx) + 0.5)
    y = ymax - spacing * (np.arange(ny) + 0.5)
    return x, y


def is_ocean(lon, lat) -> np.ndarray:
    """Ocean mask from the global-land-mask package (1 km GLOBE data)."""
    from global_land_mask import globe

    lon = np.asarray(lon, float)
    lat = np.asarray(lat, float)
    lon = ((lon + 180.0) % 360.0) - 180.0
    return globe.is_ocean(np.clip(lat, -90, 90), lon)


def ocean_grid(extent, spacing: float, crs: str, min_lat: float | None = None):
    """Flattened cell centres of a grid, kept where ocean (and north of `min_lat` if given).

    Returns a dict of 1-D arrays x, y, lon, lat and the 2-D axes (x_axis, y_axis) the grid lives on.
    """
    xa, ya = grid_axes(extent, spacing)
    xx, yy = np.meshgrid(xa, ya)
    lon, lat = xy_to_lonlat(xx.ravel(), yy.ravel(), crs)
    keep = is_ocean(lon, lat)
    if min_lat is not None:
        keep &= lat >= min_lat
    return {
        "x": xx.ravel()[keep],
        "y": yy.ravel()[keep],
        "lon": lon[keep],
        "lat": lat[keep],
        "x_axis": xa,
        "y_axis": ya,
    }


def to_grid(df: pd.DataFrame, column: str, x_axis, y_axis, fill=np.nan) -> np.ndarray:
    """Scatter a per-location column onto the (y, x) grid by exact axis lookup."""
    grid = np.full((len(y_axis), len(x_axis)), fill, dtype=float)
    xi = pd.Index(x_axis).get_indexer(df["x"])
    yi = pd.Index(y_axis).get_indexer(df["y"])
    ok = (xi >= 0) & (yi >= 0)
    grid[yi[ok], xi[ok]] = df[column].to_numpy(float)[ok]
    return grid


def nearest_index(axis: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Index of the cell of an ascending axis of cell centres containing each value; -1 outside."""
    edges = (
        np.r_[axis[0] - (axis[1] - axis[0]) / 2, (axis[1:] + axis[:-1]) / 2, axis[-1] + (axis[-1] - axis[-2]) / 2]
        if len(axis) > 1
        else np.array([-np.inf, np.inf])
    )
    idx = np.searchsorted(edges, values, side="right") - 1
    return np.where((idx >= 0) & (idx < len(axis)), idx, -1)


def axis_index(axis: np.ndarray, values) -> np.ndarray:
    """:func:`nearest_index` on an axis that ascends or descends (NSIDC grids' y descends)."""
    axis, values = np.asarray(axis), np.asarray(values)
    if len(axis) > 1 and axis[0] > axis[-1]:
        up = nearest_index(axis[::-1], values)
        return np.where(up >= 0, len(axis) - 1 - up, -1)
    return nearest_index(axis, values)


def cell_of(x_axis, y_axis, x, y) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The (row, column) of the grid cell holding each point, and which points fall on the grid at all."""
    yi, xi = axis_index(y_axis, y), axis_index(x_axis, x)
    return yi, xi, (xi >= 0) & (yi >= 0)


def bin_to_grid(obs: pd.DataFrame, x_axis, y_axis) -> tuple[np.ndarray, np.ndarray]:
    """Mean of the window's observations per product cell (the binned input) and their count."""
    yi, xi, ok = cell_of(x_axis, y_axis, obs["x"].to_numpy(), obs["y"].to_numpy())
    s = np.zeros((len(y_axis), len(x_axis)))
    n = np.zeros_like(s)
    np.add.at(s, (yi[ok], xi[ok]), obs["obs"].to_numpy()[ok])
    np.add.at(n, (yi[ok], xi[ok]), 1)
    with np.errstate(invalid="ignore"):
        return np.where(n > 0, s / n, np.nan), n.astype("int32")


def land_mask(x_axis, y_axis, crs: str):
    """1 on land, 0 on ocean over the product grid, made once (by the grids job, which has the land
    mask loaded) so that maps draw land apart from open water and missing data."""
    xx, yy = np.meshgrid(x_axis, y_axis)
    land = ~is_ocean(*xy_to_lonlat(xx, yy, crs))
    return xr.DataArray(
        land.astype("int8"),
        dims=("y", "x"),
        coords={"y": y_axis, "x": x_axis},
        name="land_mask",
        attrs={
            "long_name": "land mask (global-land-mask)",
            "flag_values": np.array([0, 1], "int8"),
            "flag_meanings": "ocean land",
        },
    )


#: A map background's cells per product cell along each axis: coastlines 4x finer than the grid.
BACKGROUND_REFINE = 4
#: The meridians a map background draws (degrees east), each from 40 degrees to near the pole.
MERIDIANS = np.arange(0.0, 360.0, 45.0)
MERIDIAN_LATITUDES = np.linspace(40.0, 89.5, 200)


def map_background(x_axis, y_axis, crs: str) -> xr.Dataset:
    """Land and latitude on a grid BACKGROUND_REFINE times finer than the product's, over the same
    extent, and the MERIDIANS as lines in the grid's x and y (the hemisphere of the grid's centre):
    what maps draw land, coastlines and the graticule from, offline (global-land-mask's data ships
    with the package; no Natural Earth download)."""

    def finer(axis):
        step = (axis[1] - axis[0]) / BACKGROUND_REFINE
        return axis[0] - (axis[1] - axis[0]) / 2 + step * (np.arange(len(axis) * BACKGROUND_REFINE) + 0.5)

    fx, fy = finer(np.asarray(x_axis, float)), finer(np.asarray(y_axis, float))
    xx, yy = np.meshgrid(fx, fy)
    lon, lat = xy_to_lonlat(xx, yy, crs)
    hemisphere = 1.0 if np.nanmean(lat) >= 0 else -1.0
    meridian_lon, meridian_lat = np.meshgrid(MERIDIANS, hemisphere * MERIDIAN_LATITUDES, indexing="ij")
    mx, my = lonlat_to_xy(meridian_lon, meridian_lat, crs)
    return xr.Dataset(
        {
            "land": (("y", "x"), (~is_ocean(lon, lat)).astype("int8"), {"flag_meanings": "ocean land"}),
            "lat": (("y", "x"), lat.astype("float32"), {"units": "degrees_north"}),
            "meridian_x": (("meridian", "point"), mx, {"units": "m"}),
            "meridian_y": (("meridian", "point"), my, {"units": "m"}),
        },
        coords={"y": fy, "x": fx, "meridian": ("meridian", MERIDIANS, {"units": "degrees_east"})},
        attrs={"title": "map background: land (global-land-mask), latitude and meridians, finer than the product grid"},
    )

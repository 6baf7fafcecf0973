"""Projection, grids and masks: everything that turns lon/lat into the workflow CRS and back."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
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

"""NOAA/NSIDC Climate Data Record of sea-ice concentration (G02202), daily, northern hemisphere, on the
25 km NSIDC polar-stereographic grid: open water as pseudo-observations of zero, and the demo writer.

Layouts read: v4 (`seaice_conc_daily_nh_{YYYYMMDD}_f17_v04r00.nc`: `cdr_seaice_conc(tdim, y, x)`
with coordinates `xgrid`, `ygrid`) and v5/v6 (`sic_psn25_{YYYYMMDD}_F17_v05r00.nc`: `cdr_seaice_conc(time,
y, x)` with `x`, `y`). Concentration is stored as bytes of percent with `scale_factor` 0.01 (or as a
fraction in floats); stored values above 100 % are flags (251 pole hole, 252 lakes, 253 coast,
254 land, 255 missing), and are never observations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from icegp import grid
from icegp.util.atomic import write_netcdf
from icegp.util.checks import InputError, open_netcdf

VARIABLE = "cdr_seaice_conc"
CRS = "EPSG:3411"
SPACING = 25_000.0
FLAGS = {251: "pole_hole_mask", 252: "lakes", 253: "coastal", 254: "land_mask", 255: "missing_data"}


def grid_axes():
    return grid.grid_axes(grid.NSIDC_NORTH_EXTENT, SPACING)


def _coordinates(ds, path: str):
    for xname, yname in (("xgrid", "ygrid"), ("x", "y")):
        if xname in ds.variables and yname in ds.variables:
            return ds[xname].values.astype(float), ds[yname].values.astype(float)
    raise InputError(f"{path}: no grid coordinates (xgrid/ygrid or x/y); found {sorted(ds.variables)}")


def _check_grid(x, y, path: str) -> None:
    """The 25 km NSIDC north grid, x ascending and y descending, in metres."""
    xa, ya = grid_axes()
    same = x.shape == xa.shape and y.shape == ya.shape
    if not (same and np.allclose(x, xa, atol=1.0) and np.allclose(y, ya, atol=1.0)):
        raise InputError(
            f"{path}: grid is not the 25 km NSIDC polar-stereographic north grid "
            f"(x: {len(x)} values from {x[0]:.0f} m, y: {len(y)} from {y[0]:.0f} m; expected "
            f"{len(xa)} from {xa[0]:.0f} m and {len(ya)} from {ya[0]:.0f} m)"
        )


def _fraction(var, path: str):
    """Concentration as a fraction, NaN where flagged, from the stored values and their attributes."""
    stored = np.asarray(var.values)
    stored = stored[0] if stored.ndim == 3 else stored
    flags = np.asarray(var.attrs.get("flag_values", list(FLAGS)), float)
    if np.issubdtype(stored.dtype, np.integer):
        stored = np.where(stored < 0, stored + 256, stored).astype(float)  # bytes read without _Unsigned
        flagged = np.isin(stored, flags)
        fraction = stored * float(var.attrs.get("scale_factor", 0.01))
    else:  # fractions in floats, with flags stored raw (251) or scaled like the data (2.51)
        stored = stored.astype(float)
        flagged = ~np.isfinite(stored) | np.isin(np.round(stored), flags) | np.isin(np.round(stored * 100), flags)
        fraction = stored * float(var.attrs.get("scale_factor", 1.0))
    bad = ~flagged & ((fraction < 0) | (fraction > 1.0 + 1e-9))
    if bad.any():
        raise InputError(
            f"{path}: {VARIABLE} holds {int(bad.sum())} values that are neither a concentration "
            f"(0-100 %) nor a declared flag {sorted(int(f) for f in flags)}, e.g. "
            f"{stored[bad][0]:g} stored"
        )
    return np.where(flagged, np.nan, fraction)


def read_concentration(path: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The file's x and y axes (metres, EPSG:3411) and its concentration as a fraction (y, x), NaN
    where flagged (pole hole, lakes, coast, land, missing)."""
    with open_netcdf(path, mask_and_scale=False, decode_times=False) as ds:
        if VARIABLE not in ds.variables:
            raise InputError(
                f"{path}: no variable {VARIABLE!r} (a G02202 sea-ice concentration file); found {sorted(ds.variables)}"
            )
        x, y = _coordinates(ds, path)
        _check_grid(x, y, path)
        fraction = _fraction(ds[VARIABLE], path)
    if fraction.shape != (len(y), len(x)):
        raise InputError(f"{path}: {VARIABLE} has shape {fraction.shape}, the grid ({len(y)}, {len(x)})")
    return x, y, fraction


def read_file(path: str, cutoff: float = 0.15, coarsen: int = 1) -> pd.DataFrame:
    """Cells with concentration below `cutoff` as lon, lat, obs = 0 (open water has no ice); `coarsen`
    keeps every n-th cell in x and y."""
    x, y, fraction = read_concentration(path)
    step = max(int(coarsen), 1)
    xx, yy = np.meshgrid(x[::step], y[::step])
    fraction = fraction[::step, ::step]
    keep = np.isfinite(fraction) & (fraction < cutoff)
    lon, lat = grid.xy_to_lonlat(xx[keep], yy[keep], CRS)
    return pd.DataFrame({"lon": lon, "lat": lat, "obs": 0.0, "obs_unc": np.nan})


def write_file(path: str, day: str, stored: np.ndarray) -> None:
    """One day in the v4 layout: `stored` (448, 304) bytes of percent, or flags (the demo's output)."""
    import xarray as xr

    xa, ya = grid_axes()
    ds = xr.Dataset(
        {
            VARIABLE: (
                ("tdim", "y", "x"),
                stored[None].astype("uint8"),
                {
                    "long_name": "NOAA/NSIDC Climate Data Record of Passive Microwave Daily Northern Hemisphere "
                    "Sea Ice Concentration (synthetic)",
                    "standard_name": "sea_ice_area_fraction",
                    "units": "1",
                    "scale_factor": 0.01,
                    "valid_range": np.array([0, 100], "uint8"),
                    "flag_values": np.array(list(FLAGS), "uint8"),
                    "flag_meanings": " ".join(FLAGS.values()),
                    "grid_mapping": "projection",
                },
            ),
            "xgrid": (("x",), xa, {"units": "meters", "standard_name": "projection_x_coordinate"}),
            "ygrid": (("y",), ya, {"units": "meters", "standard_name": "projection_y_coordinate"}),
            "time": (
                ("tdim",),
                [(np.datetime64(day) - np.datetime64("1601-01-01")).astype(int)],
                {"units": "days since 1601-01-01 00:00:00", "calendar": "standard"},
            ),
        },
        attrs={
            "title": "synthetic sea ice concentration in the G02202 v4 layout (icegp demo)",
            "grid": "NSIDC polar stereographic north 25 km",
        },
    )
    write_netcdf(ds, path, engine="netcdf4", encoding={VARIABLE: {"zlib": True, "_FillValue": None}})

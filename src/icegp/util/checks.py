"""Plausibility checks shared by the readers: they turn silent garbage into errors that name the file."""

from __future__ import annotations

import numpy as np

#: Physically plausible ranges (metres) for the quantities the readers produce, after unit conversion.
PLAUSIBLE_M = {
    "ice_thickness": (-2.0, 20.0),
    "freeboard": (-1.0, 5.0),
    "snow_depth": (-0.5, 3.0),
}
UNIT_FACTORS = {
    "m": 1.0,
    "meter": 1.0,
    "meters": 1.0,
    "metre": 1.0,
    "metres": 1.0,
    "cm": 0.01,
    "centimeter": 0.01,
    "centimeters": 0.01,
    "mm": 0.001,
}


class InputError(ValueError):
    """Bad input data: the message names the file (or day, or key) and what is wrong."""


def to_metres(values, units, where: str, variable: str) -> np.ndarray:
    """Convert by the `units` attribute; an unknown unit is an error naming `where`."""
    if units is None:
        return np.asarray(values, float)
    key = str(units).strip().lower()
    if key not in UNIT_FACTORS:
        raise InputError(f"{where}: variable {variable!r} has units {units!r}; expected metres or centimetres")
    return np.asarray(values, float) * UNIT_FACTORS[key]


def check_plausible(values_m, where: str, variable: str, kind: str | None = None) -> None:
    """Reject values far outside the physical range (typically a unit mix-up such as cm stored as m)."""
    lo, hi = PLAUSIBLE_M.get(kind or variable, (-np.inf, np.inf))
    v = np.asarray(values_m, float)
    v = v[np.isfinite(v)]
    if v.size and (np.median(v) > hi or np.median(v) < lo or np.mean((v < lo) | (v > hi)) > 0.01):
        raise InputError(
            f"{where}: {variable!r} values are implausible for metres (median {np.median(v):.3g}, "
            f"expected within [{lo}, {hi}]); are they in the wrong units?"
        )


def check_no_inf(values, where: str, variable: str) -> None:
    v = np.asarray(values, float)
    n = int(np.isinf(v).sum())
    if n:
        raise InputError(f"{where}: {variable!r} has {n} infinite values")


def check_lonlat(lon, lat, where: str) -> None:
    lon = np.asarray(lon, float)
    lat = np.asarray(lat, float)
    bad = ~np.isfinite(lon) | ~np.isfinite(lat) | (np.abs(lat) > 90.0) | (lon < -180.0) | (lon > 360.0)
    if bad.any():
        i = int(np.argmax(bad))
        raise InputError(f"{where}: {int(bad.sum())} coordinates out of range (first: lon={lon[i]}, lat={lat[i]})")


#: Magic numbers of classic netCDF (CDF-1 and CDF-2), whose readers return zeros for a missing tail.
CLASSIC_MAGIC = (b"CDF\x01", b"CDF\x02")


def check_classic_whole(path: str) -> None:
    """A classic (netCDF-3) file must hold every byte its header promises: netCDF-C reads a truncated
    one without error and fills the missing tail with zeros, so its data are read here once in full
    (SciPy's reader fails on a short read). HDF5-based netCDF-4 files check themselves."""
    from scipy.io import netcdf_file

    with open(path, "rb") as fh:
        if fh.read(4) not in CLASSIC_MAGIC:
            return
    try:
        with netcdf_file(path, "r", mmap=False):
            pass
    except Exception as err:
        raise InputError(f"{path}: truncated or corrupt classic netCDF file ({type(err).__name__}: {err})") from err


def open_netcdf(path: str, **kwargs):
    """xarray.open_dataset with errors that name the file, refusing truncated classic files."""
    import xarray as xr

    try:
        check_classic_whole(path)
        return xr.open_dataset(path, **kwargs)
    except InputError:
        raise
    except Exception as err:
        raise InputError(f"{path}: cannot open as netCDF ({type(err).__name__}: {err})") from err

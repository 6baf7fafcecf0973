"""ICESat-2 IS2SITDAT4 along-track sea-ice files ("sm" 10 km sections): reader and demo writer."""

from __future__ import annotations

import numpy as np
import pandas as pd

from icegp.util import timestamps
from icegp.util.atomic import write_netcdf
from icegp.util.checks import InputError, check_lonlat, check_no_inf, check_plausible, open_netcdf, to_metres

DIM = "along_track_distance_section"
COORD_VARS = ("latitude", "longitude", "gps_seconds")
VARIABLES = ("ice_thickness", "freeboard", "snow_depth")


def read_file(path: str, variable: str, n_subsample: int = 1) -> pd.DataFrame:
    """One IS2SITDAT4 file as lon, lat, t, obs, obs_unc (metres, UTC days since 1970).

    Unlike the old reader, a missing variable is an error (no silent fallback to ice_thickness).
    """
    if variable not in VARIABLES:
        raise InputError(f"{path}: unknown variable {variable!r}; expected one of {VARIABLES}")
    with open_netcdf(path, decode_times=False, mask_and_scale=True) as ds:
        missing = [v for v in (*COORD_VARS, variable) if v not in ds.variables]
        if missing:
            raise InputError(
                f"{path}: missing variables {missing} (IS2SITDAT4 needs {list(COORD_VARS)} and {variable!r})"
            )
        if DIM not in ds.dims:
            raise InputError(f"{path}: missing dimension {DIM!r}; found {list(ds.dims)}")
        sub = ds.isel({DIM: slice(None, None, max(int(n_subsample), 1))})
        try:
            lat = sub["latitude"].values.astype(float)
            lon = sub["longitude"].values.astype(float)
            gps = sub["gps_seconds"].values.astype(float)
            raw = sub[variable].values.astype(float)
        except Exception as err:
            raise InputError(f"{path}: cannot read data ({type(err).__name__}: {err})") from err
        units = sub[variable].attrs.get("units")
        unc = None
        if variable == "ice_thickness" and "ice_thickness_unc" in sub.variables:
            unc = to_metres(
                sub["ice_thickness_unc"].values, sub["ice_thickness_unc"].attrs.get("units"), path, "ice_thickness_unc"
            )
    check_no_inf(raw, path, variable)
    obs = to_metres(raw, units, path, variable)
    check_plausible(obs, path, variable)
    keep = np.isfinite(obs) & np.isfinite(gps)
    check_lonlat(lon[keep], lat[keep], path)
    return pd.DataFrame(
        {
            "lon": lon[keep],
            "lat": lat[keep],
            "t": timestamps.gps_seconds_to_t(gps[keep]),
            "obs": obs[keep],
            "obs_unc": unc[keep] if unc is not None else np.full(int(keep.sum()), np.nan),
        }
    )


def write_file(path: str, arrays: dict) -> None:
    """Write one beam-day in the IS2SITDAT4 layout (the demo generator's output)."""
    import xarray as xr

    n = len(arrays["latitude"])
    m = {"units": "m"}
    ds = xr.Dataset(
        {
            "latitude": (DIM, arrays["latitude"], {"units": "degrees_north", "long_name": "latitude"}),
            "longitude": (DIM, arrays["longitude"], {"units": "degrees_east", "long_name": "longitude"}),
            "gps_seconds": (
                DIM,
                timestamps.t_to_gps_seconds(arrays["t"]),
                {"units": "seconds", "long_name": "GPS seconds since 1980-01-06T00:00:00"},
            ),
            "ice_thickness": (DIM, arrays["ice_thickness"], {**m, "long_name": "sea ice thickness"}),
            "ice_thickness_unc": (DIM, arrays["ice_thickness_unc"], {**m, "long_name": "thickness uncertainty"}),
            "freeboard": (DIM, arrays["freeboard"], {**m, "long_name": "total freeboard"}),
            "snow_depth": (DIM, arrays["snow_depth"], {**m, "long_name": "snow depth (NESOSIM)"}),
        },
        coords={DIM: np.arange(n)},
        attrs={"title": "synthetic IS2SITDAT4 along-track sea ice (icegp demo)"},
    )
    write_netcdf(ds, path, engine="netcdf4")

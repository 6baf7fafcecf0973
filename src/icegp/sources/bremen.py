"""Bremen SMOS/SMAP thin-ice thickness (v300, 12.5 km polar stereographic): reader and demo writer."""

from __future__ import annotations

import numpy as np
import pandas as pd

from icegp import grid
from icegp.util.atomic import write_netcdf
from icegp.util.checks import InputError, check_no_inf, open_netcdf, to_metres

THICKNESS_VARS = ("combined_thickness", "smap_thickness", "smos_thickness")  # in order of preference
#: The Bremen files' x, y are metres on the NSIDC polar-stereographic north grid.
BREMEN_CRS = "EPSG:3411"


def read_file(path: str, thickness_range=(0.0, 0.5), coarsen: int = 1) -> pd.DataFrame:
    """Valid thin-ice cells as lon, lat, obs (m): combined thickness, falling back to SMAP then SMOS.

    The range filter is inclusive; `coarsen` keeps every n-th cell in x and y (the old pipeline's stride).
    """
    with open_netcdf(path, decode_times=False) as ds:
        present = [v for v in THICKNESS_VARS if v in ds.variables]
        if not present or "x" not in ds.variables or "y" not in ds.variables:
            raise InputError(f"{path}: expected x, y and one of {list(THICKNESS_VARS)}; found {sorted(ds.variables)}")
        step = max(int(coarsen), 1)
        sub = ds.isel(x=slice(None, None, step), y=slice(None, None, step))
        try:
            x = sub["x"].values.astype(float)
            y = sub["y"].values.astype(float)
            layers = []
            for name in present:
                raw = sub[name].values.astype(float)
                check_no_inf(raw, path, name)
                layers.append(to_metres(raw, sub[name].attrs.get("units", "cm"), path, name))
        except InputError:
            raise
        except Exception as err:
            raise InputError(f"{path}: cannot read data ({type(err).__name__}: {err})") from err
    thickness = layers[0]
    for layer in layers[1:]:
        thickness = np.where(np.isfinite(thickness), thickness, layer)
    lo, hi = thickness_range
    finite = thickness[np.isfinite(thickness)]
    if finite.size and np.median(finite) > 20.0:
        raise InputError(
            f"{path}: thickness median {np.median(finite):.3g} m is implausible; "
            "check the units attribute (Bremen files store cm)"
        )
    if thickness.shape != (len(y), len(x)):
        raise InputError(
            f"{path}: thickness has shape {thickness.shape} but the file's y, x have "
            f"{len(y)} and {len(x)} values; expected (y, x) = ({len(y)}, {len(x)})"
        )
    xx, yy = np.meshgrid(x, y)
    keep = np.isfinite(thickness) & (thickness >= lo) & (thickness <= hi)
    lon, lat = grid.xy_to_lonlat(xx[keep], yy[keep], BREMEN_CRS)
    return pd.DataFrame({"lon": lon, "lat": lat, "obs": thickness[keep], "obs_unc": np.nan})


def write_file(path: str, fields: dict) -> None:
    """Write one day in the Bremen v300 layout, thickness in cm (the demo generator's output)."""
    import xarray as xr

    cm = {"units": "cm"}
    ds = xr.Dataset(
        {
            name: (("y", "x"), fields[name].astype("float32"), {**cm, "long_name": name.replace("_", " ")})
            for name in THICKNESS_VARS
        },
        coords={
            "x": ("x", fields["x"], {"units": "m", "standard_name": "projection_x_coordinate"}),
            "y": ("y", fields["y"], {"units": "m", "standard_name": "projection_y_coordinate"}),
        },
        attrs={
            "title": "synthetic SMOS/SMAP thin sea ice thickness (icegp demo)",
            "grid": "NSIDC polar stereographic north 12.5 km",
        },
    )
    encoding = {name: {"zlib": True, "complevel": 4} for name in THICKNESS_VARS}
    write_netcdf(ds, path, engine="netcdf4", encoding=encoding)

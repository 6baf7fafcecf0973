"""Region masks in the NSIDC-0780 layout (Sea Ice Regional Masks for the Arctic, v1): a variable
`sea_ice_region` on projected `x`/`y` axes in metres, its codes named by CF `flag_values` and
`flag_meanings` (1 central_arctic ... 12 canadian_archipelago ...), and a CF grid mapping. The names
are read from the file, so a config names regions as the file does."""

from __future__ import annotations

import numpy as np
import xarray as xr
from pyproj import CRS

from icegp import grid, regridding
from icegp.util.atomic import write_netcdf
from icegp.util.checks import InputError, open_netcdf

VARIABLE = "sea_ice_region"
#: The demo's code for land (NSIDC's masks mark land apart from the sea outside their regions).
LAND = 30
#: NSIDC-0780 v1's region codes and names, and the demo's own code for land (what its file carries).
REGIONS = {
    0: "outside_of_defined_regions",
    1: "central_arctic",
    2: "beaufort_sea",
    3: "chukchi_sea",
    4: "east_siberian_sea",
    5: "laptev_sea",
    6: "kara_sea",
    7: "barents_sea",
    8: "east_greenland_sea",
    9: "baffin_bay_and_davis_strait",
    10: "gulf_of_st_lawrence",
    11: "hudson_bay",
    12: "canadian_archipelago",
    13: "bering_sea",
    14: "sea_of_okhotsk",
    15: "sea_of_japan",
    16: "bohai_sea",
    17: "gulf_of_bothnia_baltic_sea",
    18: "gulf_of_alaska",
    LAND: "land",
}
#: Words of a code's name that say it is not water (NSIDC's masks mark land, coast and lakes).
NOT_WATER = {"land", "coast", "lake", "lakes"}
FILE_NAME = "NSIDC-0780_SeaIceRegions_PS-N25km_v1.0.nc"


def read_file(path: str) -> tuple[xr.DataArray, dict[int, str], str]:
    """The region codes (y, x) with their x/y axes, the names by code, and the mask's CRS."""
    with open_netcdf(path) as ds:
        if VARIABLE not in ds.variables:
            raise InputError(
                f"{path}: no variable {VARIABLE!r} (an NSIDC-0780 region mask); found {sorted(ds.variables)}"
            )
        var = ds[VARIABLE]
        if var.dims != ("y", "x") or "x" not in ds.coords or "y" not in ds.coords:
            raise InputError(f"{path}: {VARIABLE} must lie on (y, x) coordinates in metres, not {var.dims}")
        values, meanings = var.attrs.get("flag_values"), str(var.attrs.get("flag_meanings", "")).split()
        if values is None or len(np.atleast_1d(values)) != len(meanings):
            raise InputError(
                f"{path}: {VARIABLE} needs flag_values and as many flag_meanings "
                f"({0 if values is None else len(np.atleast_1d(values))} values, {len(meanings)} meanings)"
            )
        mapping = var.attrs.get("grid_mapping")
        try:
            crs = CRS.from_cf(ds[mapping].attrs).to_wkt()
        except Exception as err:  # pyproj's errors for a mapping it cannot read are of several kinds
            raise InputError(
                f"{path}: the grid mapping {mapping!r} of {VARIABLE} is not a CF grid mapping ({err})"
            ) from None
        codes = var.astype("int16").load()
    return codes, {int(v): m for v, m in zip(np.atleast_1d(values), meanings)}, crs


def land_codes(names: dict[int, str]) -> tuple[int, ...]:
    """The codes a mask names land, coast or lake: not water, so never a cell's region."""
    return tuple(code for code, name in names.items() if set(name.lower().split("_")) & NOT_WATER)


def on_grid(
    codes: xr.DataArray, mask_crs: str, x_axis, y_axis, crs: str, *, names: dict[int, str], needed: np.ndarray
) -> tuple[np.ndarray, np.ndarray, int]:
    """Each of our cells' region, the most common water code over the cell (`icegp.regridding`; 0,
    outside every region, only where no other code is); a `needed` cell (with an estimate) the mask
    has on land takes the nearest water code within `regridding.FILL_SPACINGS`. Returns the codes,
    which cells have no region, and how many were filled."""
    lookup = regridding.Regridder(
        regridding.Grid(codes["x"].values, codes["y"].values, mask_crs), regridding.Grid(x_axis, y_axis, crs)
    )
    return lookup.majority(
        codes.values, background=0, land=land_codes(names), fill_within=lookup.fill_reach, fill_where=needed
    )


def write_file(path: str, codes: np.ndarray, x_axis, y_axis, crs: str) -> None:
    """A region mask in the NSIDC-0780 layout (the demo's)."""
    ds = xr.Dataset(
        {
            VARIABLE: (
                ("y", "x"),
                codes.astype("uint8"),
                {
                    "long_name": "NSIDC-0780 sea ice regions (synthetic sectors for the icegp demo)",
                    "flag_values": np.array(list(REGIONS), "uint8"),
                    "flag_meanings": " ".join(REGIONS.values()),
                    "grid_mapping": "crs",
                },
            ),
            "crs": ((), 0, grid.crs_cf_attrs(crs)),
        },
        coords={
            "x": ("x", x_axis, {"units": "meters", "standard_name": "projection_x_coordinate"}),
            "y": ("y", y_axis, {"units": "meters", "standard_name": "projection_y_coordinate"}),
        },
        attrs={"title": "synthetic sea ice region mask in the NSIDC-0780 layout (icegp demo)"},
    )
    write_netcdf(ds, path, encoding={VARIABLE: {"zlib": True, "_FillValue": None}})

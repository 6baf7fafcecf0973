"""The demo's files in the real input formats: one day of the synthetic Arctic, and its region mask."""

from __future__ import annotations

import numpy as np

from icegp import grid
from icegp.demo import synthetic
from icegp.sources import bremen, is2sitdat4, nsidc_0780, nsidc_cdr
from icegp.util import timestamps
from icegp.util.atomic import write_netcdf


def truth_dataset(day: str, seed: int, crs: str, grid_cfg, ocean):
    """The true thickness and freeboard at noon of `day` on the product grid (NaN off the ice)."""
    import xarray as xr

    xa, ya = grid.grid_axes(grid_cfg["extent"], grid_cfg["grid_spacing"])
    xx, yy = np.meshgrid(xa, ya)
    lon, lat = grid.xy_to_lonlat(xx, yy, crs)
    h = synthetic.truth_thickness(lon, lat, timestamps.day_centre(day), seed, ocean)
    return xr.Dataset(
        {
            "sea_ice_thickness": (("y", "x"), h, {"units": "m", "long_name": "true sea ice thickness (synthetic)"}),
            "sea_ice_freeboard": (
                ("y", "x"),
                synthetic.FREEBOARD_PER_THICKNESS * h,
                {"units": "m", "long_name": "true sea ice freeboard (synthetic)"},
            ),
        },
        coords={"x": ("x", xa, {"units": "m"}), "y": ("y", ya, {"units": "m"})},
        attrs={"day": day, "crs": crs, "seed": seed},
    )


def write_day(ymd: str, demo_cfg, beams, crs: str, grid_cfg, ocean, output) -> None:
    """All files of one demo day; `ocean` is the :class:`~icegp.demo.synthetic.OceanMask`."""
    day = f"{ymd[:4]}-{ymd[4:6]}-{ymd[6:]}"
    scale = synthetic.SCALES[demo_cfg["scale"]]
    seed = int(demo_cfg["seed"])
    for beam, arrays in synthetic.is2_day(day, seed, scale, beams, ocean).items():
        path = next(p for p in output.is2 if f"_{beam}_" in p)
        is2sitdat4.write_file(path, arrays)
    bremen.write_file(output.smap, synthetic.smap_day(day, seed, scale, ocean))
    nsidc_cdr.write_file(output.sic, day, synthetic.sic_day(day, seed, ocean))
    write_netcdf(truth_dataset(day, seed, crs, grid_cfg, ocean), output.truth)
    write_other_product(output.compare, *synthetic.other_product_day(day, seed, ocean))


def write_other_product(path: str, x, y, thickness) -> None:
    """The demo's product to compare with: a thickness map on the NSIDC 25 km grid with its grid mapping."""
    import xarray as xr

    ds = xr.Dataset(
        {
            "sea_ice_thickness": (
                ("y", "x"),
                thickness.astype("float32"),
                {"units": "m", "long_name": "sea ice thickness of another product (synthetic)", "grid_mapping": "crs"},
            ),
            "crs": ((), 0, grid.crs_cf_attrs(synthetic.TRUTH_CRS)),
        },
        coords={"x": ("x", x, {"units": "m"}), "y": ("y", y, {"units": "m"})},
        attrs={"title": "another sea ice thickness product to compare with (icegp demo)"},
    )
    write_netcdf(ds, path, encoding={"sea_ice_thickness": {"zlib": True}})


def write_regions(path: str, ocean) -> None:
    """The demo's region mask, in the NSIDC-0780 layout on the NSIDC 25 km north grid: its sectors
    (:func:`~icegp.demo.synthetic.region_codes`) over the ocean, its own code on land."""
    x, y = nsidc_cdr.grid_axes()
    xx, yy = np.meshgrid(x, y)
    lon, lat = grid.xy_to_lonlat(xx, yy, nsidc_cdr.CRS)
    codes = np.where(ocean(lon, lat), synthetic.region_codes(lon, lat), nsidc_0780.LAND)
    nsidc_0780.write_file(path, codes, x, y, nsidc_cdr.CRS)

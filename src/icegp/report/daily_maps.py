"""The daily product's maps: the estimate, its standard deviation, the difference from the truth
and from compared products (see :mod:`.maps` for how a map is drawn)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from icegp.report.maps import axis_label, first_time, joined_title, land_of, symmetric_limit, time_label, write_map


def product_maps(
    ds: xr.Dataset,
    variable: str,
    paths,
    *,
    vmax: float,
    std_vmax: float,
    truth: xr.DataArray | None = None,
    background: xr.Dataset | None = None,
) -> list[Path]:
    """Maps of the product, its standard deviation and the binned input to `paths["product"]`,
    `["std"]`, `["input"]` (and product − truth to `["difference"]` when a truth field on the same
    grid is given); the scales start at zero and end at `vmax` (`std_vmax`), so every day of a season
    is drawn alike; returns the written paths."""
    field = first_time(ds[variable])
    std = first_time(ds[f"{variable}_std"])
    binned = first_time(ds[f"{variable}_input"])
    units = ds[variable].attrs.get("units", "")
    when = joined_title(time_label(ds[variable]), "(missing day)" if ds.attrs.get("day_status") == "missing" else "")
    land = land_of(ds)
    shown = {"land": land, "background": background, "cmap": "viridis"}
    std_units = ds[f"{variable}_std"].attrs.get("units", units)
    drawn = {  # name: (field, what, label, top of the scale)
        "product": (field, variable, axis_label(variable, units), vmax),
        "std": (std, "standard deviation", axis_label("standard deviation", std_units), std_vmax),
        "input": (binned, "binned input", axis_label(variable, units), vmax),
    }
    written = [
        write_map(shown_field, Path(paths[name]), joined_title(what, when), label, vmin=0.0, vmax=top, **shown)
        for name, (shown_field, what, label, top) in drawn.items()
    ]
    if truth is not None:
        written.append(_difference_map(field, truth, Path(paths["difference"]), units, when, background=background))
    return written


def _difference_map(
    field: xr.DataArray, truth: xr.DataArray, path: Path, units: str, when: str, background: xr.Dataset | None = None
) -> Path:
    """product − truth on a diverging scale centred at 0; bias and RMSE in the title."""
    field, truth = xr.align(field, truth.transpose("y", "x"), join="exact")  # a grid mismatch raises
    return _difference(field - truth, path, what="product − truth", when=when, units=units, background=background)


def comparison_map(
    field: xr.DataArray, other: xr.DataArray, path, *, name: str, background: xr.Dataset | None = None
) -> Path:
    """The product minus another product regridded to its cells (`name` in the title)."""
    field = first_time(field)
    diff = field - other.transpose("y", "x")
    units = field.attrs.get("units", "")
    return _difference(
        diff, Path(path), what=f"product − {name}", when=time_label(field), units=units, background=background
    )


def _difference(diff: xr.DataArray, path: Path, *, what: str, when: str, units: str, background) -> Path:
    values = diff.values[np.isfinite(diff.values)]
    stats = f"bias {values.mean():.3g}, RMSE {np.sqrt((values**2).mean()):.3g}" if values.size else "no overlap"
    limit = symmetric_limit(diff.values)
    return write_map(
        diff,
        path,
        joined_title(what, when, f"({stats})"),
        axis_label("difference", units),
        background=background,
        cmap="RdBu_r",
        vmin=-limit,
        vmax=limit,
    )

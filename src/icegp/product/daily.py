"""Blend overlapping expert predictions and write the CF-1.8 daily product."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from icegp import __version__, grid
from icegp.util import timestamps
from icegp.util.time_window import TimeWindow

#: What each product variable is, in CF terms. Every one is a mean over the ice-covered part of the cell
#: (`area: mean where sea_ice`): along-track thickness, freeboard and snow depth are measured on floes
#: and leads are not averaged in as zeros, which is why the monthly volume multiplies the thickness by
#: the concentration.
VARIABLES = {
    "sea_ice_thickness": {"standard_name": "sea_ice_thickness", "long_name": "sea ice thickness"},
    "sea_ice_freeboard": {"standard_name": "sea_ice_freeboard", "long_name": "sea ice total freeboard"},
    "surface_snow_thickness": {"standard_name": "surface_snow_thickness", "long_name": "snow depth on sea ice"},
}
ICE_MEAN = "area: mean where sea_ice"


def axes(prediction_cfg: dict, locations: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The product grid: the configured grid, or the lattice of a locations_file's unique x and y."""
    if prediction_cfg["locations_file"]:
        return np.sort(locations["x"].unique()), np.sort(locations["y"].unique())[::-1]
    return grid.grid_axes(prediction_cfg["extent"], prediction_cfg["grid_spacing"])


def blend(preds: pd.DataFrame, length_scale: float) -> pd.DataFrame:
    """Gaussian distance-weighted blend per location: mean, mixture standard deviation, expert count.

    The variance is the mixture's (law of total variance: weighted mean of f_var plus the weighted
    spread of the experts' means), so disagreement between experts shows as uncertainty.
    """
    d2 = (preds["x"] - preds["expert_x"]) ** 2 + (preds["y"] - preds["expert_y"]) ** 2
    w = np.exp(-0.5 * d2.to_numpy() / length_scale**2)
    df = pd.DataFrame(
        {
            "x": preds["x"].to_numpy(),
            "y": preds["y"].to_numpy(),
            "w": w,
            "wf": w * preds["f_mean"].to_numpy(),
            "wm2": w * (preds["f_var"].to_numpy() + preds["f_mean"].to_numpy() ** 2),
            "n": 1,
        }
    )
    g = df.groupby(["x", "y"], sort=False).sum()
    mean = g["wf"] / g["w"]
    var = np.maximum(g["wm2"] / g["w"] - mean**2, 0.0)
    return pd.DataFrame(
        {
            "x": g.index.get_level_values(0),
            "y": g.index.get_level_values(1),
            "mean": mean.to_numpy(),
            "std": np.sqrt(var.to_numpy()),
            "n_experts": g["n"].to_numpy(),
        }
    )


#: The global attributes of a missing day's product (`missing_days: skip` and no observations in the
#: target's window): the file exists so that a season can say which day is missing, every field is.
MISSING_DAY = {
    "day_status": "missing",
    "comment": "no observations in the window of this target date (missing_days: skip; the days skipped and "
    "why are in observations.json): every field is missing",
}


def dataset(
    blended: pd.DataFrame,
    obs: pd.DataFrame,
    *,
    x_axis,
    y_axis,
    target: str,
    variable: str,
    crs: str,
    config: dict,
    land,
):
    """The CF-1.8 / ACDD-1.3 product as an xarray Dataset with dims (time, y, x); `land` from
    :func:`land_mask`, `config` the provenance (:func:`icegp.config.rerun.provenance`): its `metadata` and
    window become discovery attributes and the time bounds."""
    import xarray as xr

    xx, yy = np.meshgrid(x_axis, y_axis)
    lon, lat = grid.xy_to_lonlat(xx, yy, crs)
    meta = VARIABLES[variable]
    dims = ("time", "y", "x")
    common = {"grid_mapping": "crs", "coordinates": "lat lon"}
    binned, counts = grid.bin_to_grid(obs, x_axis, y_axis)
    estimate = grid.to_grid(blended, "mean", x_axis, y_axis)
    bounds = TimeWindow.of(config, target).bounds
    now = pd.Timestamp.now("UTC")
    ds = xr.Dataset(
        {
            variable: (
                dims,
                estimate[None],
                {
                    **meta,
                    "units": "m",
                    **common,
                    "coverage_content_type": "modelResult",
                    "ancillary_variables": f"{variable}_std n_experts",
                    "cell_methods": f"{ICE_MEAN} time: mean (interval: 1 day comment: an estimate at the window's "
                    "centre)",
                    "comment": "Gaussian-process local-expert optimal interpolation, experts blended with "
                    "Gaussian distance weights; negative values are kept (they are the estimate)",
                },
            ),
            f"{variable}_std": (
                dims,
                grid.to_grid(blended, "std", x_axis, y_axis)[None],
                {
                    "long_name": f"standard deviation of {meta['long_name']}",
                    "units": "m",
                    "standard_name": f"{meta['standard_name']} standard_error",
                    "coverage_content_type": "qualityInformation",
                    **common,
                },
            ),
            f"{variable}_input": (
                dims,
                binned[None],
                {
                    "standard_name": meta["standard_name"],
                    "long_name": f"{meta['long_name']} observations binned to the grid (mean over the window)",
                    "units": "m",
                    "coverage_content_type": "physicalMeasurement",
                    "cell_methods": f"time: mean {ICE_MEAN}",
                    "ancillary_variables": "n_obs",
                    **common,
                },
            ),
            "n_obs": (
                dims,
                counts[None],
                {
                    "standard_name": "number_of_observations",
                    "long_name": "observations in the cell over the window (behind the binned input)",
                    "units": "1",
                    "coverage_content_type": "auxiliaryInformation",
                    **common,
                },
            ),
            "n_experts": (
                dims,
                grid.to_grid(blended, "n_experts", x_axis, y_axis, 0)[None].astype("int32"),
                {
                    "standard_name": "number_of_observations",
                    "long_name": "number of local experts whose estimates are blended into the value",
                    "units": "1",
                    "coverage_content_type": "auxiliaryInformation",
                    **common,
                },
            ),
            "time_bnds": (("time", "nv"), np.array([bounds])),
            "lat": (
                ("y", "x"),
                lat,
                {"standard_name": "latitude", "long_name": "latitude", "units": "degrees_north"},
            ),
            "lon": (
                ("y", "x"),
                lon,
                {"standard_name": "longitude", "long_name": "longitude", "units": "degrees_east"},
            ),
            "land_mask": (("y", "x"), np.asarray(land, "int8"), {**land.attrs, "grid_mapping": "crs"}),
            "crs": ((), np.int32(0), grid.crs_cf_attrs(crs)),
        },
        coords={
            "time": (
                "time",
                [timestamps.day_to_t(target)],
                {
                    "standard_name": "time",
                    "units": "days since 1970-01-01 00:00:00",
                    "calendar": "standard",
                    "long_name": "target date",
                    "bounds": "time_bnds",
                    "axis": "T",
                },
            ),
            "y": (
                "y",
                y_axis,
                {"standard_name": "projection_y_coordinate", "long_name": "y", "units": "m", "axis": "Y"},
            ),
            "x": (
                "x",
                x_axis,
                {"standard_name": "projection_x_coordinate", "long_name": "x", "units": "m", "axis": "X"},
            ),
        },
        attrs={
            "Conventions": "CF-1.8, ACDD-1.3",
            "title": f"Daily {meta['long_name']} from GP local-expert interpolation, {target}",
            "source": f"icegp {__version__} (Gaussian-process local-expert optimal interpolation)",
            "icegp_version": __version__,
            "target_date": target,
            "history": f"{now.isoformat()} created by icegp {__version__}",
            **discovery(config, meta=meta, target=target, bounds=bounds, created=now, lat=lat, lon=lon),
            "icegp_negative_cells": int(np.sum(estimate < 0)),
            "icegp_config": json.dumps(config, sort_keys=True, default=str),
        },
    )
    return ds


def discovery(config: dict, *, meta: dict, target: str, bounds, created: pd.Timestamp, lat, lon) -> dict:
    """ACDD-1.3 global attributes: the user's part from the config's `metadata` (empty values left
    out), a summary made from the product when none is given, and the time and space covered."""
    user = {k: v for k, v in config["metadata"].items() if v not in ("", None)}
    window = round(bounds[1] - bounds[0])  # days
    summary = (
        f"Daily map of {meta['long_name']} for {target} on the {config['crs']} grid, interpolated from "
        f"sparse satellite observations of a {window}-day window centred on the day by Gaussian-process "
        "local-expert optimal interpolation, with its standard deviation, the binned input and the "
        "number of observations and experts behind each cell."
    )
    start, end = (pd.Timestamp(b, unit="D").isoformat() + "Z" for b in bounds)
    return {
        "summary": summary,
        **user,
        "date_created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "standard_name_vocabulary": "CF Standard Name Table v93",
        "time_coverage_start": start,
        "time_coverage_end": end,
        "time_coverage_duration": f"P{window}D",
        "time_coverage_resolution": "P1D",
        "geospatial_lat_min": float(np.nanmin(lat)),
        "geospatial_lat_max": float(np.nanmax(lat)),
        "geospatial_lon_min": float(np.nanmin(lon)),
        "geospatial_lon_max": float(np.nanmax(lon)),
        "geospatial_lat_units": "degrees_north",
        "geospatial_lon_units": "degrees_east",
        "geospatial_bounds_crs": "EPSG:4326",
    }


def encoding(ds) -> dict:
    """Compressed; the estimates stored as float32 (a thickness to 0.1 mm and less is noise), missing
    values as NaN; coordinate variables without a _FillValue (CF)."""
    enc: dict[str, dict] = {
        v: {"zlib": True, "complevel": 4, "dtype": "float32", "_FillValue": np.float32(np.nan)}
        for v in ds.data_vars
        if ds[v].dtype.kind == "f" and ds[v].ndim >= 2 and v not in ("lat", "lon")
    }
    enc |= {v: {"zlib": True, "complevel": 4} for v in ("n_experts", "n_obs", "lat", "lon") if v in ds}
    enc["time"] = {"dtype": "float64"}
    enc["time_bnds"] = {"dtype": "float64", "_FillValue": None}
    for axis in ("time", "y", "x"):  # CF: a coordinate variable has no missing values, so no _FillValue
        enc.setdefault(axis, {})["_FillValue"] = None
    return enc

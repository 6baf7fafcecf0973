"""The job of workflow/rules/grids.smk: a run's expert and prediction grids, land mask and map background."""

from __future__ import annotations

import logging

import icegp.experts.prediction
import icegp.experts.selection
from icegp import grid
from icegp.product import daily
from icegp.util.atomic import write_netcdf, write_parquet

log = logging.getLogger(__name__)


def grids(
    *,
    experts: dict,
    expert_time_stamps: str,
    prediction: dict,
    crs: str,
    expert_locations: list[str],
    prediction_locations: list[str],
    candidates: str,
    locations: str,
    land: str,
    background: str,
) -> None:
    """Candidate expert locations, prediction locations, the product grid's land mask and the maps'
    background (land and latitude on a finer grid), made once. `expert_locations` and
    `prediction_locations` are the locations files the DAG gave (none: the grids of the `experts` and
    `prediction` settings)."""
    cand = icegp.experts.selection.candidates(
        experts, crs, expert_time_stamps, locations_file=next(iter(expert_locations), None)
    )
    locs = icegp.experts.prediction.locations(prediction, crs, locations_file=next(iter(prediction_locations), None))
    write_parquet(cand, candidates, {"crs": crs})
    write_parquet(locs, locations, {"crs": crs})
    x_axis, y_axis = daily.axes(prediction, locs)
    write_netcdf(grid.land_mask(x_axis, y_axis, crs), land)
    write_netcdf(grid.map_background(x_axis, y_axis, crs), background, encoding={"land": {"zlib": True}})
    log.info("%d candidate experts, %d prediction locations", len(cand), len(locs))

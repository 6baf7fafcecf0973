"""Jobs of workflow/rules/product.smk and season.smk: the product, its validation, its plots, the season
and its monthly file."""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
import pandas as pd
import xarray as xr

import icegp.validation.compare
from icegp.experts.prediction import read_hyperparameters
from icegp.gp.engines import Engine
from icegp.product import daily
from icegp.util.atomic import write_json, write_netcdf
from icegp.util.time_window import TimeWindow
from icegp.validation import scores

log = logging.getLogger(__name__)


def product(
    *,
    preds,
    obs: str,
    locations: str,
    land: str,
    output: str,
    target: str,
    prediction: dict,
    variable: str,
    crs: str,
    provenance: dict,
) -> xr.Dataset:
    """Blend the predict shards into the CF-1.8 product, recording the config that made it."""
    table = pd.concat([pd.read_parquet(f) for f in preds], ignore_index=True)
    observations = pd.read_parquet(obs)
    if table.empty and not observations.empty:
        raise ValueError(f"target {target}: no expert predicted anything (inputs {list(preds)})")
    x_axis, y_axis, mask = product_grid(prediction, pd.read_parquet(locations), land)
    ds = product_dataset(
        table,
        observations,
        x_axis=x_axis,
        y_axis=y_axis,
        land=mask,
        target=target,
        prediction=prediction,
        variable=variable,
        crs=crs,
        provenance=provenance,
    )
    write_netcdf(ds, output, encoding=daily.encoding(ds))
    return ds


def product_grid(prediction: dict, locations: pd.DataFrame, land: str):
    """The product grid's axes and its land mask (`land`), refusing a mask made for another grid."""
    x_axis, y_axis = daily.axes(prediction, locations)
    with xr.open_dataarray(land) as mask:
        mask = mask.load()
    if not (np.array_equal(mask["x"], x_axis) and np.array_equal(mask["y"], y_axis)):
        raise ValueError(f"{land}: made for another product grid; re-run the grids rule")
    return x_axis, y_axis, mask


def product_dataset(
    table: pd.DataFrame,
    observations: pd.DataFrame,
    *,
    x_axis,
    y_axis,
    land: xr.DataArray,
    target: str,
    prediction: dict,
    variable: str,
    crs: str,
    provenance: dict,
) -> xr.Dataset:
    """The day's product from its experts' predictions (`table`) and its window: what the product job
    writes, and the chunk job for each of its days."""
    blended = daily.blend(table, prediction["blend_length_scale"])
    ds = daily.dataset(
        blended,
        observations,
        x_axis=x_axis,
        y_axis=y_axis,
        target=target,
        variable=variable,
        crs=crs,
        config=provenance,
        land=land,
    )
    if observations.empty:  # only with missing_days: skip (see observations.json)
        ds.attrs.update(daily.MISSING_DAY)
        log.warning("target %s: a missing day: no observations in its window, every field is missing", target)
    if ds.attrs["icegp_negative_cells"]:  # kept: the estimate, which a user may clip
        log.warning(
            "target %s: %d cells below zero (kept, counted as icegp_negative_cells)",
            target,
            ds.attrs["icegp_negative_cells"],
        )
    log.info("%d cells predicted by up to %d experts", len(blended), blended["n_experts"].max() if len(blended) else 0)
    return ds


def validate(
    *,
    product_file: str,
    obs: str,
    experts_file: str,
    hyperparameters: str,
    truth,
    compare: dict[str, str],
    output: str,
    target: str,
    variable: str,
    crs: str,
    training_radius: float,
    num_days_before_after: int,
    validation: dict,
    along_track,
    engine: Engine,
) -> dict:
    """Score the product against the truth (the demo's, when given), other products (`compare`: name
    -> the day's file) and held-out tracks."""
    with xr.open_dataset(product_file) as ds:
        report = validation_report(
            ds,
            pd.read_parquet(obs),
            pd.read_parquet(experts_file),
            read_hyperparameters(hyperparameters, crs, target),
            engine,
            truth=truth,
            compare=compare,
            window=TimeWindow(target, num_days_before_after),
            variable=variable,
            crs=crs,
            training_radius=training_radius,
            validation=validation,
            along_track=along_track,
        )
    write_json(report, output)
    return report


def validation_report(
    ds: xr.Dataset,
    obs: pd.DataFrame,
    experts: pd.DataFrame,
    hyperparameters: pd.DataFrame,
    engine: Engine,
    *,
    truth,
    compare: dict[str, str],
    window: TimeWindow,
    variable: str,
    crs: str,
    training_radius: float,
    validation: dict,
    along_track,
    predictor: Callable | None = None,
) -> dict:
    """The day's validation: what the validate job writes, and the chunk job for each of its days
    (with its hold-out `predictor`, see :func:`icegp.validation.scores.holdout`)."""
    report: dict = {"target": window.target, "variable": variable}
    if obs.empty:
        report["status"] = "missing: no observations in the window (observations.json says why)"
        log.warning("target %s: a missing day, nothing to validate", window.target)
        return report
    field = ds[variable].isel(time=0).values
    if truth:
        with xr.open_dataset(truth[0]) as known:
            report["truth"] = scores.scores(field, known[variable].values)
            # the truth has no noise: the product's std, the latent field's (mixed over the experts)
            std = ds[f"{variable}_std"].isel(time=0).values
            report["truth"]["calibration"] = scores.calibration(known[variable].values, field, std)
    if compare:
        report["compare"] = {
            name: {"file": path, **scores.scores(field, other.values)}
            for name, path, other in compared(ds, compare, validation["compare"], crs)
        }
    report["holdout"] = scores.holdout(
        obs,
        experts,
        hyperparameters,
        engine,
        window=window,
        training_radius=training_radius,
        fraction=validation["holdout_fraction"],
        seed=validation["seed"],
        sources=along_track,
        predictor=predictor,
    )
    log.info("%s", report)
    return report


def compared(ds: xr.Dataset, files: dict[str, str], settings: dict, crs: str):
    """(name, file, the product regridded to our cells) for each product compared with."""
    for name, path in files.items():
        other = icegp.validation.compare.regrid(
            path, settings[name], x_axis=ds["x"].values, y_axis=ds["y"].values, crs=crs
        )
        yield name, path, other


def plots(
    *,
    product_file: str,
    hyperparameters: str,
    truth,
    compare: dict[str, str],
    compare_settings: dict,
    crs: str,
    background: str,
    outputs,
    variable: str,
    vmax: float,
    std_vmax: float,
) -> None:
    """The product's maps (and its difference from the truth, when given), expert status and
    hyperparameter maps, each to the path the rule names."""
    from icegp.report import daily_maps, expert_maps

    with xr.open_dataset(product_file) as ds, xr.open_dataset(background) as back:
        known = None
        if truth:
            with xr.open_dataset(truth[0]) as t:
                known = t[variable].load()
        backdrop = back.load()
        daily_maps.product_maps(ds, variable, outputs, vmax=vmax, std_vmax=std_vmax, truth=known, background=backdrop)
        for name, _, other in compared(ds, compare, compare_settings, crs):
            daily_maps.comparison_map(ds[variable], other, outputs[f"compare_{name}"], name=name, background=backdrop)
    hyp = pd.read_parquet(hyperparameters)
    expert_maps.expert_status(hyp, outputs["experts"])
    expert_maps.hyperparameter_maps(hyp, outputs["hyperparameters"])

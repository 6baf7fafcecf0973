"""Jobs of workflow/rules/chunks.smk: a chunk of consecutive days between two anchors, mapped in one
process (`hyperparameters_from.chunk_days`).

Why one job: consecutive windows share all but two of their days. The chunk reads and merges each
data day once, gives each expert one set of hyperparameters (its anchors' interpolated to the
chunk's middle day) and one set of inducing points, and slides each expert's SGPR statistics from
window to window (:class:`icegp.experts.sliding.SlidingExperts`). Each day still gets what its daily
jobs would write: the window's report, the hyperparameters it predicted with, the product and its
validation (the hold-out's posterior is the window's statistics less the held-out tracks').

A finished day is kept in `.chunk/` beside its files until the whole chunk is done, then moved into
place: Snakemake deletes a failed job's outputs, and a retry keeps the days finished with the same
inputs and settings (a day's sums do not depend on where the job started).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from collections import defaultdict
from pathlib import Path

import pandas as pd

from icegp import contracts, merging
from icegp.experts import selection
from icegp.experts.prediction import predict_expert, predict_shard, read_hyperparameters
from icegp.experts.sliding import SlidingExperts
from icegp.experts.smoothing import interpolate_in_time
from icegp.gp.fast import FastEngine
from icegp.gp.hyper import Hyper, Space
from icegp.jobs.product import product_dataset, product_grid, validation_report
from icegp.product import daily
from icegp.util import timestamps
from icegp.util.atomic import atomic_path, write_json, write_netcdf, write_parquet
from icegp.util.paths import sha256
from icegp.util.time_window import TimeWindow

log = logging.getLogger(__name__)

FINISHED = ".chunk"  # beside a day's files: the chunk's finished days, moved into place at its end
KEY_FILE = "key.json"  # in FINISHED, written last: what the day was made from


def chunk(
    *,
    days: list[str],
    anchors: list[str],
    anchor_files: list[str],
    weight: float,
    obs: list[str],
    candidates: str,
    locations: str,
    land: str,
    truth: dict[str, str],
    compare: dict[str, dict[str, str]],
    outputs: dict[str, dict[str, str]],
    stages: str,
    crs: str,
    variable: str,
    num_days_before_after: int,
    observations: dict,
    preferred,
    dropped,
    missing_days: str,
    min_obs: int,
    shards: int,
    training: dict,
    smoothing: dict,
    prediction: dict,
    validation: dict,
    along_track,
    provenance: dict,
    engine: FastEngine,
) -> pd.DataFrame:
    """Map the chunk's `days` (each with its `outputs`, see :func:`icegp.plan.chunk_outputs`) from the
    load jobs' day files `obs`, with the `anchors`' smoothed hyperparameters (`anchor_files`)
    interpolated at `weight`; the seconds of each day's stages go to `stages`."""
    settings = {k: v for k, v in locals().items() if k not in ("engine", "outputs", "stages")}  # the arguments
    key = _key(settings, [*obs, *anchor_files, candidates, locations, land, *truth.values()])
    days_data = DayData(obs, crs=crs, observations=observations, preferred=preferred, dropped=dropped)
    first, second = (read_hyperparameters(path, crs, day) for path, day in zip(anchor_files, anchors))
    space = Space.from_config(training)
    pred_locs = pd.read_parquet(locations)
    cand = pd.read_parquet(candidates)
    x_axis, y_axis, mask = product_grid(prediction, pred_locs, land)
    numbers = [int(timestamps.day_to_t(d)) for d in days]
    sliding = SlidingExperts(
        engine,
        days_data.union(),
        days_data.rows,
        first=numbers[0],
        days=len(numbers),
        training_radius=training["training_radius"],
        num_days_before_after=num_days_before_after,
    )
    times: list[dict] = []
    for day, number in zip(days, numbers):
        kept = Path(outputs[day]["product"]).parent / FINISHED
        if _finished(kept, key):
            log.info("%s: finished by an earlier try of this chunk (%s)", day, kept)
            continue
        clock = _Clock(day)
        window = TimeWindow(day, num_days_before_after)
        merged, report = days_data.window(window, allow_missing=missing_days == "skip")
        clock.lap("window")
        experts = _experts(
            merged, cand, window, min_obs=min_obs, training_radius=training["training_radius"], shards=shards
        )
        clock.lap("experts")
        hyp = interpolate_in_time(
            first, second, experts, weight=weight, space=space, length_scale=smoothing["length_scale"]
        )
        clock.lap("hyperparameters")
        table = _predict(
            sliding,
            engine,
            merged,
            experts,
            hyp,
            pred_locs,
            target_day=number,
            window=window,
            training_radius=training["training_radius"],
            radius=prediction["radius"],
        )
        clock.lap("predict")
        ds = product_dataset(
            table,
            merged,
            x_axis=x_axis,
            y_axis=y_axis,
            land=mask,
            target=day,
            prediction=prediction,
            variable=variable,
            crs=crs,
            provenance=provenance,
        )
        clock.lap("product")
        valid = validation_report(
            ds,
            merged,
            experts,
            hyp,
            engine,
            truth=[truth[day]] if day in truth else [],
            compare=compare.get(day, {}),
            window=window,
            variable=variable,
            crs=crs,
            training_radius=training["training_radius"],
            validation=validation,
            along_track=along_track,
            predictor=_holdout_predictor(
                sliding, engine, merged, target_day=number, window=window, training_radius=training["training_radius"]
            ),
        )
        clock.lap("validate")
        _keep(
            kept,
            key,
            outputs[day],
            product=ds,
            validation=valid,
            report=report,
            hyperparameters=(hyp, {"target": day, "crs": crs, "anchors": list(anchors), "weight": weight}),
        )
        times += clock.rows
        sliding.forget_before(number + 1)
        log.info("%s: %d predictions (%.2f s)", day, len(table), clock.total)
    for day in days:
        _move_into_place(Path(outputs[day]["product"]).parent / FINISHED, outputs[day])
    record = pd.DataFrame(times, columns=["day", "stage", "seconds"])
    with atomic_path(stages, ".tsv") as tmp:
        record.to_csv(tmp, sep="\t", index=False, float_format="%.4f")
    return record


class DayData:
    """The chunk's observations by data day: every load file read once and each data day merged once
    (:func:`icegp.merging.merge_day`); a target's window is its days' merged rows."""

    def __init__(self, paths, *, crs: str, observations: dict, preferred, dropped):
        prefer = observations["is2_pref"]
        binning = observations["binning"]
        self.crs = crs
        self.bin_spacing = binning["grid_spacing"] if binning["enabled"] else None
        self.preferring = bool(prefer and preferred and dropped)
        rows, statuses = merging.read_day_files(paths)
        self.statuses: dict[str, list[dict]] = defaultdict(list)
        for status in statuses:
            self.statuses[str(status.get("day"))].append(status)
        self.days = {
            day: merging.merge_day(
                part,
                crs,
                preferred=preferred if prefer else (),
                dropped=dropped if prefer else (),
                pref_radius=observations["is2_pref_radius"],
                bin_spacing=self.bin_spacing,
            )
            for day, part in (merging.split_days(rows) if len(rows) else {}).items()
        }

    def rows(self, number: int) -> pd.DataFrame:
        """The merged rows of data day `number` (days since 1970-01-01)."""
        merged = self.days.get(number)
        return merged.rows if merged is not None else pd.DataFrame(columns=contracts.WINDOW)

    def union(self) -> pd.DataFrame:
        """Every merged row of the chunk (its experts' inducing points are chosen from these)."""
        parts = [merged.rows for merged in self.days.values()]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=contracts.WINDOW)

    def window(self, window: TimeWindow, *, allow_missing: bool) -> tuple[pd.DataFrame, dict]:
        """The target's window and its report, as the observations job makes them."""
        days = window.days
        merged = [self.days[n] for n in (int(timestamps.day_to_t(d)) for d in days) if n in self.days]
        return merging.assemble(
            merged,
            [status for day in days for status in self.statuses.get(day, [])],
            window.target,
            self.crs,
            preferring=self.preferring,
            bin_spacing=self.bin_spacing,
            allow_missing=allow_missing,
            paths=[status["file"] for day in days for status in self.statuses.get(day, [])],
        )


def _experts(merged, cand, window: TimeWindow, *, min_obs: int, training_radius: float, shards: int) -> pd.DataFrame:
    if merged.empty:  # a missing day (only with missing_days: skip), as the experts job
        log.warning("target %s: no observations (a missing day), so no experts", window.target)
        return pd.DataFrame(columns=contracts.EXPERTS)
    return selection.choose_experts(
        merged, cand, window=window, min_obs=min_obs, radius=training_radius, n_shards=shards
    )


def _predict(
    sliding: SlidingExperts,
    engine,
    merged: pd.DataFrame,
    experts: pd.DataFrame,
    hyp: pd.DataFrame,
    pred_locs: pd.DataFrame,
    *,
    target_day: int,
    window: TimeWindow,
    training_radius: float,
    radius: float,
) -> pd.DataFrame:
    """The day's predictions (predict_shard's), each expert from its slid statistics, or (an
    exact-path expert) from its window's data (`merged`) by the engine."""
    local = selection.LocalData(merged)

    def slid(expert, hyp_row, Xstar):
        post = sliding.posterior(expert, Hyper.from_row(hyp_row), target_day)
        if post is not None:
            return post(Xstar)
        return predict_expert(
            engine, local, expert, hyp_row, Xstar, training_radius=training_radius, half_width=window.half_width
        )

    table, status = predict_shard(
        merged,
        experts,
        hyp,
        pred_locs,
        engine,
        training_radius=training_radius,
        half_width=window.half_width,
        radius=radius,
        predictor=slid,
    )
    if table.empty and not merged.empty:
        raise ValueError(f"target {window.target}: no expert predicted anything ({status})")
    log.info("%s: %s", window.target, status)
    return table


def _holdout_predictor(
    sliding: SlidingExperts, engine, merged, *, target_day: int, window: TimeWindow, training_radius: float
):
    """The hold-out's predictor: the window's statistics less the held-out rows', or (an exact-path
    expert) the engine on the window's data (`merged`) without them."""
    rest: dict[str, selection.LocalData] = {}

    def predict(expert, hyp_row, held, Xstar):
        post = sliding.without(expert, Hyper.from_row(hyp_row), target_day, held)
        if post is not None:
            return post(Xstar)
        if "local" not in rest:
            rest["local"] = selection.LocalData(merged.drop(index=held.index))
        return predict_expert(
            engine,
            rest["local"],
            expert,
            hyp_row,
            Xstar,
            training_radius=training_radius,
            half_width=window.half_width,
        )

    return predict


class _Clock:
    def __init__(self, day: str):
        self.day, self.total = day, 0.0
        self.rows: list[dict] = []
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.rows.append({"day": self.day, "stage": stage, "seconds": now - self._last})
        self.total += now - self._last
        self._last = now


def _key(settings: dict, files) -> str:
    """What the chunk's days are made from: its settings and its input files' contents."""
    h = hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode())
    for path in files:
        h.update(sha256(path).encode())
    return h.hexdigest()


def _finished(folder: Path, key: str) -> bool:
    marker = folder / KEY_FILE
    return marker.exists() and json.loads(marker.read_text()).get("key") == key


def _keep(folder: Path, key: str, paths: dict[str, str], *, product, validation, report, hyperparameters) -> None:
    """Write a finished day's files into `folder`, the key last (a day without it is not finished)."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    table, meta = hyperparameters
    write_netcdf(product, folder / Path(paths["product"]).name, encoding=daily.encoding(product))
    write_json(validation, folder / Path(paths["validation"]).name)
    write_json(report, folder / Path(paths["report"]).name)
    write_parquet(table, str(folder / Path(paths["hyperparameters"]).name), meta)
    write_json({"key": key}, folder / KEY_FILE)


def _move_into_place(folder: Path, paths: dict[str, str]) -> None:
    for path in paths.values():
        os.replace(folder / Path(path).name, path)
    shutil.rmtree(folder)

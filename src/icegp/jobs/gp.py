"""Jobs of workflow/rules/gp.smk: the experts, training, smoothing and prediction."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time

import numpy as np
import pandas as pd

import icegp.experts.smoothing
from icegp import contracts
from icegp.experts import selection
from icegp.experts.prediction import predict_shard, read_hyperparameters
from icegp.experts.smoothing import interpolate_in_time
from icegp.experts.training import fit_shard
from icegp.gp import device
from icegp.gp.engines import Engine
from icegp.gp.hyper import Space
from icegp.util import timestamps
from icegp.util.atomic import read_parquet_metadata, write_parquet
from icegp.util.paths import sha256
from icegp.util.time_window import TimeWindow

log = logging.getLogger(__name__)


def experts(
    *,
    obs: str,
    candidates: str,
    output: str,
    target: str,
    min_obs: int,
    num_days_before_after: int,
    radius: float,
    shards: int,
    crs: str,
) -> pd.DataFrame:
    observations = pd.read_parquet(obs)
    if observations.empty:  # a missing day (only with missing_days: skip): its chain runs on empty tables
        log.warning("target %s: no observations (a missing day), so no experts", target)
        write_parquet(pd.DataFrame(columns=contracts.EXPERTS), output, {"target": target, "crs": crs})
        return pd.DataFrame(columns=contracts.EXPERTS)
    table = selection.choose_experts(
        observations,
        pd.read_parquet(candidates),
        window=TimeWindow(target, num_days_before_after),
        min_obs=min_obs,
        radius=radius,
        n_shards=shards,
    )
    write_parquet(table, output, {"target": target, "crs": crs})
    log.info(
        "%d experts, obs per expert: median %d, min %d, max %d; per shard %s",
        len(table),
        table["n_obs"].median(),
        table["n_obs"].min(),
        table["n_obs"].max(),
        table.groupby("shard").size().to_dict(),
    )
    return table


def shard_experts(experts_file: str, shard: int, shards: int | None = None) -> pd.DataFrame:
    """The experts of one shard, in their table's order (neighbours follow each other): of the
    table's (training) shards, or of `shards` bands cut the same way (predict jobs)."""
    every = pd.read_parquet(experts_file)
    band = every["shard"] if shards is None else selection.assign_shards(every, shards, every["n_obs"])
    return every[np.asarray(band) == int(shard)].reset_index(drop=True)


class Checkpoint:
    """The finished experts of a train or predict job, kept beside its output in .checkpoint/ so that a
    killed or terminated job's retry resumes: a checkpoint made from other inputs or settings (another
    key) is ignored.

    Each save rewrites every row so far, so saving after every expert grows quadratically (0.6 s of a
    6.5 s predict job at the seed's workload). A save is skipped while less than SPACING times the last
    save's duration has passed since it: saving costs at most ~1/SPACING of the job, and a kill loses
    at most that long of finished work (about a second there; every expert in the tiny demo).
    """

    SPACING = 20

    def __init__(self, output: str, key: str, columns: list[str]):
        folder, name = os.path.split(output)
        self.path, self.key, self.columns = os.path.join(folder, ".checkpoint", name), key, columns
        self._saved_at, self._cost = -float("inf"), 0.0

    def read(self) -> pd.DataFrame:
        if not os.path.exists(self.path):
            return pd.DataFrame(columns=self.columns)
        if read_parquet_metadata(self.path).get("key") != self.key:
            log.info("ignoring checkpoint %s: it was made from other inputs or settings", self.path)
            return pd.DataFrame(columns=self.columns)
        return pd.read_parquet(self.path)

    def save(self, table) -> None:
        start = time.monotonic()
        if start - self._saved_at < self.SPACING * self._cost:
            return
        write_parquet(pd.DataFrame(table, columns=self.columns), self.path, {"key": self.key})
        self._saved_at = time.monotonic()
        self._cost = self._saved_at - start

    def remove(self) -> None:
        if os.path.exists(self.path):
            os.remove(self.path)


def checkpoint_key(settings: dict, files, shard_experts: pd.DataFrame) -> str:
    """What a shard's results are made from: the settings, the input files' contents and the experts."""
    h = hashlib.sha256()
    h.update(json.dumps(settings, sort_keys=True, default=str).encode())
    for path in files:
        h.update(sha256(path).encode())
    h.update(shard_experts[["expert_id", "x", "y", "t"]].to_numpy().tobytes())
    return h.hexdigest()


def train(
    *,
    obs: str,
    experts_file: str,
    warm,
    output: str,
    target: str,
    shard: int,
    training: dict,
    num_days_before_after: int,
    min_obs: int,
    engine: Engine,
) -> pd.DataFrame:
    """Fit one shard's experts with the `training` settings (the model's: config.rerun.model), from
    the warm-start table when `warm` names one ([] or [path]); finished experts survive a crash in
    the checkpoint beside `output`."""
    mine = shard_experts(experts_file, shard)
    inputs = [obs, *warm]
    checkpoint = Checkpoint(
        output,
        checkpoint_key({"training": training, "num_days_before_after": num_days_before_after}, inputs, mine),
        contracts.TRAIN,
    )
    log.info("shard %s%s", shard, f", warm starts from {warm[0]}" if warm else "")
    try:
        table = fit_shard(
            pd.read_parquet(obs),
            mine,
            engine,
            training=training,
            window=TimeWindow(target, num_days_before_after),
            min_obs=min_obs,
            done=checkpoint.read(),
            on_fitted=checkpoint.save,
            warm=pd.read_parquet(warm[0]) if warm else None,
        )
    except RuntimeError as err:
        raise RuntimeError(f"{obs}: shard {shard}, {err}") from err
    peak = device.peak_memory_mb()
    write_parquet(
        table,
        output,
        {"shard": int(shard), "engine": engine.name, **({} if peak is None else {"device_peak_mb": peak})},
    )
    checkpoint.remove()
    return table


def interpolate_hyperparameters(
    *,
    experts_file: str,
    anchor_files,
    anchors,
    output: str,
    target: str,
    smoothing: dict,
    training: dict,
    crs: str,
) -> pd.DataFrame:
    """Stride mode: the target's experts get the hyperparameters of its two anchors (the days
    `anchors`, their smoothed tables `anchor_files`) interpolated linearly in time."""
    first, second = (read_hyperparameters(path, crs, target) for path in anchor_files)
    t0, t1, t = (timestamps.day_to_t(d) for d in (*anchors, target))
    weight = (t - t0) / (t1 - t0)
    table = interpolate_in_time(
        first,
        second,
        pd.read_parquet(experts_file),
        weight=weight,
        space=Space.from_config(training),
        length_scale=smoothing["length_scale"],
    )
    write_parquet(table, output, {"target": target, "crs": crs, "anchors": list(anchors), "weight": weight})
    log.info(
        "%d experts, %.2f of the way from %s to %s; %s",
        len(table),
        weight,
        *anchors,
        table["status"].value_counts().to_dict(),
    )
    return table


def smooth(*, trained, output: str, target: str, smoothing: dict, training: dict, crs: str) -> pd.DataFrame:
    """Gather the train shards' tables (`trained`), clip and smooth the hyperparameters (the trained
    ones kept as <p>_raw)."""
    fits = pd.concat([pd.read_parquet(f) for f in trained], ignore_index=True)
    table = icegp.experts.smoothing.smooth(
        fits,
        Space.from_config(training),
        length_scale=smoothing["length_scale"],
        params=smoothing["params"],
        enabled=smoothing["enabled"],
    )
    write_parquet(table, output, {"target": target, "crs": crs, "smoothing": smoothing})
    log.info("%d experts; status %s", len(table), table["status"].value_counts().to_dict())
    return table


def predict(
    *,
    obs: str,
    experts_file: str,
    hyperparameters: str,
    locations: str,
    output: str,
    target: str,
    shard: int,
    shards: int,
    training: dict,
    num_days_before_after: int,
    radius: float,
    crs: str,
    engine: Engine,
) -> pd.DataFrame:
    """One shard's experts predict at the locations within `radius` with fixed (smoothed) hyperparameters;
    finished experts survive a crash in the checkpoint beside `output`."""
    mine = shard_experts(experts_file, shard, shards)
    settings = {"training": training, "num_days_before_after": num_days_before_after, "radius": radius}
    checkpoint = Checkpoint(
        output, checkpoint_key(settings, [obs, hyperparameters, locations], mine), contracts.PREDICTIONS
    )
    table, status = predict_shard(
        pd.read_parquet(obs),
        mine,
        read_hyperparameters(hyperparameters, crs, target),
        pd.read_parquet(locations),
        engine,
        training_radius=training["training_radius"],
        half_width=TimeWindow(target, num_days_before_after).half_width,
        radius=radius,
        done=checkpoint.read(),
        on_predicted=checkpoint.save,
    )
    write_parquet(table, output, {"target": target, "status": status})
    checkpoint.remove()
    log.info("shard %s: %s, %d predictions with the hyperparameters of %s", shard, status, len(table), hyperparameters)
    return table

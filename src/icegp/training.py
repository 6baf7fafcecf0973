"""The train job: fit every expert of one shard, checkpointing finished experts as it goes."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os

import numpy as np
import pandas as pd
import psutil

from . import contracts
from . import experts as ex
from .gp.engines import Engine
from .gp.hyper import COLUMNS, Hyper
from .gp.problem import FitResult, Problem
from .io.atomic import read_parquet_metadata, write_parquet
from .io.download import sha256

log = logging.getLogger(__name__)

#: A neighbour counts for the `neighbours` start within this many training radii.
NEIGHBOUR_RADII = 2.0


def neighbour_start(rows: list[dict], x: float, y: float, radius: float) -> Hyper | None:
    """The Gaussian-weighted mean (length scale `radius`) of the hyperparameters of the experts fitted
    so far within NEIGHBOUR_RADII radii of (x, y); None when there are none."""
    fitted = [r for r in rows if r["status"] == "ok"]
    if not fitted:
        return None
    xy = np.array([[r["x"], r["y"]] for r in fitted], float)
    d2 = ((xy - [x, y]) ** 2).sum(axis=1) / radius**2
    near = d2 <= NEIGHBOUR_RADII**2
    if not near.any():
        return None
    w = np.exp(-0.5 * d2[near])
    values = np.array([[r[c] for c in COLUMNS] for r, keep in zip(fitted, near) if keep], float)
    return Hyper.from_row(dict(zip(COLUMNS, w @ values / w.sum())))


def fit_expert(engine: Engine, problem: Problem, starts: dict) -> FitResult:
    """The lowest objective over fits from the configured initial values and from `starts`
    ({label: Hyper or None}; None is skipped), with the winning start and its gain recorded."""
    first = engine.fit_one(problem)
    results = {"init": first} | {label: engine.fit_one(problem, h) for label, h in starts.items() if h is not None}
    finite = {k: r for k, r in results.items() if np.isfinite(r.loss)}
    label = min(finite, key=lambda k: finite[k].loss) if finite else "init"
    gain = first.loss - results[label].loss if np.isfinite(first.loss) else np.nan
    seconds = sum(r.seconds for r in results.values())
    return dataclasses.replace(results[label], start=label, gain=float(gain), seconds=seconds)


def run_key(training: dict, num_days: int, obs_path: str, shard_experts: pd.DataFrame) -> str:
    """What a checkpoint was made from: a checkpoint with another key is stale and ignored."""
    h = hashlib.sha256()
    h.update(json.dumps({"training": training, "num_days": num_days}, sort_keys=True, default=str).encode())
    h.update(sha256(obs_path).encode())
    h.update(shard_experts[["expert_id", "x", "y", "t"]].to_numpy().tobytes())
    return h.hexdigest()


def load_checkpoint(path: str, key: str) -> pd.DataFrame:
    if not os.path.exists(path):
        return pd.DataFrame(columns=contracts.TRAIN)
    if read_parquet_metadata(path).get("key") != key:
        log.info("ignoring checkpoint %s: it was made from other inputs or settings", path)
        return pd.DataFrame(columns=contracts.TRAIN)
    return pd.read_parquet(path)


def result_row(expert, result: FitResult) -> dict:
    row = result.as_row()
    row.update({"x": expert.x, "y": expert.y, "t": expert.t, "lon": expert.lon, "lat": expert.lat})
    return row


def train_shard(
    obs_path: str,
    experts_path: str,
    shard: int,
    training: dict,
    num_days: int,
    min_obs: int,
    engine: Engine,
    out_path: str,
    checkpoint_path: str,
) -> pd.DataFrame:
    """Fit the shard's experts in order (neighbours follow each other); finished experts survive a
    crash in `checkpoint_path`. `training.restarts` adds starts from the experts fitted so far
    (`neighbours`) and from the centre of the bounds (`centre`)."""
    restarts = set(training["restarts"])
    obs = pd.read_parquet(obs_path)
    all_experts = pd.read_parquet(experts_path)
    mine = all_experts[all_experts["shard"] == int(shard)].reset_index(drop=True)
    key = run_key(training, num_days, obs_path, mine)
    done = load_checkpoint(checkpoint_path, key)
    finished = set(done["expert_id"].astype(int))
    todo = mine[~mine["expert_id"].isin(finished)]
    log.info(
        "shard %s: %d experts, %d from checkpoint, %d to fit with the %s engine",
        shard,
        len(mine),
        len(finished),
        len(todo),
        engine.name,
    )
    local = ex.LocalData(obs)
    radius, half = training["training_radius"], ex.time_half_width(num_days)
    rows = done.to_dict("records")
    for k, expert in enumerate(todo.itertuples(index=False), start=1):
        problem = local.problem(expert, radius, half)
        if problem.n < min_obs:
            result = FitResult(problem.expert_id, None, np.nan, problem.n, 0, False, np.nan, 0.0, "too_few_obs")
        else:
            starts = {
                "neighbours": neighbour_start(rows, expert.x, expert.y, radius) if "neighbours" in restarts else None,
                "centre": engine.space.centre() if "centre" in restarts else None,
            }
            try:
                result = fit_expert(engine, problem, starts)
            except Exception as err:
                raise RuntimeError(f"{obs_path}: shard {shard}, expert {problem.expert_id}: {err}") from err
        rows.append(result_row(expert, result))
        write_parquet(pd.DataFrame(rows, columns=contracts.TRAIN), checkpoint_path, {"key": key})
        h = result.hyper.as_row() if result.hyper is not None else {}
        log.info(
            "expert %d (%d/%d): n=%d status=%s stop=%s start=%s gain=%.3g iter=%d %.2fs "
            "l=(%.0f m, %.0f m, %.2f d) rss=%.0fMB",
            result.expert_id,
            k,
            len(todo),
            result.n_obs,
            result.status,
            result.stop,
            result.start,
            result.gain,
            result.n_iter,
            result.seconds,
            h.get("lengthscale_x", np.nan),
            h.get("lengthscale_y", np.nan),
            h.get("lengthscale_t", np.nan),
            psutil.Process().memory_info().rss / 2**20,
        )
    table = pd.DataFrame(rows, columns=contracts.TRAIN).sort_values("expert_id").reset_index(drop=True)
    table = table.astype({"expert_id": int, "n_obs": int, "n_iter": int, "converged": bool})
    write_parquet(table, out_path, {"shard": int(shard), "engine": engine.name})
    if os.path.exists(checkpoint_path):
        os.remove(checkpoint_path)
    return table


def checkpoint_path_for(out_path: str) -> str:
    d, name = os.path.split(out_path)
    return os.path.join(d, ".checkpoint", name)

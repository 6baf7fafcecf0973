"""Training one shard of experts: each fit from its starts, in order, reporting every row as it goes
(the train job, :func:`icegp.jobs.gp.train`, checkpoints them)."""

from __future__ import annotations

import dataclasses
import logging
from typing import Callable

import numpy as np
import pandas as pd
import psutil

from icegp import contracts
from icegp.experts import selection, smoothing
from icegp.gp.engines import BatchedEngine, Engine, batching
from icegp.gp.hyper import COLUMNS, Hyper
from icegp.gp.problem import FitResult, Problem
from icegp.util.time_window import TimeWindow

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


def fit_expert(engine: Engine, problem: Problem, starts: dict, *, warm: Hyper | None = None) -> FitResult:
    """The lowest objective over fits from the first start (`warm`, else the configured initial
    values) and from `starts` ({label: Hyper or None}; None is skipped), with the winning start and
    its gain over the first recorded."""
    primary = "init" if warm is None else "warm"
    first = engine.fit_one(problem, warm)
    results = {primary: first} | {label: engine.fit_one(problem, h) for label, h in starts.items() if h is not None}
    return best_start(results, primary)


def best_start(results: dict[str, FitResult], primary: str) -> FitResult:
    """Of one expert's fits ({start label: result}), the one with the lowest finite objective, with its
    label and its gain over the `primary` start's; the time of all of them."""
    first = results[primary]
    finite = {k: r for k, r in results.items() if np.isfinite(r.loss)}
    label = min(finite, key=lambda k: finite[k].loss) if finite else primary
    gain = first.loss - results[label].loss if np.isfinite(first.loss) else np.nan
    seconds = sum(r.seconds for r in results.values())
    return dataclasses.replace(results[label], start=label, gain=float(gain), seconds=seconds)


def result_row(expert, result: FitResult) -> dict:
    row = result.as_row()
    row.update({"x": expert.x, "y": expert.y, "t": expert.t, "lon": expert.lon, "lat": expert.lat})
    return row


def fit_shard(
    obs: pd.DataFrame,
    experts: pd.DataFrame,
    engine: Engine,
    *,
    training: dict,
    window: TimeWindow,
    min_obs: int,
    done: pd.DataFrame,
    on_fitted: Callable[[list[dict]], None] = lambda rows: None,
    warm: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Fit `experts` in order (neighbours follow each other), skipping those already in `done`; after
    each fit `on_fitted` gets every row so far (the train job checkpoints them). Each fit starts from
    `warm` (another day's smoothed hyperparameters, at the expert's place) when given, else from
    `init`; `training.restarts` adds starts from the experts fitted so far (`neighbours`) and from the
    centre of the bounds."""
    restarts = set(training["restarts"])
    todo = experts[~experts["expert_id"].isin(set(done["expert_id"].astype(int)))]
    log.info(
        "%d experts, %d from checkpoint, %d to fit with the %s engine%s",
        len(experts),
        len(done),
        len(todo),
        engine.name,
        " from warm starts" if warm is not None else "",
    )
    local = selection.LocalData(obs)
    radius, half = training["training_radius"], window.half_width
    warm_starts = warm_start_values(warm, todo, radius)
    rows = done.to_dict("records")
    together = batching(engine)
    if together is not None:
        rows += fit_together(
            together,
            todo,
            [local.problem(e, radius, half) for e in todo.itertuples(index=False)],
            warm_starts,
            restarts=restarts,
            min_obs=min_obs,
            radius=radius,
        )
        on_fitted(rows)
        return shard_table(rows)
    for k, expert in enumerate(todo.itertuples(index=False), start=1):
        problem = local.problem(expert, radius, half)
        if problem.n < min_obs:
            result = too_few_obs(problem)
        else:
            starts = {
                "neighbours": neighbour_start(rows, expert.x, expert.y, radius) if "neighbours" in restarts else None,
                "centre": engine.space.centre() if "centre" in restarts else None,
            }
            try:
                result = fit_expert(engine, problem, starts, warm=warm_starts[k - 1])
            except Exception as err:
                raise RuntimeError(f"expert {problem.expert_id}: {err}") from err
        rows.append(result_row(expert, result))
        on_fitted(rows)
        log_fit(result, k, len(todo))
    return shard_table(rows)


def too_few_obs(problem: Problem) -> FitResult:
    """The row of an expert with fewer than min_obs observations: not fitted."""
    return FitResult(problem.expert_id, None, np.nan, problem.n, 0, False, np.nan, 0.0, "too_few_obs")


def shard_table(rows: list[dict]) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=contracts.TRAIN).sort_values("expert_id").reset_index(drop=True)
    return table.astype({"expert_id": int, "n_obs": int, "n_iter": int, "converged": bool})


def fit_together(
    engine: BatchedEngine,
    experts: pd.DataFrame,
    problems: list[Problem],
    warm_starts: list[Hyper | None],
    *,
    restarts: set,
    min_obs: int,
    radius: float,
) -> list[dict]:
    """The rows of `experts` fitted as batches (a batched engine, on a GPU): every expert from its first
    start at once, then from each restart at once. The `neighbours` start is the weighted mean of the
    first pass's other fits (there is no order of fits to follow); the checkpoint comes at the end."""
    fit = [i for i, p in enumerate(problems) if p.n >= min_obs]
    primary = {i: "init" if warm_starts[i] is None else "warm" for i in fit}
    runs: dict[int, dict[str, FitResult]] = {i: {} for i in fit}

    def fit_from(label: str | None, starts: dict[int, Hyper | None]) -> None:
        chosen = list(starts)
        for i, result in zip(chosen, engine.fit_many([problems[i] for i in chosen], list(starts.values()))):
            runs[i][label or primary[i]] = result

    fit_from(None, {i: warm_starts[i] for i in fit})
    first = [result_row(experts.iloc[i], runs[i][primary[i]]) for i in fit]
    if "neighbours" in restarts:
        near = {
            i: neighbour_start(
                [r for r in first if r["expert_id"] != problems[i].expert_id],
                experts.iloc[i].x,
                experts.iloc[i].y,
                radius,
            )
            for i in fit
        }
        fit_from("neighbours", {i: h for i, h in near.items() if h is not None})
    if "centre" in restarts:
        fit_from("centre", dict.fromkeys(fit, engine.space.centre()))
    rows = []
    for i, problem in enumerate(problems):
        if i in runs:
            result = best_start(runs[i], primary[i])
        else:
            result = too_few_obs(problem)
        rows.append(result_row(experts.iloc[i], result))
        log_fit(result, i + 1, len(problems))
    return rows


def warm_start_values(warm: pd.DataFrame | None, experts: pd.DataFrame, radius: float) -> list[Hyper | None]:
    """Per expert, its warm start: `warm`'s hyperparameters at its place (an expert there, else the
    Gaussian-weighted mean with length scale `radius`); None without `warm` or where it has none."""
    if warm is None:
        return [None] * len(experts)
    values = smoothing.at_places(warm, experts, radius)
    return [Hyper.from_row(dict(zip(COLUMNS, v))) if np.isfinite(v).all() else None for v in values]


def log_fit(result: FitResult, k: int, n: int) -> None:
    h = result.hyper.as_row() if result.hyper is not None else dict.fromkeys(COLUMNS, np.nan)
    log.info(
        "expert %d (%d/%d): n=%d status=%s stop=%s start=%s gain=%.3g iter=%d %.2fs "
        "l=(%.0f m, %.0f m, %.2f d) rss=%.0fMB",
        result.expert_id,
        k,
        n,
        result.n_obs,
        result.status,
        result.stop,
        result.start,
        result.gain,
        result.n_iter,
        result.seconds,
        h["lengthscale_x"],
        h["lengthscale_y"],
        h["lengthscale_t"],
        psutil.Process().memory_info().rss / 2**20,
    )

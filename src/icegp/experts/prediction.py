"""Prediction locations and the predict job: each expert predicts with fixed hyperparameters."""

from __future__ import annotations

import logging
from typing import Callable, Iterable

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from icegp import contracts
from icegp.experts import selection
from icegp.experts.smoothing import match_by_location
from icegp.gp.engines import Engine, batching
from icegp.gp.hyper import COLUMNS, Hyper
from icegp.util.atomic import read_parquet_metadata
from icegp.util.checks import InputError

log = logging.getLogger(__name__)


def locations(cfg: dict, crs: str, *, locations_file: str | None) -> pd.DataFrame:
    """Prediction locations: `locations_file` (the DAG's input for `prediction.locations_file`), or
    an ocean-masked grid at grid_spacing."""
    if locations_file:
        return selection.read_locations(locations_file, crs)
    return selection.grid_candidates(cfg["extent"], cfg["grid_spacing"], crs, cfg["min_lat"])


def read_hyperparameters(path: str, crs: str, target: str) -> pd.DataFrame:
    """A smoothed hyperparameter table, refusing one made in another CRS."""
    meta = read_parquet_metadata(path)
    if meta.get("crs") != crs:
        raise InputError(
            f"target {target}: hyperparameters in {path} were made in CRS {meta.get('crs')!r}, this run uses {crs!r}"
        )
    return pd.read_parquet(path)


def usable(hyp_row) -> bool:
    """All five hyperparameters present (a failed fit that smoothing could not fill is not)."""
    return bool(np.isfinite(hyp_row[list(COLUMNS)].to_numpy(float)).all())


def usable_pairs(experts: pd.DataFrame, hyp: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The experts that have usable hyperparameters in `hyp` (matched by location), and those rows."""
    rows = match_by_location(experts, hyp)
    ok = np.array([r >= 0 and usable(hyp.iloc[r]) for r in rows], dtype=bool)
    return experts[ok].reset_index(drop=True), hyp.iloc[rows[ok]].reset_index(drop=True)


def predict_expert(
    engine: Engine,
    local: selection.LocalData,
    expert,
    hyp_row,
    Xstar: np.ndarray,
    *,
    training_radius: float,
    half_width: float,
) -> dict | None:
    """One expert's prediction at `Xstar` from its local data with fixed hyperparameters (None when it
    has no data): the step the predict job and the hold-out share."""
    problem = local.problem(expert, training_radius, half_width)
    if problem.n == 0:
        return None
    try:
        return engine.predict(problem, Hyper.from_row(hyp_row), Xstar)
    except Exception as err:
        raise RuntimeError(f"expert {expert.expert_id} at ({expert.x:.0f}, {expert.y:.0f}): {err}") from err


def predict_shard(
    obs: pd.DataFrame,
    experts: pd.DataFrame,
    hyp: pd.DataFrame,
    pred_locs: pd.DataFrame,
    engine: Engine,
    *,
    training_radius: float,
    half_width: float,
    radius: float,
    done: pd.DataFrame | None = None,
    on_predicted: Callable[[pd.DataFrame], None] = lambda table: None,
    predictor: Callable | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Predictions of every expert at the locations strictly within `radius` of it, and a status count.
    Experts with rows in `done` (a checkpoint) are not predicted again; after each expert (after all
    of them with a batched engine) `on_predicted` gets every row so far (the predict job checkpoints
    them). `predictor(expert, hyperparameter row, Xstar)` (a dict, or None without data) predicts
    an expert instead of the engine on `obs` when given (the chunk job's slid statistics)."""
    local = selection.LocalData(obs)
    tree = cKDTree(pred_locs[["x", "y"]].to_numpy(float))
    mine, hyp_rows = usable_pairs(experts, hyp)
    frames = [done] if done is not None and len(done) else []
    finished = set(frames[0]["expert_id"].astype(int)) if frames else set()
    if finished:
        log.info("%d experts from checkpoint", len(finished))
    status = {
        "predicted": len(finished),
        "no_hyperparameters": len(experts) - len(mine),
        "no_locations": 0,
        "too_few_obs": 0,
    }
    pending = []  # (expert, hyperparameters, its locations) of the experts left to predict
    for expert, (_, h) in zip(mine.itertuples(index=False), hyp_rows.iterrows()):
        if expert.expert_id in finished:
            continue
        idx = np.array(tree.query_ball_point([expert.x, expert.y], r=radius), dtype=int)
        pl = pred_locs.iloc[idx]
        pl = pl[np.hypot(pl["x"] - expert.x, pl["y"] - expert.y) < radius]
        if pl.empty:
            status["no_locations"] += 1
        else:
            pending.append((expert, h, pl))
    together = batching(engine) if predictor is None else None
    if predictor is None:

        def predictor(expert, hyp_row, Xstar):
            return predict_expert(
                engine, local, expert, hyp_row, Xstar, training_radius=training_radius, half_width=half_width
            )

    steps: Iterable[list[tuple]]  # experts predicted between checkpoints: (expert, locations, prediction)
    if together is not None:  # every expert at once, then one checkpoint
        problems = [local.problem(e, training_radius, half_width) for e, _, _ in pending]
        with_data = [k for k, p in enumerate(problems) if p.n > 0]
        preds = together.predict_many(
            [problems[k] for k in with_data],
            [Hyper.from_row(pending[k][1]) for k in with_data],
            [at(pending[k][0], pending[k][2]) for k in with_data],
        )
        results = dict(zip(with_data, preds))
        steps = [[(e, pl, results.get(k)) for k, (e, _, pl) in enumerate(pending)]]
    else:  # one expert after another, each checkpointed
        steps = ([(e, pl, predictor(e, h, at(e, pl)))] for e, h, pl in pending)
    for step in steps:
        for expert, pl, pred in step:
            if pred is None:
                status["too_few_obs"] += 1
                continue
            frames.append(predictions_table(expert, pl, pred))
            status["predicted"] += 1
        if frames:
            on_predicted(pd.concat(frames, ignore_index=True))
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=contracts.PREDICTIONS)
    return table[contracts.PREDICTIONS], status


def at(expert, pl: pd.DataFrame) -> np.ndarray:
    """The prediction inputs (x, y, t) of locations `pl` at the expert's time."""
    return np.c_[pl["x"], pl["y"], np.full(len(pl), expert.t)]


def predictions_table(expert, pl: pd.DataFrame, pred: dict) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "expert_id": expert.expert_id,
            "expert_x": expert.x,
            "expert_y": expert.y,
            "x": pl["x"].to_numpy(),
            "y": pl["y"].to_numpy(),
            **pred,
        }
    )

"""The fast and the reference engine on the same experts, one thread each: every expert fitted and
predicted by both, and how far apart they land. The one comparison behind the demo benchmark (all
of its experts) and the seed-scale one (a sample, for the extrapolated reference)."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import psutil

from icegp.gp.hyper import Hyper
from icegp.gp.problem import FitResult

ENGINES = ("fast", "reference")


def fitted(fit: FitResult) -> Hyper:
    """A benchmark fit's hyperparameters; a failed fit stops the benchmark (its numbers would lie)."""
    if fit.hyper is None:
        raise RuntimeError(f"expert {fit.expert_id}: fit failed ({fit.status})")
    return fit.hyper


def make_engines(training: dict) -> dict:
    """Both engines on `training`'s model, on the CPU with one thread (as a Snakemake job with threads: 1)."""
    from icegp.gp.device import configure

    configure("cpu", 1, 0)
    from icegp.gp.engines import make_engine

    return {name: make_engine({**training, "engine": name}) for name in ENGINES}


def _query_points(expert, locs: pd.DataFrame, radius: float) -> np.ndarray:
    """The prediction locations within `radius` of the expert, at its time."""
    near = np.hypot(locs["x"] - expert.x, locs["y"] - expert.y) < radius
    return np.c_[locs.loc[near, "x"], locs.loc[near, "y"], np.full(int(near.sum()), expert.t)]


def _run(engine, problems: list, queries: list) -> tuple[list, pd.DataFrame]:
    """One engine over all experts in turn: its fits and their times, predictions and memory."""
    process, fits, rows = psutil.Process(), [], []
    for problem, Xq in zip(problems, queries):
        fit = engine.fit_one(problem)
        start = time.perf_counter()
        mean = engine.predict(problem, fitted(fit), Xq)["f_mean"] if len(Xq) else np.empty(0)
        fits.append((fit, mean))
        rows.append(
            {
                "fit_s": fit.seconds,
                "predict_s": time.perf_counter() - start,
                "loss": fit.loss,
                "iter": fit.n_iter,
                "converged": fit.converged,
                "rss_mb": process.memory_info().rss / 2**20,
            }
        )
    return fits, pd.DataFrame(rows)


def compare(engines: dict, experts: pd.DataFrame, problems: list, *, locs: pd.DataFrame, radius: float) -> pd.DataFrame:
    """One row per expert (`experts` and `problems` in the same order) for `make_engines`' pair: each
    engine's fit and predict seconds, objective, iterations, convergence and process RSS after it
    (`fast_*`, `reference_*`), and their agreement: objective, largest relative hyperparameter and
    prediction difference."""
    for engine in engines.values():  # one-off imports and TensorFlow's start-up are not a per-expert cost
        engine.fit_one(problems[0])
    queries = [_query_points(e, locs, radius) for e in experts.itertuples(index=False)]
    runs = {name: _run(engine, problems, queries) for name, engine in engines.items()}
    (fast, fast_rows), (ref, ref_rows) = runs["fast"], runs["reference"]
    table = pd.concat(
        [
            pd.DataFrame({"expert_id": [p.expert_id for p in problems], "n_obs": [p.n for p in problems]}),
            fast_rows.add_prefix("fast_"),
            ref_rows.add_prefix("reference_"),
        ],
        axis=1,
    )
    table["loss_rel_diff"] = (table["fast_loss"] - table["reference_loss"]).abs() / table["reference_loss"].abs()
    table["max_hyperparameter_rel_diff"] = [
        max(abs(a - b) / abs(b) for a, b in zip(f.hyper.as_row().values(), r.hyper.as_row().values()))
        for (f, _), (r, _) in zip(fast, ref)
    ]
    table["max_prediction_diff_m"] = [
        float(np.max(np.abs(a - b))) if len(a) else np.nan for (_, a), (_, b) in zip(fast, ref)
    ]
    table["fit_speedup"] = table["reference_fit_s"] / table["fast_fit_s"]
    return table

"""``python -m icegp.bench --scale season``: a season of daily maps on the seed's workload, per day.

The workload: the pan-Arctic demo (its statistics drift through the season, see
:func:`icegp.demo.synthetic.season_state`) with ``config/presets/recommended.yaml`` (every along-track
section, experts every 400 km, 500 km radius, SGPR with 100 k-means points), ``--days`` targets
with a +-``--window``-day window. The inputs of every data day are generated once, untimed. Then
each strategy runs the season as one whole DAG (``--cores``), in the same folder, from empty results:

- ``cold``: every day fitted from the configured initial values (today's default), on ``--cold-days``
  days spread over the days between the season's anchors (where the strategies differ); its time per
  day is that run's wall time over its days, and the accuracy of the others is compared with it on
  those days;
- ``season``: the preset ``config/presets/season.yaml``: anchors every K days trained (``--every``
  replaces the preset's K, its chunks then fill the K - 1 days between two anchors), the days
  between them mapped by one job per chunk of days from slid statistics at hyperparameters
  interpolated between the anchors (``hyperparameters_from: {mode: stride, chunk_days: C}``,
  :mod:`icegp.jobs.chunks`);
- ``season-daily``: the preset without chunks (``chunk_days: null``): one job per stage and day
  between the anchors, each day at its own interpolated hyperparameters (0.2.0's preset);
- ``season+warm``: the preset, each anchor warm-started from the one before (``training.warm_start``).

Daily plots are off in every strategy (``plots.daily_every: 0``; the season's plots stay), so the
cold fits pay for fitting, not for drawing. Per strategy it prints the wall time per day, job-seconds
per day by stage, the peak RSS, and each day's RMSE against the truth and hold-out RMSE (median and
worst, and their ratio to the cold fit's on the days both mapped), and for warm-started anchors the
share of experts whose objective ends worse than the cold fit's by more than 1e-4 relative.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from icegp import config, plan
from icegp.bench.dagrun import OUTPUTS, record, run_dag, train_files
from icegp.demo import layout
from icegp.report.timing import collect_under, summarise
from icegp.util import timestamps
from icegp.util.time_window import TimeWindow

OUT = Path(plan.BENCH) / "season"
START = "2019-04-08"
PRESETS = ["config/presets/recommended.yaml"]
STRATEGIES = ("cold", "season", "season-daily", "season+warm")
AGREEMENT = 1e-4  # relative objective difference that counts as the same optimum


def season_overlay(days: int, window: int) -> dict:
    end = (timestamps.parse_day(START) + dt.timedelta(days=days - 1)).isoformat()
    return {
        "targets": {"start": START, "end": end},
        "num_days_before_after": window,
        "demo": {"scale": "pan_arctic"},
        "plots": {"daily_every": 0},
        "season_name": "bench",
    }


def strategies(*, days: int, window: int, cold_days: int, every: int | None = None) -> dict:
    """Each strategy's overlay on the season; `every` replaces the preset's anchor stride (its chunks
    then fill the days between two anchors)."""
    base = season_overlay(days, window)
    season = config.merged(yaml.safe_load(Path("config/presets/season.yaml").read_text()), base)
    if every is not None:
        season = config.merged(season, {"hyperparameters_from": {"every": every, "chunk_days": every - 1}})
    return {
        "cold": {**base, "targets": between_anchors(season, cold_days), "season_name": None},
        "season": season,
        "season-daily": config.merged(season, {"hyperparameters_from": {"chunk_days": None}}),
        "season+warm": config.merged(season, {"training": {"warm_start": True}}),
    }


def between_anchors(season: dict, count: int) -> list[str]:
    """`count` days spread over the days the season does not train (an anchor is fitted cold in every
    strategy, so a comparison there proves nothing), each at the middle of its share."""
    cfg = config.resolve(config.merged(config.load("config/config.yaml", *PRESETS), season))
    marks = set(plan.anchors(cfg))
    free = [d for d in config.targets(cfg) if d not in marks]
    picks = np.unique(((np.arange(min(count, len(free))) + 0.5) * len(free) / max(count, 1)).astype(int))
    return [free[k] for k in picks]


def generate_inputs(workdir: Path, overlay: dict, cores: int) -> float:
    """The demo's files for every data day of the season (untimed by the strategies)."""
    cfg = config.resolve(config.merged(config.load("config/config.yaml", *PRESETS), overlay))
    days = sorted({d for t in config.targets(cfg) for d in TimeWindow.of(cfg, t).days})
    return run_dag(workdir, overlay, cores, PRESETS, [layout.demo_files(cfg, d)["truth"] for d in days])


def run_strategy(workdir: Path, overlay: dict, cores: int) -> dict:
    """One strategy's season: wall time, job time by stage, peak RSS, per-day scores, train tables."""
    wall = run_dag(workdir, overlay, cores, PRESETS, clean=(*OUTPUTS, ".snakemake"))
    jobs = collect_under(workdir / plan.BENCHMARKS)
    jobs = jobs[~jobs["rule"].isin(("demo_inputs", "demo_ocean_mask"))]
    cfg = config.resolve(config.merged(config.load("config/config.yaml", *PRESETS), overlay))
    days = config.targets(cfg)
    scores = {}
    for day in days:
        valid = json.loads((workdir / plan.fill(plan.VALIDATION, root=plan.RESULTS, target=day)).read_text())
        scores[day] = {"rmse": valid["truth"]["rmse"], "holdout": valid["holdout"].get("rmse", np.nan)}
    trained = {d: pd.concat(map(pd.read_parquet, train_files(workdir, d))) for d in plan.trained_days(cfg)}
    stages = summarise(jobs)
    inside = [pd.read_csv(f, sep="\t") for f in sorted((workdir / plan.RESULTS / "chunks").glob("*.tsv"))]
    return {
        "chunk_day_s": pd.concat(inside)
        .groupby(["stage", "day"], sort=False)["seconds"]
        .sum()
        .groupby("stage", sort=False)
        .median()
        if inside
        else None,
        "days": len(days),
        "wall_s": wall,
        "stages": stages.groupby("stage", sort=False)["wall_s_sum"].sum() / len(days),
        "max_rss_mb": float(stages["max_rss_mb"].max()),
        "scores": pd.DataFrame(scores).T,
        "trained": trained,
    }


def compare(result: dict, cold: dict) -> dict:
    """Per-day accuracy against the cold fits' on the days both mapped: median and worst ratios."""
    both = result["scores"].join(cold["scores"], rsuffix="_cold", how="inner")
    ratio = {k: both[k] / both[f"{k}_cold"] for k in ("rmse", "holdout")}
    return {
        "rmse_median_m": float(result["scores"]["rmse"].median()),
        "rmse_worst_m": float(result["scores"]["rmse"].max()),
        "holdout_median_m": float(result["scores"]["holdout"].median()),
        "holdout_worst_m": float(result["scores"]["holdout"].max()),
        "rmse_ratio_median": float(ratio["rmse"].median()),
        "rmse_ratio_worst": float(ratio["rmse"].max()),
        "holdout_ratio_median": float(ratio["holdout"].median()),
        "holdout_ratio_worst": float(ratio["holdout"].max()),
        "days_compared": len(both),
    }


def warm_objectives(result: dict, cold: dict) -> dict:
    """On days both trained: the share of warm-started experts that end worse than the cold fit by
    more than AGREEMENT (relative), and the iterations each took."""
    worse, total, iters_warm, iters_cold = 0, 0, [], []
    for day, table in result["trained"].items():
        if day not in cold["trained"] or not (table["start"] == "warm").any():
            continue
        pair = table.merge(cold["trained"][day], on=["x", "y"], suffixes=("", "_cold"))
        pair = pair[np.isfinite(pair["loss"]) & np.isfinite(pair["loss_cold"])]
        worse += int(((pair["loss"] - pair["loss_cold"]) > AGREEMENT * pair["loss_cold"].abs()).sum())
        total += len(pair)
        iters_warm += pair["n_iter"].tolist()
        iters_cold += pair["n_iter_cold"].tolist()
    if not total:
        return {}
    return {
        "warm_worse_share": worse / total,
        "warm_experts_compared": total,
        "iterations_median_warm": float(np.median(iters_warm)),
        "iterations_median_cold": float(np.median(iters_cold)),
    }


def run(*, cores: int, days: int, window: int, cold_days: int, every: int | None = None, chosen=STRATEGIES) -> dict:
    """The `chosen` strategies over the season; without the cold fits, the others are not compared."""
    workdir = OUT / "work"
    overlays = strategies(days=days, window=window, cold_days=cold_days, every=every)
    runs = {name: overlay for name, overlay in overlays.items() if name in chosen}
    gen = generate_inputs(workdir, overlays["season"], cores)
    print(f"pan-Arctic demo inputs for {days} days at +-{window} d: {gen:.0f} s (not timed below)", flush=True)
    results = {}
    for name, overlay in runs.items():
        r = results[name] = run_strategy(workdir, overlay, cores)
        r["per_day_s"] = r["wall_s"] / r["days"]
        print(f"{name}: {r['days']} days, {r['wall_s']:.0f} s wall, {r['per_day_s']:.1f} s/day", end="")
        print(f", peak RSS {r['max_rss_mb']:.0f} MB")
        print("  job-seconds per day by stage: " + ", ".join(f"{k} {v:.1f}" for k, v in r["stages"].items()))
        if r["chunk_day_s"] is not None:
            print(
                "  inside chunks, a day's seconds (median): "
                + ", ".join(f"{k} {v:.2f}" for k, v in r["chunk_day_s"].items())
            )
        print("  per day (RMSE vs truth, hold-out RMSE):")
        print(r["scores"].round(5).to_string())
        if name != "cold" and "cold" in results:
            r.update(compare(r, results["cold"]), **warm_objectives(r, results["cold"]))
            print(
                "  " + ", ".join(f"{k} {r[k]:.4g}" for k in r if isinstance(r[k], float) and k not in ("wall_s",)),
                flush=True,
            )
    rows = {f"{n}_{k}": v for n, r in results.items() for k, v in r.items() if isinstance(v, (int, float))}
    record({"days": days, "window": window, **rows}, OUT / "season.tsv")
    if "season" in results:
        best = results["season"]
        line = f"season: {best['per_day_s']:.1f} s/day at RMSE {float(best['scores']['rmse'].median()):.4f} m"
        if "cold" in results:
            cold = results["cold"]
            line += (
                f" vs daily cold fits {float(cold['scores']['rmse'].median()):.4f} m"
                f" ({cold['per_day_s'] / best['per_day_s']:.1f}x faster)"
            )
        print(line)
    return results

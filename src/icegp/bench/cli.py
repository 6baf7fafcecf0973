"""``python -m icegp.bench``: how much faster the fast engine trains than the GPSat-style reference,
at what difference in results, and where a demo run spends its time.

On the same experts and data (the demo's), it fits every expert with both engines in one process,
compares hyperparameters and predictions, times the fast engine as the number of experts doubles,
runs the whole demo DAG with each engine (``--cores 2``), and reads the runs' benchmark files per stage.
Numbers go to ``results/bench/bench.tsv`` (appended, one row per metric, stamped with the run time).
"""

from __future__ import annotations

import os

# Like a Snakemake job with threads: 1, and before numpy loads BLAS: one thread each, so the two
# engines are compared on equal terms and not against a machine-dependent thread count.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from icegp import config, plan
from icegp.bench.dagrun import problems_for, record, run_dag, stage_table
from icegp.bench.engines import ENGINES, compare, make_engines
from icegp.bench.season_scale import STRATEGIES
from icegp.util.time_window import TimeWindow

OUT = Path(plan.BENCH)


def compare_engines(workdir: Path, cfg: dict, target: str) -> dict:
    """Fit every demo expert with both engines (1 thread each) and compare the results; then time the
    fast engine on nested random subsets of the experts, each twice the last."""
    experts, problems = problems_for(workdir, window=TimeWindow.of(cfg, target), training=cfg["training"])
    locs = pd.read_parquet(workdir / plan.fill(plan.GRID, root=plan.RESULTS, name="prediction_locations.parquet"))
    engines = make_engines(cfg["training"])
    table = compare(engines, experts, problems, locs=locs, radius=cfg["prediction"]["radius"])
    out = {"experts": len(problems), "obs_per_expert_median": float(table["n_obs"].median())}
    for name in ENGINES:
        out[f"{name}_total_s"] = float(table[f"{name}_fit_s"].sum())
        out[f"{name}_s_per_expert"] = out[f"{name}_total_s"] / len(problems)
        out[f"{name}_rss_growth_mb"] = float(table[f"{name}_rss_mb"].iloc[-1] - table[f"{name}_rss_mb"].iloc[0])
    out["training_speedup"] = out["reference_total_s"] / out["fast_total_s"]
    out["fast_iterations_median"] = float(table["fast_iter"].median())
    out["fast_converged_fraction"] = float(table["fast_converged"].mean())
    out["max_loss_rel_diff"] = float(table["loss_rel_diff"].max())
    out["max_hyperparameter_rel_diff"] = float(table["max_hyperparameter_rel_diff"].max())
    out["max_prediction_diff_m"] = float(table["max_prediction_diff_m"].max())
    order = np.random.default_rng(0).permutation(len(problems))
    for n in (len(problems) // 8, len(problems) // 4, len(problems) // 2, len(problems)):
        if n:
            start = time.perf_counter()
            for i in order[:n]:
                engines["fast"].fit_one(problems[i])
            out[f"fast_total_s_{n}_experts"] = time.perf_counter() - start
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m icegp.bench", description=__doc__.split("\n")[0])
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument(
        "--skip-reference-dag",
        action="store_true",
        help="do not run the whole demo DAG with the reference engine (the slow part)",
    )
    ap.add_argument(
        "--scale",
        choices=("demo", "seed", "season"),
        default="demo",
        help="demo: the small binned demo; seed: the seed's pan-Arctic raw along-track workload, one day; "
        "season: that workload over a season of days, per strategy",
    )
    ap.add_argument("--window", type=int, default=7, help="--scale seed/season: num_days_before_after")
    ap.add_argument("--days", type=int, default=28, help="--scale season: the season's days")
    ap.add_argument(
        "--cold-days",
        type=int,
        default=4,
        help="--scale season: days fitted cold (spread over the days between the season's anchors)",
    )
    ap.add_argument(
        "--every",
        type=int,
        help="--scale season: the anchors' stride in days (default: the season preset's; chunks fill the days between)",
    )
    ap.add_argument(
        "--device",
        choices=("cpu", "gpu"),
        default="cpu",
        help="--scale seed: gpu runs the day with device: gpu (batched) against the CPU, on a machine with a GPU",
    )
    ap.add_argument(
        "--strategies",
        nargs="+",
        choices=STRATEGIES,
        default=list(STRATEGIES),
        help="--scale season: the strategies to run (without cold, nothing is compared)",
    )
    ap.add_argument(
        "--reference-sample",
        type=int,
        default=5,
        help="--scale seed: experts fitted with the reference engine for the extrapolation",
    )
    ap.add_argument(
        "--scaling", action="store_true", help="--scale seed: also time one expert as its observations double"
    )
    ap.add_argument(
        "--inducing-sweep",
        action="store_true",
        help="--scale seed: also fit three experts with 50-500 random and k-means inducing points",
    )
    args = ap.parse_args(argv)
    if args.scale == "season":
        from icegp.bench.season_scale import run as run_season

        run_season(
            cores=args.cores,
            days=args.days,
            window=args.window,
            cold_days=args.cold_days,
            every=args.every,
            chosen=args.strategies,
        )
        return 0
    if args.scale == "seed" and args.device == "gpu":
        from icegp.bench.gpu import run as run_gpu

        run_gpu(args.cores, args.window)
        return 0
    if args.scale == "seed":
        from icegp.bench.seed_scale import run

        run(args.cores, args.window, args.reference_sample, args.scaling, args.inducing_sweep)
        return 0
    cfg = config.load("config/config.yaml")
    target = cfg["targets"][0]
    rows = {}
    fast_dir, ref_dir = OUT / "dag-fast", OUT / "dag-reference"
    rows["dag_fast_wall_s"] = run_dag(fast_dir, {"training": {"engine": "fast"}}, args.cores)
    print(f"demo DAG, fast engine, --cores {args.cores}: {rows['dag_fast_wall_s']:.1f} s")
    stages = stage_table(fast_dir)
    print(stages.to_string(index=False))
    for r in stages.itertuples():
        rows[f"stage_{r.rule}_wall_s"] = r.wall_s_sum
        rows[f"stage_{r.rule}_max_rss_mb"] = r.max_rss_mb
    truth = json.loads((fast_dir / plan.fill(plan.VALIDATION, root=plan.RESULTS, target=target)).read_text())
    rows["fast_rmse_vs_truth_m"] = truth["truth"]["rmse"]
    rows["fast_holdout_rmse_m"] = truth["holdout"].get("rmse", np.nan)
    if not args.skip_reference_dag:
        rows["dag_reference_wall_s"] = run_dag(ref_dir, {"training": {"engine": "reference"}}, args.cores)
        ref_truth = json.loads((ref_dir / plan.fill(plan.VALIDATION, root=plan.RESULTS, target=target)).read_text())
        rows["reference_rmse_vs_truth_m"] = ref_truth["truth"]["rmse"]
        rows["dag_speedup"] = rows["dag_reference_wall_s"] / rows["dag_fast_wall_s"]
        ref_stages = stage_table(ref_dir).set_index("rule")
        rows["reference_train_max_rss_mb"] = ref_stages.loc["train", "max_rss_mb"]
        print(
            f"demo DAG, reference engine: {rows['dag_reference_wall_s']:.1f} s "
            f"(whole DAG speedup {rows['dag_speedup']:.1f}x; RMSE vs truth fast "
            f"{rows['fast_rmse_vs_truth_m']:.4f} m, reference {rows['reference_rmse_vs_truth_m']:.4f} m)"
        )
    cmp = compare_engines(fast_dir, cfg, target)
    rows.update(cmp)
    for k, v in cmp.items():
        print(f"{k}: {v:.4g}" if isinstance(v, float) else f"{k}: {v}")
    record(rows, OUT / "bench.tsv")
    print(
        f"training speedup: {cmp['training_speedup']:.1f}x at max prediction difference "
        f"{cmp['max_prediction_diff_m']:.2g} m"
    )
    return 0

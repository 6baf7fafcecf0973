"""``python -m icegp.bench --scale seed``: a whole pan-Arctic day on the seed's own workload.

The workload: the pan-Arctic demo, every along-track section (no binning), a +-N-day window, experts
every 400 km, a 500 km training radius (``config/presets/baseline.yaml``). It runs the whole DAG
(``--cores``) twice with the fast engine: with the seed's model (SGPR, 500 random inducing points:
the baseline preset) and with ``config/presets/recommended.yaml``. The demo inputs are generated once,
before both runs, and are not timed.

The reference engine (a fresh GPflow SGPR per expert, GPSat's way) would need about an hour per day,
so it is run on a sample of the baseline's experts (spread over the 10th to 90th percentiles of their
observation counts) next to the fast engine on the same problems, one thread each. Its whole-day time is
extrapolated from that: the baseline run's train and predict job-seconds, scaled by the sample's
reference/fast time ratios, spread over the parallel shards. Its accuracy is the baseline run's: the
same model fitted to the same optimum (the sample shows the objectives agree).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from icegp import config, plan
from icegp.bench.engines import compare, fitted, make_engines
from icegp.demo import layout
from icegp.report.timing import collect_under, summarise
from icegp.util.time_window import TimeWindow

OUT = Path(plan.BENCH) / "seed"
PRESETS = ("baseline", "recommended")
DEMO_RULES = ("demo_inputs", "demo_ocean_mask")


def seed_config(window: int) -> dict:
    """The demo config, the baseline preset, and the pan-Arctic scale with a +-`window`-day window."""
    cfg = config.load("config/config.yaml", "config/presets/baseline.yaml")
    cfg["demo"]["scale"] = "pan_arctic"
    cfg["num_days_before_after"] = window
    return cfg


def generate_inputs(workdir: Path, overlay: dict, cfg: dict, cores: int) -> float:
    from icegp.bench.dagrun import run_dag

    target = config.targets(cfg)[0]
    files = [layout.demo_files(cfg, d)["truth"] for d in TimeWindow.of(cfg, target).days]
    return run_dag(workdir, overlay, cores, ["config/presets/baseline.yaml"], files)


def preset_run(workdir: Path, preset: str, overlay: dict, cores: int, target: str) -> dict:
    """One preset's whole DAG on the already generated inputs: wall, stages, accuracy."""
    from icegp.bench.dagrun import OUTPUTS, run_dag

    wall = run_dag(workdir, overlay, cores, [f"config/presets/{preset}.yaml"], clean=OUTPUTS)
    jobs = collect_under(workdir / plan.BENCHMARKS)
    jobs = jobs[~jobs["rule"].isin(DEMO_RULES)]
    stages = summarise(jobs).set_index("rule")
    valid = json.loads((workdir / plan.fill(plan.VALIDATION, root=plan.RESULTS, target=target)).read_text())
    experts = pd.read_parquet(workdir / plan.fill(plan.EXPERTS, root=plan.RESULTS, target=target))
    return {
        "wall_s": wall,
        "stages": stages,
        "experts": len(experts),
        "obs_per_expert_median": float(experts["n_obs"].median()),
        "rmse_vs_truth_m": valid["truth"]["rmse"],
        "holdout_rmse_m": valid["holdout"].get("rmse", np.nan),
        "max_rss_mb": float(stages["max_rss_mb"].max()),
    }


def expert_problems(workdir: Path, cfg: dict, target: str) -> tuple[pd.DataFrame, dict]:
    """The run's experts and each one's training problem, by expert id."""
    from icegp.bench.dagrun import problems_for

    experts, problems = problems_for(workdir, window=TimeWindow.of(cfg, target), training=cfg["training"])
    return experts, {p.expert_id: p for p in problems}


def show(row: dict, spec: str = ".4g") -> None:
    print(
        "  " + ", ".join(f"{k} {v:{spec}}" if isinstance(v, float) else f"{k} {v}" for k, v in row.items()), flush=True
    )


def sample_experts(experts: pd.DataFrame, k: int) -> pd.DataFrame:
    """k experts at evenly spaced quantiles (10th to 90th percentile) of the observation count."""
    order = experts.sort_values("n_obs").reset_index(drop=True)
    return order.iloc[np.unique(np.round(np.linspace(0.1, 0.9, k) * (len(order) - 1)).astype(int))]


def reference_sample(workdir: Path, cfg: dict, target: str, k: int) -> pd.DataFrame:
    """Fit and predict the sampled experts with both engines on the baseline's settings, one thread."""
    experts, problems = expert_problems(workdir, cfg, target)
    locs = pd.read_parquet(workdir / plan.fill(plan.GRID, root=plan.RESULTS, name="prediction_locations.parquet"))
    sample = sample_experts(experts, k)
    table = compare(
        make_engines(cfg["training"]),
        sample,
        [problems[i] for i in sample["expert_id"]],
        locs=locs,
        radius=cfg["prediction"]["radius"],
    )
    for row in table.itertuples(index=False):
        print(
            f"  expert {row.expert_id}: n={row.n_obs}, fit fast {row.fast_fit_s:.1f} s, reference "
            f"{row.reference_fit_s:.1f} s ({row.fit_speedup:.1f}x), objective rel. diff {row.loss_rel_diff:.1e}",
            flush=True,
        )
    return table


def scaling_in_n(workdir: Path, cfg: dict, target: str, reference_max_n: int) -> pd.DataFrame:
    """Fit time as the observations per expert double: nested random subsets of the largest expert,
    fitted with each preset's model on the fast engine and (up to `reference_max_n`) the reference."""
    from icegp.gp.engines import make_engine
    from icegp.gp.problem import Problem

    experts, problems = expert_problems(workdir, cfg, target)
    full = problems[experts.loc[experts["n_obs"].idxmax(), "expert_id"]]
    order = np.random.default_rng(0).permutation(full.n)
    models = {
        f"{p}_fast": {**yaml.safe_load(open(f"config/presets/{p}.yaml"))["training"], "engine": "fast"} for p in PRESETS
    }
    models["baseline_reference"] = {**models["baseline_fast"], "engine": "reference"}
    rows = []
    n = 1500
    while n <= full.n:
        keep = np.sort(order[:n])
        problem = Problem(full.expert_id, full.origin, full.X[keep], full.y[keep])
        row: dict[str, float] = {"n_obs": n}
        for name, training in models.items():
            if name.endswith("reference") and n > reference_max_n:
                continue
            fit = make_engine({**cfg["training"], **training}).fit_one(problem)
            row[f"{name}_s"], row[f"{name}_iter"] = fit.seconds, fit.n_iter
        rows.append(row)
        show(row, ".1f")
        n *= 2
    return pd.DataFrame(rows)


def inducing_sweep(workdir: Path, cfg: dict, target: str, k: int, sizes=(50, 100, 200, 300, 500)) -> pd.DataFrame:
    """The bound and the accuracy against the number of inducing points, random draws vs k-means
    centres, on k of the baseline's experts (10th to 90th percentile of their observation counts):
    -loss (the ELBO), fit seconds, and the RMSE against the truth at the grid cells within 200 km."""
    import xarray as xr

    from icegp.gp.engines import make_engine

    experts, problems = expert_problems(workdir, cfg, target)
    truth = xr.open_dataset(workdir / layout.demo_files(cfg, target)["truth"])[cfg["variable"]]
    gx, gy = np.meshgrid(truth["x"].to_numpy(), truth["y"].to_numpy())
    tv = truth.to_numpy()
    rows = []
    for e in sample_experts(experts, k).itertuples(index=False):
        problem = problems[e.expert_id]
        near = (np.hypot(gx - e.x, gy - e.y) < 200_000) & np.isfinite(tv)
        Xq = np.c_[gx[near], gy[near], np.full(int(near.sum()), e.t)]
        for m in sizes:
            for method in ("random", "kmeans"):
                engine = make_engine(
                    {**cfg["training"], "engine": "fast", "inducing_points": m, "inducing_method": method}
                )
                fit = engine.fit_one(problem)
                pred = engine.predict(problem, fitted(fit), Xq)["f_mean"]
                rows.append(
                    {
                        "expert_id": e.expert_id,
                        "n_obs": problem.n,
                        "inducing_points": m,
                        "method": method,
                        "elbo": -fit.loss,
                        "fit_s": fit.seconds,
                        "n_iter": fit.n_iter,
                        "rmse_vs_truth_m": float(np.sqrt(np.mean((pred - tv[near]) ** 2))),
                    }
                )
                show(rows[-1])
    return pd.DataFrame(rows)


def extrapolate_reference(base: dict, sample: pd.DataFrame, parallel: int) -> dict:
    """The reference's whole-day wall time: the baseline run with its train and predict job-seconds
    scaled by the sample's reference/fast time ratios, the extra work spread over `parallel` jobs."""
    out = {"wall_s": base["wall_s"]}
    for rule, col in (("train", "fit_s"), ("predict", "predict_s")):
        ratio = sample[f"reference_{col}"].sum() / sample[f"fast_{col}"].sum()
        fast_s = float(base["stages"].loc[rule, "wall_s_sum"])
        out[f"{rule}_job_s"] = fast_s * ratio
        out[f"{rule}_ratio"] = ratio
        out["wall_s"] += (fast_s * ratio - fast_s) / parallel
    return out


def run(cores: int, window: int, sample_size: int, scaling: bool = False, sweep: bool = False) -> dict:
    from icegp.bench.dagrun import record

    cfg = seed_config(window)
    target = config.targets(cfg)[0]
    overlay = {"demo": {**cfg["demo"]}, "num_days_before_after": window, "training": {"engine": "fast"}}
    workdir = OUT / f"window{window}"
    gen_s = generate_inputs(workdir, overlay, cfg, cores)
    print(f"pan-Arctic demo inputs, +-{window} days: {gen_s:.0f} s (not timed below)")
    runs = {}
    for preset in PRESETS:
        runs[preset] = r = preset_run(workdir, preset, overlay, cores, target)
        if preset == "baseline":
            print(f"reference engine on {sample_size} of the baseline's experts (one thread each):")
            sample = reference_sample(workdir, cfg, target, sample_size)
        print(
            f"{preset}: {r['experts']} experts, median {r['obs_per_expert_median']:.0f} obs each, "
            f"wall {r['wall_s']:.0f} s, RMSE vs truth {r['rmse_vs_truth_m']:.4f} m, hold-out "
            f"{r['holdout_rmse_m']:.4f} m, peak RSS {r['max_rss_mb']:.0f} MB"
        )
        print(r["stages"][["jobs", "wall_s_sum", "max_rss_mb"]].to_string())
    ref = extrapolate_reference(runs["baseline"], sample, min(cores, cfg["training"]["shards"]))
    rec, base = runs["recommended"], runs["baseline"]
    rows = {
        "window": window,
        "cores": cores,
        "experts": base["experts"],
        "obs_per_expert_median": base["obs_per_expert_median"],
        "engine_fit_speedup_min": float(sample["fit_speedup"].min()),
        "engine_fit_speedup_total": float(sample["reference_fit_s"].sum() / sample["fast_fit_s"].sum()),
        "engine_loss_rel_diff_max": float(sample["loss_rel_diff"].max()),
        "engine_prediction_diff_max_m": float(sample["max_prediction_diff_m"].max()),
        "reference_wall_s_extrapolated": ref["wall_s"],
        "reference_train_ratio": ref["train_ratio"],
        "reference_predict_ratio": ref["predict_ratio"],
    }
    for preset, r in runs.items():
        rows.update({f"{preset}_{k}": r[k] for k in ("wall_s", "rmse_vs_truth_m", "holdout_rmse_m", "max_rss_mb")})
    rows["speedup_vs_reference"] = ref["wall_s"] / rec["wall_s"]
    rows["speedup_vs_fast_baseline"] = base["wall_s"] / rec["wall_s"]
    for k, v in rows.items():
        print(f"{k}: {v:.4g}" if isinstance(v, float) else f"{k}: {v}")
    sample.to_csv(workdir / "reference_sample.tsv", sep="\t", index=False, float_format="%.6g")
    if sweep:
        print("bound and accuracy against the number of inducing points, random vs k-means:")
        inducing_sweep(workdir, cfg, target, 3).to_csv(
            workdir / "inducing_sweep.tsv", sep="\t", index=False, float_format="%.6g"
        )
    if scaling:
        print("fit time as the observations per expert double (the largest expert, nested subsets):")
        scaling_in_n(workdir, cfg, target, reference_max_n=12_000).to_csv(
            workdir / "scaling_n.tsv", sep="\t", index=False, float_format="%.4g"
        )
    record(rows, OUT / "bench.tsv")
    print(
        f"reference (extrapolated): wall {ref['wall_s']:.0f} s, RMSE vs truth {base['rmse_vs_truth_m']:.4f} m "
        f"and hold-out {base['holdout_rmse_m']:.4f} m (the baseline run: same model, same optimum)"
    )
    print(
        f"seed-scale speedup: {rows['speedup_vs_reference']:.1f}x at RMSE {rec['rmse_vs_truth_m']:.4f} m "
        f"vs reference {base['rmse_vs_truth_m']:.4f} m"
    )
    return rows

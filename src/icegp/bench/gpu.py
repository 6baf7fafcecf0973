"""``python -m icegp.bench --scale seed --device gpu``: one pan-Arctic day on a GPU against the CPU.

For a machine with a GPU (``profiles/slurm-gpu/gpu-bench.sbatch`` submits it; ``.ci/gpu-bench.sh`` is
the one call that installs and runs it). It stops, saying so, when TensorFlow sees no GPU. The
workload is the seed's (:mod:`icegp.bench.seed_scale`): the pan-Arctic demo day, generated once, untimed.
For the seed's own model (``baseline``: SGPR, 500 random inducing points) and for ``recommended``
(100 k-means points) it runs the whole day's DAG with the CPU fast engine and with ``device: gpu``
(the batched path, one train and one predict job for the day), then prints per model: the day's
wall, fitting seconds (the train tables' ``seconds``), stage job-seconds, the peak device memory of
the train job, the per-expert agreement of the objectives and the RMSE against the truth and
hold-out, ending with ``gpu speedup: <r>x at RMSE <a> m vs cpu <b> m`` (the day's wall, recommended).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from icegp import config, plan
from icegp.bench.dagrun import train_files
from icegp.bench.seed_scale import generate_inputs, preset_run, seed_config
from icegp.util.atomic import read_parquet_metadata

OUT = Path(plan.BENCH) / "gpu"
MODELS = ("recommended", "baseline")
#: The day on one GPU: every expert in one train job and one predict job (batched there).
ON_GPU = {"training": {"device": "gpu", "shards": 1}, "prediction": {"shards": 1}}
AGREEMENT = 1e-4


def train_tables(workdir: Path, target: str) -> tuple[pd.DataFrame, float]:
    """The day's train rows and the largest peak device memory (MB) a train job recorded."""
    files = train_files(workdir, target)
    peaks = [read_parquet_metadata(str(f)).get("device_peak_mb") for f in files]
    return pd.concat(pd.read_parquet(f) for f in files), max((p for p in peaks if p is not None), default=np.nan)


def agreement(gpu: pd.DataFrame, cpu: pd.DataFrame) -> dict:
    """Per expert fitted by both: the relative objective difference (GPU minus CPU)."""
    both = gpu.merge(cpu, on="expert_id", suffixes=("_gpu", "_cpu"))
    both = both[np.isfinite(both["loss_gpu"]) & np.isfinite(both["loss_cpu"])]
    rel = (both["loss_gpu"] - both["loss_cpu"]) / both["loss_cpu"].abs()
    return {
        "experts_compared": len(both),
        "loss_rel_diff_median": float(rel.abs().median()),
        "loss_rel_diff_max": float(rel.abs().max()),
        "gpu_worse_share": float((rel > AGREEMENT).mean()),
    }


def visible_gpus() -> str:
    """The GPUs TensorFlow sees, asked in a child process (so this one's environment stays the jobs')."""
    ask = "import tensorflow as tf; print([d.name for d in tf.config.list_physical_devices('GPU')])"
    proc = subprocess.run(
        [sys.executable, "-c", ask], capture_output=True, text=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    )
    return proc.stdout.strip() if proc.returncode == 0 else f"TensorFlow failed: {proc.stderr[-500:]}"


def run(cores: int, window: int) -> dict:
    gpus = visible_gpus()
    if not gpus.startswith("['"):
        raise SystemExit(f"no GPU: TensorFlow sees {gpus}; this benchmark needs one")
    print(f"GPUs: {gpus}", flush=True)
    cfg = seed_config(window)
    target = config.targets(cfg)[0]
    base = {"demo": {**cfg["demo"]}, "num_days_before_after": window, "training": {"engine": "fast"}}
    workdir = OUT / f"window{window}"
    print(f"pan-Arctic demo inputs, +-{window} days: {generate_inputs(workdir, base, cfg, cores):.0f} s (not timed)")
    rows: dict = {"window": window, "cores": cores}
    for model in MODELS:
        runs = {}
        for name, overlay in (("cpu", base), ("gpu", config.merged(base, ON_GPU))):
            r = runs[name] = preset_run(workdir, model, overlay, cores, target)
            r["train"], r["device_peak_mb"] = train_tables(workdir, target)
            r["fit_s"] = float(r["train"]["seconds"].sum())
            print(
                f"{model} on {name}: wall {r['wall_s']:.1f} s, fitting {r['fit_s']:.1f} s, RMSE vs truth "
                f"{r['rmse_vs_truth_m']:.4f} m, hold-out {r['holdout_rmse_m']:.4f} m, peak RSS {r['max_rss_mb']:.0f} MB"
                + (f", peak device memory {r['device_peak_mb']:.0f} MB" if name == "gpu" else ""),
                flush=True,
            )
            print(r["stages"][["jobs", "wall_s_sum", "max_rss_mb"]].to_string())
        agree = agreement(runs["gpu"]["train"], runs["cpu"]["train"])
        print(f"{model}: per-expert objectives, GPU vs CPU: " + ", ".join(f"{k} {v:.3g}" for k, v in agree.items()))
        for name, r in runs.items():
            rows.update({f"{model}_{name}_{k}": r[k] for k in ("wall_s", "fit_s", "rmse_vs_truth_m", "holdout_rmse_m")})
        rows[f"{model}_device_peak_mb"] = runs["gpu"]["device_peak_mb"]
        rows.update({f"{model}_{k}": v for k, v in agree.items()})
    from icegp.bench.dagrun import record

    record(rows, OUT / "bench.tsv")
    m = "recommended"
    print(
        f"gpu speedup: {rows[f'{m}_cpu_wall_s'] / rows[f'{m}_gpu_wall_s']:.1f}x at RMSE "
        f"{rows[f'{m}_gpu_rmse_vs_truth_m']:.4f} m vs cpu {rows[f'{m}_cpu_rmse_vs_truth_m']:.4f} m"
    )
    return rows

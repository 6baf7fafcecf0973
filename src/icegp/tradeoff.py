"""The speed/accuracy trade-off of the presets: each preset's demo run with each engine, its wall time
against its RMSE versus the truth and its hold-out error."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from .dagrun import run_dag
from .io.atomic import atomic_path
from .plots import save_png
from .timing import collect

RUNS = [
    ("baseline", "reference"),
    ("baseline", "fast"),
    ("recommended", "fast"),
    ("conservative", "fast"),
    ("aggressive", "fast"),
    ("aggressive", "reference"),
]


def one_run(workroot: Path, preset: str, engine: str, cores: int, target: str) -> dict:
    work = workroot / f"{preset}-{engine}"
    wall = run_dag(work, {"training": {"engine": engine}}, cores, [f"config/presets/{preset}.yaml"])
    report = json.loads((work / f"results/{target}/validation.json").read_text())
    bench = collect(work / "benchmarks")
    return {
        "preset": preset,
        "engine": engine,
        "wall_s": wall,
        "train_s": float(bench.loc[bench["rule"] == "train", "s"].sum()),
        "rmse_vs_truth_m": report["truth"]["rmse"],
        "holdout_rmse_m": report["holdout"].get("rmse"),
        "experts": len(pd.read_parquet(work / f"results/{target}/experts.parquet")),
    }


def plot(table: pd.DataFrame, png: str) -> None:
    fig = Figure(figsize=(10, 4.5))
    for ax, col, label in zip(
        fig.subplots(1, 2), ("rmse_vs_truth_m", "holdout_rmse_m"), ("RMSE vs truth (m)", "hold-out RMSE (m)")
    ):
        for engine, marker in (("fast", "o"), ("reference", "s")):
            sub = table[table["engine"] == engine]
            ax.scatter(sub["wall_s"], sub[col], marker=marker, label=f"{engine} engine")
            for r in sub.itertuples():
                ax.annotate(r.preset, (r.wall_s, getattr(r, col)), textcoords="offset points", xytext=(4, 4))
        ax.set_xlabel("demo DAG wall time (s, --cores 2)")
        ax.set_ylabel(label)
        ax.legend()
    fig.tight_layout()
    save_png(fig, png)


def run(workroot: str, tsv: str, png: str, cores: int, target: str) -> pd.DataFrame:
    table = pd.DataFrame([one_run(Path(workroot), p, e, cores, target) for p, e in RUNS])
    with atomic_path(tsv, ".tsv") as tmp:
        table.to_csv(tmp, sep="\t", index=False, float_format="%.4f")
    plot(table, png)
    return table

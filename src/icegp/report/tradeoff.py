"""The speed/accuracy trade-off of a DAG's runs (the presets with each engine, on the demo): each
run's summed job time against its RMSE versus the truth and its hold-out error."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from icegp.report.maps import save_png


def table(validations: dict, experts: dict, engines: dict, bench: pd.DataFrame) -> pd.DataFrame:
    """One row per run from its validation report, its experts and the benchmark rows of its own jobs
    (`bench`'s rows whose `run` is the run's: observations to validation; the loads the runs share
    are not counted)."""
    rows = []
    for name, report in validations.items():
        mine = bench[bench["run"] == name]
        rows.append(
            {
                "run": name,
                "engine": engines[name],
                "job_s": float(mine["s"].sum()),
                "train_s": float(mine.loc[mine["rule"] == "train", "s"].sum()),
                "rmse_vs_truth_m": report.get("truth", {}).get("rmse"),
                "holdout_rmse_m": report["holdout"].get("rmse"),
                "experts": int(experts[name]),
            }
        )
    return pd.DataFrame(rows)


def plot(runs: pd.DataFrame, png: str) -> None:
    fig = Figure(figsize=(10, 4.5))
    for ax, col, label in zip(
        fig.subplots(1, 2), ("rmse_vs_truth_m", "holdout_rmse_m"), ("RMSE vs truth (m)", "hold-out RMSE (m)")
    ):
        for engine, marker in (("fast", "o"), ("reference", "s")):
            sub = runs[runs["engine"] == engine]
            ax.scatter(sub["job_s"], sub[col], marker=marker, label=f"{engine} engine")
            for r in sub.itertuples():
                ax.annotate(r.run, (r.job_s, getattr(r, col)), textcoords="offset points", xytext=(4, 4))
        ax.set_xlabel("the run's summed job time (s)")
        ax.set_ylabel(label)
        ax.legend()
    fig.tight_layout()
    save_png(fig, png)

"""Where the time and memory went: aggregate Snakemake ``benchmark:`` files per rule.

The successor of the old pipeline's ``timing_log.txt``: Snakemake already measures every job
(``benchmarks/<rule>/<wildcards...>.tsv``), so this only reads those files and sums them per rule,
in pipeline order.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from icegp import contracts
from icegp.report.maps import save_png

#: Pipeline stages in run order; rules not listed in STAGE_OF fall into "other", last.
STAGES = (
    "demo",
    "load",
    "observations",
    "experts",
    "train",
    "smooth",
    "chunk",
    "predict",
    "product",
    "validate",
    "plots",
    "other",
)
STAGE_OF = {
    "demo_ocean_mask": "demo",
    "demo_inputs": "demo",
    "demo_regions": "demo",
    "fetch_gridded": "load",
    "load_day": "load",
    "observations": "observations",
    "grids": "experts",
    "experts": "experts",
    "train": "train",
    "smooth": "smooth",
    "interpolate_hyperparameters": "smooth",
    "chunk": "chunk",  # a chunk's days, window to validation (its stages table says how long each took)
    "predict": "predict",
    "product": "product",
    "validate": "validate",
    "plots": "plots",
    "season": "product",
    "monthly": "product",
}
#: Benchmark columns used here: wall seconds, CPU seconds, peak resident memory (MB).
MEASURES = ("s", "cpu_time", "max_rss")


def read_benchmark(path) -> pd.Series:
    """One benchmark file as its per-measure median: with ``repeat()`` Snakemake writes one row per
    run, and the median is robust to a cold first run. Snakemake writes NA when a job finished
    before it could be sampled; those become NaN."""
    df = pd.read_csv(path, sep="\t", na_values=["NA", "-"])
    missing = [c for c in MEASURES if c not in df.columns]
    if missing or df.empty:
        raise ValueError(f"{path}: not a Snakemake benchmark file (missing columns {missing}, {len(df)} rows)")
    return df[list(MEASURES)].apply(pd.to_numeric, errors="coerce").median()


def collect(files, benchmarks_dir) -> pd.DataFrame:
    """One row per benchmark file (`benchmarks_dir/<rule>/<wildcards>.tsv`): rule, job (the wildcards' path)
    and the median s, cpu_time and max_rss of its rows."""
    if not files:
        raise ValueError(f"no Snakemake benchmark files to summarise (under {benchmarks_dir})")
    rows = []
    for path in sorted(Path(f) for f in files):
        parts = path.relative_to(benchmarks_dir).with_suffix("").parts
        rows.append({"rule": parts[0], "job": "/".join(parts[1:]), **read_benchmark(path).to_dict()})
    return pd.DataFrame(rows, columns=["rule", "job", *MEASURES])


def collect_under(benchmarks_dir) -> pd.DataFrame:
    """:func:`collect` on every benchmark file under `benchmarks_dir`: for a fresh working copy (the
    benchmark commands), where no file is stale."""
    return collect(sorted(Path(benchmarks_dir).rglob("*.tsv")), benchmarks_dir)


def stage_of(rule: str) -> str:
    return STAGE_OF.get(rule, "other")


def summarise(df: pd.DataFrame) -> pd.DataFrame:
    """Per-rule totals in pipeline-stage order (rules alphabetical within a stage)."""
    grouped = df.groupby("rule")
    out = pd.DataFrame(
        {
            "jobs": grouped.size(),
            "wall_s_sum": grouped["s"].sum(min_count=1),
            "wall_s_median": grouped["s"].median(),
            "wall_s_max": grouped["s"].max(),
            "cpu_s_sum": grouped["cpu_time"].sum(min_count=1),  # NaN, not 0, when no job was sampled
            "max_rss_mb": grouped["max_rss"].max(),
        }
    ).reset_index()
    out["percent_wall"] = 100.0 * out["wall_s_sum"] / out["wall_s_sum"].sum()
    out["stage"] = pd.Categorical(out["rule"].map(stage_of), categories=STAGES, ordered=True)
    out = out.sort_values(["stage", "rule"], ignore_index=True)
    out["stage"] = out["stage"].astype(str)
    return out[contracts.TIMING]


def _fmt(value: float, spec: str, unit: str) -> str:
    return f"{value:{spec}} {unit}" if np.isfinite(value) else "n/a"


def bar_chart(summary: pd.DataFrame, png_path) -> Path:
    """Horizontal bars of summed wall time per rule, first stage on top, annotated with the job
    count, CPU seconds and peak memory, so the expensive rules and their cost are seen at once."""
    fig = Figure(figsize=(9, 1.2 + 0.45 * len(summary)), layout="constrained")
    ax = fig.add_subplot()
    colours = [f"C{STAGES.index(s)}" for s in summary["stage"]]
    labels = [r if r == s else f"{r} ({s})" for r, s in zip(summary["rule"], summary["stage"])]
    bars = ax.barh(labels, summary["wall_s_sum"], color=colours)
    notes = [
        f"{jobs} job{'s' * (jobs != 1)}, cpu {_fmt(cpu, '.1f', 's')}, max RSS {_fmt(rss, '.0f', 'MB')}"
        for jobs, cpu, rss in zip(summary["jobs"], summary["cpu_s_sum"], summary["max_rss_mb"])
    ]
    ax.bar_label(bars, notes, padding=4, fontsize="small")
    ax.invert_yaxis()
    ax.margins(x=0.45)  # room for the annotations right of the longest bar
    ax.set_xlabel("wall time, summed over jobs [s]")
    ax.set_title(f"time per rule (total {summary['wall_s_sum'].sum() / 60:.1f} min)")
    return save_png(fig, png_path)

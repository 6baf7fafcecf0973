"""Jobs of workflow/rules/report.smk: the timing report and the runs' speed/accuracy trade-off."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd

import icegp.report.tradeoff
from icegp import plan
from icegp.report import timing
from icegp.util.atomic import atomic_path

log = logging.getLogger(__name__)


def timing_report(*, benchmarks: list[str], benchmarks_dir: str, tsv: str, png: str) -> pd.DataFrame:
    """Summarise the DAG's benchmark files (under `benchmarks_dir`) per rule and stage, a TSV table and
    a bar chart."""
    summary = timing.summarise(timing.collect(benchmarks, benchmarks_dir))
    with atomic_path(tsv, ".tsv") as tmp:
        summary.to_csv(tmp, sep="\t", index=False, float_format="%.3f")
    timing.bar_chart(summary, png)
    log.info("\n%s", summary.to_string())
    return summary


def tradeoff(
    *, validation, experts_files, engines: dict, benchmarks: list[str], benchmarks_dir: str, tsv: str, png: str
) -> pd.DataFrame:
    """Every run's accuracy (its validation) against its summed job time (the benchmark files of its
    own jobs): a TSV table and a chart."""
    if not validation:
        raise ValueError("config key runs: no runs to compare (runs is empty)")
    reports = {plan.run_of(p): json.loads(Path(p).read_text()) for p in validation}
    counts = {plan.run_of(p): len(pd.read_parquet(p)) for p in experts_files}
    bench = timing.collect(benchmarks, benchmarks_dir)
    runs = icegp.report.tradeoff.table(reports, counts, engines, bench.assign(run=bench["job"].map(plan.run_of)))
    with atomic_path(tsv, ".tsv") as tmp:
        runs.to_csv(tmp, sep="\t", index=False, float_format="%.4f")
    icegp.report.tradeoff.plot(runs, png)
    log.info("\n%s", runs.to_string(index=False))
    return runs

"""Jobs of workflow/rules/report.smk: the timing report and the presets' speed/accuracy trade-off."""

from __future__ import annotations

import logging
import os

import pandas as pd

from .. import timing, tradeoff
from ..io.atomic import atomic_path

log = logging.getLogger(__name__)


def timing_report(*, benchmarks: str, tsv: str, png: str) -> pd.DataFrame:
    """Summarise every benchmark file under `benchmarks` per rule and stage: a TSV table and a bar chart."""
    summary = timing.summarise(timing.collect(benchmarks))
    with atomic_path(tsv, ".tsv") as tmp:
        summary.to_csv(tmp, sep="\t", index=False, float_format="%.3f")
    timing.bar_chart(summary, png)
    log.info("\n%s", summary.to_string())
    return summary


def presets_tradeoff(*, tsv: str, png: str, cores: int, target: str) -> pd.DataFrame:
    """Each preset's demo run with each engine (in runs/ beside `tsv`): wall time against accuracy."""
    table = tradeoff.run(os.path.join(os.path.dirname(tsv), "runs"), tsv, png, cores, target)
    log.info("\n%s", table.to_string(index=False))
    return table

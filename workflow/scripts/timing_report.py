"""Aggregate every benchmark file per rule and stage (the old timing_log.txt, for a DAG)."""

from icegp import jobs, plan
from icegp.jobs import report

jobs.setup_logging(snakemake)
report.timing_report(
    benchmarks=list(snakemake.input.benchmarks),
    benchmarks_dir=plan.BENCHMARKS,
    tsv=snakemake.output.tsv,
    png=snakemake.output.png,
)

"""Tabulate the runs' accuracy against their summed job time (the presets with each engine, on the demo)."""

from icegp import jobs, plan
from icegp.jobs import report

jobs.setup_logging(snakemake)
report.tradeoff(
    validation=list(snakemake.input.validation),
    experts_files=list(snakemake.input.experts),
    engines=snakemake.params.engines,
    benchmarks=list(snakemake.input.benchmarks),
    benchmarks_dir=plan.BENCHMARKS,
    tsv=snakemake.output.tsv,
    png=snakemake.output.png,
)

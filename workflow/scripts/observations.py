"""Merge a target's window of day files into its observation table and report."""

from icegp import jobs
from icegp.jobs import load

jobs.setup_logging(snakemake)
load.observations(
    day_files=list(snakemake.input),
    target=snakemake.wildcards.target,
    crs=snakemake.params.crs,
    observations=snakemake.params.observations,
    preferred=snakemake.params.preferred,
    dropped=snakemake.params.dropped,
    missing_days=snakemake.params.missing_days,
    table=snakemake.output.table,
    report=snakemake.output.report,
)

"""Merge a target's window of day files into its observations table and report."""

from icegp import jobs, observations

log = jobs.setup_logging(snakemake)
observations.window_to_files(
    list(snakemake.input), snakemake.wildcards.target, snakemake.params, snakemake.output.table, snakemake.output.report
)

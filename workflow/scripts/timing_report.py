"""Aggregate every benchmark file per rule and stage (the old timing_log.txt, for a DAG)."""

from icegp import jobs, timing

log = jobs.setup_logging(snakemake)
summary = timing.write_report("benchmarks", snakemake.output.tsv, snakemake.output.png)
log.info("\n%s", summary.to_string())

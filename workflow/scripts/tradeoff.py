"""Run the presets on the demo with both engines and tabulate wall time against accuracy."""

from icegp import jobs
from icegp.jobs import report

jobs.setup_logging(snakemake)
report.presets_tradeoff(
    tsv=snakemake.output.tsv, png=snakemake.output.png, cores=snakemake.threads, target=snakemake.params.target
)

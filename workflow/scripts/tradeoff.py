"""Run the presets on the demo with both engines and tabulate wall time against accuracy."""

import os

from icegp import jobs, tradeoff

log = jobs.setup_logging(snakemake)
table = tradeoff.run(
    os.path.join(os.path.dirname(snakemake.output.tsv), "runs"),
    snakemake.output.tsv,
    snakemake.output.png,
    snakemake.threads,
    snakemake.params.target,
)
log.info("\n%s", table.to_string(index=False))

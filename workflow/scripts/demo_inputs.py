"""One demo day's input files in the real formats, and its truth."""

from icegp import jobs
from icegp.jobs import demo

jobs.setup_logging(snakemake)
demo.demo_inputs(
    ymd=snakemake.wildcards.ymd,
    ocean=snakemake.input.ocean,
    outputs=snakemake.output,
    demo_config=snakemake.params.demo,
    beams=snakemake.params.beams,
    crs=snakemake.params.crs,
    grid=snakemake.params.grid,
)

"""The synthetic Arctic's ocean mask, made once for every demo day."""

from icegp import jobs
from icegp.jobs import demo

jobs.setup_logging(snakemake)
demo.demo_ocean_mask(output=snakemake.output[0])

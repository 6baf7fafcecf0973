"""The demo's region mask in the NSIDC-0780 layout."""

from icegp import jobs
from icegp.jobs import demo

jobs.setup_logging(snakemake)
demo.demo_regions(ocean=snakemake.input.ocean, output=snakemake.output[0])

"""Load one day of one source into the common observation table."""

from icegp import jobs
from icegp.jobs import load

jobs.setup_logging(snakemake)
load.load_day(
    source=snakemake.params.source,
    day=snakemake.wildcards.day,
    crs=snakemake.params.crs,
    inputs=list(snakemake.input),
    output=snakemake.output[0],
    missing_days=snakemake.params.missing_days,
)

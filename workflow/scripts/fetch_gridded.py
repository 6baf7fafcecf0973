"""Download (or find in the cache) one day's gridded file and record a manifest."""

from icegp import jobs
from icegp.jobs import load

jobs.setup_logging(snakemake)
load.fetch_gridded(
    source=snakemake.params.source,
    day=snakemake.wildcards.day,
    cache=snakemake.params.cache,
    manifest=snakemake.output.manifest,
    missing_days=snakemake.params.missing_days,
)

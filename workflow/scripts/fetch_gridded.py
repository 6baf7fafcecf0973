"""Download one day's gridded file (SMOS/SMAP, SIC) into the cache (or find it there) and write its manifest."""

from icegp import fetching, jobs

log = jobs.setup_logging(snakemake)
fetching.fetch_day(
    snakemake.params.source,
    snakemake.wildcards.day,
    snakemake.params.cache,
    snakemake.output.manifest,
    snakemake.params.missing_days,
)

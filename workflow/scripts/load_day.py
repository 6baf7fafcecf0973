"""Load one source for one day into results/obs/{source}/{day}.parquet."""

from icegp import jobs, loading

log = jobs.setup_logging(snakemake)
loading.load_day_to_file(
    snakemake.params.source,
    snakemake.wildcards.day,
    snakemake.params.crs,
    list(snakemake.input),
    snakemake.output[0],
    snakemake.params.missing_days,
)

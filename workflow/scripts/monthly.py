"""The season's monthly file, its regional table and plot, and a map per month."""

from icegp import jobs
from icegp.jobs import season

jobs.setup_logging(snakemake)
season.monthly(
    season_file=snakemake.input.season,
    concentration={day: getattr(snakemake.input, f"concentration_{day}") for day in snakemake.params.days},
    regions=snakemake.input.regions,
    background=snakemake.input.background,
    nc=snakemake.output.nc,
    table=snakemake.output.table,
    png=snakemake.output.png,
    months={month: getattr(snakemake.output, f"mean_{month}") for month in snakemake.params.months},
    variable=snakemake.params.variable,
    crs=snakemake.params.crs,
    exclude=snakemake.params.exclude,
    vmax=snakemake.params.vmax,
    window_days=snakemake.params.window_days,
    correlation_m=snakemake.params.correlation_m,
)

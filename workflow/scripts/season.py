"""Stack a target range's daily products into the season file and draw its time series."""

from icegp import jobs
from icegp.jobs import season

jobs.setup_logging(snakemake)
season.season(
    products=list(snakemake.input),
    nc=snakemake.output.nc,
    series=snakemake.output.series,
    variable=snakemake.params.variable,
)

"""Stack a target range's daily products into the season file and draw its time series."""

from icegp import jobs
from icegp.jobs import season

jobs.setup_logging(snakemake)
season.season(
    products=list(snakemake.input.products),
    validations=list(snakemake.input.validations),
    nc=snakemake.output.nc,
    series=snakemake.output.series,
    calibration=snakemake.output.calibration,
    calibration_table=snakemake.output.calibration_table,
    variable=snakemake.params.variable,
)

"""Stack a target range's daily products into the season file and draw its monthly and time-series plots."""

import os

import xarray as xr

from icegp import jobs, plots, season
from icegp.io.atomic import write_netcdf

log = jobs.setup_logging(snakemake)
variable = snakemake.params.variable
products = [xr.open_dataset(p).load() for p in snakemake.input]
stacked = season.stack(products, variable)
write_netcdf(stacked, snakemake.output.nc, encoding=season.encoding(stacked))
paths = {os.path.basename(p)[len("mean_") : -len(".png")]: p for p in snakemake.output.months}
plots.season_month_maps(stacked, variable, paths)
series = season.ice_series(stacked, variable)
plots.season_series(series, variable, stacked[variable].attrs.get("units", ""), snakemake.output.series)
log.info(
    "%d days, months %s -> %s; ice-region mean %.3f..%.3f",
    stacked.sizes["time"],
    sorted(paths),
    snakemake.output.nc,
    series["mean"].min(),
    series["mean"].max(),
)

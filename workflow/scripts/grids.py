"""Candidate expert locations and prediction locations, land-masked once for every target."""

from icegp import experts, jobs, prediction, product
from icegp.io.atomic import write_netcdf, write_parquet

log = jobs.setup_logging(snakemake)
p = snakemake.params
cand = experts.candidates(p.experts, p.crs, p.expert_time_stamps)
locs = prediction.locations(p.prediction, p.crs)
write_parquet(cand, snakemake.output.candidates, {"crs": p.crs})
write_parquet(locs, snakemake.output.prediction, {"crs": p.crs})
write_netcdf(product.land_mask(*product.axes(p.prediction, locs), p.crs), snakemake.output.land)
log.info("%d candidate experts, %d prediction locations", len(cand), len(locs))

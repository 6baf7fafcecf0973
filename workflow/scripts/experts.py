"""Choose the experts of one target and assign them to shards."""

from icegp import jobs
from icegp.jobs import gp

jobs.setup_logging(snakemake)
gp.experts(
    obs=snakemake.input.obs,
    candidates=snakemake.input.candidates,
    output=snakemake.output[0],
    target=snakemake.wildcards.target,
    min_obs=snakemake.params.min_obs,
    num_days_before_after=snakemake.params.num_days_before_after,
    radius=snakemake.params.radius,
    shards=snakemake.params.shards,
    crs=snakemake.params.crs,
)

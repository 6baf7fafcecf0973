"""Predict one shard of experts at the prediction locations with fixed (smoothed) hyperparameters."""

from icegp import jobs
from icegp.jobs import gp

log = jobs.setup_logging(snakemake)
gp.predict(
    obs=snakemake.input.obs,
    experts_file=snakemake.input.experts,
    hyperparameters=snakemake.input.hyperparameters,
    locations=snakemake.input.locations,
    output=snakemake.output[0],
    target=snakemake.wildcards.target,
    shard=int(snakemake.wildcards.shard),
    shards=snakemake.params.shards,
    training=snakemake.params.training,
    num_days_before_after=snakemake.params.num_days_before_after,
    radius=snakemake.params.radius,
    crs=snakemake.params.crs,
    engine=jobs.gp_engine(snakemake, snakemake.params.training, log),
)

"""Fit one shard of experts (resuming from its checkpoint if a previous attempt was killed)."""

from icegp import jobs
from icegp.jobs import gp

log = jobs.setup_logging(snakemake)
gp.train(
    obs=snakemake.input.obs,
    experts_file=snakemake.input.experts,
    warm=list(snakemake.input.warm),
    output=snakemake.output[0],
    target=snakemake.wildcards.target,
    shard=int(snakemake.wildcards.shard),
    training=snakemake.params.training,
    num_days_before_after=snakemake.params.num_days_before_after,
    min_obs=snakemake.params.min_obs,
    engine=jobs.gp_engine(snakemake, snakemake.params.training, log),
)

"""Fit one shard of experts (resuming from its checkpoint if a previous attempt was killed)."""

from icegp import jobs, training

log = jobs.setup_logging(snakemake)
engine = jobs.gp_engine(snakemake, snakemake.params.training, log)
out = snakemake.output[0]
training.train_shard(
    snakemake.input.obs,
    snakemake.input.experts,
    int(snakemake.wildcards.shard),
    snakemake.params.training,
    snakemake.params.num_days,
    snakemake.params.min_obs,
    engine,
    out,
    training.checkpoint_path_for(out),
)

"""Gather the train shards, clip and smooth the hyperparameters (raw values kept beside them)."""

from icegp import jobs
from icegp.jobs import gp

jobs.setup_logging(snakemake)
gp.smooth(
    trained=list(snakemake.input),
    output=snakemake.output[0],
    target=snakemake.wildcards.target,
    smoothing=snakemake.params.smoothing,
    training=snakemake.params.training,
    crs=snakemake.params.crs,
)

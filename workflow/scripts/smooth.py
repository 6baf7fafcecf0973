"""Gather the train shards, clip and smooth the hyperparameters (raw values kept beside them)."""

from icegp import jobs
from icegp.jobs import gp

jobs.setup_logging(snakemake)
gp.smooth(
    shards=list(snakemake.input),
    output=snakemake.output[0],
    target=snakemake.wildcards.target,
    settings=snakemake.params.smoothing,
    training_settings=snakemake.params.training,
    crs=snakemake.params.crs,
)

"""Stride mode: a target's hyperparameters interpolated in time between its two anchors."""

from icegp import jobs
from icegp.jobs import gp

jobs.setup_logging(snakemake)
gp.interpolate_hyperparameters(
    experts_file=snakemake.input.experts,
    anchors=list(snakemake.input.anchors),
    days=snakemake.params.days,
    output=snakemake.output[0],
    target=snakemake.wildcards.target,
    smoothing_settings=snakemake.params.smoothing,
    training_settings=snakemake.params.training,
    crs=snakemake.params.crs,
)

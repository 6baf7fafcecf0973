"""Stride mode: a target's hyperparameters interpolated in time between its two anchors."""

from icegp import jobs
from icegp.jobs import gp

jobs.setup_logging(snakemake)
gp.interpolate_hyperparameters(
    experts_file=snakemake.input.experts,
    anchor_files=list(snakemake.input.anchor_files),
    anchors=snakemake.params.anchors,
    output=snakemake.output[0],
    target=snakemake.wildcards.target,
    smoothing=snakemake.params.smoothing,
    training=snakemake.params.training,
    crs=snakemake.params.crs,
)

"""Candidate expert locations and prediction locations, land-masked once for every target."""

from icegp import jobs
from icegp.jobs import grids

jobs.setup_logging(snakemake)
grids.grids(
    experts=snakemake.params.experts,
    expert_time_stamps=snakemake.params.expert_time_stamps,
    prediction=snakemake.params.prediction,
    crs=snakemake.params.crs,
    expert_locations=list(snakemake.input.expert_locations),
    prediction_locations=list(snakemake.input.prediction_locations),
    candidates=snakemake.output.candidates,
    locations=snakemake.output.prediction,
    land=snakemake.output.land,
    background=snakemake.output.background,
)

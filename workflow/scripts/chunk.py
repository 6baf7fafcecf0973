"""Map a chunk of consecutive days between two anchors from slid SGPR statistics."""

from icegp import jobs
from icegp.jobs import chunks

log = jobs.setup_logging(snakemake)
chunks.chunk(
    days=snakemake.params.days,
    anchors=snakemake.params.anchors,
    anchor_files=list(snakemake.input.anchor_files),
    weight=snakemake.params.weight,
    obs=list(snakemake.input.obs),
    candidates=snakemake.input.candidates,
    locations=snakemake.input.locations,
    land=snakemake.input.land,
    truth=snakemake.params.truth,
    compare=snakemake.params.compare,
    outputs=snakemake.params.outputs,
    stages=snakemake.output.stages,
    crs=snakemake.params.crs,
    variable=snakemake.params.variable,
    num_days_before_after=snakemake.params.num_days_before_after,
    observations=snakemake.params.observations,
    preferred=snakemake.params.preferred,
    dropped=snakemake.params.dropped,
    missing_days=snakemake.params.missing_days,
    min_obs=snakemake.params.min_obs,
    shards=snakemake.params.shards,
    training=snakemake.params.training,
    smoothing=snakemake.params.smoothing,
    prediction=snakemake.params.prediction,
    validation=snakemake.params.validation,
    along_track=snakemake.params.along_track,
    provenance=snakemake.params.provenance,
    engine=jobs.gp_engine(snakemake, snakemake.params.training, log),
)

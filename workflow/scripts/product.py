"""Blend the predict shards into the CF-1.8 product."""

from icegp import jobs
from icegp.jobs import product

jobs.setup_logging(snakemake)
product.product(
    preds=list(snakemake.input.preds),
    obs=snakemake.input.obs,
    locations=snakemake.input.locations,
    land=snakemake.input.land,
    output=snakemake.output[0],
    target=snakemake.wildcards.target,
    prediction=snakemake.params.prediction,
    variable=snakemake.params.variable,
    crs=snakemake.params.crs,
    provenance=snakemake.params.provenance,
)

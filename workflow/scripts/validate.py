"""Score the product against the truth (demo) and against held-out tracks (any data)."""

from icegp import jobs
from icegp.jobs import product

log = jobs.setup_logging(snakemake)
product.validate(
    product_file=snakemake.input.product,
    obs=snakemake.input.obs,
    experts_file=snakemake.input.experts,
    hyperparameters=snakemake.input.hyperparameters,
    truth=list(snakemake.input.truth),
    compare={name: getattr(snakemake.input, f"compare_{name}") for name in snakemake.params.validation["compare"]},
    output=snakemake.output[0],
    target=snakemake.wildcards.target,
    variable=snakemake.params.variable,
    crs=snakemake.params.crs,
    training_radius=snakemake.params.training["training_radius"],
    num_days_before_after=snakemake.params.num_days_before_after,
    validation=snakemake.params.validation,
    along_track=snakemake.params.along_track,
    engine=jobs.gp_engine(snakemake, snakemake.params.training, log),
)

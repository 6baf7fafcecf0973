"""Maps of the product, its standard deviation and inputs, experts and hyperparameters."""

from icegp import jobs
from icegp.jobs import product

jobs.setup_logging(snakemake)
product.plots(
    product_file=snakemake.input.product,
    hyperparameters=snakemake.input.hyperparameters,
    truth=list(snakemake.input.truth),
    compare={name: getattr(snakemake.input, f"compare_{name}") for name in snakemake.params.compare},
    compare_settings=snakemake.params.compare,
    crs=snakemake.params.crs,
    outputs=dict(snakemake.output.items()),
    background=snakemake.input.background,
    variable=snakemake.params.variable,
    vmax=snakemake.params.vmax,
    std_vmax=snakemake.params.std_vmax,
)

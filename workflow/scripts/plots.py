"""Maps of the product, its standard deviation and inputs, experts and hyperparameters."""

import os

import pandas as pd
import xarray as xr

from icegp import jobs, plots

log = jobs.setup_logging(snakemake)
out_dir = os.path.dirname(snakemake.output.product)
with xr.open_dataset(snakemake.input.product) as ds:
    truth = None
    if snakemake.input.truth:
        with xr.open_dataset(snakemake.input.truth[0]) as t:
            truth = t[snakemake.params.variable].load()
    plots.product_maps(ds, snakemake.params.variable, out_dir, truth=truth)
hyp = pd.read_parquet(snakemake.input.hyperparameters)
plots.expert_status(hyp, snakemake.output.experts)
plots.hyperparameter_maps(hyp, snakemake.output.hyperparameters)

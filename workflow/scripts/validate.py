"""Score the product against the truth (demo) and against held-out tracks (any data)."""

import pandas as pd
import xarray as xr

from icegp import experts, jobs, prediction, validation
from icegp.io.atomic import write_json

log = jobs.setup_logging(snakemake)
p = snakemake.params
engine = jobs.gp_engine(snakemake, p.training, log)
target = snakemake.wildcards.target
report = {"target": target, "variable": p.variable}
with xr.open_dataset(snakemake.input.product) as ds:
    field = ds[p.variable].isel(time=0).values
    if snakemake.input.truth:
        with xr.open_dataset(snakemake.input.truth[0]) as truth:
            report["truth"] = validation.scores(field, truth[snakemake.params.variable].values)
report["holdout"] = validation.holdout(
    pd.read_parquet(snakemake.input.obs),
    pd.read_parquet(snakemake.input.experts),
    prediction.read_hyperparameters(snakemake.input.hyperparameters, p.crs, target),
    engine,
    target,
    p.training["training_radius"],
    experts.time_half_width(p.num_days),
    p.validation["holdout_fraction"],
    p.validation["seed"],
    p.along_track,
)
write_json(report, snakemake.output[0])
log.info("%s", report)

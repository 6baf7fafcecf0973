"""Predict one shard of experts at the prediction locations with fixed (smoothed) hyperparameters."""

import pandas as pd

from icegp import experts, jobs, prediction
from icegp.io.atomic import write_parquet

log = jobs.setup_logging(snakemake)
p = snakemake.params
engine = jobs.gp_engine(snakemake, p.training, log)
target = snakemake.wildcards.target
all_experts = pd.read_parquet(snakemake.input.experts)
mine = all_experts[all_experts["shard"] == int(snakemake.wildcards.shard)]
hyp = prediction.read_hyperparameters(snakemake.input.hyperparameters, p.crs, target)
table, status = prediction.predict_shard(
    pd.read_parquet(snakemake.input.obs),
    mine,
    hyp,
    pd.read_parquet(snakemake.input.locations),
    engine,
    p.training["training_radius"],
    experts.time_half_width(p.num_days),
    p.prediction["radius"],
)
write_parquet(table, snakemake.output[0], {"target": target, "status": status})
log.info(
    "shard %s: %s, %d predictions with the hyperparameters of %s",
    snakemake.wildcards.shard,
    status,
    len(table),
    snakemake.input.hyperparameters,
)

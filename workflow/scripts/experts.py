"""Choose the experts of one target and assign them to shards."""

import pandas as pd

from icegp import experts, jobs
from icegp.io.atomic import write_parquet

log = jobs.setup_logging(snakemake)
p = snakemake.params
table = experts.choose_experts(
    pd.read_parquet(snakemake.input.obs),
    pd.read_parquet(snakemake.input.candidates),
    snakemake.wildcards.target,
    p.experts["min_obs"],
    p.num_days,
    p.radius,
    p.shards,
)
write_parquet(table, snakemake.output[0], {"target": snakemake.wildcards.target, "crs": p.crs})
log.info(
    "%d experts, obs per expert: median %d, min %d, max %d; per shard %s",
    len(table),
    table["n_obs"].median(),
    table["n_obs"].min(),
    table["n_obs"].max(),
    table.groupby("shard").size().to_dict(),
)

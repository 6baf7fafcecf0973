"""Gather the train shards, clip and smooth the hyperparameters (raw values kept beside them)."""

import pandas as pd

from icegp import jobs, smoothing
from icegp.gp.hyper import Space
from icegp.io.atomic import write_parquet

log = jobs.setup_logging(snakemake)
cfg = snakemake.params.smoothing
trained = pd.concat([pd.read_parquet(f) for f in snakemake.input], ignore_index=True)
table = smoothing.smooth(
    trained, Space.from_config(snakemake.params.training), cfg["length_scale"], cfg["params"], cfg["enabled"]
)
write_parquet(
    table, snakemake.output[0], {"target": snakemake.wildcards.target, "crs": snakemake.params.crs, "smoothing": cfg}
)
log.info("%d experts; status %s", len(table), table["status"].value_counts().to_dict())

"""Blend the predict shards into the CF-1.8 product."""
import pandas as pd

from icegp import jobs, product
from icegp.io.atomic import write_netcdf

log = jobs.setup_logging(snakemake)
p = snakemake.params
preds = pd.concat([pd.read_parquet(f) for f in snakemake.input.preds], ignore_index=True)
if preds.empty:
    raise ValueError(f"target {snakemake.wildcards.target}: no expert predicted anything "
                     f"(inputs {list(snakemake.input.preds)})")
x_axis, y_axis = product.axes(p.prediction, pd.read_parquet(snakemake.input.locations))
blended = product.blend(preds, p.prediction["blend_length_scale"])
ds = product.dataset(blended, pd.read_parquet(snakemake.input.obs), x_axis, y_axis, snakemake.wildcards.target,
                     p.variable, p.crs, snakemake.config)
write_netcdf(ds, snakemake.output[0], encoding=product.encoding(ds))
log.info("%d cells predicted by up to %d experts", len(blended), int(blended["n_experts"].max()))

"""Blend the predict shards into the CF-1.8 product."""

import numpy as np
import pandas as pd
import xarray as xr

from icegp import jobs, product
from icegp.io.atomic import write_netcdf

log = jobs.setup_logging(snakemake)
p = snakemake.params
preds = pd.concat([pd.read_parquet(f) for f in snakemake.input.preds], ignore_index=True)
if preds.empty:
    raise ValueError(
        f"target {snakemake.wildcards.target}: no expert predicted anything (inputs {list(snakemake.input.preds)})"
    )
x_axis, y_axis = product.axes(p.prediction, pd.read_parquet(snakemake.input.locations))
blended = product.blend(preds, p.prediction["blend_length_scale"])
with xr.open_dataarray(snakemake.input.land) as land:
    land = land.load()
if not (np.array_equal(land["x"], x_axis) and np.array_equal(land["y"], y_axis)):
    raise ValueError(f"{snakemake.input.land}: made for another product grid; re-run the grids rule")
ds = product.dataset(
    blended,
    pd.read_parquet(snakemake.input.obs),
    x_axis,
    y_axis,
    snakemake.wildcards.target,
    p.variable,
    p.crs,
    p.provenance,
    land,
)
write_netcdf(ds, snakemake.output[0], encoding=product.encoding(ds))
log.info("%d cells predicted by up to %d experts", len(blended), int(blended["n_experts"].max()))
